package index

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/internal/logfuzz"
)

var fuzzEvents = logfuzz.Events(&ledgerABI)

// FuzzDecode: whatever topics (0 to 5, topic 0 a real event ID or not) and data a node returns,
// decode never panics; it keeps the log's position; an anonymous or unknown log, or one without
// the data its event has fields in, is an error; a decoded one has its event's name, as many
// topics as the event has indexed fields and an amount that fits the column; and decoding the
// same log twice gives the same event.
func FuzzDecode(f *testing.F) {
	for _, seed := range logfuzz.Seeds(fuzzEvents) {
		f.Add(seed.Pick, seed.N, seed.Raw)
	}
	// RoleAdminChanged with a role and a new admin role that differ.
	f.Add(uint8(255), uint8(4), append(ledgerABI.Events["RoleAdminChanged"].ID.Bytes(), bytes.Repeat([]byte{1, 2, 3, 4}, 24)...))
	f.Fuzz(func(t *testing.T, pick, n uint8, raw []byte) {
		l := logfuzz.Log(fuzzEvents, pick, n, raw)
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
		indexed := logfuzz.Indexed(ev)
		if e.Kind != ev.Name || len(l.Topics)-1 != indexed || e.Amount < 0 {
			t.Fatalf("decode(topics %x, data %x) = %+v: want kind %s with %d indexed topics and an amount >= 0", l.Topics, l.Data, e, ev.Name, indexed)
		}
	})
}

// FuzzDecodeEncoded: a log the contract could emit (any of its events, any field values, ABI
// encoded) decodes to exactly those values in their columns, or, only when the amount does not
// fit in 63 bits, to an error.
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
		want := Event{Kind: ev.Name, BlockNumber: 9, LogIndex: 1, TxHash: l.TxHash.Hex(), BlockHash: l.BlockHash.Hex()}
		tooBig := false
		for name, v := range values {
			switch v := v.(type) {
			case uint8:
				want.Reason = v
			case uint32:
				want.Cycle = v
			case uint64:
				switch name {
				case "programId":
					want.ProgramID = v
				case "seq":
					want.Seq = v
				}
			case *big.Int:
				tooBig, want.Amount = !v.IsInt64(), v.Int64()
			case bool:
				want.Active = v
			case common.Address:
				switch name {
				case "vendor":
					want.Vendor = v.Hex()
				case "account":
					want.Account = v.Hex()
				}
			case [32]byte:
				switch name {
				case "beneficiary":
					want.Beneficiary = common.Hash(v).Hex()
				case "role":
					want.Role = common.Hash(v).Hex()
				case "ref", "donorRef":
					want.Ref = common.Hash(v).Hex()
				}
			}
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
