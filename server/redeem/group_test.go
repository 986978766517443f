package redeem_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/redeem"
	"github.com/aidledger/aidledger/server/store"
)

// cardReq is a request of amount on the i-th seeded card.
func (f *fixture) cardReq(i int, amount int64) redeem.Request {
	return redeem.Request{CardNumber: f.Seeded.Beneficiaries[i].CardNumber, PIN: demo.PIN, ProgramID: f.program, Amount: amount, Category: "food"}
}

// availableOn is what the i-th seeded card has left in the fixture's program.
func (f *fixture) availableOn(t *testing.T, i int) int64 {
	t.Helper()
	bal, err := f.App.Redeem.BalancesOf(context.Background(), f.Seeded.Beneficiaries[i].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bal {
		if b.ID == f.program {
			return b.Available
		}
	}
	t.Fatalf("card %d has no balance in the program", i)
	return 0
}

func TestAcceptGroup_DecidesAsIfOneRedemptionRanAfterTheOther(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, b := f.availableOn(t, 0), f.availableOn(t, 1)
	wrongPIN := f.cardReq(0, 1)
	wrongPIN.PIN = "9999"
	reqs := []redeem.Request{
		wrongPIN,          // counted, nothing else written
		f.cardReq(0, 10),  // accepted: the right PIN after a wrong one in the same group
		f.cardReq(0, a),   // refused: the 10 before it left too little
		f.cardReq(0, 10),  // the key of the second, raced: not a second payment
		f.cardReq(0, 5),   // accepted, next sequence number
		f.cardReq(1, 7),   // another card
		f.cardReq(1, b-7), // exactly what is left
	}
	keys := []string{"g-1", "g-2", "g-3", "g-2", "g-5", "g-6", "g-7"}
	verdicts, err := f.App.Redeem.AcceptAsOneGroup(ctx, f.vendors[0], keys, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := apierr.As(verdicts[0]); !ok || e.Code != "wrong_pin" || e.Details["attempts_left"] != enroll.MaxPINFailures-1 {
		t.Errorf("wrong PIN: %v", verdicts[0])
	}
	if e, ok := apierr.As(verdicts[2]); !ok || !errors.Is(verdicts[2], redeem.ErrInsufficientBalance) || e.Details["available"] != a-10 {
		t.Errorf("overspend: %v; want insufficient_balance with %d available", verdicts[2], a-10)
	}
	if !errors.Is(verdicts[3], redeem.ErrKeyRace) {
		t.Errorf("the raced key: %v; want the key race", verdicts[3])
	}
	for _, i := range []int{1, 4, 5, 6} {
		if verdicts[i] != nil {
			t.Errorf("redemption %d: %v; want accepted", i, verdicts[i])
		}
	}
	var balances []int64
	for _, i := range []int{1, 4, 5, 6} {
		r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], keys[i], reqs[i])
		if err != nil || r.Status != redeem.StatusConfirmed {
			t.Fatalf("redemption %d: %+v %v; want confirmed on chain", i, r, err)
		}
		balances = append(balances, r.BalanceAfter)
	}
	if want := []int64{a - 10, a - 15, b - 7, 0}; !slices.Equal(balances, want) {
		t.Errorf("balances after: %v, want %v", balances, want)
	}
	// The ledger takes an entitlement's sequence numbers only in order: a redemption after the
	// group is confirmed only if the refused ones gave their numbers back.
	if r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "g-after", f.cardReq(0, 1)); err != nil || r.Status != redeem.StatusConfirmed {
		t.Fatalf("a redemption after the group: %+v %v; want confirmed on chain", r, err)
	}
	if bal, seq := f.chainBalanceOf(t, 0); bal != a-16 || seq != 3 {
		t.Errorf("card 0 on chain: balance %d, next sequence %d; want %d and 3", bal, seq, a-16)
	}
	if bal, _ := f.chainBalanceOf(t, 1); bal != 0 {
		t.Errorf("card 1 on chain: %d, want 0", bal)
	}
	// The right PIN after the wrong one cleared the count.
	wrongPIN.Amount = 2
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "g-wrong", wrongPIN); !attemptsLeft(err, enroll.MaxPINFailures-1) {
		t.Errorf("a wrong PIN after the group: %v; want %d attempts left", err, enroll.MaxPINFailures-1)
	}
}

