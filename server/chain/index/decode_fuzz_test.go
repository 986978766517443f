package index

import (
	"bytes"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// fuzzEvents are the contract's events, in name order, so that a fuzz byte picks one stably.
var fuzzEvents = func() []abi.Event {
	var out []abi.Event
	for _, ev := range ledgerABI.Events {
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b abi.Event) int { return bytes.Compare([]byte(a.Name), []byte(b.Name)) })
	return out
}()

// fuzzLog is a log of n%6 topics cut from raw (32 bytes each, zero-padded) and the rest of raw as
// data; when pick names one of the contract's events (and there is a topic), topic 0 is its ID.
func fuzzLog(pick, n uint8, raw []byte) *types.Log {
	l := &types.Log{BlockNumber: 7, Index: 3, TxHash: common.HexToHash("0xabc"), BlockHash: common.HexToHash("0xdef")}
	for range n % 6 {
		var h common.Hash
		k := copy(h[:], raw)
		raw = raw[k:]
		l.Topics = append(l.Topics, h)
	}
	l.Data = raw
	if int(pick) < len(fuzzEvents) && len(l.Topics) > 0 {
		l.Topics[0] = fuzzEvents[pick].ID
	}
	return l
}

// FuzzDecode: whatever topics (0 to 5, topic 0 a real event ID or not) and data a node returns,
// decode never panics; it keeps the log's position; an anonymous or unknown log, or one without
// the data its event has fields in, is an error; a decoded one has its event's name, as many
// topics as the event has indexed fields and an amount that fits the column; and decoding the
// same log twice gives the same event.
func FuzzDecode(f *testing.F) {
	for i, ev := range fuzzEvents {
		indexed := 0
		for _, a := range ev.Inputs {
			if a.Indexed {
				indexed++
			}
		}
		f.Add(uint8(255), uint8(indexed+1), ev.ID.Bytes())                                                        // topics all zero, no data
		f.Add(uint8(255), uint8(indexed+1), append(ev.ID.Bytes(), bytes.Repeat([]byte{0x01}, 32*(indexed+4))...)) // and some data
		f.Add(uint8(i), uint8(indexed), bytes.Repeat([]byte{0xff}, 32*(indexed+4)))                               // a topic short
		f.Add(uint8(i), uint8(indexed+2), bytes.Repeat([]byte{0x80}, 32*(indexed+2)+31))                          // a topic too many, ragged data
		f.Add(uint8(i), uint8(indexed+1), append(make([]byte, 32*(indexed+1)), 0, 0, 0, 0))                       // data not a multiple of 32
	}
	// RoleAdminChanged with a role and a new admin role that differ.
	f.Add(uint8(255), uint8(4), append(ledgerABI.Events["RoleAdminChanged"].ID.Bytes(), bytes.Repeat([]byte{1, 2, 3, 4}, 24)...))
	f.Add(uint8(255), uint8(0), []byte{})
	f.Add(uint8(255), uint8(1), []byte("not an event id"))
	f.Add(uint8(255), uint8(5), bytes.Repeat([]byte{0xff}, 4096))
	f.Fuzz(func(t *testing.T, pick, n uint8, raw []byte) {
		l := fuzzLog(pick, n, raw)
		e, err := decode(l)
		if e.BlockNumber != l.BlockNumber || e.LogIndex != l.Index || e.TxHash != l.TxHash.Hex() || e.BlockHash != l.BlockHash.Hex() {
			t.Fatalf("decode(topics %x, data %x) lost the log's position: %+v", l.Topics, l.Data, e)
		}
		if len(l.Topics) == 0 {
			if err == nil {
				t.Fatalf("decode(data %x): an anonymous log decoded as %+v", l.Data, e)
			}
			return
		}
		ev, known := eventsByID[l.Topics[0]]
		if !known {
			if err == nil || e.Kind != "" {
				t.Fatalf("decode(topics %x, data %x): an unknown event decoded as %+v, %v", l.Topics, l.Data, e, err)
			}
			return
		}
		again, err2 := decode(l)
		if again != e || (err == nil) != (err2 == nil) {
			t.Fatalf("decode(topics %x, data %x) twice: %+v, %v then %+v, %v", l.Topics, l.Data, e, err, again, err2)
		}
		if err != nil {
			return
		}
		if len(l.Data) == 0 && len(ev.Inputs.NonIndexed()) > 0 {
			t.Fatalf("decode(topics %x, no data) = %+v: %s has fields in its data; want an error", l.Topics, e, ev.Name)
		}
		indexed := 0
		for _, a := range ev.Inputs {
			if a.Indexed {
				indexed++
			}
		}
		if e.Kind != ev.Name || len(l.Topics)-1 != indexed || e.Amount < 0 {
			t.Fatalf("decode(topics %x, data %x) = %+v: want kind %s with %d indexed topics and an amount >= 0", l.Topics, l.Data, e, ev.Name, indexed)
		}
	})
}

