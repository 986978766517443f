package api_test

import (
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/redeem"
)

func TestRefunds_AShopGivesItsOwnSaleBackOnceAndTheCardCanSpendItAgain(t *testing.T) {
	w := newAPIWorld(t)
	card := w.Seeded.Beneficiaries[0].CardNumber
	sale := map[string]any{"card_number": card, "pin": demo.PIN, "program_id": w.Seeded.Programs[0].ID, "amount": 700, "category": "food"}
	var sold redeem.Redemption
	r := w.do("POST", "/api/v1/redemptions", auth.Vendor, sale, "Idempotency-Key", "refunds-sale")
	if r.Status != 201 {
		t.Fatalf("sale: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &sold)
	balance := func() int64 {
		t.Helper()
		var out struct{ Balances []redeem.Balance }
		r := w.do("POST", "/api/v1/cards/"+card+"/balance", auth.Vendor, map[string]any{"pin": demo.PIN})
		if r.Status != 200 {
			t.Fatalf("balance: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &out)
		return out.Balances[0].Available
	}
	before := balance()

	path := "/api/v1/redemptions/" + sold.ID + "/refunds"
	var first, again redeem.RefundView
	r = w.do("POST", path, auth.Vendor, map[string]any{"amount": 500, "note": "typed 700 for 200"}, "Idempotency-Key", "refund-1")
	if r.JSON(t, &first); r.Status != 201 || first.Status != redeem.StatusConfirmed || first.Amount != 500 || first.TxHash == "" {
		t.Fatalf("refund: %d %s", r.Status, r.Body)
	}
	r = w.do("POST", path, auth.Vendor, map[string]any{"amount": 500, "note": "typed 700 for 200"}, "Idempotency-Key", "refund-1")
	if r.JSON(t, &again); r.Status != 201 || again.ID != first.ID {
		t.Fatalf("the same refund again: %d %s; want %s", r.Status, r.Body, first.ID)
	}
	if got := balance(); got != before+500 {
		t.Errorf("balance %d after the refund, want %d: given back once", got, before+500)
	}
	var got redeem.Redemption
	r = w.do("GET", "/api/v1/redemptions/"+sold.ID, auth.Vendor, nil)
	r.JSON(t, &got)
	if got.Refunded != 500 {
		t.Errorf("the sale: %s; want refunded 500", r.Body)
	}
	var list struct{ Refunds []redeem.RefundView }
	r = w.do("GET", path, auth.Admin, nil)
	r.JSON(t, &list)
	if len(list.Refunds) != 1 || list.Refunds[0].Note != "typed 700 for 200" {
		t.Errorf("refunds: %s", r.Body)
	}
	var events audit.Page
	r = w.do("GET", "/api/v1/admin/audit?action=redemption.refund&subject="+sold.ID, auth.Admin, nil)
	r.JSON(t, &events)
	if len(events.Events) == 0 {
		t.Errorf("audit: %s", r.Body)
	}

	for _, tc := range []struct {
		name   string
		user   string
		body   map[string]any
		key    string
		status int
		code   string
	}{
		{"no key", apptest.Vendor1, map[string]any{"amount": 1}, "", 400, "idempotency_key_required"},
		{"more than is left of the sale", apptest.Vendor1, map[string]any{"amount": 201}, "k1", 422, "exceeds_refundable"},
		{"an unknown field", apptest.Vendor1, map[string]any{"amount": 1, "pin": "1234"}, "k2", 400, "unknown_field"},
		{"another shop", apptest.Vendor2, map[string]any{"amount": 1}, "k3", 404, "not_found"},
		{"an aid worker", apptest.AidWorker, map[string]any{"amount": 1}, "k4", 403, "forbidden"},
		{"a donor", apptest.Donor, map[string]any{"amount": 1}, "k5", 403, "forbidden"},
		{"nobody", "", map[string]any{"amount": 1}, "k6", 401, "unauthorized"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.key != "" {
				headers = []string{"Idempotency-Key", tc.key}
			}
			if r := w.Do("POST", path, tc.user, tc.body, headers...); r.Status != tc.status || errorCode(r) != tc.code {
				t.Errorf("%d %s; want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
	// The shop's books: the sale, and the refund as a negative line naming it.
	r = w.do("GET", "/api/v1/vendors/"+sold.VendorID+"/statement?format=csv", auth.Vendor, nil)
	if want := "refund," + first.ID + ","; r.Status != 200 || !strings.Contains(string(r.Body), want) ||
		!strings.Contains(string(r.Body), ",-500,,confirmed,"+sold.ID+",") {
		t.Errorf("statement CSV: %d\n%s\nwant a line %s… -500 … %s", r.Status, r.Body, want, sold.ID)
	}
	// The admin gives back the rest.
	if r := w.do("POST", path, auth.Admin, map[string]any{"amount": 200}, "Idempotency-Key", "refund-2"); r.Status != 201 {
		t.Fatalf("the admin's refund: %d %s", r.Status, r.Body)
	}
	if got := balance(); got != before+700 {
		t.Errorf("balance %d, want the whole sale back: %d", got, before+700)
	}
}

func TestSettlementReversals_OnlyAdminsTakeBackAConfirmedSettlement(t *testing.T) {
	w := newAPIWorld(t)
	card := w.Seeded.Beneficiaries[0].CardNumber
	sale := map[string]any{"card_number": card, "pin": demo.PIN, "program_id": w.Seeded.Programs[0].ID, "amount": 900, "category": "food"}
	r := w.do("POST", "/api/v1/redemptions", auth.Vendor, sale, "Idempotency-Key", "reversal-sale")
	var sold redeem.Redemption
	if r.JSON(t, &sold); r.Status != 201 {
		t.Fatalf("sale: %d %s", r.Status, r.Body)
	}
	r = w.do("POST", "/api/v1/settlements", auth.Admin, map[string]any{"vendor_id": sold.VendorID, "program_id": sold.ProgramID, "amount": 900, "reference": "REV-1"})
	var paid redeem.Settlement
	if r.JSON(t, &paid); r.Status != 201 || paid.Status != redeem.StatusConfirmed {
		t.Fatalf("settlement: %d %s", r.Status, r.Body)
	}
	path := "/api/v1/settlements/" + paid.ID + "/reversals"
	for _, tc := range []struct {
		name   string
		role   auth.Role
		path   string
		body   map[string]any
		status int
		code   string
	}{
		{"a vendor", auth.Vendor, path, map[string]any{"amount": 1}, 403, "forbidden"},
		{"an aid worker", auth.AidWorker, path, map[string]any{"amount": 1}, 403, "forbidden"},
		{"more than the settlement", auth.Admin, path, map[string]any{"amount": 901}, 422, "exceeds_settled"},
		{"no amount", auth.Admin, path, map[string]any{}, 400, "invalid_field"},
		{"no such settlement", auth.Admin, "/api/v1/settlements/01a21101-3c39-7c4e-bc3c-091516369641/reversals", map[string]any{"amount": 1}, 404, "not_found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := w.do("POST", tc.path, tc.role, tc.body); r.Status != tc.status || errorCode(r) != tc.code {
				t.Errorf("%d %s; want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}
	r = w.do("POST", path, auth.Admin, map[string]any{"amount": 400, "note": "paid 500, not 900"})
	var rev redeem.Settlement
	if r.JSON(t, &rev); r.Status != 201 || rev.Amount != -400 || rev.ReversesID != paid.ID {
		t.Fatalf("reversal: %d %s", r.Status, r.Body)
	}
	var st redeem.Statement
	if r = w.do("GET", "/api/v1/vendors/"+sold.VendorID+"/statement", auth.Admin, nil); r.Status != 200 {
		t.Fatalf("statement: %d %s", r.Status, r.Body)
	}
	if r.JSON(t, &st); st.Settled != 500 || len(st.Settlements) != 2 {
		t.Errorf("statement %s; want 500 settled in a settlement and its reversal", r.Body)
	}
	var events audit.Page
	r = w.do("GET", "/api/v1/admin/audit?action=settlement.reverse&subject="+paid.ID, auth.Admin, nil)
	if r.JSON(t, &events); len(events.Events) != 1 {
		t.Errorf("audit: %s", r.Body)
	}
}
