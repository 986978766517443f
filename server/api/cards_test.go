package api_test

import (
	"testing"

	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/demo"
)

func TestReplaceCard_TheLostCardIsRefusedAtTheShopAndTheNewOneCarriesTheBalance(t *testing.T) {
	w := newAPIWorld(t)
	b := w.Seeded.Beneficiaries[0]
	balance := func(card string) response {
		return w.do("POST", "/api/v1/cards/"+card+"/balance", auth.Vendor, map[string]string{"pin": demo.PIN})
	}
	before := balance(b.CardNumber)
	if before.Status != 200 {
		t.Fatalf("balance before: %d %s", before.Status, before.Body)
	}

	r := w.do("POST", "/api/v1/beneficiaries/"+b.ID+"/card", auth.AidWorker, nil, "Idempotency-Key", "lost-card-1")
	var got struct {
		CardNumber string `json:"card_number"`
	}
	if r.JSON(t, &got); r.Status != 200 || got.CardNumber == "" || got.CardNumber == b.CardNumber {
		t.Fatalf("replace: %d %s", r.Status, r.Body)
	}
	// The aid worker's retry, its answer lost, gets the same new card, not a third one.
	again := w.do("POST", "/api/v1/beneficiaries/"+b.ID+"/card", auth.AidWorker, nil, "Idempotency-Key", "lost-card-1")
	if string(again.Body) != string(r.Body) {
		t.Fatalf("retry: %d %s; want the first answer %s", again.Status, again.Body, r.Body)
	}

	if old := w.do("GET", "/api/v1/cards/"+b.CardNumber, auth.Vendor, nil); old.Status != 410 || errorCode(old) != "card_replaced" {
		t.Fatalf("the lost card at a shop: %d %s; want 410 card_replaced", old.Status, old.Body)
	}
	if old := balance(b.CardNumber); old.Status != 410 || errorCode(old) != "card_replaced" {
		t.Fatalf("the lost card's balance: %d %s; want 410 card_replaced", old.Status, old.Body)
	}
	// A sale on it is refused too, and nothing is charged.
	sale := w.do("POST", "/api/v1/redemptions", auth.Vendor, map[string]any{"card_number": b.CardNumber, "pin": demo.PIN,
		"program_id": w.Seeded.Programs[0].ID, "amount": 1, "category": "food"}, "Idempotency-Key", "found-card-1")
	if sale.Status < 400 || sale.Status >= 500 {
		t.Fatalf("a sale on the lost card: %d %s; want it refused", sale.Status, sale.Body)
	}
	after := balance(got.CardNumber)
	if after.Status != 200 || string(after.Body) != string(before.Body) {
		t.Fatalf("the new card's balance: %d %s; want %s", after.Status, after.Body, before.Body)
	}
}
