package redeem_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/redeem"
)

// fixture: a seeded system, the first program, two vendors and a card with its allocation.
type fixture struct {
	*apptest.World
	program   string
	vendors   []string
	sells     map[string]string // a category each vendor is registered for, by id
	card      string
	holder    string
	allocated int64
}

func newFixture(t *testing.T, opts ...apptest.Option) *fixture {
	t.Helper()
	return newFixtureOf(t, apptest.Small, opts...)
}

// newFixtureOf is newFixture on a system seeded with size.
func newFixtureOf(t *testing.T, size demo.Size, opts ...apptest.Option) *fixture {
	t.Helper()
	w := apptest.New(t, size, opts...)
	f := &fixture{World: w, program: w.Seeded.Programs[0].ID, card: w.Seeded.Beneficiaries[0].CardNumber, holder: w.Seeded.Beneficiaries[0].ID}
	f.sells = map[string]string{}
	for _, v := range w.Seeded.Vendors {
		f.vendors = append(f.vendors, v.ID)
		f.sells[v.ID] = v.Categories[0]
	}
	bal, err := w.App.Redeem.BalancesOf(context.Background(), f.holder)
	if err != nil || len(bal) == 0 {
		t.Fatalf("balances: %v %v", bal, err)
	}
	for _, b := range bal {
		if b.ID == f.program {
			f.allocated = b.Available
		}
	}
	return f
}

// req is a sale of amount on the fixture's card, in a category the first vendor (the grocery)
// sells.
func (f *fixture) req(amount int64) redeem.Request {
	return redeem.Request{CardNumber: f.card, PIN: demo.PIN, ProgramID: f.program, Amount: amount, Category: "food"}
}

// reqAt is req in a category vendor sells: a shop may sell only what it is registered for.
func (f *fixture) reqAt(vendor string, amount int64) redeem.Request {
	r := f.req(amount)
	r.Category = f.sells[vendor]
	return r
}

func code(err error) string {
	if e, ok := apierr.As(err); ok {
		return e.Code
	}
	return ""
}

// chainBalance reads the entitlement's balance from the ledger itself.
func (f *fixture) chainBalance(t *testing.T) (int64, uint64) {
	t.Helper()
	return f.chainBalanceOf(t, 0)
}

// chainBalanceOf reads the i-th seeded card's balance and next sequence number from the ledger.
func (f *fixture) chainBalanceOf(t *testing.T, i int) (int64, uint64) {
	t.Helper()
	ctx := context.Background()
	prog, err := f.App.Programs.ProgramInfo(ctx, f.program)
	if err != nil {
		t.Fatal(err)
	}
	abi := aidledger.NewAidLedger()
	holder := common.HexToHash(f.Seeded.Beneficiaries[i].ChainID)
	out, err := f.App.Chain.Client.CallContract(ctx, ethereum.CallMsg{To: &f.App.Chain.Contract, Data: abi.PackEntitlement(prog.ChainProgramID, holder)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ent, err := abi.UnpackEntitlement(out)
	if err != nil {
		t.Fatal(err)
	}
	return ent.Balance.Int64(), ent.Seq
}

func TestRedeem_SameKeySameBody_ReturnsFirstResultAndPaysOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "key-1", f.req(1000))
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "key-1", f.req(1000))
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || first.Status != redeem.StatusConfirmed || first.TxHash == "" {
		t.Fatalf("first %+v, retry %+v", first, again)
	}
	if bal, seq := f.chainBalance(t); bal != f.allocated-1000 || seq != 1 {
		t.Fatalf("on chain: balance %d seq %d; want %d and 1 (paid once)", bal, seq, f.allocated-1000)
	}
	// The same key at another vendor is another redemption: keys are per vendor.
	if other, err := f.App.Redeem.Redeem(ctx, f.vendors[1], "key-1", f.reqAt(f.vendors[1], 1000)); err != nil || other.ID == first.ID {
		t.Fatalf("same key at another vendor: %+v %v", other, err)
	}
}

func TestRedeem_SameKeyOtherBody_IsAnIdempotencyConflict(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "key-2", f.req(1000)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "key-2", f.req(1001)); code(err) != "idempotency_conflict" {
		t.Fatalf("%v; want idempotency_conflict", err)
	}
}

