package api_test

import (
	"strings"
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

func TestAllocation_AtOneLocationReachesOnlyItsActiveBeneficiaries(t *testing.T) {
	w := newAPIWorld(t)
	var locs struct {
		Locations []struct {
			Location string `json:"location"`
			Active   int    `json:"active"`
		} `json:"locations"`
	}
	lr := w.do("GET", "/api/v1/beneficiaries/locations", auth.AidWorker, nil)
	if lr.JSON(t, &locs); lr.Status != 200 || len(locs.Locations) < 2 {
		t.Fatalf("locations: %d %s; want two or more", lr.Status, lr.Body)
	}
	where := locs.Locations[len(locs.Locations)-1] // the smallest: a real narrowing
	prog := w.Seeded.Programs[0].ID
	if r := w.do("POST", "/api/v1/programs/"+prog+"/fundings", auth.Admin, map[string]any{"amount": 1_000_000, "donor": "Location test"}); r.Status != 201 {
		t.Fatalf("funding: %d %s", r.Status, r.Body)
	}
	if r := w.do("POST", "/api/v1/programs/"+prog+"/allocations", auth.AidWorker, map[string]any{"cycle": 2, "amount_per_household": 100,
		"beneficiary_ids": []string{w.Seeded.Beneficiaries[0].ID}, "location": where.Location}); r.Status != 400 || errorCode(r) != "invalid_field" {
		t.Fatalf("a location with a list of ids: %d %s; want 400 invalid_field", r.Status, r.Body)
	}
	r := w.do("POST", "/api/v1/programs/"+prog+"/allocations", auth.AidWorker, map[string]any{"cycle": 2, "amount_per_household": 100,
		"all_active": true, "location": strings.ToUpper(where.Location)})
	var job struct {
		ID    string `json:"id"`
		Total int    `json:"total"`
	}
	if r.JSON(t, &job); r.Status != 202 || job.Total != where.Active {
		t.Fatalf("allocation at %q: %d %s; want 202 for its %d active beneficiaries", where.Location, r.Status, r.Body, where.Active)
	}
}
