package redeem_test

import (
	"context"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/redeem"
)

func TestReverseSettlement_APayoutTypedWrongIsTakenBackAndRecordedRight(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.sale(t, 5000)
	wrong, err := f.App.Redeem.Settle(ctx, "officer", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 5000, Reference: "BANK-7"})
	if err != nil || wrong.Status != redeem.StatusConfirmed {
		t.Fatalf("settlement %+v %v", wrong, err)
	}
	// The bank transfer was for 500: 4,500 is taken back.
	rev, err := f.App.Redeem.ReverseSettlement(ctx, "officer", wrong.ID, redeem.ReversalRequest{Amount: 4500, Note: "typed 5000 for 500"})
	if err != nil || rev.Status != redeem.StatusConfirmed || rev.Amount != -4500 || rev.ReversesID != wrong.ID || rev.TxHash == "" {
		t.Fatalf("reversal %+v %v", rev, err)
	}
	st, err := f.App.Redeem.Statement(ctx, f.vendors[0], time.Time{}, time.Time{})
	if err != nil || st.Settled != 500 || st.Unsettled != 4500 || len(st.Settlements) != 2 {
		t.Fatalf("statement %+v %v", st, err)
	}
	// Not more than is left of it; not a reversal of the reversal.
	if _, err := f.App.Redeem.ReverseSettlement(ctx, "officer", wrong.ID, redeem.ReversalRequest{Amount: 501}); code(err) != "exceeds_settled" {
		t.Errorf("reversing more than is left: %v", err)
	}
	if _, err := f.App.Redeem.ReverseSettlement(ctx, "officer", rev.ID, redeem.ReversalRequest{Amount: 1}); code(err) != "is_reversal" {
		t.Errorf("reversing a reversal: %v", err)
	}
	// The same bank reference is still recorded (500 of it stands)...
	if _, err := f.App.Redeem.Settle(ctx, "officer", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 1, Reference: "BANK-7"}); code(err) != "duplicate_reference" {
		t.Errorf("the reference again while 500 of it stands: %v", err)
	}
	// ...until it is taken back whole; then it may be entered again, right.
	if _, err := f.App.Redeem.ReverseSettlement(ctx, "officer", wrong.ID, redeem.ReversalRequest{Amount: 500}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Settle(ctx, "officer", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 500, Reference: "BANK-7"}); err != nil {
		t.Fatalf("the reference entered again after a whole reversal: %v", err)
	}
	st, err = f.App.Redeem.Statement(ctx, f.vendors[0], time.Time{}, time.Time{})
	if err != nil || st.Settled != 500 || st.Unsettled != 4500 {
		t.Fatalf("statement at the end %+v %v", st, err)
	}
	var rep redeem.Reconciliation
	f.WaitFor("the indexer to catch up", 10*time.Second, func() bool {
		_, indexed := f.App.Indexer.Progress()
		var err error
		rep, err = redeem.Reconcile(ctx, f.App.DB, indexed)
		return err == nil && rep.ConfirmedSettlements == 4
	})
	if !rep.OK || rep.SettlementEvents != 4 {
		t.Errorf("reconciliation of two settlements and two reversals: %+v", rep)
	}
	// What the shop is owed again can be refunded to a card.
	sales, err := f.App.Redeem.List(ctx, redeem.Filter{VendorID: f.vendors[0]})
	if err != nil || len(sales.Redemptions) != 1 {
		t.Fatalf("sales %+v %v", sales, err)
	}
	if _, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sales.Redemptions[0].ID, "r", redeem.RefundRequest{Amount: 4500}); err != nil {
		t.Fatalf("a refund out of what is owed again: %v", err)
	}
}
