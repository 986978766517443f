package redeem_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/redeem"
)

// sale redeems amount at the first vendor and fails the test unless the chain confirms it.
func (f *fixture) sale(t *testing.T, amount int64) redeem.Redemption {
	t.Helper()
	r, err := f.App.Redeem.Redeem(context.Background(), f.vendors[0], uuid.NewString(), f.req(amount))
	if err != nil || r.Status != redeem.StatusConfirmed {
		t.Fatalf("sale: %+v %v", r, err)
	}
	return r
}

func (f *fixture) available(t *testing.T) int64 {
	t.Helper()
	bal, err := f.App.Redeem.BalancesOf(context.Background(), f.holder)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bal {
		if b.ID == f.program {
			return b.Available
		}
	}
	t.Fatalf("no balance in %s: %+v", f.program, bal)
	return 0
}

func TestRefund_GivesTheAmountBackToTheCardOnChainAndItCanBeSpentAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sale := f.sale(t, 5000)

	rf, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sale.ID, "refund-1", redeem.RefundRequest{Amount: 2000, Note: " goods returned "})
	if err != nil || rf.Status != redeem.StatusConfirmed || rf.TxHash == "" || rf.RedemptionID != sale.ID || rf.Note != "goods returned" {
		t.Fatalf("refund %+v %v", rf, err)
	}
	if bal, seq := f.chainBalance(t); bal != f.allocated-3000 || seq != 1 {
		t.Fatalf("on chain: balance %d seq %d; want %d and 1", bal, seq, f.allocated-3000)
	}
	if got := f.available(t); got != f.allocated-3000 {
		t.Errorf("available %d, want %d", got, f.allocated-3000)
	}
	got, err := f.App.Redeem.Get(ctx, sale.ID, f.vendors[0])
	if err != nil || got.Refunded != 2000 {
		t.Errorf("sale after the refund %+v %v", got, err)
	}
	list, err := f.App.Redeem.Refunds(ctx, sale.ID, "")
	if err != nil || len(list) != 1 || list[0].ID != rf.ID {
		t.Errorf("refunds %+v %v", list, err)
	}
	st, err := f.App.Redeem.Statement(ctx, f.vendors[0], time.Time{}, time.Time{})
	if err != nil || st.Redeemed != 3000 || st.Refunded != 2000 || st.Unsettled != 3000 || len(st.Refunds) != 1 {
		t.Errorf("statement %+v %v", st, err)
	}
	if len(st.Redemptions) != 1 || st.Redemptions[0].Refunded != 2000 {
		t.Errorf("the statement's sale %+v; want 2000 refunded of it", st.Redemptions)
	}
	var rep redeem.Reconciliation
	f.WaitFor("the indexer to catch up", 10*time.Second, func() bool {
		_, indexed := f.App.Indexer.Progress()
		var err error
		rep, err = redeem.Reconcile(ctx, f.App.DB, indexed)
		return err == nil && rep.ConfirmedRefunds == 1
	})
	if !rep.OK || rep.RefundedEvents != 1 {
		t.Errorf("reconciliation %+v", rep)
	}
	// What was given back is spendable: the whole balance, refund included, in one sale.
	if last := f.sale(t, f.allocated-3000); last.BalanceAfter != 0 {
		t.Errorf("the last sale left %d", last.BalanceAfter)
	}
	if bal, _ := f.chainBalance(t); bal != 0 {
		t.Errorf("on chain after spending it all: %d", bal)
	}
}

func TestRefund_SameKeyGivesTheSameRefundAndNeverRefundsTwice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sale := f.sale(t, 5000)
	req := redeem.RefundRequest{Amount: 1000}
	first, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sale.ID, "k", req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sale.ID, "k", req)
	if err != nil || again.ID != first.ID || again.Status != redeem.StatusConfirmed {
		t.Fatalf("retry %+v %v; want %s", again, err, first.ID)
	}
	if _, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sale.ID, "k", redeem.RefundRequest{Amount: 999}); code(err) != "idempotency_conflict" {
		t.Errorf("same key, another amount: %v", err)
	}
	if bal, _ := f.chainBalance(t); bal != f.allocated-4000 {
		t.Errorf("on chain %d, want %d: refunded once", bal, f.allocated-4000)
	}
}

