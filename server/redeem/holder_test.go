package redeem_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/redeem"
)

func TestHolder_SeesTheBalanceAndWhatEachShopCharged(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sold, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "holder-1", f.req(700))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Refund(ctx, "test", f.vendors[0], sold.ID, "holder-r1", redeem.RefundRequest{Amount: 200}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[1], "holder-2", f.reqAt(f.vendors[1], 50)); err != nil {
		t.Fatal(err)
	}

	v, err := f.App.Redeem.Holder(ctx, "198.51.100.7", f.card, demo.PIN)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != "active" {
		t.Errorf("status %q", v.Status)
	}
	var available int64 = -1
	for _, b := range v.Balances {
		if b.ID == f.program {
			available = b.Available
		}
	}
	if want := f.allocated - 700 + 200 - 50; available != want {
		t.Errorf("available %d, want %d", available, want)
	}
	if len(v.Purchases) != 2 || v.PurchasesTotal != 2 {
		t.Fatalf("purchases %+v of %d, want the two sales", v.Purchases, v.PurchasesTotal)
	}
	shop := func(id string) string {
		t.Helper()
		vd, err := f.App.Programs.Vendor(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return vd.Name
	}
	newest, older := v.Purchases[0], v.Purchases[1]
	if newest.Amount != 50 || newest.Shop != shop(f.vendors[1]) || older.Amount != 700 || older.Refunded != 200 ||
		older.Shop != shop(f.vendors[0]) || older.Status != "confirmed" || older.TxHash == "" || older.Category != "food" {
		t.Errorf("purchases, newest first: %+v", v.Purchases)
	}
}

func TestHolder_GetsTheLatestPurchasesAndHowManyThereAreInAll(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	redeem.SetHolderPurchases(t, 2)
	for i, amount := range []int64{30, 40, 50} {
		if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], fmt.Sprintf("holder-latest-%d", i), f.req(amount)); err != nil {
			t.Fatal(err)
		}
	}
	v, err := f.App.Redeem.Holder(ctx, "198.51.100.7", f.card, demo.PIN)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Purchases) != 2 || v.Purchases[0].Amount != 50 || v.Purchases[1].Amount != 40 || v.PurchasesTotal != 3 {
		t.Errorf("purchases %+v of %d, want 50 and 40 of 3", v.Purchases, v.PurchasesTotal)
	}
}

func TestHolder_AnswersAnUnknownCardAsAWrongPINAndPausesAnAddressThatKeepsGuessing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const guesser, other = "203.0.113.9", "198.51.100.7"
	unknown := "" // a well-formed number nobody holds: its check digit right
	for d := range 10 {
		if n := fmt.Sprintf("1000000000%d", d); func() bool { _, err := enroll.ParseCardNumber(n); return err == nil }() {
			unknown = n
		}
	}
	if _, err := f.App.Redeem.Holder(ctx, guesser, unknown, demo.PIN); code(err) != "wrong_card_or_pin" {
		t.Fatalf("an unknown card: %v, want wrong_card_or_pin", err)
	}
	if _, err := f.App.Redeem.Holder(ctx, guesser, f.card, "9999"); code(err) != "wrong_card_or_pin" {
		t.Fatalf("a wrong PIN: %v, want wrong_card_or_pin", err)
	}
	// Locked by wrong PINs (at a shop, say), a card answers as an unknown number does.
	locked := f.Seeded.Beneficiaries[len(f.Seeded.Beneficiaries)-1]
	for range enroll.MaxPINFailures {
		_, _ = f.App.Redeem.Balances(ctx, f.vendors[1], locked.CardNumber, "0000")
	}
	if _, err := f.App.Redeem.Holder(ctx, guesser, locked.CardNumber, demo.PIN); code(err) != "wrong_card_or_pin" {
		t.Fatalf("a locked card: %v, want wrong_card_or_pin", err)
	}
	if _, err := f.App.Redeem.Holder(ctx, guesser, "1234", demo.PIN); code(err) != "invalid_card_number" {
		t.Fatalf("a malformed card number: %v, want invalid_card_number", err)
	}
	// Up to the limit, across cards (four wrong PINs each, so none locks) and unknown numbers.
	for i := 3; i < redeem.DefaultShopWrongPINs; i++ {
		b := f.Seeded.Beneficiaries[1+i/4%(len(f.Seeded.Beneficiaries)-1)]
		card := b.CardNumber
		if i%4 == 3 {
			card = unknown
		}
		if _, err := f.App.Redeem.Holder(ctx, guesser, card, fmt.Sprintf("98%02d", i)); code(err) != "wrong_card_or_pin" {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := f.App.Redeem.Holder(ctx, guesser, f.card, demo.PIN); code(err) != "too_many_attempts" {
		t.Fatalf("the right PIN from the paused address: %v, want too_many_attempts", err)
	}
	if _, err := f.App.Redeem.Holder(ctx, other, f.card, demo.PIN); err != nil {
		t.Fatalf("another address: %v", err)
	}
	// The shops' guard is another: a shop's balance check is not paused by it.
	if _, err := f.App.Redeem.Balances(ctx, f.vendors[0], f.card, demo.PIN); err != nil {
		t.Fatalf("a shop's balance check: %v", err)
	}
}
