package verify

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// event is a decoded log, reduced to what the totals need.
type event struct {
	block       uint64
	name        string
	program     uint64
	beneficiary common.Hash
	vendor      common.Address
	amount      *big.Int
	ref         common.Hash // Redeemed and Refunded: the redemption's ref; Settled and SettlementReversed: the payout's
}

// readEvents reads the ledger's value events from FromBlock to head, Range blocks per call.
func readEvents(ctx context.Context, client Client, cfg Config, head uint64) ([]event, error) {
	var out []event
	for from := cfg.FromBlock; from <= head; from += cfg.Range {
		to := min(head, from+cfg.Range-1)
		logs, err := client.FilterLogs(ctx, ethereum.FilterQuery{
			FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to), Addresses: []common.Address{cfg.Contract},
		})
		if err != nil {
			return nil, fmt.Errorf("read logs %d-%d: %w", from, to, err)
		}
		for i := range logs {
			e, ok, err := decode(&logs[i])
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// decode reads the events that move value; others (roles, vendor approvals…) are skipped.
func decode(l *types.Log) (event, bool, error) {
	e := event{block: l.BlockNumber}
	if len(l.Topics) == 0 || l.Removed {
		return e, false, nil
	}
	ev, err := abiDef.EventByID(l.Topics[0])
	if err != nil {
		return e, false, nil
	}
	e.name = ev.Name
	wrap := func(err error) error {
		return fmt.Errorf("decode %s in %s/%d: %w", ev.Name, l.TxHash.Hex(), l.Index, err)
	}
	switch ev.Name {
	case "ProgramCreated":
		x, err := ledgerABI.UnpackProgramCreatedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program = x.ProgramId
	case "Funded":
		x, err := ledgerABI.UnpackFundedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.amount = x.ProgramId, x.Amount
	case "Allocated":
		x, err := ledgerABI.UnpackAllocatedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.amount = x.ProgramId, x.Beneficiary, x.Amount
	case "Redeemed":
		x, err := ledgerABI.UnpackRedeemedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.vendor, e.amount, e.ref = x.ProgramId, x.Beneficiary, x.Vendor, x.Amount, x.Ref
	case "Refunded":
		x, err := ledgerABI.UnpackRefundedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.vendor, e.amount, e.ref = x.ProgramId, x.Beneficiary, x.Vendor, x.Amount, x.Ref
	case "Settled":
		x, err := ledgerABI.UnpackSettledEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.vendor, e.amount, e.ref = x.ProgramId, x.Vendor, x.Amount, x.Ref
	case "SettlementReversed":
		x, err := ledgerABI.UnpackSettlementReversedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.vendor, e.amount, e.ref = x.ProgramId, x.Vendor, x.Amount, x.Ref
	case "Expired":
		x, err := ledgerABI.UnpackExpiredEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.amount = x.ProgramId, x.Beneficiary, x.Amount
	default:
		return e, false, nil
	}
	// The bindings leave the amount nil when a log has no data at all; the totals would panic on it.
	if e.amount == nil && ev.Name != "ProgramCreated" {
		return e, false, wrap(errors.New("no amount: the log has no data"))
	}
	return e, true, nil
}
