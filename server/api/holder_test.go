package api_test

import (
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/demo"
)

func TestHolderBalance_NeedsNoAccountOnlyTheCardAndItsPIN(t *testing.T) {
	w := newAPIWorld(t)
	b := w.Seeded.Beneficiaries[0]
	check := func(card, pin string, headers ...string) response {
		return w.do("POST", "/api/v1/holder/balance", "", map[string]string{"card_number": card, "pin": pin}, headers...)
	}
	r := check(b.CardNumber, demo.PIN, "Idempotency-Key", "holder-1")
	var v struct {
		Status   string `json:"status"`
		Balances []struct {
			ID        string `json:"id"`
			Available int64  `json:"available"`
		} `json:"balances"`
		Purchases      []any  `json:"purchases"`
		PurchasesTotal *int64 `json:"purchases_total"`
	}
	if r.JSON(t, &v); r.Status != 200 || v.Status != "active" || len(v.Balances) == 0 || v.Purchases == nil || v.PurchasesTotal == nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	for _, p := range []string{"given_name", "family_name", "phone", "national_id", "date_of_birth"} {
		if strings.Contains(string(r.Body), p) {
			t.Errorf("the answer holds %s: %s", p, r.Body)
		}
	}
	// The same key with a wrong PIN is not answered from a replay of the first answer.
	if r := check(b.CardNumber, "9999", "Idempotency-Key", "holder-1"); r.Status != 422 || errorCode(r) != "wrong_card_or_pin" {
		t.Fatalf("a wrong PIN under the first call's key: %d %s; want 422 wrong_card_or_pin", r.Status, r.Body)
	}
	tests := []struct {
		name, card, pin string
		status          int
		code            string
	}{
		{"a mistyped card number", "1000-0000-000", demo.PIN, 400, "invalid_card_number"},
		{"no PIN", b.CardNumber, "", 400, "invalid_field"},
	}
	for _, tt := range tests {
		if r := check(tt.card, tt.pin); r.Status != tt.status || errorCode(r) != tt.code {
			t.Errorf("%s: %d %s; want %d %s", tt.name, r.Status, r.Body, tt.status, tt.code)
		}
	}
}
