package verify

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/internal/logfuzz"
)

var fuzzEvents = logfuzz.Events(&abiDef)

// valueEvents are the events decode keeps: all but ProgramCreated carry an amount.
var valueEvents = map[string]bool{
	"ProgramCreated": true, "Funded": true, "Allocated": true, "Redeemed": true, "Refunded": true,
	"Settled": true, "SettlementReversed": true, "Expired": true,
}

// FuzzDecode: whatever topics (0 to 5, topic 0 a real event ID or not) and data a third-party
// node returns, decode never panics; it skips (no event, no error) anonymous, removed, unknown
// and non-value logs; it only errs on a value event; and an event it keeps has its block, its
// event's name and, unless it is ProgramCreated, an amount: the totals add it up, so a kept
// event without one would crash `aidledger verify` instead of reporting the log.
func FuzzDecode(f *testing.F) {
	for _, seed := range logfuzz.Seeds(fuzzEvents) {
		f.Add(seed.Pick, seed.N, false, seed.Raw)
	}
	for i, ev := range fuzzEvents { // removed by a reorg
		f.Add(uint8(i), uint8(logfuzz.Indexed(ev)+1), true, bytes.Repeat([]byte{0x01}, 32*(logfuzz.Indexed(ev)+4)))
	}
	f.Fuzz(func(t *testing.T, pick, n uint8, removed bool, raw []byte) {
		l := logfuzz.Log(fuzzEvents, pick, n, raw)
		l.Removed = removed
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
	for _, seed := range logfuzz.EncodedSeeds(fuzzEvents) {
		f.Add(seed.Pick, seed.Raw)
	}
	f.Fuzz(func(t *testing.T, pick uint8, raw []byte) {
		ev := fuzzEvents[int(pick)%len(fuzzEvents)]
		l, values, err := logfuzz.Encoded(ev, raw)
		if err != nil {
			t.Fatal(err)
		}
		want := event{block: 9, name: ev.Name}
		if v, ok := values["programId"].(uint64); ok {
			want.program = v
		}
		if v, ok := values["amount"].(*big.Int); ok {
			want.amount = v
		}
		if v, ok := values["vendor"].(common.Address); ok {
			want.vendor = v
		}
		if v, ok := values["beneficiary"].([32]byte); ok {
			want.beneficiary = v
		}
		if v, ok := values["ref"].([32]byte); ok {
			want.ref = v
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
