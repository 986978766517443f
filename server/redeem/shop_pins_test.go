package redeem_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/redeem"
)

// A shop that tries four PINs on each of many cards never locks a card; the shop is paused instead.
func TestShopWrongPINs_aShopGuessingAcrossCardsIsPausedButOtherShopsAndItsAcceptedSalesAreNot(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	shop, other := f.vendors[0], f.vendors[1]
	before, err := f.App.Redeem.Redeem(ctx, shop, "before-pause", f.req(100))
	if err != nil {
		t.Fatal(err)
	}

	guesses := 0
	for _, b := range f.Seeded.Beneficiaries {
		for pin := range 4 {
			if guesses == redeem.DefaultShopWrongPINs {
				break
			}
			wrong := redeem.Request{CardNumber: b.CardNumber, PIN: fmt.Sprintf("99%02d", pin), ProgramID: f.program, Amount: 1, Category: "food"}
			_, err := f.App.Redeem.Redeem(ctx, shop, fmt.Sprintf("guess-%d", guesses), wrong)
			if code(err) != "wrong_pin" {
				t.Fatalf("guess %d: %v, want wrong_pin (no card locked yet)", guesses, err)
			}
			guesses++
		}
	}
	if guesses != redeem.DefaultShopWrongPINs {
		t.Fatalf("only %d cards' worth of guesses: the seed is too small for the test", guesses)
	}

	// The right PIN at that shop is refused now, for sales and balance checks alike.
	if _, err := f.App.Redeem.Redeem(ctx, shop, "after-pause", f.req(100)); code(err) != "too_many_attempts" {
		t.Fatalf("a sale at the paused shop: %v, want too_many_attempts", err)
	}
	if _, err := f.App.Redeem.Balances(ctx, shop, f.card, demo.PIN); code(err) != "too_many_attempts" {
		t.Fatalf("a balance check at the paused shop: %v, want too_many_attempts", err)
	}
	// A retry of the sale it made before the pause still gets that sale.
	again, err := f.App.Redeem.Redeem(ctx, shop, "before-pause", f.req(100))
	if err != nil || again.ID != before.ID {
		t.Fatalf("retry of an accepted sale: %+v, %v; want %s", again, err, before.ID)
	}
	// Another shop sells on the same cards as before: no card was locked.
	for i, b := range f.Seeded.Beneficiaries {
		r := f.reqAt(other, 100)
		r.CardNumber = b.CardNumber
		if _, err := f.App.Redeem.Redeem(ctx, other, fmt.Sprintf("other-%d", i), r); err != nil {
			t.Fatalf("a sale at another shop on card %d: %v", i, err)
		}
	}
	// The API answers 429 with the code clients know.
	r := f.Do("POST", "/api/v1/cards/"+f.card+"/balance", apptest.Vendor1, map[string]string{"pin": demo.PIN})
	if r.Status != 429 || r.Code() != "too_many_attempts" {
		t.Fatalf("balance over the API at the paused shop: %d %s", r.Status, r.Body)
	}
	if r := f.Do("GET", "/metrics", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "aidledger_shop_pin_pauses_total 1") {
		t.Errorf("metrics do not count the pause")
	}
	// Admins see it in the audit log, by the server, on that shop.
	r = f.Do("GET", "/api/v1/admin/audit?action=vendor.pin_pause", apptest.Admin, nil)
	if want := `"actor":"server","action":"vendor.pin_pause","subject":"` + shop + `"`; r.Status != 200 || !strings.Contains(string(r.Body), want) {
		t.Errorf("audit of the pause: %d %s; want %s", r.Status, r.Body, want)
	}
}
