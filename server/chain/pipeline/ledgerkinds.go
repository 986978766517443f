package pipeline

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// Names of the ledger's batched kinds.
const (
	KindRedeem   = "redeem"
	KindAllocate = "allocate"
)

// Redemption is one item of AidLedger.redeemBatch.
type Redemption struct {
	ProgramID   uint64
	Beneficiary [32]byte
	Vendor      common.Address
	Amount      uint64 // minor units; the contract takes uint128, the API never needs more than 64 bits
	Seq         uint64
	Ref         [32]byte // the off-chain redemption id, carried to the Redeemed event
}

const redemptionSize = 32 + 20 + 8 + 8 + 32

// RedeemIntent makes the intent that applies r on chain. Intents of one beneficiary must use the
// same lane (LaneFor) so that their sequence numbers reach the chain in order.
func RedeemIntent(lanes int, r Redemption) NewIntent {
	p := make([]byte, 0, redemptionSize)
	p = append(p, r.Beneficiary[:]...)
	p = append(p, r.Vendor[:]...)
	p = binary.BigEndian.AppendUint64(p, r.Amount)
	p = binary.BigEndian.AppendUint64(p, r.Seq)
	p = append(p, r.Ref[:]...)
	return NewIntent{
		Kind:     KindRedeem,
		Ref:      hex.EncodeToString(r.Ref[:]),
		Lane:     LaneFor(r.Beneficiary, lanes),
		BatchKey: strconv.FormatUint(r.ProgramID, 10),
		Payload:  p,
	}
}

func decodeRedemption(batchKey string, p []byte) (Redemption, error) {
	var r Redemption
	if len(p) != redemptionSize {
		return r, fmt.Errorf("redemption payload of %d bytes", len(p))
	}
	pid, err := strconv.ParseUint(batchKey, 10, 64)
	if err != nil {
		return r, fmt.Errorf("redemption batch key %q: %w", batchKey, err)
	}
	r.ProgramID = pid
	copy(r.Beneficiary[:], p[0:32])
	copy(r.Vendor[:], p[32:52])
	r.Amount = binary.BigEndian.Uint64(p[52:60])
	r.Seq = binary.BigEndian.Uint64(p[60:68])
	copy(r.Ref[:], p[68:100])
	return r, nil
}

// LaneFor spreads beneficiaries over lanes, always the same lane for the same beneficiary.
func LaneFor(beneficiary [32]byte, lanes int) int {
	if lanes <= 1 {
		return 0
	}
	return int(binary.BigEndian.Uint32(beneficiary[:4]) % uint32(lanes))
}

type redeemKind struct{ max int }

func (redeemKind) Name() string        { return KindRedeem }
func (k redeemKind) MaxBatch() int     { return k.max }
func (redeemKind) RetryOnRevert() bool { return true }

// Gas: ~15k per item in steady state, 37.4k when each item first writes its vendor's position in
// the program (a full batch of those: 9.34M). The bound leaves the gas check's 25% margin over
// that worst case (52k × 4/5 = 41.6k): with 45k every new programme's first batches failed the
// check, and the lane estimated each batch from then on (8% of the server's CPU). 250 items
// stay under Osaka's 2^24 per-transaction cap.
func (redeemKind) Gas(n int) uint64 { return 60_000 + 52_000*uint64(n) }

func (redeemKind) Calldata(batchKey string, payloads [][]byte) ([]byte, error) {
	items := make([]aidledger.AidLedgerRedeemItem, len(payloads))
	var pid uint64
	for i, p := range payloads {
		r, err := decodeRedemption(batchKey, p)
		if err != nil {
			return nil, err
		}
		pid = r.ProgramID
		items[i] = aidledger.AidLedgerRedeemItem{
			Beneficiary: r.Beneficiary, Vendor: r.Vendor, Amount: new(big.Int).SetUint64(r.Amount), Seq: r.Seq, Ref: r.Ref,
		}
	}
	return ledgerABI.TryPackRedeemBatch(pid, items)
}

