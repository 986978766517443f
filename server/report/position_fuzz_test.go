package report

import (
	"math"
	"strings"
	"testing"
)

// FuzzParsePosition: parsePosition never panics; what it accepts has a block that fits the
// signed 64-bit column and formats (String, the page's next_after) to a cursor that parses back
// to the same position; and every position with such a block round-trips through String.
func FuzzParsePosition(f *testing.F) {
	for _, seed := range []string{
		"", "-", "1-2", "0-0", "12345-7", "9223372036854775807-4294967295", "9223372036854775808-0", "1-4294967296",
		"18446744073709551615-1", "-1-2", "1--2", "1-2-3", "+1-2", "1-+2", "01-002", " 1-2", "1-2 ", "1_000-2", "0x10-1",
		"١-٢", "1–2", "1\x00-2", "\xff-\xfe", strings.Repeat("9", 1000) + "-1", "1-" + strings.Repeat("0", 1000) + "7",
	} {
		f.Add(seed, uint64(0), uint32(0))
	}
	f.Add("", uint64(math.MaxUint64), uint32(math.MaxUint32))
	f.Add("", uint64(math.MaxInt64), uint32(1))
	f.Fuzz(func(t *testing.T, s string, block uint64, log uint32) {
		if p, ok := parsePosition(s); ok {
			if p.block > math.MaxInt64 || uint64(p.log) > math.MaxUint32 {
				t.Fatalf("parsePosition(%q) = %+v: out of range", s, p)
			}
			if again, ok := parsePosition(p.String()); !ok || again != p {
				t.Fatalf("parsePosition(%q) = %+v, String %q, parsed again %+v, %v", s, p, p.String(), again, ok)
			}
		}
		p := position{block & math.MaxInt64, uint(log)}
		if got, ok := parsePosition(p.String()); !ok || got != p {
			t.Fatalf("position %+v formats as %q, which parses to %+v, %v", p, p.String(), got, ok)
		}
	})
}