func TestAcceptGroup_AKeyStoredByAnotherGroupFailsOnlyItsOwnRedemption(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.availableOn(t, 0)
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "raced", f.cardReq(0, 10)); err != nil {
		t.Fatal(err)
	}
	reqs := []redeem.Request{f.cardReq(1, 3), f.cardReq(0, 10), f.cardReq(0, 4), f.cardReq(2, 5)}
	verdicts, err := f.App.Redeem.AcceptAsOneGroup(ctx, f.vendors[0], []string{"r-1", "raced", "r-3", "r-4"}, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if verdicts[0] != nil || !errors.Is(verdicts[1], redeem.ErrKeyRace) || verdicts[2] != nil || verdicts[3] != nil {
		t.Fatalf("verdicts %v; want only the stored key refused", verdicts)
	}
	r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "r-3", reqs[2])
	if err != nil || r.Status != redeem.StatusConfirmed || r.BalanceAfter != a-14 {
		t.Fatalf("the redemption after the refused one: %+v %v; want confirmed with %d left", r, err, a-14)
	}
	f.WaitFor("the chain to confirm", 10*time.Second, func() bool { bal, _ := f.chainBalanceOf(t, 0); return bal == a-14 })
}

func TestAcceptGroup_RefusesWhatTheCardProgramOrShopForbidsAndAcceptsTheRest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	suspended := f.Seeded.Beneficiaries[2]
	if _, err := f.App.Enroll.Suspend(ctx, suspended.ID); err != nil {
		t.Fatal(err)
	}
	unknownCard := f.cardReq(1, 1)
	unknownCard.CardNumber = unenrolled(t, f)
	onSuspended := f.cardReq(2, 1)
	onSuspended.PIN = "9999" // refused for the card before the PIN is looked at: not counted
	unknownProgram := f.cardReq(3, 1)
	unknownProgram.ProgramID = "00000000-0000-0000-0000-000000000000"
	// The grocery does not sell medicine. On the card of an accepted sale after it, so that the
	// number a pipelined group's early lock took for it must be given back for the chain to
	// confirm the next.
	medicine := f.cardReq(1, 2)
	medicine.Category = "medicine"
	reqs := []redeem.Request{f.cardReq(0, 3), unknownCard, onSuspended, unknownProgram, medicine, f.cardReq(1, 4)}
	verdicts, err := f.App.Redeem.AcceptAsOneGroup(ctx, f.vendors[0], []string{"s-1", "s-2", "s-3", "s-4", "s-m", "s-5"}, reqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"", "not_found", "beneficiary_suspended", "not_found", "category_not_allowed", ""} {
		if got := code(verdicts[i]); got != want || (want == "" && verdicts[i] != nil) {
			t.Errorf("redemption %d: %v; want %q", i, verdicts[i], want)
		}
	}
	for _, i := range []int{0, 5} {
		if r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], []string{"s-1", "", "", "", "", "s-5"}[i], reqs[i]); err != nil || r.Status != redeem.StatusConfirmed {
			t.Errorf("redemption %d: %+v %v; want confirmed on chain", i, r, err)
		}
	}
	if _, err := f.App.Enroll.Reinstate(ctx, suspended.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "s-wrong", onSuspended); !attemptsLeft(err, enroll.MaxPINFailures-1) {
		t.Errorf("a wrong PIN after reinstatement: %v; want %d attempts left (none counted while suspended)", err, enroll.MaxPINFailures-1)
	}
}

func TestRedeem_ARetryDuringAChainBacklogGetsItsRedemption(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	first, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "before-backlog", f.req(5))
	if err != nil {
		t.Fatal(err)
	}
	f.App.Redeem.PretendBacklogSince(time.Now().Add(-time.Hour))
	again, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "before-backlog", f.req(5))
	if err != nil || again.ID != first.ID {
		t.Errorf("the retry: %+v %v; want redemption %s", again, err, first.ID)
	}
	if _, err := f.App.Redeem.Redeem(ctx, f.vendors[0], "during-backlog", f.req(5)); code(err) != "chain_backlog" {
		t.Errorf("a new redemption: %v; want chain_backlog", err)
	}
}

// attemptsLeft says whether err is a wrong PIN with n attempts left.
func attemptsLeft(err error, n int) bool {
	e, ok := apierr.As(err)
	return ok && e.Code == "wrong_pin" && e.Details["attempts_left"] == n
}