func (redeemKind) Outcomes(ctx context.Context, c *Chain, rc *types.Receipt, in []Intent) ([]Outcome, error) {
	byRef := map[[32]byte]Outcome{}
	for _, l := range c.ledgerLogs(rc.Logs) {
		if ev, err := ledgerABI.UnpackRedeemedEvent(l); err == nil {
			byRef[ev.Ref] = Outcome{Status: IntentConfirmed, LogIndex: l.Index}
		} else if ev, err := ledgerABI.UnpackRedemptionRejectedEvent(l); err == nil {
			byRef[ev.Ref] = Outcome{Status: IntentFailed, Reason: ledger.Reason(ev.Reason).String(), LogIndex: l.Index}
		}
	}
	out := make([]Outcome, len(in))
	for i, it := range in {
		r, err := decodeRedemption(it.BatchKey, it.Payload)
		if err != nil {
			return nil, err
		}
		o, ok := byRef[r.Ref]
		if !ok {
			return nil, fmt.Errorf("receipt %s has no event for redemption %x", rc.TxHash.Hex(), r.Ref)
		}
		if o.Reason == ledger.ReasonSequenceMismatch.String() {
			if o, err = c.resolveSequenceMismatch(ctx, rc.BlockNumber, r); err != nil {
				return nil, err
			}
		}
		out[i] = o
	}
	return out, nil
}

