package pipeline

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseAllocateKey: parseAllocateKey never panics, and what it accepts formats back (as
// AllocateIntent writes a batch key) to a key that parses to the same program and cycle; every
// allocation's batch key parses to its program and cycle, and the calldata built from that key
// and the intent's payload is allocate(program, cycle, [beneficiary], [amount]).
func FuzzParseAllocateKey(f *testing.F) {
	for _, seed := range []string{
		"", ":", "1:2", "0:0", "18446744073709551615:4294967295", "18446744073709551616:0", "1:4294967296", "1:-1", "-1:1",
		"1:2:3", "1:2:" + strings.Repeat("ab", 32), "+1:2", "01:002", " 1:2", "1 :2", "1:2\n", "0x1:2", "1_0:2", "١:٢", "1：2",
		"1\x00:2", "\xff:\xfe", strings.Repeat("9", 1000) + ":1", "1:" + strings.Repeat("0", 1000) + "7", strings.Repeat(":", 100),
	} {
		f.Add(seed, uint64(0), uint32(0), []byte{}, uint64(0))
	}
	f.Add("", uint64(math.MaxUint64), uint32(math.MaxUint32), []byte(strings.Repeat("\xff", 32)), uint64(math.MaxUint64))
	f.Add("", uint64(7), uint32(3), []byte("beneficiary"), uint64(2500))
	f.Fuzz(func(t *testing.T, key string, program uint64, cycle uint32, ben []byte, amount uint64) {
		if p, c, err := parseAllocateKey(key); err == nil {
			again := strconv.FormatUint(p, 10) + ":" + strconv.FormatUint(uint64(c), 10)
			if p2, c2, err := parseAllocateKey(again); err != nil || p2 != p || c2 != c {
				t.Fatalf("parseAllocateKey(%q) = %d, %d; its formatted key %q parses to %d, %d, %v", key, p, c, again, p2, c2, err)
			}
		} else if p != 0 || c != 0 {
			t.Fatalf("parseAllocateKey(%q) = %d, %d with error %v", key, p, c, err)
		}

		a := Allocation{ProgramID: program, Cycle: cycle, Amount: amount}
		copy(a.Beneficiary[:], ben)
		in := AllocateIntent(a)
		p, c, err := parseAllocateKey(in.BatchKey)
		if err != nil || p != program || c != cycle {
			t.Fatalf("allocation %+v: batch key %q parses to %d, %d, %v", a, in.BatchKey, p, c, err)
		}
		data, err := allocateKind{}.Calldata(in.BatchKey, [][]byte{in.Payload})
		if err != nil {
			t.Fatalf("allocation %+v: calldata: %v", a, err)
		}
		m := ledgerABI.GetABI().Methods["allocate"]
		args, err := m.Inputs.Unpack(data[4:])
		if err != nil || string(data[:4]) != string(m.ID) {
			t.Fatalf("allocation %+v: calldata %x is not allocate(...): %v", a, data, err)
		}
		ids, amounts := args[2].([][32]byte), args[3].([]*big.Int)
		if args[0].(uint64) != program || args[1].(uint32) != cycle || len(ids) != 1 || ids[0] != a.Beneficiary ||
			len(amounts) != 1 || !amounts[0].IsUint64() || amounts[0].Uint64() != amount {
			t.Fatalf("allocation %+v: calldata decodes to %v", a, args)
		}
	})
}
