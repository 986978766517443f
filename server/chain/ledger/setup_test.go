package ledger_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// abiL packs calldata and unpacks results; it holds no connection.
var abiL = aidledger.NewAidLedger()

// fixture is a deployed AidLedger with one key per role: admin (Keys[0]), program manager,
// operator, settler, and a stranger holding no role.
type fixture struct {
	*chaintest.Chain
	t                                          testing.TB
	addr                                       common.Address
	admin, manager, operator, settler, strange *ecdsa.PrivateKey
}

func newFixture(t testing.TB, c *chaintest.Chain) *fixture {
	t.Helper()
	f := &fixture{Chain: c, t: t, admin: c.Keys[0], manager: c.Keys[1], operator: c.Keys[2], settler: c.Keys[3], strange: c.Keys[4]}
	ctx := context.Background()
	addr, tx, err := ledger.Deploy(ctx, c.Client, f.admin, c.ChainID, c.Addr(0))
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	c.Mine(t)
	if r := c.Receipt(t, tx.Hash()); r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deploy failed")
	}
	f.addr = addr
	for i, role := range []common.Hash{ledger.RoleProgramManager, ledger.RoleOperator, ledger.RoleSettler} {
		tx, err := ledger.GrantRole(ctx, c.Client, f.admin, c.ChainID, addr, role, c.Addr(i+1))
		if err != nil {
			t.Fatalf("grant: %v", err)
		}
		c.Mine(t)
		if r := c.Receipt(t, tx.Hash()); r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("grant %s failed", ledger.RoleName(role))
		}
	}
	return f
}

// do sends calldata from key and requires success.
func (f *fixture) do(key *ecdsa.PrivateKey, data []byte) *types.Receipt {
	f.t.Helper()
	return f.MustTransact(f.t, key, f.addr, data)
}

// revert requires the call from key to be refused and returns the decoded reason.
func (f *fixture) revert(key *ecdsa.PrivateKey, data []byte) string {
	f.t.Helper()
	r, err := f.Transact(f.t, key, f.addr, data)
	if err == nil {
		f.t.Fatalf("expected a revert, got a receipt with status %d", r.Status)
	}
	raw, ok := ledger.RevertData(err)
	if !ok {
		f.t.Fatalf("error without revert data: %v", err)
	}
	return ledger.DescribeRevert(raw)
}

func (f *fixture) call(data []byte) []byte {
	f.t.Helper()
	out, err := f.Call(f.t, f.Addr(0), f.addr, data)
	if err != nil {
		f.t.Fatalf("call: %v", err)
	}
	return out
}

func (f *fixture) entitlement(pid uint64, id [32]byte) aidledger.EntitlementOutput {
	f.t.Helper()
	out, err := abiL.UnpackEntitlement(f.call(abiL.PackEntitlement(pid, id)))
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) totals(pid uint64) aidledger.ProgramTotalsOutput {
	f.t.Helper()
	out, err := abiL.UnpackProgramTotals(f.call(abiL.PackProgramTotals(pid)))
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *fixture) vendor(pid uint64, v common.Address) aidledger.VendorPositionOutput {
	f.t.Helper()
	out, err := abiL.UnpackVendorPosition(f.call(abiL.PackVendorPosition(pid, v)))
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// setupProgram creates an active program with the given funding.
func (f *fixture) setupProgram(pid uint64, funded int64) {
	f.t.Helper()
	f.do(f.manager, abiL.PackCreateProgram(pid))
	f.do(f.manager, abiL.PackFund(pid, big.NewInt(funded), ref("donor")))
}

func (f *fixture) allocate(pid uint64, cycle uint32, ids [][32]byte, amounts ...int64) *types.Receipt {
	f.t.Helper()
	return f.do(f.manager, abiL.PackAllocate(pid, cycle, ids, bigs(amounts...)))
}

// events returns the logs of r that decode as event E, in log order.
func events[E any](r *types.Receipt, unpack func(*types.Log) (*E, error)) []*E {
	var out []*E
	for _, l := range r.Logs {
		if e, err := unpack(l); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// one requires exactly one event E in r.
func one[E any](t *testing.T, r *types.Receipt, unpack func(*types.Log) (*E, error)) *E {
	t.Helper()
	evs := events(r, unpack)
	if len(evs) != 1 {
		t.Fatalf("want 1 %T event, got %d", *new(E), len(evs))
	}
	return evs[0]
}

func ref(s string) [32]byte { return crypto.Keccak256Hash([]byte("ref " + s)) }

// beneficiary returns a pseudonymous 32-byte id, random-looking as in production.
func beneficiary(i int) [32]byte {
	return crypto.Keccak256Hash(big.NewInt(int64(i)).Bytes(), []byte("beneficiary"))
}

func vendorAddr(i int) common.Address {
	return common.BytesToAddress(crypto.Keccak256(big.NewInt(int64(i)).Bytes(), []byte("vendor")))
}

func bigs(xs ...int64) []*big.Int {
	out := make([]*big.Int, len(xs))
	for i, x := range xs {
		out[i] = big.NewInt(x)
	}
	return out
}

func item(b [32]byte, v common.Address, amount int64, seq uint64, r string) aidledger.AidLedgerRedeemItem {
	return aidledger.AidLedgerRedeemItem{Beneficiary: b, Vendor: v, Amount: big.NewInt(amount), Seq: seq, Ref: ref(r)}
}

func eqInt(t *testing.T, what string, got *big.Int, want int64) {
	t.Helper()
	if got.Cmp(big.NewInt(want)) != 0 {
		t.Errorf("%s = %s, want %d", what, got, want)
	}
}

func cryptoAddr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

func t0(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