// unenrolled is a well-formed card number that no one holds.
func unenrolled(t *testing.T, f *fixture) string {
	t.Helper()
	held := map[string]bool{}
	for _, b := range f.Seeded.Beneficiaries {
		c, _ := enroll.ParseCardNumber(b.CardNumber)
		held[c] = true
	}
	for n := 0; n < 1_000_000; n++ {
		c := fmt.Sprintf("%011d", n)
		if p, err := enroll.ParseCardNumber(c); err == nil && !held[p] {
			return c
		}
	}
	t.Fatal("no free card number")
	return ""
}

// On PostgreSQL every statement is a round trip, and a group's statements were a quarter of the
// box's CPU per redemption at 500/s (docs/benchmarks-log.md, twenty-fourth session).
func TestAcceptGroup_MakesSevenStatementsWhateverItsSize(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	next := 0 // seeded card; each redemption of this test its own
	for _, size := range []int{1, 5} {
		var reqs []redeem.Request
		var keys []string
		for range size {
			reqs = append(reqs, f.cardReq(next%len(f.Seeded.Beneficiaries), 1))
			keys = append(keys, fmt.Sprintf("count-%d", next))
			next++
		}
		var sent []string
		err := f.App.DB.Transaction(func(tx *gorm.DB) error {
			counting := tx.Session(&gorm.Session{Logger: statementLog{tx.Logger, &sent}})
			verdicts, err := f.App.Redeem.AcceptInTx(ctx, counting, f.vendors[0], keys, reqs)
			if err != nil {
				return err
			}
			for i, v := range verdicts {
				if v != nil {
					t.Errorf("group of %d, redemption %d: %v", size, i, v)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(sent) != 7 {
			t.Errorf("a group of %d made %d statements in its transaction, want 7:\n%s", size, len(sent), strings.Join(sent, "\n"))
		}
	}
}

// statementLog records each statement its session sends. GORM traces every statement it
// executes, and only through the session's own logger; counting with callbacks instead raced,
// as they are registered on the DB that the app's lanes and indexer query at the same time.
type statementLog struct {
	logger.Interface
	sent *[]string
}

func (l statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	q, _ := fc()
	if strings.HasPrefix(q, "SET LOCAL") { // a planner setting, neither a read nor a write
		return
	}
	*l.sent = append(*l.sent, q)
}

func TestAcceptGroup_OnPostgreSQLTakesTwoRoundTripsWhateverItsSize(t *testing.T) {
	f := newFixture(t)
	if store.DialectOf(f.App.DB) != store.Postgres {
		t.Skip("pipelined transactions are PostgreSQL's")
	}
	ctx := context.Background()
	next := 0
	for _, size := range []int{1, 5} {
		var reqs []redeem.Request
		var keys []string
		before := map[int]int64{}
		for range size {
			i := next % len(f.Seeded.Beneficiaries)
			if _, ok := before[i]; !ok {
				before[i] = f.availableOn(t, i)
			}
			reqs = append(reqs, f.cardReq(i, 1))
			keys = append(keys, fmt.Sprintf("trips-%d", next))
			next++
		}
		verdicts, run, err := f.App.Redeem.AcceptPipelined(ctx, f.vendors[0], keys, reqs)
		if err != nil {
			t.Fatalf("a group of %d: %v", size, err)
		}
		for i, v := range verdicts {
			if v != nil {
				t.Errorf("group of %d, redemption %d: %v", size, i, v)
			}
		}
		if run.Trips != 2 {
			t.Errorf("a group of %d took %d round trips, want 2", size, run.Trips)
		}
		for i, was := range before {
			spent := int64(0)
			for _, r := range reqs {
				if r.CardNumber == f.Seeded.Beneficiaries[i].CardNumber {
					spent += r.Amount
				}
			}
			if got := f.availableOn(t, i); got != was-spent {
				t.Errorf("group of %d: card %d has %d available, want %d", size, i, got, was-spent)
			}
		}
		for k, key := range keys {
			r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], key, reqs[k])
			if err != nil || r.Status != redeem.StatusConfirmed {
				t.Errorf("group of %d, redemption %d again: %+v %v; want it confirmed on chain", size, k, r, err)
			}
		}
	}
}

func TestAcceptGroup_OnPostgreSQLSendsFewStatementTextsWhateverTheGroupsSizes(t *testing.T) {
	// A card named twice in a group has its PIN checked one by one, which a pipelined group
	// cannot do: thirteen cards, one each.
	f := newFixtureOf(t, demo.Size{Beneficiaries: 13, Vendors: 1})
	if store.DialectOf(f.App.DB) != store.Postgres {
		t.Skip("pipelined transactions are PostgreSQL's")
	}
	ctx := context.Background()
	texts := map[string]bool{}
	accepted := map[string]redeem.Request{} // by Idempotency-Key
	for size := 1; size <= 13; size++ {
		var reqs []redeem.Request
		var keys []string
		for i := range size {
			reqs = append(reqs, f.cardReq(i, 1))
			keys = append(keys, fmt.Sprintf("texts-%d-%d", size, i))
		}
		verdicts, run, err := f.App.Redeem.AcceptPipelined(ctx, f.vendors[0], keys, reqs)
		if err != nil {
			t.Fatalf("a group of %d: %v", size, err)
		}
		for i, v := range verdicts {
			if v != nil {
				t.Fatalf("group of %d, redemption %d: %v", size, i, v)
			}
			accepted[keys[i]] = reqs[i]
		}
		for _, text := range run.Texts {
			texts[text] = true
		}
	}
	// Thirteen sizes of a group's eight statements whose lists grow with it: one text per size
	// and statement made 80, more than pgx keeps prepared on a connection (64). The
	// lists come in lengths 1, 2, 4, 8 and 16 instead: 29 texts, and the planner setting
	// (store.QueueIndexReads) one more.
	if len(texts) > 32 {
		t.Errorf("groups of 1 to 13 sent %d statement texts, want at most 32:\n%s", len(texts), strings.Join(slices.Sorted(maps.Keys(texts)), "\n"))
	}
	for key, req := range accepted {
		r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], key, req)
		if err != nil || r.Status != redeem.StatusConfirmed {
			t.Errorf("redemption %s again: %+v %v; want it confirmed on chain", key, r, err)
		}
	}
}

