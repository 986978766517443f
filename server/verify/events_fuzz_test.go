package verify

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
	for _, ev := range abiDef.Events {
		out = append(out, ev)
	}
	slices.SortFunc(out, func(a, b abi.Event) int { return bytes.Compare([]byte(a.Name), []byte(b.Name)) })
	return out
}()

// valueEvents are the events decode keeps: all but ProgramCreated carry an amount.
var valueEvents = map[string]bool{
	"ProgramCreated": true, "Funded": true, "Allocated": true, "Redeemed": true, "Refunded": true,
	"Settled": true, "SettlementReversed": true, "Expired": true,
}

// fuzzLog is a log of n%6 topics cut from raw (32 bytes each, zero-padded) and the rest of raw as
// data; when pick names one of the contract's events (and there is a topic), topic 0 is its ID.
func fuzzLog(pick, n uint8, removed bool, raw []byte) *types.Log {
	l := &types.Log{BlockNumber: 7, Index: 3, TxHash: common.HexToHash("0xabc"), Removed: removed}
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

// FuzzDecode: whatever topics (0 to 5, topic 0 a real event ID or not) and data a third-party
// node returns, decode never panics; it skips (no event, no error) anonymous, removed, unknown
// and non-value logs; it only errs on a value event; and an event it keeps has its block, its
// event's name and, unless it is ProgramCreated, an amount: the totals add it up, so a kept
// event without one would crash `aidledger verify` instead of reporting the log.
func FuzzDecode(f *testing.F) {
	for i, ev := range fuzzEvents {
		indexed := 0
		for _, a := range ev.Inputs {
			if a.Indexed {
				indexed++
			}
		}
		f.Add(uint8(255), uint8(indexed+1), false, ev.ID.Bytes())                                                        // topics all zero, no data
		f.Add(uint8(255), uint8(indexed+1), false, append(ev.ID.Bytes(), bytes.Repeat([]byte{0x01}, 32*(indexed+4))...)) // and some data
		f.Add(uint8(i), uint8(indexed+1), true, bytes.Repeat([]byte{0x01}, 32*(indexed+4)))                              // removed by a reorg
		f.Add(uint8(i), uint8(indexed), false, bytes.Repeat([]byte{0xff}, 32*(indexed+4)))                               // a topic short
		f.Add(uint8(i), uint8(indexed+2), false, bytes.Repeat([]byte{0x80}, 32*(indexed+2)+31))                          // a topic too many, ragged data
		f.Add(uint8(i), uint8(indexed+1), false, append(make([]byte, 32*(indexed+1)), 0, 0, 0, 0))                       // data not a multiple of 32
	}
	f.Add(uint8(255), uint8(0), false, []byte{})
	f.Add(uint8(255), uint8(1), false, []byte("not an event id"))
	f.Add(uint8(255), uint8(5), false, bytes.Repeat([]byte{0xff}, 4096))
	f.Fuzz(func(t *testing.T, pick, n uint8, removed bool, raw []byte) {
		l := fuzzLog(pick, n, removed, raw)
		e, ok, err := decode(l)
		if ok && err != nil {
			t.Fatalf("decode(topics %x, data %x) kept an event and erred: %v", l.Topics, l.Data, err)
		}
		var ev abi.Event
		known := false
		if len(l.Topics) > 0 {
			for _, x := range fuzzEvents {
				if x.ID == l.Topics[0] {
					ev, known = x, true
				}
			}
		}
		if l.Removed || !known || !valueEvents[ev.Name] {
			if ok || err != nil {
				t.Fatalf("decode(removed %v, topics %x, data %x) = %+v, %v, %v; want it skipped", l.Removed, l.Topics, l.Data, e, ok, err)
			}
			return
		}
		if !ok {
			return
		}
		if e.block != l.BlockNumber || e.name != ev.Name || (ev.Name != "ProgramCreated" && e.amount == nil) {
			t.Fatalf("decode(topics %x, data %x) = %+v: want block %d, name %s and an amount", l.Topics, l.Data, e, l.BlockNumber, ev.Name)
		}
	})
}

// FuzzDecodeEncoded: a value event the contract could emit (any field values, ABI encoded)
// decodes to exactly those values; any other event is skipped.
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
		want := event{block: 9, name: ev.Name}
		var data []any
		for _, a := range ev.Inputs {
			var v any
			var topic common.Hash
			switch {
			case a.Type.T == abi.UintTy && a.Type.Size <= 64:
				x := new(big.Int).SetBytes(next(a.Type.Size / 8)).Uint64()
				topic = common.BigToHash(new(big.Int).SetUint64(x))
				switch a.Type.Size {
				case 8:
					v = uint8(x)
				case 32:
					v = uint32(x)
				default:
					v = x
				}
				if a.Name == "programId" {
					want.program = x
				}
			case a.Type.T == abi.UintTy && a.Type.Size == 128:
				x := new(big.Int).SetBytes(next(16))
				v, topic = x, common.BigToHash(x)
				want.amount = x
			case a.Type.T == abi.BoolTy:
				x := next(1)[0]&1 == 1
				v = x
				if x {
					topic[31] = 1
				}
			case a.Type.T == abi.AddressTy:
				x := common.BytesToAddress(next(20))
				v, topic = x, common.BytesToHash(x.Bytes())
				if a.Name == "vendor" {
					want.vendor = x
				}
			case a.Type.T == abi.FixedBytesTy && a.Type.Size == 32:
				x := [32]byte(next(32))
				v, topic = x, common.Hash(x)
				switch a.Name {
				case "beneficiary":
					want.beneficiary = topic
				case "ref":
					want.ref = topic
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
		got, ok, err := decode(l)
		if !valueEvents[ev.Name] {
			if ok || err != nil {
				t.Fatalf("decode(%s, topics %x, data %x) = %+v, %v, %v; want it skipped", ev.Name, l.Topics, l.Data, got, ok, err)
			}
			return
		}
		sameAmount := (got.amount == nil) == (want.amount == nil) && (got.amount == nil || got.amount.Cmp(want.amount) == 0)
		got.amount, want.amount = nil, nil
		if !ok || err != nil || !sameAmount || got != want {
			t.Fatalf("decode(%s, topics %x, data %x) = %+v, %v, %v; want %+v", ev.Name, l.Topics, l.Data, got, ok, err, want)
		}
	})
}