func TestRedeem_RefusesOverspendUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	amount := f.allocated*2/5 + 1 // at most two fit
	var wg sync.WaitGroup
	var mu sync.Mutex
	var paid int64
	var refused int
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.App.Redeem.Redeem(ctx, f.vendors[i%2], uuid.NewString(), f.reqAt(f.vendors[i%2], amount))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				paid += r.Amount
			case errors.Is(err, redeem.ErrInsufficientBalance):
				refused++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	if paid != 2*amount || refused != 14 {
		t.Fatalf("paid %d (%d refusals); want exactly two payments of %d", paid, refused, amount)
	}
	// One card at a time in a group: on PostgreSQL a card named twice would fail the pipelined
	// transaction and run the whole group again.
	for _, failed := range []string{"pipelined", "group"} {
		if n := f.App.Redeem.RetriedGroups(failed); n != 0 {
			t.Errorf("%v groups applied again after their %s transaction failed, want none", n, failed)
		}
	}
	f.WaitFor("the chain to confirm", 10*time.Second, func() bool { b, _ := f.chainBalance(t); return b == f.allocated-paid })
}

func TestRedeem_WrongPINsCountLockAtFiveAndResetUnlocks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bad := f.req(100)
	bad.PIN = "9999"
	for left := 4; left >= 1; left-- {
		_, err := f.App.Redeem.Redeem(ctx, f.vendors[0], uuid.NewString(), bad)
		e, ok := apierr.As(err)
		if !ok || e.Code != "wrong_pin" || e.Details["attempts_left"] != left {
			t.Fatalf("wrong PIN: %v (details %v); want wrong_pin with %d attempts left", err, e, left)
		}
	}
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], uuid.NewString(), bad); !errors.Is(err, enroll.ErrCardLocked) {
		t.Fatalf("fifth wrong PIN: %v; want card_locked", err)
	}
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], uuid.NewString(), f.req(100)); !errors.Is(err, enroll.ErrCardLocked) {
		t.Fatalf("right PIN on a locked card: %v; want card_locked", err)
	}
	if err := f.App.Enroll.ResetPIN(ctx, f.holder, "2468"); err != nil {
		t.Fatal(err)
	}
	ok := f.req(100)
	ok.PIN = "2468"
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], uuid.NewString(), ok); err != nil {
		t.Fatalf("after reset: %v", err)
	}
}

func TestRedeem_RefusesWithTheRightCode(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := f.App.Redeem
	tests := []struct {
		name  string
		setup func(t *testing.T)
		req   func() redeem.Request
		key   string
		code  string
	}{
		{"no key", nil, func() redeem.Request { return f.req(1) }, "-", "idempotency_key_required"},
		{"zero amount", nil, func() redeem.Request { return f.req(0) }, "", "invalid_field"},
		{"unknown category", nil, func() redeem.Request { r := f.req(1); r.Category = "weapons"; return r }, "", "invalid_field"},
		{"mistyped card", nil, func() redeem.Request { r := f.req(1); r.CardNumber = mistype(f.card); return r }, "", "invalid_card_number"},
		{"more than the balance", nil, func() redeem.Request { return f.req(f.allocated + 1) }, "", "insufficient_balance"},
		{"unknown program", nil, func() redeem.Request { r := f.req(1); r.ProgramID = uuid.NewString(); return r }, "", "not_found"},
		{"suspended vendor", func(t *testing.T) {
			if _, err := f.App.Programs.SuspendVendor(ctx, "test", f.vendors[1]); err != nil {
				t.Fatal(err)
			}
		}, func() redeem.Request { return f.req(1) }, "vendor1", "vendor_suspended"},
		{"suspended card", func(t *testing.T) {
			if _, err := f.App.Enroll.Suspend(ctx, f.holder); err != nil {
				t.Fatal(err)
			}
		}, func() redeem.Request { return f.req(1) }, "", "beneficiary_suspended"},
		{"closed program", func(t *testing.T) {
			if _, err := f.App.Enroll.Reinstate(ctx, f.holder); err != nil {
				t.Fatal(err)
			}
			if _, err := f.App.Programs.SetProgramActive(ctx, "test", f.program, false); err != nil {
				t.Fatal(err)
			}
		}, func() redeem.Request { return f.req(1) }, "", "program_inactive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(t)
			}
			vendor, key := f.vendors[0], uuid.NewString()
			switch tt.key {
			case "-":
				key = ""
			case "vendor1":
				vendor = f.vendors[1]
			}
			if _, err := svc.Redeem(ctx, vendor, key, tt.req()); code(err) != tt.code {
				t.Fatalf("%v; want %s", err, tt.code)
			}
		})
	}
	if bal, seq := f.chainBalance(t); bal != f.allocated || seq != 0 {
		t.Errorf("refusals moved money: balance %d seq %d", bal, seq)
	}
}

// mistype swaps two adjacent digits: the check digit must catch it.
func mistype(card string) string {
	b := []byte(card)
	b[0], b[1] = b[1], b[0]
	if b[0] == b[1] {
		b[0] = '0' + (b[0]-'0'+1)%10
	}
	return string(b)
}