// resolveSequenceMismatch decides what a redemption rejected for its sequence number really
// is. If the entitlement's counter has not reached the item's seq yet, an earlier redemption of
// the same beneficiary is still on its way (another lane, a reverted batch): submit it again
// later. If the counter is past it, some earlier transaction already consumed it (a re-sent
// duplicate): its outcome is that transaction's event, found by (program, beneficiary, seq).
func (c *Chain) resolveSequenceMismatch(ctx context.Context, block *big.Int, r Redemption) (Outcome, error) {
	ent, err := c.entitlement(ctx, block, r.ProgramID, r.Beneficiary)
	if err != nil {
		return Outcome{}, err
	}
	if r.Seq >= ent.Seq {
		return Outcome{Status: IntentPending, Reason: "waiting for an earlier redemption of the same card"}, nil
	}
	logs, err := c.Client.FilterLogs(ctx, ethereum.FilterQuery{
		ToBlock:   block,
		Addresses: []common.Address{c.Contract},
		Topics: [][]common.Hash{
			{ledgerEvents["Redeemed"].ID, ledgerEvents["RedemptionRejected"].ID},
			{common.BigToHash(new(big.Int).SetUint64(r.ProgramID))},
			{common.Hash(r.Beneficiary)},
		},
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("find earlier event of redemption %x: %w", r.Ref, err)
	}
	for _, l := range logs {
		if ev, err := ledgerABI.UnpackRedeemedEvent(&l); err == nil && ev.Seq == r.Seq && ev.Ref == r.Ref {
			return Outcome{Status: IntentConfirmed, LogIndex: l.Index, TxHash: l.TxHash.Hex(), BlockNumber: l.BlockNumber}, nil
		}
		if ev, err := ledgerABI.UnpackRedemptionRejectedEvent(&l); err == nil && ev.Seq == r.Seq && ev.Ref == r.Ref &&
			ledger.Reason(ev.Reason) != ledger.ReasonSequenceMismatch {
			return Outcome{Status: IntentFailed, Reason: ledger.Reason(ev.Reason).String(), LogIndex: l.Index, TxHash: l.TxHash.Hex(), BlockNumber: l.BlockNumber}, nil
		}
	}
	// The counter moved past this seq through another redemption: this one can never apply.
	return Outcome{Status: IntentFailed, Reason: ledger.ReasonSequenceMismatch.String()}, nil
}

// Allocation is one item of AidLedger.allocate.
type Allocation struct {
	ProgramID   uint64
	Cycle       uint32
	Beneficiary [32]byte
	Amount      uint64
}

// AllocateIntent makes the intent that credits a in its cycle. Allocations go through lane 0,
// behind the program's creation and funding, which they depend on.
func AllocateIntent(a Allocation) NewIntent {
	p := make([]byte, 0, 40)
	p = append(p, a.Beneficiary[:]...)
	p = binary.BigEndian.AppendUint64(p, a.Amount)
	key := strconv.FormatUint(a.ProgramID, 10) + ":" + strconv.FormatUint(uint64(a.Cycle), 10)
	return NewIntent{
		Kind:     KindAllocate,
		Ref:      key + ":" + hex.EncodeToString(a.Beneficiary[:]),
		Lane:     0,
		BatchKey: key,
		Payload:  p,
	}
}

func parseAllocateKey(key string) (uint64, uint32, error) {
	pid, cyc, ok := strings.Cut(key, ":")
	if !ok {
		return 0, 0, fmt.Errorf("allocation batch key %q", key)
	}
	p, err := strconv.ParseUint(pid, 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("allocation batch key %q: %w", key, err)
	}
	c, err := strconv.ParseUint(cyc, 10, 32)
	if err != nil {
		return 0, 0, fmt.Errorf("allocation batch key %q: %w", key, err)
	}
	return p, uint32(c), nil
}

type allocateKind struct{ max int }

func (allocateKind) Name() string        { return KindAllocate }
func (k allocateKind) MaxBatch() int     { return k.max }
func (allocateKind) RetryOnRevert() bool { return false }

// Gas: ~25.6k for a beneficiary's first entitlement in a program (a fresh storage slot), less
// for a top-up. The bound leaves the gas check's 25% margin (35k × 4/5 = 28k); with 32k a full
// batch of new beneficiaries failed the check, and every allocation batch was estimated after.
func (allocateKind) Gas(n int) uint64 { return 60_000 + 35_000*uint64(n) }

func (allocateKind) Calldata(key string, payloads [][]byte) ([]byte, error) {
	pid, cycle, err := parseAllocateKey(key)
	if err != nil {
		return nil, err
	}
	ids := make([][32]byte, len(payloads))
	amounts := make([]*big.Int, len(payloads))
	for i, p := range payloads {
		if len(p) != 40 {
			return nil, fmt.Errorf("allocation payload of %d bytes", len(p))
		}
		copy(ids[i][:], p[:32])
		amounts[i] = new(big.Int).SetUint64(binary.BigEndian.Uint64(p[32:]))
	}
	return ledgerABI.TryPackAllocate(pid, cycle, ids, amounts)
}

func (allocateKind) Outcomes(ctx context.Context, c *Chain, rc *types.Receipt, in []Intent) ([]Outcome, error) {
	byID := map[[32]byte]Outcome{}
	for _, l := range c.ledgerLogs(rc.Logs) {
		if ev, err := ledgerABI.UnpackAllocatedEvent(l); err == nil {
			byID[ev.Beneficiary] = Outcome{Status: IntentConfirmed, LogIndex: l.Index}
		} else if ev, err := ledgerABI.UnpackAllocationRejectedEvent(l); err == nil {
			o := Outcome{Status: IntentFailed, Reason: ledger.Reason(ev.Reason).String(), LogIndex: l.Index}
			if ledger.Reason(ev.Reason) == ledger.ReasonStaleCycle {
				// Already credited for exactly this cycle: an earlier transaction of ours did it.
				ent, err := c.entitlement(ctx, rc.BlockNumber, ev.ProgramId, ev.Beneficiary)
				if err != nil {
					return nil, err
				}
				if ent.LastCycle == ev.Cycle {
					o = Outcome{Status: IntentConfirmed, Reason: "already allocated for this cycle", LogIndex: l.Index}
				}
			}
			byID[ev.Beneficiary] = o
		}
	}
	out := make([]Outcome, len(in))
	for i, it := range in {
		var id [32]byte
		copy(id[:], it.Payload[:32])
		o, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("receipt %s has no event for allocation %x", rc.TxHash.Hex(), id)
		}
		out[i] = o
	}
	return out, nil
}
