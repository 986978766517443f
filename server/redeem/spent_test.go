package redeem

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
)

// redemptionsOf stores redemptions of the given statuses and amounts for one entitlement.
func redemptionsOf(t *testing.T, db *gorm.DB, program, holder string, created time.Time, byStatus map[string][]int64) {
	t.Helper()
	var rows []redemptionRow
	for status, amounts := range byStatus {
		for _, a := range amounts {
			n := len(rows)
			id := fmt.Sprintf("%s-%s-%d", holder, program, n)
			r := redemptionRow{ID: id, VendorID: "v", IdempotencyKey: id, RequestHash: "h",
				BeneficiaryID: holder, ProgramID: program, Amount: a, Category: "food", ChainRef: id,
				Status: status, IntentID: int64(n), CreatedAt: created.Add(time.Duration(n) * time.Second)}
			if status == StatusFailed {
				r.FailedAmount = a
			}
			rows = append(rows, r)
		}
	}
	if err := db.Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
}

// spentOf is what each of the cards' entitlements has spent, as a group of acceptances reads it.
func spentOf(t *testing.T, db *gorm.DB, holders ...string) map[entitlement]int64 {
	t.Helper()
	_, spent := readStanding(t, db, holders...)
	return spent
}

// readStanding is what a group of acceptances reads of the cards' entitlements.
func readStanding(t *testing.T, db *gorm.DB, holders ...string) (allocated, spent map[entitlement]int64) {
	t.Helper()
	var b store.Batch
	st := standingOf(&b, db, holders)
	if err := b.Run(); err != nil {
		t.Fatal(err)
	}
	return st.sums()
}

func TestStanding_ReadsWhatWasAllocatedAndWhatPendingAndConfirmedRedemptionsSpentButNotFailedOnes(t *testing.T) {
	db, _ := testenv.DB(t, programs.Schema, Schema)
	now := time.Now().UTC()
	redemptionsOf(t, db, "p1", "a", now, map[string][]int64{StatusPending: {10, 5}, StatusConfirmed: {100}, StatusFailed: {40, 2}})
	redemptionsOf(t, db, "p2", "a", now, map[string][]int64{StatusFailed: {7}})
	redemptionsOf(t, db, "p1", "b", now, map[string][]int64{StatusConfirmed: {1, 2, 3}})
	redemptionsOf(t, db, "p1", "c", now, map[string][]int64{StatusPending: {999}}) // not asked for
	allocated := map[entitlement]int64{{ProgramID: "p1", BeneficiaryID: "a"}: 500, {ProgramID: "p2", BeneficiaryID: "a"}: 70,
		{ProgramID: "p3", BeneficiaryID: "b"}: 30, {ProgramID: "p1", BeneficiaryID: "c"}: 1000}
	for e, amount := range allocated {
		entitle(t, db, e, amount)
	}
	delete(allocated, entitlement{ProgramID: "p1", BeneficiaryID: "c"}) // not asked for

	gotAllocated, spent := readStanding(t, db, "a", "b", "nobody")
	wantSpent := map[entitlement]int64{{ProgramID: "p1", BeneficiaryID: "a"}: 115, {ProgramID: "p1", BeneficiaryID: "b"}: 6}
	for name, c := range map[string]struct{ got, want map[entitlement]int64 }{
		"spent": {spent, wantSpent}, "allocated": {gotAllocated, allocated},
	} {
		for e, w := range c.want {
			if c.got[e] != w {
				t.Errorf("%s on %v = %d, want %d", name, e, c.got[e], w)
			}
		}
		for e, got := range c.got {
			if _, ok := c.want[e]; !ok && got != 0 {
				t.Errorf("%s on %v = %d, want nothing", name, e, got)
			}
		}
	}
}

