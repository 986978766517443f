package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestLaneReads_KeepToTheQueuesIndexAfterStatisticsTakenWhileABurstWasQueued(t *testing.T) {
	db := intentsLeftAlone(t, "PostgreSQL's statistics")
	// An allocation's burst is queued and analysed, then signed but for a few intents.
	now := time.Now().UTC()
	intents := make([]Intent, 20000)
	for i := range intents {
		intents[i] = Intent{Kind: KindAllocate, Ref: fmt.Sprint(i), Lane: i % 2, Status: IntentPending, BatchKey: "p", CreatedAt: now, UpdatedAt: now}
	}
	if err := db.CreateInBatches(intents, 1000).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("ANALYZE chain_intents").Error; err != nil {
		t.Fatal(err)
	}
	var kept int64
	if err := db.Raw("SELECT count(*) FROM pg_stats WHERE tablename = 'chain_intents' AND attname IN ('tx_id', 'status')").
		Scan(&kept).Error; err != nil || kept != 0 {
		t.Fatalf("statistics of tx_id and status: %d, %v; want none", kept, err)
	}
	if err := db.Exec("UPDATE chain_intents SET status = ?, tx_id = id / 300 + 1 WHERE id <= ?", IntentSubmitted, intents[len(intents)-10].ID).Error; err != nil {
		t.Fatal(err)
	}

	plan := queueReadPlan(t, db, pendingQueue(db.Session(&gorm.Session{DryRun: true}), 0, now, 0, 300).Find(&[]Intent{}).Statement)
	if !strings.Contains(plan, "Index Scan using ix_chain_intents_queue") || strings.Contains(plan, "chain_intents_pkey") || strings.Contains(plan, "Sort") {
		t.Fatalf("plan %q does not read the queue in order from ix_chain_intents_queue", plan)
	}
}

// The backlog check asks for a lane's oldest pending redemption. With statistics taken while an
// allocation was queued, redemptions look rare, and PostgreSQL read every redemption ever made
// through the index of kinds and refs, then sorted them: 6,000-10,000 buffers and 10-18 ms a
// read under load, once a second, while the requests that found the cached answer stale waited
// for it.
func TestOldestPending_ReadsTheQueueInOrderEvenWhenStatisticsThinkTheKindRare(t *testing.T) {
	db := intentsLeftAlone(t, "PostgreSQL's statistics")
	now := time.Now().UTC()
	enqueue := func(kind string, n int) {
		t.Helper()
		intents := make([]Intent, n)
		for i := range intents {
			intents[i] = Intent{Kind: kind, Ref: fmt.Sprint(kind, i), Lane: i % 2, Status: IntentPending, BatchKey: "p", CreatedAt: now, UpdatedAt: now}
		}
		if err := db.CreateInBatches(intents, 1000).Error; err != nil {
			t.Fatal(err)
		}
	}
	enqueue(KindAllocate, 20000)
	if err := db.Exec("ANALYZE chain_intents").Error; err != nil {
		t.Fatal(err)
	}
	enqueue(KindRedeem, 20000)
	// Everything signed but the last redemptions of each lane.
	if err := db.Exec("UPDATE chain_intents SET status = ?, tx_id = id / 300 + 1 WHERE id <= (SELECT max(id) - 10 FROM chain_intents)", IntentSubmitted).Error; err != nil {
		t.Fatal(err)
	}

	plan := queueReadPlan(t, db, oldestPending(db.Session(&gorm.Session{DryRun: true}), 0, KindRedeem).Pluck("created_at", &[]time.Time{}).Statement)
	if !strings.Contains(plan, "Index Scan using ix_chain_intents_queue") || strings.Contains(plan, "kind_ref") || strings.Contains(plan, "Sort") {
		t.Fatalf("plan %q does not read the queue in order from ix_chain_intents_queue", plan)
	}
}

// queueReadPlan is PostgreSQL's plan of the dry-run statement stmt as a queue read runs it
// (queueReads), for the statement's own values, as a custom plan sees them.
func queueReadPlan(t *testing.T, db *gorm.DB, stmt *gorm.Statement) string {
	t.Helper()
	sql := stmt.SQL.String()
	for i, v := range stmt.Vars {
		sql = strings.Replace(sql, fmt.Sprintf("$%d", i+1), testenv.SQLLiteral(v), 1)
	}
	var lines []string
	if err := queueReads(db, func(tx *gorm.DB) error { return tx.Raw("EXPLAIN " + sql).Scan(&lines).Error }); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}