func TestRefund_ConcurrentRefundsOfOneSaleNeverGiveBackMoreThanIt(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sale := f.sale(t, 3000)
	var wg sync.WaitGroup
	codes := make([]string, 4)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sale.ID, uuid.NewString(), redeem.RefundRequest{Amount: 1000})
			codes[i] = code(err)
		}()
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, c := range codes {
		switch c {
		case "":
			ok++
		case "exceeds_refundable":
			refused++
		default:
			t.Errorf("code %q", c)
		}
	}
	if ok != 3 || refused != 1 {
		t.Errorf("%d refunds of 1000 out of a 3000 sale went through, %d refused; want 3 and 1", ok, refused)
	}
	if bal, _ := f.chainBalance(t); bal != f.allocated {
		t.Errorf("on chain %d, want the whole allocation %d back", bal, f.allocated)
	}
}

func TestRefund_RefusesWithTheRightCode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sale := f.sale(t, 4000)
	paid := f.sale(t, 1000)
	// The agency pays the shop all but 500 of what it is owed: 4,500 of 5,000.
	if _, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 4500, Reference: "PAY-1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		vendor string
		id     string
		key    string
		amount int64
		code   string
	}{
		{"no key", f.vendors[0], sale.ID, "", 1, "idempotency_key_required"},
		{"zero amount", f.vendors[0], sale.ID, "k1", 0, "invalid_field"},
		{"more than the sale", f.vendors[0], paid.ID, "k2", 1001, "exceeds_refundable"},
		{"another shop's sale", f.vendors[1], sale.ID, "k3", 1, "not_found"},
		{"no such sale", f.vendors[0], uuid.NewString(), "k4", 1, "not_found"},
		{"more than the shop is still owed", f.vendors[0], sale.ID, "k5", 501, "exceeds_unsettled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.App.Redeem.Refund(ctx, "clerk", tt.vendor, tt.id, tt.key, redeem.RefundRequest{Amount: tt.amount}); code(err) != tt.code {
				t.Fatalf("%v; want %s", err, tt.code)
			}
		})
	}
	if bal, _ := f.chainBalance(t); bal != f.allocated-5000 {
		t.Errorf("refusals moved money: balance %d", bal)
	}
	// What is still owed can be given back, and a payout can then not take it again.
	if _, err := f.App.Redeem.Refund(ctx, "clerk", f.vendors[0], sale.ID, "k6", redeem.RefundRequest{Amount: 500}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], ProgramID: f.program, Amount: 1, Reference: "PAY-2"}); code(err) != "exceeds_unsettled" {
		t.Errorf("a payout after the refund: %v; want exceeds_unsettled", err)
	}
}

// A data directory from a release before refunds keeps its ledger, which has neither refund nor
// reverseSettlement: both are refused with a clear code instead of transactions that revert.
func TestRefundsAndReversals_AreRefusedOnALedgerDeployedBeforeThem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sale := f.sale(t, 1000)
	paid, err := f.App.Redeem.Settle(ctx, "officer", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 500, Reference: "OLD-1"})
	if err != nil {
		t.Fatal(err)
	}
	old := redeem.New(f.App.DB, f.App.Pipeline, f.App.Enroll, f.App.Programs, redeem.Config{OldLedger: true})
	t.Cleanup(old.Close)
	if _, err := old.Refund(ctx, "clerk", f.vendors[0], sale.ID, "old-1", redeem.RefundRequest{Amount: 1}); code(err) != "refunds_unsupported" {
		t.Errorf("refund on an old ledger: %v", err)
	}
	if _, err := old.ReverseSettlement(ctx, "officer", paid.ID, redeem.ReversalRequest{Amount: 1}); code(err) != "reversals_unsupported" {
		t.Errorf("reversal on an old ledger: %v", err)
	}
	if bal, _ := f.chainBalance(t); bal != f.allocated-1000 {
		t.Errorf("on chain %d, want %d: nothing given back", bal, f.allocated-1000)
	}
}
