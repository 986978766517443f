package spreadsheet_test

import (
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/spreadsheet"
)

// formulaStarts are the first characters a spreadsheet reads as a formula, or skips to one.
const formulaStarts = "=+-@\t\r"

// FuzzText: Text's output never starts with a formula character; it is the input itself, or the
// input behind one apostrophe exactly when the input starts with a formula character, so the
// input is recovered by dropping an apostrophe that precedes one (unless the input itself began
// with such an apostrophe: "'=1" is already text and comes out as Text("=1") does); and a
// defused cell is left alone.
func FuzzText(f *testing.F) {
	for _, seed := range []string{
		"", "=", "+", "-", "@", "\t", "\r", "'", "''", "'=1+1", `=HYPERLINK("http://x","y")`, "+1-555-0100", "-2+3", "@SUM(A1)",
		"\tTab", "\rCR", "\nLF", " =1+1", "\x00=1", "Grocer = good", "بقالة", "＝1+1", "﹢1", "\u200b=1", "\xff=", "=\xff",
		"a,b\"c\"\n", strings.Repeat("=", 10000), strings.Repeat("x", 10000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := spreadsheet.Text(s)
		if out != "" && strings.IndexByte(formulaStarts, out[0]) >= 0 {
			t.Fatalf("Text(%q) = %q: starts with a formula character", s, out)
		}
		defused := s != "" && strings.IndexByte(formulaStarts, s[0]) >= 0
		if defused && out != "'"+s || !defused && out != s {
			t.Fatalf("Text(%q) = %q: want the input, behind an apostrophe only if it starts with one of %q", s, out, formulaStarts)
		}
		back := out
		if len(out) > 1 && out[0] == '\'' && strings.IndexByte(formulaStarts, out[1]) >= 0 {
			back = out[1:]
		}
		if back != s && !(len(s) > 1 && s[0] == '\'' && strings.IndexByte(formulaStarts, s[1]) >= 0) {
			t.Fatalf("Text(%q) = %q, read back as %q", s, out, back)
		}
		if again := spreadsheet.Text(out); again != out {
			t.Fatalf("Text(%q) = %q, but Text(%q) = %q: a defused cell is not left alone", s, out, out, again)
		}
	})
}
