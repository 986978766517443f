package enroll

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// normalizeSeeds are raw field values: empty, separators only, unicode letters and digits,
// control characters, invalid UTF-8, very long, and the "+" / "00" / trunk-0 phone forms.
var normalizeSeeds = []string{
	"", " ", "\t\n", "-./()", "+", "00", "0", "+0", "000",
	"079 123 4567", "+962 79 123 4567", "00962791234567", "0 0962 79 123 4567", "(00) 962 79 123 4567", "(0)79-123.4567",
	"+1 (555) 010-0100", "123456", "12345", "1234567890123456", "+123456789012345", "0000000000000000",
	"ab-123 456", "AB/123.456", "x", "ab", "  abc  ", "ÄÖÜ-ß-ﬁ", "ǅemal", "\u0345abc", "١٢٣٤٥٦", "123\u00a0456", "\u00a0123",
	"Ahmad  Karim", "  Jean-Paul\tO'Brien ", "Ana María", "محمد علي", "Ｆｕｌｌ", "İstanbul", "\u0301e", "e\u0301 \u0301",
	"a\x00b", "\x7f", "\u200b", "\u2028abc", "\xff\xfe", "abc\xc3",
	"1990-01-01", " 1990-12-31 ", "1899-12-31", "1900-01-01", "2000-02-29", "2001-02-29", "1990-1-1", "1990-01-01T00:00:00Z",
	"+1990-01-01", "9999-12-31", "0000-00-00", "1990/01/01", "19900101",
	strings.Repeat("9", 40), strings.Repeat("ab-", 20), strings.Repeat("x ", 5000), strings.Repeat("é", 200),
}

// FuzzNormalizePhone: an accepted phone is "+"? and 6 to 15 ASCII digits, and normalizing it
// again, as is or with separators between its digits, gives it back unchanged and accepted.
func FuzzNormalizePhone(f *testing.F) {
	for _, seed := range normalizeSeeds {
		for _, cc := range []string{"", "962", "1", "0"} {
			f.Add(seed, cc)
		}
	}
	f.Fuzz(func(t *testing.T, raw, cc string) {
		// The service only takes a digits-only country code (New checks it).
		cc = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, cc)
		cc = cc[:min(len(cc), 4)]
		out, ok := normalizePhone(raw, cc)
		if !ok {
			return
		}
		d := strings.TrimPrefix(out, "+")
		if len(d) < 6 || len(d) > 15 || !isDigits(d) {
			t.Fatalf("normalizePhone(%q, %q) = %q: not +? and 6 to 15 digits", raw, cc, out)
		}
		spaced := strings.Join(strings.Split(d, ""), " ")
		if d != out {
			spaced = "+" + spaced
		}
		for _, again := range []string{out, spaced, " " + out + " "} {
			if got, ok := normalizePhone(again, cc); !ok || got != out {
				t.Fatalf("normalizePhone(%q, %q) = %q, but normalizing %q again gives %q, %v", raw, cc, out, again, got, ok)
			}
		}
	})
}

// FuzzNormalizeNationalID: an accepted id is 3 to 32 upper-case letters and digits, and
// normalizing it again, as is or with separators between its characters, gives it back.
func FuzzNormalizeNationalID(f *testing.F) {
	for _, seed := range normalizeSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, ok := normalizeNationalID(raw)
		if !ok {
			return
		}
		if n := utf8.RuneCountInString(out); n < 3 || n > 32 || !utf8.ValidString(out) || strings.ToUpper(out) != out {
			t.Fatalf("normalizeNationalID(%q) = %q: not 3 to 32 upper-case characters", raw, out)
		}
		for _, r := range out {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				t.Fatalf("normalizeNationalID(%q) = %q, with %q in it", raw, out, r)
			}
		}
		for _, again := range []string{out, strings.Join(strings.Split(out, ""), "-"), " " + out + "/ ."} {
			if got, ok := normalizeNationalID(again); !ok || got != out {
				t.Fatalf("normalizeNationalID(%q) = %q, but normalizing %q again gives %q, %v", raw, out, again, got, ok)
			}
		}
	})
}

// FuzzParseDOB: an accepted date of birth is the input itself (trimmed) in YYYY-MM-DD, a real
// date from 1900-01-01 to today, and parses again to itself.
func FuzzParseDOB(f *testing.F) {
	for _, seed := range normalizeSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		out, err := parseDOB(raw)
		if err != nil {
			if out != "" {
				t.Fatalf("parseDOB(%q) = %q with an error", raw, out)
			}
			return
		}
		if out != strings.TrimSpace(raw) {
			t.Fatalf("parseDOB(%q) = %q: not the input", raw, out)
		}
		d, perr := time.Parse(time.DateOnly, out)
		if perr != nil || d.Format(time.DateOnly) != out || d.Year() < 1900 || d.After(time.Now().UTC()) {
			t.Fatalf("parseDOB(%q) = %q: not a date from 1900 to today (%v)", raw, out, perr)
		}
		if again, err := parseDOB(out); err != nil || again != out {
			t.Fatalf("parseDOB(%q) = %q, but parseDOB(%q) = %q, %v", raw, out, out, again, err)
		}
	})
}

// FuzzNameForms: collapseSpaces is idempotent and leaves single inner spaces only; foldTokens
// gives non-empty space-free tokens and the same tokens when fed its own output; and an accepted
// cleanName is accepted again unchanged and folds like the raw input (so a search for the name as
// typed matches the name as stored).
func FuzzNameForms(f *testing.F) {
	for _, seed := range normalizeSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := collapseSpaces(s)
		if collapseSpaces(c) != c || strings.TrimSpace(c) != c || strings.Contains(c, "  ") || !slices.Equal(strings.Fields(c), strings.Fields(s)) {
			t.Fatalf("collapseSpaces(%q) = %q: not idempotent, or not the same words single-spaced", s, c)
		}

		tok := foldTokens(s)
		for _, w := range tok {
			if w == "" || strings.IndexFunc(w, unicode.IsSpace) >= 0 {
				t.Fatalf("foldTokens(%q) = %q: an empty token or one with a space", s, tok)
			}
		}
		if again := foldTokens(strings.Join(tok, " ")); !slices.Equal(again, tok) {
			t.Fatalf("foldTokens(%q) = %q, but folding its output again gives %q", s, tok, again)
		}

		n, ok := cleanName(s)
		if !ok {
			return
		}
		if again, ok := cleanName(n); !ok || again != n {
			t.Fatalf("cleanName(%q) = %q, but cleanName(%q) = %q, %v", s, n, n, again, ok)
		}
		if !slices.Equal(foldTokens(n), tok) {
			t.Fatalf("cleanName(%q) = %q folds to %q; the raw input folds to %q", s, n, foldTokens(n), tok)
		}
	})
}
