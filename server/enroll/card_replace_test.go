package enroll_test

import (
	"testing"

	"github.com/aidledger/aidledger/server/enroll"
)

func TestReplaceCard_TheOldNumberStopsWorkingAndThePersonKeepsTheirPINAndRecord(t *testing.T) {
	e := newEnv(t, nil)
	b := mustEnroll(t, e.svc, person(1)) // PIN 1234

	got, err := e.svc.ReplaceCard(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || got.CardNumber == b.CardNumber || got.ChainID != b.ChainID || got.GivenName != b.GivenName {
		t.Fatalf("replaced %+v; want the same person and pseudonym with a new card", got)
	}
	if _, err := enroll.ParseCardNumber(got.CardNumber); err != nil {
		t.Fatalf("new card number %q: %v", got.CardNumber, err)
	}
	for _, lookup := range []func() error{
		func() error { _, err := e.svc.LookupCard(ctx, b.CardNumber); return err },
		func() error { _, err := e.svc.ResolveCard(ctx, b.CardNumber); return err },
	} {
		if ae := wantAPIErr(t, lookup(), "card_replaced", ""); ae.Status != 410 {
			t.Fatalf("the old card: %d; want 410", ae.Status)
		}
	}
	// A number that never was a card is still unknown, not replaced.
	if _, err := e.svc.LookupCard(ctx, "00000000000"); !isErr(err, enroll.ErrUnknownCard) {
		t.Fatalf("a card that never was: %v; want unknown", err)
	}
	c, err := e.svc.LookupCard(ctx, got.CardNumber)
	if err != nil || c.ID != b.ID {
		t.Fatalf("the new card: %+v, %v", c, err)
	}
	if err := e.svc.VerifyPIN(ctx, b.ID, "1234"); err != nil {
		t.Fatalf("the PIN after the replacement: %v", err)
	}
	if p, err := e.svc.List(ctx, got.CardNumber, 1, 10); err != nil || len(p.Items) != 1 {
		t.Fatalf("search by the new card: %+v, %v", p, err)
	}

	if _, err := e.svc.ErasePersonalData(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	wantAPIErr(t, func() error { _, err := e.svc.ReplaceCard(ctx, b.ID); return err }(), "beneficiary_erased", "")
	wantAPIErr(t, func() error { _, err := e.svc.ReplaceCard(ctx, "01a21101-3c39-7c4e-bc3c-091516369641"); return err }(), "not_found", "")
}
