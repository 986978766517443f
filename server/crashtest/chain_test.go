package crashtest

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/google/uuid"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

var ledgerABI = aidledger.NewAidLedger()

// entKey names an entitlement: (chain program id, beneficiary pseudonym).
type entKey struct {
	Program     uint64
	Beneficiary common.Hash
}

// chainLedger is what the chain itself says, read with a plain JSON-RPC client.
type chainLedger struct {
	Head       uint64
	Redeemed   []*aidledger.AidLedgerRedeemed
	Rejected   []*aidledger.AidLedgerRedemptionRejected
	Allocated  map[entKey]*big.Int
	Expired    map[entKey]bool
	ByRef      map[uuid.UUID][]*aidledger.AidLedgerRedeemed
	RedeemedBy map[entKey]*big.Int // net of refunds, as the contract keeps it
	ProgramSum map[uint64]*big.Int // Σ Redeemed − Σ Refunded amounts per program
}

func dialChain(t *testing.T, url string) *ethclient.Client {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := ethclient.Dial(url)
		if err == nil {
			if _, err = c.BlockNumber(context.Background()); err == nil {
				t.Cleanup(c.Close)
				return c
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("chain JSON-RPC %s: %v", url, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// readLedger reads every Redeemed, RedemptionRejected, Refunded, Allocated and Expired event of
// the contract with eth_getLogs and decodes them with the generated bindings. (The demo seed
// refunds one sale.)
func readLedger(t *testing.T, c *ethclient.Client, contract common.Address) *chainLedger {
	t.Helper()
	ctx := context.Background()
	head, err := c.BlockNumber(ctx)
	if err != nil {
		t.Fatalf("eth_blockNumber: %v", err)
	}
	parsed, err := aidledger.AidLedgerMetaData.ParseABI()
	if err != nil {
		t.Fatal(err)
	}
	redeemedID, rejectedID := parsed.Events["Redeemed"].ID, parsed.Events["RedemptionRejected"].ID
	allocatedID, expiredID := parsed.Events["Allocated"].ID, parsed.Events["Expired"].ID
	refundedID := parsed.Events["Refunded"].ID
	out := &chainLedger{Head: head, Allocated: map[entKey]*big.Int{}, Expired: map[entKey]bool{},
		ByRef: map[uuid.UUID][]*aidledger.AidLedgerRedeemed{}, RedeemedBy: map[entKey]*big.Int{}, ProgramSum: map[uint64]*big.Int{}}
	const step = 2000
	for from := uint64(0); from <= head; from += step {
		to := min(from+step-1, head)
		logs, err := c.FilterLogs(ctx, ethereum.FilterQuery{
			FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to),
			Addresses: []common.Address{contract}, Topics: [][]common.Hash{{redeemedID, rejectedID, allocatedID, expiredID, refundedID}},
		})
		if err != nil {
			t.Fatalf("eth_getLogs %d..%d: %v", from, to, err)
		}
		for i := range logs {
			l := &logs[i]
			if l.Removed {
				continue
			}
			switch l.Topics[0] {
			case redeemedID:
				ev, err := ledgerABI.UnpackRedeemedEvent(l)
				if err != nil {
					t.Fatalf("decode Redeemed in %s: %v", l.TxHash, err)
				}
				out.Redeemed = append(out.Redeemed, ev)
				id := ledger.ParseRef(ev.Ref).ID
				out.ByRef[id] = append(out.ByRef[id], ev)
				k := entKey{ev.ProgramId, ev.Beneficiary}
				addTo(out.RedeemedBy, k, ev.Amount)
				addTo(out.ProgramSum, ev.ProgramId, ev.Amount)
			case refundedID:
				ev, err := ledgerABI.UnpackRefundedEvent(l)
				if err != nil {
					t.Fatalf("decode Refunded in %s: %v", l.TxHash, err)
				}
				k := entKey{ev.ProgramId, ev.Beneficiary}
				addTo(out.RedeemedBy, k, new(big.Int).Neg(ev.Amount))
				addTo(out.ProgramSum, ev.ProgramId, new(big.Int).Neg(ev.Amount))
			case rejectedID:
				ev, err := ledgerABI.UnpackRedemptionRejectedEvent(l)
				if err != nil {
					t.Fatalf("decode RedemptionRejected in %s: %v", l.TxHash, err)
				}
				out.Rejected = append(out.Rejected, ev)
			case allocatedID:
				ev, err := ledgerABI.UnpackAllocatedEvent(l)
				if err != nil {
					t.Fatalf("decode Allocated in %s: %v", l.TxHash, err)
				}
				addTo(out.Allocated, entKey{ev.ProgramId, ev.Beneficiary}, ev.Amount)
			case expiredID:
				ev, err := ledgerABI.UnpackExpiredEvent(l)
				if err != nil {
					t.Fatalf("decode Expired in %s: %v", l.TxHash, err)
				}
				out.Expired[entKey{ev.ProgramId, ev.Beneficiary}] = true
			}
		}
	}
	return out
}

func addTo[K comparable](m map[K]*big.Int, k K, v *big.Int) {
	if m[k] == nil {
		m[k] = new(big.Int)
	}
	m[k].Add(m[k], v)
}

func callView(t *testing.T, c *ethclient.Client, contract common.Address, data []byte, block *big.Int) []byte {
	t.Helper()
	out, err := c.CallContract(context.Background(), ethereum.CallMsg{To: &contract, Data: data}, block)
	if err != nil {
		t.Fatalf("eth_call: %v", err)
	}
	return out
}

func entitlementOnChain(t *testing.T, c *ethclient.Client, contract common.Address, k entKey, block *big.Int) aidledger.EntitlementOutput {
	t.Helper()
	e, err := ledgerABI.UnpackEntitlement(callView(t, c, contract, ledgerABI.PackEntitlement(k.Program, k.Beneficiary), block))
	if err != nil {
		t.Fatalf("entitlement(%d, %s): %v", k.Program, k.Beneficiary.Hex(), err)
	}
	return e
}

func programTotalsOnChain(t *testing.T, c *ethclient.Client, contract common.Address, id uint64, block *big.Int) aidledger.ProgramTotalsOutput {
	t.Helper()
	p, err := ledgerABI.UnpackProgramTotals(callView(t, c, contract, ledgerABI.PackProgramTotals(id), block))
	if err != nil {
		t.Fatalf("programTotals(%d): %v", id, err)
	}
	return p
}