// enrolled stores a beneficiary with the card number, and returns its id.
func enrolled(t *testing.T, db *gorm.DB, card string) string {
	t.Helper()
	id := uuid.NewString()
	now := time.Now().UTC()
	if err := db.Exec("INSERT INTO beneficiaries (id, card_number, chain_id, status, status_version, household_size, location,"+
		" pin_hash, pin_failures, created_at, updated_at) VALUES (?, ?, ?, 'active', 0, 1, '', ?, 0, ?, ?)",
		id, card, "0x"+card, []byte{1}, now, now).Error; err != nil {
		t.Fatal(err)
	}
	return id
}

// entitle records that the chain confirmed amount as allocated to the entitlement.
func entitle(t *testing.T, db *gorm.DB, e entitlement, amount int64) {
	t.Helper()
	if err := db.Exec("INSERT INTO entitlements (program_id, beneficiary_id, chain_program_id, chain_beneficiary, allocated_confirmed,"+
		" last_cycle, updated_at) VALUES (?, ?, 1, ?, ?, 1, ?)", e.ProgramID, e.BeneficiaryID, "0x"+e.BeneficiaryID, amount, time.Now().UTC()).Error; err != nil {
		t.Fatal(err)
	}
}

// Settling moves a redemption from pending to confirmed. If an index the acceptance reads held
// the status, every settled redemption would rewrite a random page of it (migration 6).
func TestStanding_ReadsOnlyIndexesThatSettlingLeavesAlone(t *testing.T) {
	db, _ := testenv.DB(t, programs.Schema, Schema)
	if store.DialectOf(db) != store.SQLite {
		t.Skip("PostgreSQL's plans depend on its statistics; SQLite's show the indexes chosen")
	}
	now := time.Now().UTC()
	for i := range 50 {
		redemptionsOf(t, db, "p1", fmt.Sprint(i), now, map[string][]int64{StatusConfirmed: {1, 2}, StatusPending: {3}, StatusFailed: {4}})
		entitle(t, db, entitlement{ProgramID: "p1", BeneficiaryID: fmt.Sprint(i)}, 100)
	}
	if err := db.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	dry := db.Session(&gorm.Session{DryRun: true})
	read := standingQuery(dry, []string{"1", "2", "3"}).Scan(&[]struct{}{}).Statement
	plan := testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars)
	for _, want := range []string{"COVERING INDEX ix_redemptions_holder", "COVERING INDEX ix_redemptions_failed_amount", "entitlements USING INDEX"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the standing's plan %q does not use %s", plan, want)
		}
	}
}

// The early lock names the holders by their cards. Looked up in each of the standing's three
// parts, each card cost three index lookups where one does.
func TestStanding_OfCardsLooksTheCardsUpOnce(t *testing.T) {
	db, _ := testenv.DB(t, enroll.Schema, programs.Schema, Schema)
	if store.DialectOf(db) != store.SQLite {
		t.Skip("PostgreSQL's plans depend on its statistics; SQLite's show the indexes chosen")
	}
	dry := db.Session(&gorm.Session{DryRun: true})
	holders := dry.Raw("SELECT id FROM beneficiaries WHERE card_number IN ?", []string{"40000000001", "40000000002"})
	read := standingQuery(dry, holders).Scan(&[]struct{}{}).Statement
	plan := testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars)
	if n := strings.Count(plan, "SEARCH beneficiaries"); n != 1 {
		t.Errorf("the standing's plan %q reads the cards %d times; want once", plan, n)
	}
	for _, want := range []string{"COVERING INDEX ix_redemptions_holder", "COVERING INDEX ix_redemptions_failed_amount", "entitlements USING INDEX"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the standing's plan %q does not use %s", plan, want)
		}
	}
	// And it reads what the holders have: a card's redemptions and entitlement.
	card := enrolled(t, db, "40000000001")
	now := time.Now().UTC()
	redemptionsOf(t, db, "p1", card, now, map[string][]int64{StatusConfirmed: {5, 7}, StatusFailed: {4}})
	entitle(t, db, entitlement{ProgramID: "p1", BeneficiaryID: card}, 100)
	st := &standing{}
	if err := standingQuery(db, db.Raw("SELECT id FROM beneficiaries WHERE card_number IN ?", []string{"40000000001"})).
		Scan(&st.rows).Error; err != nil {
		t.Fatal(err)
	}
	allocated, spent := st.sums()
	if e := (entitlement{ProgramID: "p1", BeneficiaryID: card}); allocated[e] != 100 || spent[e] != 12 {
		t.Errorf("standing of the card: allocated %v, spent %v; want 100 and 12", allocated, spent)
	}
}

