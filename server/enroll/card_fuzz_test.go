package enroll

import (
	"strings"
	"testing"
)

// withCheck appends the Damm check digit to ten digits: a valid canonical card number.
func withCheck(ten string) string { return ten + string('0'+dammDigit(ten)) }

// FuzzParseCardNumber: whatever is typed, ParseCardNumber either rejects it with ErrInvalidCard
// or returns 11 ASCII digits that are exactly the input's digits in order, pass the check digit,
// parse back to themselves bare and in their display form, and stop parsing after any single
// digit is changed or two different adjacent digits are swapped (the Damm guarantee).
func FuzzParseCardNumber(f *testing.F) {
	valid := withCheck("1234567890")
	for _, seed := range []string{
		valid, FormatCardNumber(valid), " " + valid + "\t", strings.Join(strings.Split(valid, ""), "."),
		withCheck("0000000000"), withCheck("9999999999"), valid[:10], valid + "0", valid[:10] + string('0'+(valid[10]-'0'+1)%10),
		"", " ", "-", "....", "\t\t", "\n" + valid, valid + "\r", "\x00" + valid,
		"١٢٣٤٥٦٧٨٩٠١", "１２３４５６７８９０１", "1234567890" + "\u200b" + valid[10:],
		"+" + valid, "(" + valid[:4] + ")" + valid[4:], "1_234_567_890", strings.Repeat("1234-", 2000), strings.Repeat("0", 11),
		"\xff\xfe", "12345678901234567890",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// Whatever the input, ten of its digits completed with their check digit are a card.
		var ten strings.Builder
		for i := 0; i < len(s) && ten.Len() < cardRandomDigits; i++ {
			if s[i] >= '0' && s[i] <= '9' {
				ten.WriteByte(s[i])
			}
		}
		if ten.Len() == cardRandomDigits {
			want := withCheck(ten.String())
			if got, err := ParseCardNumber(want); err != nil || got != want {
				t.Fatalf("ParseCardNumber(%q) (built from %q) = %q, %v; want it accepted as is", want, s, got, err)
			}
			checkCard(t, want, want)
		}

		c, err := ParseCardNumber(s)
		if err != nil {
			if err != ErrInvalidCard {
				t.Fatalf("ParseCardNumber(%q): error %v; want ErrInvalidCard", s, err)
			}
			if c != "" {
				t.Fatalf("ParseCardNumber(%q) = %q with an error", s, c)
			}
			return
		}
		checkCard(t, s, c)
	})
}

// checkCard checks the properties of c, the card number ParseCardNumber accepted from s.
func checkCard(t *testing.T, s, c string) {
	t.Helper()
	var digits strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits.WriteRune(r)
		}
	}
	if c != digits.String() || len(c) != cardDigits || dammDigit(c) != 0 {
		t.Fatalf("ParseCardNumber(%q) = %q: not the input's 11 digits with a valid check digit", s, c)
	}
	for _, form := range []string{c, FormatCardNumber(c), " " + strings.Join(strings.Split(c, ""), " ") + " ", strings.ReplaceAll(FormatCardNumber(c), "-", "."), c[:5] + "\t" + c[5:]} {
		if got, err := ParseCardNumber(form); err != nil || got != c {
			t.Fatalf("ParseCardNumber(%q) = %q; re-parsing its form %q gave %q, %v", s, c, form, got, err)
		}
	}
	b := []byte(c)
	for i := range b {
		orig := b[i]
		for d := byte('0'); d <= '9'; d++ {
			if d == orig {
				continue
			}
			b[i] = d
			if got, err := ParseCardNumber(string(b)); err == nil {
				t.Fatalf("ParseCardNumber(%q) = %q, and the one-digit typo %q is accepted too (as %q)", s, c, b, got)
			}
		}
		b[i] = orig
		if i+1 < len(b) && b[i] != b[i+1] {
			b[i], b[i+1] = b[i+1], b[i]
			if got, err := ParseCardNumber(string(b)); err == nil {
				t.Fatalf("ParseCardNumber(%q) = %q, and the transposition %q is accepted too (as %q)", s, c, b, got)
			}
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
}
