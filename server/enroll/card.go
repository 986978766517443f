package enroll

import (
	"crypto/rand"
	"math/big"
	"strings"
)

// Card numbers are 10 random digits and a Damm check digit: short enough to type on a shop's
// phone, random so they reveal nothing and cannot be guessed in sequence, and the check digit
// catches every single-digit error and every transposition of adjacent digits, so a typo is
// told apart from an unknown card.
const (
	cardRandomDigits = 10
	cardDigits       = cardRandomDigits + 1
)

// dammTable is the weakly totally anti-symmetric quasigroup of order 10 from Damm (2004).
var dammTable = [10][10]byte{
	{0, 3, 1, 7, 5, 9, 8, 6, 4, 2},
	{7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
	{4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
	{1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
	{6, 1, 2, 3, 0, 4, 5, 9, 7, 8},
	{3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
	{5, 8, 6, 9, 7, 2, 0, 1, 3, 4},
	{8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
	{9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
	{2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
}

// dammDigit is the interim digit after digits; appending it makes the whole number check to 0.
func dammDigit(digits string) byte {
	var interim byte
	for i := 0; i < len(digits); i++ {
		interim = dammTable[interim][digits[i]-'0']
	}
	return interim
}

var cardSpace = new(big.Int).Exp(big.NewInt(10), big.NewInt(cardRandomDigits), nil)

// newCardNumber is a random card number in canonical form (11 digits, no separators).
func newCardNumber() string {
	n, err := rand.Int(rand.Reader, cardSpace)
	if err != nil {
		panic(err)
	}
	s := n.String()
	s = strings.Repeat("0", cardRandomDigits-len(s)) + s
	return s + string('0'+dammDigit(s))
}

// ParseCardNumber returns the canonical form of a card number typed with or without separators
// (spaces, dashes, dots), or ErrInvalidCard when it is malformed or its check digit is wrong.
func ParseCardNumber(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '\t':
		default:
			return "", ErrInvalidCard
		}
	}
	c := b.String()
	if len(c) != cardDigits || dammDigit(c) != 0 {
		return "", ErrInvalidCard
	}
	return c, nil
}

// FormatCardNumber groups a canonical card number for display: "1234-5678-901".
func FormatCardNumber(c string) string {
	if len(c) != cardDigits {
		return c
	}
	return c[:4] + "-" + c[4:8] + "-" + c[8:]
}
