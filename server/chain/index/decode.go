package index

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
)

// Kinds of events, as stored in Event.Kind: the contract's event names.
const (
	KindProgramCreated        = "ProgramCreated"
	KindProgramStatusChanged  = "ProgramStatusChanged"
	KindFunded                = "Funded"
	KindAllocated             = "Allocated"
	KindAllocationRejected    = "AllocationRejected"
	KindRedeemed              = "Redeemed"
	KindRedemptionRejected    = "RedemptionRejected"
	KindExpired               = "Expired"
	KindSettled               = "Settled"
	KindRefunded              = "Refunded"           // Ref is the refunded redemption's ref
	KindSettlementReversed    = "SettlementReversed" // Ref is the reversed settlement's payout ref
	KindVendorApproved        = "VendorApproved"
	KindVendorRevoked         = "VendorRevoked"
	KindBeneficiarySuspended  = "BeneficiarySuspended"
	KindBeneficiaryReinstated = "BeneficiaryReinstated"
)

var ledgerABI = aidledger.NewAidLedger().GetABI()

// eventsByID maps topic 0 to the contract's events; built once from the generated ABI.
var eventsByID = func() map[common.Hash]abi.Event {
	m := map[common.Hash]abi.Event{}
	for _, ev := range ledgerABI.Events {
		m[ev.ID] = ev
	}
	return m
}()

// decode turns one ledger log into an Event (without its block time). Every event's fields go
// through the ABI by name, so a field a new event shares with the old ones ("programId",
// "amount"…) lands in its column without code here. Unknown logs are an error: the indexer
// follows one contract whose ABI it was built with.
func decode(l *types.Log) (Event, error) {
	e := Event{BlockNumber: l.BlockNumber, BlockHash: l.BlockHash.Hex(), LogIndex: l.Index, TxHash: l.TxHash.Hex()}
	if len(l.Topics) == 0 {
		return e, fmt.Errorf("anonymous log %s/%d", l.TxHash.Hex(), l.Index)
	}
	ev, ok := eventsByID[l.Topics[0]]
	if !ok {
		return e, fmt.Errorf("unknown event %s in %s/%d", l.Topics[0].Hex(), l.TxHash.Hex(), l.Index)
	}
	e.Kind = ev.Name
	f := map[string]any{}
	// An event with fields in its data and none there is an error, not zeros in their columns.
	if len(l.Data) > 0 || len(ev.Inputs.NonIndexed()) > 0 {
		if err := ev.Inputs.UnpackIntoMap(f, l.Data); err != nil {
			return e, fmt.Errorf("decode %s %s/%d: %w", ev.Name, l.TxHash.Hex(), l.Index, err)
		}
	}
	var indexed abi.Arguments
	for _, a := range ev.Inputs {
		if a.Indexed {
			indexed = append(indexed, a)
		}
	}
	if err := abi.ParseTopicsIntoMap(f, indexed, l.Topics[1:]); err != nil {
		return e, fmt.Errorf("decode %s topics %s/%d: %w", ev.Name, l.TxHash.Hex(), l.Index, err)
	}
	for name, v := range f {
		switch v := v.(type) {
		case uint64:
			if name == "programId" {
				e.ProgramID = v
			} else if name == "seq" {
				e.Seq = v
			}
		case uint32:
			e.Cycle = v
		case uint8:
			e.Reason = v
		case bool:
			e.Active = v
		case *big.Int: // amount
			if !v.IsInt64() || v.Sign() < 0 {
				return e, fmt.Errorf("%s %s/%d: amount %s does not fit in 63 bits", ev.Name, l.TxHash.Hex(), l.Index, v)
			}
			e.Amount = v.Int64()
		case common.Address:
			switch name {
			case "vendor":
				e.Vendor = v.Hex()
			case "account": // role and pause events; their "sender" is left out
				e.Account = v.Hex()
			}
		case [32]byte:
			switch name {
			case "beneficiary":
				e.Beneficiary = common.Hash(v).Hex()
			case "role": // RoleAdminChanged's newAdminRole is not kept: the role is what changed
				e.Role = common.Hash(v).Hex()
			case "ref", "donorRef":
				e.Ref = common.Hash(v).Hex()
			}
		}
	}
	return e, nil
}
