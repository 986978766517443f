package ledger_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/chain/ledger"
)

// FuzzParseCategory: a name ParseCategory accepts is exactly its category's String and that
// category's entry in Categories; a rejected one gives code 0; every code's String parses back
// to it when the code has a name and is rejected when it has not ("category_9" is no name); and a
// ref with that code survives Bytes and ParseRef.
func FuzzParseCategory(f *testing.F) {
	for _, seed := range append(ledger.Categories(),
		"", " ", "Food", "FOOD", " food", "food ", "food\x00", "foo", "foods", "category_0", "category_9", "category_255",
		"0", "1", "ｆｏｏｄ", "fооd", "غذاء", "\t", "\xff", "food,fuel", strings.Repeat("food", 1000),
	) {
		f.Add(seed, uint8(0), []byte{})
	}
	f.Add("", uint8(9), []byte("0123456789abcdef"))
	f.Add("", uint8(255), []byte{0xff})
	f.Fuzz(func(t *testing.T, name string, code uint8, id []byte) {
		names := ledger.Categories()
		if c, ok := ledger.ParseCategory(name); ok {
			if c.String() != name || int(c) >= len(names) || names[c] != name {
				t.Fatalf("ParseCategory(%q) = %d, whose name is %q (list %q)", name, c, c.String(), names)
			}
		} else if c != 0 {
			t.Fatalf("ParseCategory(%q) rejected it yet returned %d", name, c)
		}

		c := ledger.Category(code)
		back, ok := ledger.ParseCategory(c.String())
		if int(code) < len(names) {
			if !ok || back != c {
				t.Fatalf("category %d named %q parses to %d, %v", code, c.String(), back, ok)
			}
		} else if ok {
			t.Fatalf("code %d without a name: its String %q parses as category %d", code, c.String(), back)
		}

		var r ledger.Ref
		r.Category = c
		copy(r.ID[:], id)
		if got := ledger.ParseRef(r.Bytes()); got != r {
			t.Fatalf("ref %+v packs to %x, which parses to %+v", r, r.Bytes(), got)
		}
		if b := r.Bytes(); r.ID == uuid.Nil && b != [32]byte{16: code} {
			t.Fatalf("ref %+v packs to %x", r, b)
		}
	})
}