// PostgreSQL updates a row without touching its indexes (HOT) only if no index names a column
// whose value the update changes, in its keys or its predicate (migration 9).
func TestSettling_ChangesNoColumnThatAnIndexNames(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	for _, def := range testenv.IndexDefinitions(t, db, "redemptions") {
		for _, col := range []string{"status", "reason", "tx_hash", "block_number", "updated_at", "final_at"} {
			if strings.Contains(def, col) {
				t.Errorf("settling changes %s, which this index names: %s", col, def)
			}
		}
	}
	if store.DialectOf(db) != store.Postgres {
		return
	}
	// The proof on PostgreSQL: its own count of the HOT updates in this transaction.
	s, _, outcome := pendingRedemption(t, db, 5)
	err := db.Transaction(func(tx *gorm.DB) error {
		in := outcome(pipeline.IntentConfirmed, 9)
		if err := s.onRedeemOutcome(tx, []pipeline.Intent{in}); err != nil {
			return err
		}
		if updated, hot := testenv.UpdatesInTx(t, tx, "redemptions"); updated != 1 || hot != 1 {
			t.Errorf("settling updated %d rows, %d of them HOT; want 1 and 1", updated, hot)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if opts := testenv.TableOptions(t, db, "redemptions"); !strings.Contains(opts, "fillfactor=50") {
		t.Errorf("redemptions' options %q: want room on each page for settling's new versions", opts)
	}
}

// pendingRedemption stores a pending redemption of beneficiary b in program p, with a real chain
// ref, and returns a service to settle it, its id, and its intent with a given outcome.
func pendingRedemption(t *testing.T, db *gorm.DB, amount int64) (*Service, string, func(status string, block uint64) pipeline.Intent) {
	t.Helper()
	uid := uuid.Must(uuid.NewV7())
	ref := ledger.Ref{ID: uid, Category: ledger.CategoryFood}.Bytes()
	row := redemptionRow{ID: uid.String(), VendorID: "v", IdempotencyKey: "k", RequestHash: "h", BeneficiaryID: "b", ProgramID: "p",
		Amount: amount, Category: "food", ChainRef: common.Hash(ref).Hex(), Status: StatusPending, IntentID: 7, CreatedAt: time.Now().UTC()}
	if err := db.Create(&row).Error; err != nil {
		t.Fatal(err)
	}
	outcome := func(status string, block uint64) pipeline.Intent {
		return pipeline.Intent{ID: 7, Kind: pipeline.KindRedeem, Ref: common.Bytes2Hex(ref[:]), Status: status, Reason: "rejected", TxHash: "0xt", BlockNumber: block}
	}
	return &Service{db: db, log: slog.New(slog.DiscardHandler)}, row.ID, outcome
}

// A redemption's failed_amount gives its amount back while it is failed, whatever moves the
// chain makes it take: failed, back to pending when its block is lost, confirmed, failed again.
func TestOutcomes_GiveBackAFailedRedemptionsAmountOnlyWhileItIsFailed(t *testing.T) {
	db, _ := testenv.DB(t, programs.Schema, Schema)
	now := time.Now().UTC()
	redemptionsOf(t, db, "p", "b", now, map[string][]int64{StatusConfirmed: {100}})
	s, id, outcome := pendingRedemption(t, db, 30)
	steps := []struct {
		intent string
		status string
		spent  int64
	}{
		{pipeline.IntentFailed, StatusFailed, 100},
		{pipeline.IntentPending, StatusPending, 130},
		{pipeline.IntentConfirmed, StatusConfirmed, 130},
		{pipeline.IntentFailed, StatusFailed, 100},
		{pipeline.IntentSubmitted, StatusPending, 130},
		{pipeline.IntentFailed, StatusFailed, 100},
		{pipeline.IntentFailed, StatusFailed, 100}, // the hook called again
	}
	for i, st := range steps {
		in := outcome(st.intent, uint64(i+1))
		if err := db.Transaction(func(tx *gorm.DB) error { return s.onRedeemOutcome(tx, []pipeline.Intent{in}) }); err != nil {
			t.Fatalf("step %d (%s): %v", i, st.intent, err)
		}
		var got redemptionRow
		if err := db.First(&got, "id = ?", id).Error; err != nil {
			t.Fatal(err)
		}
		spent := spentOf(t, db, "b")
		if got.Status != st.status || spent[entitlement{ProgramID: "p", BeneficiaryID: "b"}] != st.spent {
			t.Errorf("step %d, intent %s: redemption %s, spent %d; want %s, %d", i, st.intent, got.Status,
				spent[entitlement{ProgramID: "p", BeneficiaryID: "b"}], st.status, st.spent)
		}
	}
}

// Settling reads each batch's redemptions by the ids their chain refs begin with, from the
// primary key: the chain ref has no index of its own for acceptances and settlings to write.
func TestSettling_ReadsABatchByPrimaryKeyAndNoIndexHoldsTheChainRef(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	if store.DialectOf(db) != store.SQLite {
		t.Skip("PostgreSQL's plans depend on its statistics; SQLite's show the indexes chosen")
	}
	var onRef []string
	if err := db.Raw("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'redemptions' AND sql LIKE '%chain_ref%'").
		Scan(&onRef).Error; err != nil {
		t.Fatal(err)
	}
	if len(onRef) > 0 {
		t.Errorf("indexes on chain_ref: %v", onRef)
	}
	dry := db.Session(&gorm.Session{DryRun: true})
	read := outcomeRowsQuery(dry, []string{"a", "b"}).Find(&[]redemptionRow{}).Statement
	plan := testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars)
	if !strings.Contains(plan, "sqlite_autoindex_redemptions_1 (id=?)") {
		t.Errorf("settling's read %q is not by primary key", plan)
	}
}

func TestMigration9_KeepsGivingBackWhatRedemptionsThatFailedBeforeItHeld(t *testing.T) {
	db, _ := testenv.DB(t, programs.Schema, store.Component{Name: Schema.Name, Migrations: Schema.Migrations[:8]})
	for i, status := range []string{StatusConfirmed, StatusFailed, StatusPending, StatusFailed} {
		if err := db.Exec("INSERT INTO redemptions (id, vendor_id, idempotency_key, request_hash, beneficiary_id, program_id, amount,"+
			" category, seq, chain_ref, status, balance_after, intent_id, created_at, updated_at) VALUES (?, 'v', ?, 'h', 'b', 'p', ?, 'food', ?, ?, ?, 0, ?, ?, ?)",
			fmt.Sprint("r", i), fmt.Sprint("k", i), int64(1)<<(2*i), i, fmt.Sprint("ref", i), status, i, time.Now().UTC(), time.Now().UTC()).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Migrate(t.Context(), db, Schema); err != nil {
		t.Fatal(err)
	}
	spent := spentOf(t, db, "b")
	if got, want := spent[entitlement{ProgramID: "p", BeneficiaryID: "b"}], int64(1+16); got != want {
		t.Errorf("spent after migration 9 = %d, want %d (the confirmed and the pending one)", got, want)
	}
}
