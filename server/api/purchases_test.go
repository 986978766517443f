package api_test

import (
	"fmt"
	"testing"

	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/redeem"
)

func TestBeneficiaryRedemptions_ListOnlyTheirPurchasesNewestFirstForStaff(t *testing.T) {
	w := newAPIWorld(t)
	prog := w.Seeded.Programs[0].ID
	sell := func(i int, card string, amount int64) redeem.Redemption {
		t.Helper()
		r := w.do("POST", "/api/v1/redemptions", auth.Vendor, map[string]any{"card_number": card, "pin": demo.PIN,
			"program_id": prog, "amount": amount, "category": "food"}, "Idempotency-Key", fmt.Sprintf("purchases-%d", i))
		var out redeem.Redemption
		if r.JSON(t, &out); r.Status != 201 && r.Status != 202 {
			t.Fatalf("sale %d: %d %s", i, r.Status, r.Body)
		}
		return out
	}
	mine, other := w.Seeded.Beneficiaries[0], w.Seeded.Beneficiaries[1]
	first := sell(1, mine.CardNumber, 3)
	sell(2, other.CardNumber, 5)
	second := sell(3, mine.CardNumber, 4)

	var page redeem.Page
	r := w.do("GET", "/api/v1/beneficiaries/"+mine.ID+"/redemptions", auth.AidWorker, nil)
	if r.JSON(t, &page); r.Status != 200 {
		t.Fatalf("purchases: %d %s", r.Status, r.Body)
	}
	if page.Total != 2 || len(page.Redemptions) != 2 || page.Redemptions[0].ID != second.ID || page.Redemptions[1].ID != first.ID {
		t.Fatalf("purchases %s; want %s then %s and not the other card's sale", r.Body, second.ID, first.ID)
	}
	if got := page.Redemptions; got[0].BalanceAfter != got[1].BalanceAfter-4 || got[0].Amount != 4 || got[0].VendorID == "" {
		t.Errorf("newest purchase %+v after %+v: want 4 less left after it, and the shop named", got[0], got[1])
	}
	r = w.do("GET", "/api/v1/beneficiaries/"+mine.ID+"/redemptions?page_size=1&page=2", auth.Admin, nil)
	if r.JSON(t, &page); r.Status != 200 || len(page.Redemptions) != 1 || page.Redemptions[0].ID != first.ID {
		t.Errorf("second page of one: %d %s; want %s", r.Status, r.Body, first.ID)
	}

	for _, tc := range []struct {
		name   string
		path   string
		role   auth.Role
		status int
		code   string
	}{
		{"unknown beneficiary", "/api/v1/beneficiaries/01a21101-3c39-7c4e-bc3c-091516369641/redemptions", auth.AidWorker, 404, "not_found"},
		{"bad page", "/api/v1/beneficiaries/" + mine.ID + "/redemptions?page=x", auth.AidWorker, 400, "invalid_field"},
		{"a vendor", "/api/v1/beneficiaries/" + mine.ID + "/redemptions", auth.Vendor, 403, "forbidden"},
		{"a donor", "/api/v1/beneficiaries/" + mine.ID + "/redemptions", auth.Donor, 403, "forbidden"},
		{"nobody", "/api/v1/beneficiaries/" + mine.ID + "/redemptions", "", 401, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := w.do("GET", tc.path, tc.role, nil); r.Status != tc.status || errorCode(r) != tc.code {
				t.Errorf("%d %s; want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
}
