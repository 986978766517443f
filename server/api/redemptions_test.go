package api_test

import (
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/demo"
)

// apptest.Small's first shop, Vendor1's, is the grocery: food and household.
func TestRedeem_ASaleOutsideTheShopsCategoriesIs422CategoryNotAllowedAndItsKeyStaysFree(t *testing.T) {
	w := newAPIWorld(t)
	sale := func(category string) map[string]any {
		return map[string]any{"card_number": w.Seeded.Beneficiaries[0].CardNumber, "pin": demo.PIN,
			"program_id": w.Seeded.Programs[0].ID, "amount": 1, "category": category}
	}
	// The shop app learns what it may sell from its own vendor record.
	me := getAs[struct {
		VendorID string `json:"vendor_id"`
	}](t, w, auth.Vendor, "/api/v1/me")
	shop := getAs[struct {
		Categories []string `json:"categories"`
	}](t, w, auth.Vendor, "/api/v1/vendors/"+me.VendorID)
	if strings.Join(shop.Categories, ",") != "food,household" {
		t.Fatalf("the shop's categories: %v; want food and household", shop.Categories)
	}

	r := w.do("POST", "/api/v1/redemptions", auth.Vendor, sale("medicine"), "Idempotency-Key", "cat-api-1")
	if r.Status != 422 || errorCode(r) != "category_not_allowed" || !strings.Contains(string(r.Body), "not registered to sell medicine") {
		t.Fatalf("medicine at the grocery: %d %s; want 422 category_not_allowed", r.Status, r.Body)
	}
	if again := w.do("POST", "/api/v1/redemptions", auth.Vendor, sale("food"), "Idempotency-Key", "cat-api-1"); again.Status != 201 {
		t.Fatalf("food under the same key: %d %s; want 201", again.Status, again.Body)
	}
}