// FuzzDecodeEncoded: a log the contract could emit (any of its events, any field values, ABI
// encoded) decodes to exactly those values in their columns, or, only when the amount does not
// fit in 63 bits, to an error.
func FuzzDecodeEncoded(f *testing.F) {
	for i := range fuzzEvents {
		f.Add(uint8(i), []byte{})
		f.Add(uint8(i), bytes.Repeat([]byte{0xff}, 200))
		f.Add(uint8(i), bytes.Repeat([]byte{0x01, 0x7f, 0x80}, 100))
	}
	f.Fuzz(func(t *testing.T, pick uint8, raw []byte) {
		ev := fuzzEvents[int(pick)%len(fuzzEvents)]
		next := func(n int) []byte {
			b := make([]byte, n)
			k := copy(b, raw)
			raw = raw[k:]
			return b
		}
		l := &types.Log{BlockNumber: 9, Index: 1, Topics: []common.Hash{ev.ID}}
		want := Event{Kind: ev.Name, BlockNumber: 9, LogIndex: 1, TxHash: l.TxHash.Hex(), BlockHash: l.BlockHash.Hex()}
		var data []any
		tooBig := false
		for _, a := range ev.Inputs {
			var v any
			var topic common.Hash
			switch {
			case a.Type.T == abi.UintTy && a.Type.Size == 8:
				x := next(1)[0]
				v, topic = x, common.BigToHash(new(big.Int).SetUint64(uint64(x)))
				want.Reason = x
			case a.Type.T == abi.UintTy && a.Type.Size == 32:
				x := uint32(new(big.Int).SetBytes(next(4)).Uint64())
				v, topic = x, common.BigToHash(new(big.Int).SetUint64(uint64(x)))
				want.Cycle = x
			case a.Type.T == abi.UintTy && a.Type.Size == 64:
				x := new(big.Int).SetBytes(next(8)).Uint64()
				v, topic = x, common.BigToHash(new(big.Int).SetUint64(x))
				switch a.Name {
				case "programId":
					want.ProgramID = x
				case "seq":
					want.Seq = x
				}
			case a.Type.T == abi.UintTy && a.Type.Size == 128:
				x := new(big.Int).SetBytes(next(16))
				v, topic = x, common.BigToHash(x)
				tooBig = !x.IsInt64()
				want.Amount = x.Int64()
			case a.Type.T == abi.BoolTy:
				x := next(1)[0]&1 == 1
				v = x
				if x {
					topic[31] = 1
				}
				want.Active = x
			case a.Type.T == abi.AddressTy:
				x := common.BytesToAddress(next(20))
				v, topic = x, common.BytesToHash(x.Bytes())
				switch a.Name {
				case "vendor":
					want.Vendor = x.Hex()
				case "account":
					want.Account = x.Hex()
				}
			case a.Type.T == abi.FixedBytesTy && a.Type.Size == 32:
				x := [32]byte(next(32))
				v, topic = x, common.Hash(x)
				switch a.Name {
				case "beneficiary":
					want.Beneficiary = topic.Hex()
				case "role":
					want.Role = topic.Hex()
				case "ref", "donorRef":
					want.Ref = topic.Hex()
				}
			default:
				t.Fatalf("event %s: field %s of type %s not covered by this test", ev.Name, a.Name, a.Type)
			}
			if a.Indexed {
				l.Topics = append(l.Topics, topic)
			} else {
				data = append(data, v)
			}
		}
		var err error
		if l.Data, err = ev.Inputs.NonIndexed().Pack(data...); err != nil {
			t.Fatalf("pack %s %v: %v", ev.Name, data, err)
		}
		got, err := decode(l)
		if tooBig {
			if err == nil {
				t.Fatalf("decode(%s, topics %x, data %x) = %+v: want an error for an amount over 63 bits", ev.Name, l.Topics, l.Data, got)
			}
			return
		}
		if err != nil || got != want {
			t.Fatalf("decode(%s, topics %x, data %x) = %+v, %v; want %+v", ev.Name, l.Topics, l.Data, got, err, want)
		}
	})
}
