// Package logfuzz makes Ethereum logs out of fuzz inputs, for the fuzz targets of the decoders
// that read the ledger's events from a node: the indexer's, and `aidledger verify`'s, which may
// read a third party's node.
package logfuzz

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Events are the ABI's events in name order, so that a fuzz byte picks one stably.
func Events(a *abi.ABI) []abi.Event {
	out := make([]abi.Event, 0, len(a.Events))
	for _, ev := range a.Events {
		out = append(out, ev)
	}
	slices.SortFunc(out, func(x, y abi.Event) int { return strings.Compare(x.Name, y.Name) })
	return out
}

// Indexed is how many of ev's fields are topics.
func Indexed(ev abi.Event) int {
	n := 0
	for _, a := range ev.Inputs {
		if a.Indexed {
			n++
		}
	}
	return n
}

// Log is a log of n%6 topics cut from raw (32 bytes each, zero-padded) and the rest of raw as
// data; when pick names one of events (and there is a topic), topic 0 is its ID. It sits at
// block 7, index 3 of transaction 0xabc in block 0xdef.
func Log(events []abi.Event, pick, n uint8, raw []byte) *types.Log {
	l := &types.Log{BlockNumber: 7, Index: 3, TxHash: common.HexToHash("0xabc"), BlockHash: common.HexToHash("0xdef")}
	for range n % 6 {
		var h common.Hash
		k := copy(h[:], raw)
		raw = raw[k:]
		l.Topics = append(l.Topics, h)
	}
	l.Data = raw
	if int(pick) < len(events) && len(l.Topics) > 0 {
		l.Topics[0] = events[pick].ID
	}
	return l
}

// Seed is one input of Log.
type Seed struct {
	Pick, N uint8
	Raw     []byte
}

// Seeds are Log's inputs worth starting from: for each event, its ID with zero topics and no
// data, and with data; a topic short; a topic too many with ragged data; data not a multiple of
// 32 bytes. Then an anonymous log, a first topic that is no event's ID, and a long one.
func Seeds(events []abi.Event) []Seed {
	var out []Seed
	for i, ev := range events {
		k, p := Indexed(ev), uint8(i)
		out = append(out,
			Seed{255, uint8(k + 1), ev.ID.Bytes()},
			Seed{255, uint8(k + 1), append(ev.ID.Bytes(), bytes.Repeat([]byte{0x01}, 32*(k+4))...)},
			Seed{p, uint8(k), bytes.Repeat([]byte{0xff}, 32*(k+4))},
			Seed{p, uint8(k + 2), bytes.Repeat([]byte{0x80}, 32*(k+2)+31)},
			Seed{p, uint8(k + 1), append(make([]byte, 32*(k+1)), 0, 0, 0, 0)},
		)
	}
	return append(out, Seed{255, 0, []byte{}}, Seed{255, 1, []byte("not an event id")}, Seed{255, 5, bytes.Repeat([]byte{0xff}, 4096)})
}

// EncodedSeeds are inputs of Encoded worth starting from, for each of events: all zeros, all
// ones (amounts over 63 bits), and mixed bytes.
func EncodedSeeds(events []abi.Event) []Seed {
	var out []Seed
	for i := range events {
		out = append(out, Seed{Pick: uint8(i), Raw: []byte{}}, Seed{Pick: uint8(i), Raw: bytes.Repeat([]byte{0xff}, 200)},
			Seed{Pick: uint8(i), Raw: bytes.Repeat([]byte{0x01, 0x7f, 0x80}, 100)})
	}
	return out
}

// Encoded is a log ev could be, ABI-encoded at block 9, index 1, with its field values cut from
// raw (zero once raw runs out), and those values by field name: uint8, uint32 and uint64 as
// such, uint128 as *big.Int, bool, common.Address and [32]byte.
func Encoded(ev abi.Event, raw []byte) (*types.Log, map[string]any, error) {
	next := func(n int) []byte {
		b := make([]byte, n)
		k := copy(b, raw)
		raw = raw[k:]
		return b
	}
	l := &types.Log{BlockNumber: 9, Index: 1, Topics: []common.Hash{ev.ID}}
	values := map[string]any{}
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
		case a.Type.T == abi.UintTy && a.Type.Size == 128:
			x := new(big.Int).SetBytes(next(16))
			v, topic = x, common.BigToHash(x)
		case a.Type.T == abi.BoolTy:
			x := next(1)[0]&1 == 1
			v = x
			if x {
				topic[31] = 1
			}
		case a.Type.T == abi.AddressTy:
			x := common.BytesToAddress(next(20))
			v, topic = x, common.BytesToHash(x.Bytes())
		case a.Type.T == abi.FixedBytesTy && a.Type.Size == 32:
			x := [32]byte(next(32))
			v, topic = x, common.Hash(x)
		default:
			return nil, nil, fmt.Errorf("event %s: field %s of type %s not covered", ev.Name, a.Name, a.Type)
		}
		values[a.Name] = v
		if a.Indexed {
			l.Topics = append(l.Topics, topic)
		} else {
			data = append(data, v)
		}
	}
	var err error
	if l.Data, err = ev.Inputs.NonIndexed().Pack(data...); err != nil {
		return nil, nil, fmt.Errorf("pack %s %v: %w", ev.Name, data, err)
	}
	return l, values, nil
}
