package redeem

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
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
			rows = append(rows, redemptionRow{ID: id, VendorID: "v", IdempotencyKey: id, RequestHash: "h",
				BeneficiaryID: holder, ProgramID: program, Amount: a, Category: "food", ChainRef: id,
				Status: status, IntentID: int64(n), CreatedAt: created.Add(time.Duration(n) * time.Second)})
		}
	}
	if err := db.Create(&rows).Error; err != nil {
		t.Fatal(err)
	}
}

func TestSpentOn_CountsPendingAndConfirmedRedemptionsButNotFailedOnes(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	now := time.Now().UTC()
	redemptionsOf(t, db, "p1", "a", now, map[string][]int64{StatusPending: {10, 5}, StatusConfirmed: {100}, StatusFailed: {40, 2}})
	redemptionsOf(t, db, "p2", "a", now, map[string][]int64{StatusFailed: {7}})
	redemptionsOf(t, db, "p1", "b", now, map[string][]int64{StatusConfirmed: {1, 2, 3}})
	redemptionsOf(t, db, "p1", "c", now, map[string][]int64{StatusPending: {999}}) // not asked for

	spent, err := spentOn(db, []string{"a", "b", "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[entitlement]int64{{ProgramID: "p1", BeneficiaryID: "a"}: 115, {ProgramID: "p1", BeneficiaryID: "b"}: 6}
	for e, w := range want {
		if spent[e] != w {
			t.Errorf("spent on %v = %d, want %d", e, spent[e], w)
		}
	}
	for e, got := range spent {
		if _, ok := want[e]; !ok && got != 0 {
			t.Errorf("spent on %v = %d, want nothing", e, got)
		}
	}
}

// Settling moves a redemption from pending to confirmed. If an index the acceptance reads held
// the status, every settled redemption would rewrite a random page of it (migration 6).
func TestSpentAndBacklog_ReadOnlyIndexesThatSettlingLeavesAlone(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	if store.DialectOf(db) != store.SQLite {
		t.Skip("PostgreSQL's plans depend on its statistics; SQLite's show the indexes chosen")
	}
	for _, ix := range []string{"ix_redemptions_holder", "ix_redemptions_failed", "ix_redemptions_pending"} {
		var sql string
		if err := db.Raw("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", ix).Scan(&sql).Error; err != nil || sql == "" {
			t.Fatalf("index %s: %q, %v", ix, sql, err)
		}
		if strings.Contains(sql, "status") && !strings.Contains(sql, "WHERE status") {
			t.Errorf("index %s keys on the status: %s", ix, sql)
		}
	}
	now := time.Now().UTC()
	for i := range 50 {
		redemptionsOf(t, db, "p1", fmt.Sprint(i), now, map[string][]int64{StatusConfirmed: {1, 2}, StatusPending: {3}, StatusFailed: {4}})
	}
	if err := db.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}

	dry := db.Session(&gorm.Session{DryRun: true})
	spent := spentQuery(dry, []string{"1", "2", "3"}).Scan(&[]struct{}{}).Statement
	plan := testenv.SQLitePlan(t, db, spent.SQL.String(), spent.Vars)
	for _, want := range []string{"COVERING INDEX ix_redemptions_holder", "COVERING INDEX ix_redemptions_failed"} {
		if !strings.Contains(plan, want) {
			t.Errorf("the spent sum's plan %q does not use %s", plan, want)
		}
	}
	oldest := oldestPendingQuery(dry).Take(&redemptionRow{}).Statement
	backlog := testenv.SQLitePlan(t, db, oldest.SQL.String(), oldest.Vars)
	if !strings.Contains(backlog, "ix_redemptions_pending") || strings.Contains(backlog, "TEMP B-TREE") {
		t.Errorf("the backlog check's plan %q does not read the oldest pending redemption from ix_redemptions_pending", backlog)
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