func TestAcceptGroup_PipelinedKeepsNothingOfAGroupWithAPINToCountAndTheAcceptorRunsItAgain(t *testing.T) {
	f := newFixture(t)
	if store.DialectOf(f.App.DB) != store.Postgres {
		t.Skip("pipelined transactions are PostgreSQL's")
	}
	ctx := context.Background()
	if _, err := f.App.Redeem.AcceptAsOneGroup(ctx, f.vendors[0], []string{"plain-1", "plain-2"}, []redeem.Request{f.cardReq(1, 1), f.cardReq(2, 1)}); err != nil {
		t.Fatal(err)
	}
	if n := f.App.Redeem.RetriedGroups("pipelined"); n != 0 {
		t.Fatalf("a plain group was applied again after its pipelined transaction failed (%v times)", n)
	}
	a := f.availableOn(t, 1)
	wrongPIN := f.cardReq(0, 1)
	wrongPIN.PIN = "9999"
	reqs := []redeem.Request{f.cardReq(1, 2), wrongPIN}
	keys := []string{"count-1", "count-2"}
	if _, _, err := f.App.Redeem.AcceptPipelined(ctx, f.vendors[0], keys, reqs); !errors.Is(err, enroll.ErrPINToCount) {
		t.Fatalf("a pipelined group with a wrong PIN: %v; want %v", err, enroll.ErrPINToCount)
	}
	if got := f.availableOn(t, 1); got != a {
		t.Fatalf("the failed pipelined group kept a redemption: %d available, want %d", got, a)
	}
	// The acceptor runs such a group again in GORM's transaction, which counts the attempt.
	verdicts, err := f.App.Redeem.AcceptAsOneGroup(ctx, f.vendors[0], keys, reqs)
	if err != nil {
		t.Fatal(err)
	}
	if verdicts[0] != nil || !attemptsLeft(verdicts[1], enroll.MaxPINFailures-1) {
		t.Fatalf("verdicts %v; want the first accepted and the wrong PIN counted", verdicts)
	}
	if got := f.availableOn(t, 1); got != a-2 {
		t.Errorf("%d available after the group, want %d", got, a-2)
	}
	if n := f.App.Redeem.RetriedGroups("pipelined"); n != 1 {
		t.Errorf("groups applied again after a pipelined transaction: %v, want 1", n)
	}
}
