package redeem_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/redeem"
)

// apptest.Small's shops: the grocery sells food and household, the pharmacy medicine and hygiene.
func TestRedeem_AShopSellsOnlyTheCategoriesItIsRegisteredFor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	grocery, pharmacy := f.vendors[0], f.vendors[1]
	tests := []struct {
		name     string
		vendor   string
		category string
		code     string // "" = accepted
	}{
		{"the grocery's food sale is accepted", grocery, "food", ""},
		{"the grocery's household sale is accepted", grocery, "household", ""},
		{"the grocery's medicine sale is refused", grocery, "medicine", "category_not_allowed"},
		{"the grocery's fuel sale is refused", grocery, "fuel", "category_not_allowed"},
		{"the pharmacy's medicine sale is accepted", pharmacy, "medicine", ""},
		{"the pharmacy's food sale is refused", pharmacy, "food", "category_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.req(1)
			r.Category = tt.category
			got, err := f.App.Redeem.Redeem(ctx, tt.vendor, uuid.NewString(), r)
			if code(err) != tt.code {
				t.Fatalf("%v; want %q", err, tt.code)
			}
			if tt.code == "" && (got.Status != redeem.StatusConfirmed || got.Category != tt.category) {
				t.Fatalf("%+v; want confirmed in %s", got, tt.category)
			}
			if e, ok := apierr.As(err); ok && (e.Status != 422 || e.Message != "this shop is not registered to sell "+tt.category) {
				t.Fatalf("%d %q; want 422 naming %s", e.Status, e.Message, tt.category)
			}
		})
	}
}

func TestRedeem_ASaleOutsideTheShopsCategoriesWritesNothingCountsNoPINAndLeavesItsKeyFree(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	grocery := f.vendors[0]
	medicine := f.req(700)
	medicine.Category = "medicine"
	wrongPIN := medicine
	wrongPIN.PIN = "9999"
	for _, r := range []redeem.Request{medicine, wrongPIN} {
		if _, err := f.App.Redeem.Redeem(ctx, grocery, "cat-1", r); code(err) != "category_not_allowed" {
			t.Fatalf("medicine at the grocery (PIN %s): %v; want category_not_allowed", r.PIN, err)
		}
	}
	if page, err := f.App.Redeem.List(ctx, redeem.Filter{VendorID: grocery}); err != nil || page.Total != 0 {
		t.Fatalf("the grocery's redemptions: %+v %v; want none", page, err)
	}
	// The wrong PIN above was not looked at: the next one is the card's first.
	if _, err := f.App.Redeem.Redeem(ctx, grocery, "cat-wrong", func() redeem.Request { r := f.req(1); r.PIN = "9999"; return r }()); !attemptsLeft(err, enroll.MaxPINFailures-1) {
		t.Fatalf("a wrong PIN after the refusals: %v; want %d attempts left", err, enroll.MaxPINFailures-1)
	}
	// The key is free: the same sale in a category the grocery sells goes through under it.
	food := f.req(700)
	got, err := f.App.Redeem.Redeem(ctx, grocery, "cat-1", food)
	if err != nil || got.Status != redeem.StatusConfirmed || got.Category != "food" {
		t.Fatalf("the retry in food under the same key: %+v %v; want confirmed", got, err)
	}
	if bal, seq := f.chainBalance(t); bal != f.allocated-700 || seq != 1 {
		t.Fatalf("on chain: balance %d seq %d; want %d and 1 (the food sale alone)", bal, seq, f.allocated-700)
	}
}

func TestRedeem_AnAdminsCorrectionOfAShopsCategoriesHoldsFromItsNextSale(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	grocery := f.vendors[0]
	sale := func(category string) error {
		r := f.req(1)
		r.Category = category
		_, err := f.App.Redeem.Redeem(ctx, grocery, uuid.NewString(), r)
		return err
	}
	if err := sale("medicine"); code(err) != "category_not_allowed" {
		t.Fatalf("medicine before the correction: %v; want category_not_allowed", err)
	}
	cats := []string{"medicine", "household"}
	if _, err := f.App.Programs.UpdateVendor(ctx, "test", grocery, programs.VendorPatch{Categories: &cats}); err != nil {
		t.Fatal(err)
	}
	if err := sale("medicine"); err != nil {
		t.Fatalf("medicine once the grocery is registered for it: %v", err)
	}
	if err := sale("food"); code(err) != "category_not_allowed" {
		t.Fatalf("food once the grocery no longer is: %v; want category_not_allowed", err)
	}
}