func TestSettle_CannotExceedTheUnsettledBalance(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "s-1", f.req(5000)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 5001, Reference: "PAY-1"}); code(err) != "exceeds_unsettled" {
		t.Fatalf("%v; want exceeds_unsettled", err)
	}
	st, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 3000, Reference: "PAY-2"})
	if err != nil || st.Status != redeem.StatusConfirmed || st.ProgramID != f.program {
		t.Fatalf("%+v %v", st, err)
	}
	stmt, err := f.App.Redeem.Statement(ctx, f.vendors[0], time.Time{}, time.Time{})
	if err != nil || stmt.Redeemed != 5000 || stmt.Settled != 3000 || stmt.Unsettled != 2000 {
		t.Fatalf("statement %+v %v", stmt, err)
	}
}

func TestSettle_RefusesAPayoutReferenceAlreadyRecordedForTheVendorAndProgram(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "s-1", f.req(5000)); err != nil {
		t.Fatal(err)
	}
	first, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 3000, Reference: "BANK-0042"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"BANK-0042", "  BANK-0042 "} {
		_, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 1000, Reference: ref})
		e, ok := apierr.As(err)
		if !ok || e.Status != 409 || e.Code != "duplicate_reference" || e.Field != "reference" || e.Details["settlement_id"] != first.ID {
			t.Fatalf("reference %q again: %v; want 409 duplicate_reference naming %s", ref, err, first.ID)
		}
	}
	if _, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 1000, Reference: "BANK-0043"}); err != nil {
		t.Fatalf("a new reference: %v", err)
	}
	stmt, err := f.App.Redeem.Statement(ctx, f.vendors[0], time.Time{}, time.Time{})
	if err != nil || stmt.Settled != 4000 || len(stmt.Settlements) != 2 {
		t.Fatalf("statement %+v %v; want 4000 settled in two settlements", stmt, err)
	}
}

// A settlement is paid once its intent is stored. If the read of its status after the wait
// fails, the answer must still be the settlement: an error would release the caller's
// Idempotency-Key, and a retry would pay it again.
func TestSettle_AnswersWithTheSettlementWhenReadingItBackFails(t *testing.T) {
	var failing atomic.Bool
	var injected atomic.Int32
	f := newFixture(t, apptest.WithDB(func(db *gorm.DB) error {
		return db.Callback().Query().Before("gorm:query").Register("test:fail-settlement-read-back", func(db *gorm.DB) {
			// Only the read-back takes a whole settlement row; the unsettled sums scan numbers.
			if failing.Load() && fmt.Sprintf("%T", db.Statement.Dest) == "*redeem.settlementRow" {
				injected.Add(1)
				db.AddError(errors.New("injected: the database went away"))
			}
		})
	}))
	ctx := context.Background()
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "s-1", f.req(5000)); err != nil {
		t.Fatal(err)
	}
	failing.Store(true)
	st, err := f.App.Redeem.Settle(ctx, "test", redeem.SettleRequest{VendorID: f.vendors[0], Amount: 3000, Reference: "PAY-READ"})
	failing.Store(false)
	if err != nil || st.ID == "" || st.Amount != 3000 {
		t.Fatalf("Settle with its read-back failing: %+v %v; want the settlement", st, err)
	}
	if injected.Load() == 0 {
		t.Fatal("the read-back never failed: the test no longer tests it")
	}
	f.WaitFor("the settlement to be confirmed", 20*time.Second, func() bool {
		stmt, err := f.App.Redeem.Statement(ctx, f.vendors[0], time.Time{}, time.Time{})
		return err == nil && stmt.Settled == 3000 && stmt.Unsettled == 2000
	})
}

func TestReconciliation_IsOKAfterRedemptions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], uuid.NewString(), f.req(100)); err != nil {
			t.Fatal(err)
		}
	}
	var rep redeem.Reconciliation
	f.WaitFor("the indexer to catch up", 10*time.Second, func() bool {
		_, indexed := f.App.Indexer.Progress()
		var err error
		rep, err = redeem.Reconcile(ctx, f.App.DB, indexed)
		return err == nil && rep.ConfirmedRedemptions == 3
	})
	if !rep.OK || rep.RedeemedEvents != 3 {
		t.Fatalf("reconciliation %+v", rep)
	}
}

func TestRedeem_TheAnswerAfterConfirmationIsWhatALaterReadShows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	answered, err := f.App.Redeem.Redeem(ctx, f.vendors[0], uuid.NewString(), f.req(3))
	if err != nil || answered.Status != redeem.StatusConfirmed || answered.FinalAt == nil || answered.TxHash == "" || answered.BlockNumber == 0 {
		t.Fatalf("%+v %v; want confirmed, with its transaction, block and time", answered, err)
	}
	read, err := f.App.Redeem.Get(ctx, answered.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(answered)
	r, _ := json.Marshal(read)
	if string(a) != string(r) {
		t.Errorf("answered %s\nread     %s", a, r)
	}
}
