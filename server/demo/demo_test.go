package demo_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/redeem"
)

func TestCategoryAt_PicksAProgramsCategoryTheShopSellsElseOneOfTheShops(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name        string
		shop, usual []string
		want        []string // any of these
	}{
		{"a grocery in the food program sells food or household", []string{"food", "household"}, []string{"food", "food", "household"}, []string{"food", "household"}},
		{"a bakery in the kits program sells only what it has", []string{"food"}, []string{"hygiene", "household"}, []string{"food"}},
		{"a pharmacy in the kits program sells hygiene", []string{"medicine", "hygiene"}, []string{"hygiene", "household"}, []string{"hygiene"}},
		{"a pharmacy in the food program sells its own", []string{"medicine", "hygiene"}, []string{"food", "household"}, []string{"medicine", "hygiene"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 {
				if got := demo.CategoryAt(tt.shop, tt.usual, rng); !slices.Contains(tt.want, got) {
					t.Fatalf("%q; want one of %q", got, tt.want)
				}
			}
		})
	}
}

// Every shop of the demo takes part, and the server refuses a sale outside a shop's categories:
// the seed would fail on one.
func TestSeed_EverySaleIsInACategoryItsShopIsRegisteredFor(t *testing.T) {
	w := apptest.New(t, demo.Size{Beneficiaries: 12, Redemptions: 40, Vendors: 5})
	sells := map[string][]string{}
	for _, v := range w.Seeded.Vendors {
		sells[v.ID] = v.Categories
	}
	page, err := w.App.Redeem.List(context.Background(), redeem.Filter{PageSize: 100})
	if err != nil || len(page.Redemptions) < 20 {
		t.Fatalf("%d redemptions (%v); want most of 40", len(page.Redemptions), err)
	}
	for _, r := range page.Redemptions {
		if !slices.Contains(sells[r.VendorID], r.Category) {
			t.Errorf("a sale in %s at a shop registered for %v", r.Category, sells[r.VendorID])
		}
	}
}
