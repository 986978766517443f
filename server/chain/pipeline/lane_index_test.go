package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

func TestMinedSince_ReadsOnlyTheReorgWindowThroughAnIndex(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	m := db.Migrator()
	if !m.HasIndex(&Tx{}, "ix_chain_txs_lane_status_block") || m.HasIndex(&Tx{}, "ix_chain_txs_lane_status") {
		t.Fatal("chain_txs should be indexed by (lane, status, block_number) and no longer by (lane, status)")
	}
	if store.DialectOf(db) != store.SQLite {
		return // PostgreSQL's plan depends on its statistics; the index is what matters
	}
	stmt := minedSince(db.Session(&gorm.Session{DryRun: true}), 1, 1000).Find(&[]Tx{}).Statement
	got := explain(t, db, stmt.SQL.String(), stmt.Vars)
	if !strings.Contains(got, "ix_chain_txs_lane_status_block (lane=? AND status=? AND block_number>?)") {
		t.Fatalf("plan %q does not seek the block range by the index", got)
	}
}

func TestPendingQueue_ReadsThePendingIntentsInOrderFromTheIndexNotThroughHistory(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	// A history of confirmed intents with a few pending ones at its end, as under load.
	now := time.Now().UTC()
	var intents []Intent
	for i := range 5000 {
		in := Intent{Kind: "redeem", Ref: fmt.Sprint(i), Lane: i % 2, Status: IntentPending, BatchKey: "p", CreatedAt: now, UpdatedAt: now}
		if i < 4990 {
			tx := int64(i / 100)
			in.Status, in.TxID = IntentConfirmed, &tx
		}
		intents = append(intents, in)
	}
	if err := db.CreateInBatches(intents, 500).Error; err != nil {
		t.Fatal(err)
	}
	var got []Intent
	if err := pendingQueue(db, 0, now.Add(time.Second), 0, queueWindow).Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, in := range got {
		refs = append(refs, in.Ref)
	}
	if want := "4990 4992 4994 4996 4998"; strings.Join(refs, " ") != want {
		t.Fatalf("lane 0's queue = %v; want its pending intents in order, %s", refs, want)
	}

	stmt := pendingQueue(db.Session(&gorm.Session{DryRun: true}), 0, now, 0, queueWindow).Find(&[]Intent{}).Statement
	plan := explain(t, db, stmt.SQL.String(), stmt.Vars)
	if !strings.Contains(plan, "ix_chain_intents_queue") || strings.Contains(plan, "chain_intents_pkey") ||
		strings.Contains(plan, "TEMP B-TREE") || strings.Contains(plan, "Sort") {
		t.Fatalf("plan %q does not read the queue in order from ix_chain_intents_queue", plan)
	}
}

func TestSettle_ReadsATransactionsIntentsFromTheIndexOfThoseWithATransaction(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	var def string
	q := "SELECT sql FROM sqlite_schema WHERE name = 'ix_chain_intents_tx'"
	if store.DialectOf(db) == store.Postgres {
		q = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_chain_intents_tx'"
	}
	if err := db.Raw(q).Scan(&def).Error; err != nil || !strings.Contains(strings.ToUpper(def), "IS NOT NULL") {
		t.Fatalf("ix_chain_intents_tx = %q, %v; want an index of the intents with a transaction only", def, err)
	}
	now := time.Now().UTC()
	var intents []Intent
	for i := range 2000 {
		in := Intent{Kind: "redeem", Ref: fmt.Sprint(i), Status: IntentPending, BatchKey: "p", CreatedAt: now, UpdatedAt: now}
		if i < 1000 {
			tx := int64(i / 50)
			in.TxID, in.Status = &tx, IntentSubmitted
		}
		intents = append(intents, in)
	}
	if err := db.CreateInBatches(intents, 500).Error; err != nil {
		t.Fatal(err)
	}
	var got []Intent
	if err := submittedIntentsOf(db, 3).Find(&got).Error; err != nil || len(got) != 50 || got[0].Ref != "150" {
		t.Fatalf("intents of transaction 3: %d, %v; want 50 from ref 150", len(got), err)
	}
	if store.DialectOf(db) != store.SQLite {
		return // PostgreSQL's plan depends on its statistics; the index is what matters
	}
	stmt := submittedIntentsOf(db.Session(&gorm.Session{DryRun: true}), 3).Find(&[]Intent{}).Statement
	if plan := explain(t, db, stmt.SQL.String(), stmt.Vars); !strings.Contains(plan, "ix_chain_intents_tx (tx_id=?)") || strings.Contains(plan, "TEMP B-TREE") {
		t.Fatalf("plan %q does not read the transaction's intents in order from ix_chain_intents_tx", plan)
	}
}

// explain returns the plan of the query as the database runs it from a prepared statement. On
// PostgreSQL that is the generic plan, the one a pooled connection settles on: the one that
// walked the primary key.
func explain(t *testing.T, db *gorm.DB, sql string, vars []any) string {
	t.Helper()
	if store.DialectOf(db) == store.SQLite {
		return testenv.SQLitePlan(t, db, sql, vars)
	}
	var lines []string
	err := db.Connection(func(c *gorm.DB) error {
		if err := c.Exec("ANALYZE").Error; err != nil { // the statistics a running server would have
			return err
		}
		if err := c.Exec("SET plan_cache_mode = force_generic_plan").Error; err != nil {
			return err
		}
		defer c.Exec("RESET plan_cache_mode")
		if err := c.Exec("PREPARE queue AS " + sql).Error; err != nil {
			return err
		}
		defer c.Exec("DEALLOCATE queue")
		// EXPLAIN takes no bind parameters: the values go in as literals.
		args := make([]string, len(vars))
		for i, v := range vars {
			args[i] = testenv.SQLLiteral(v)
		}
		rows, err := c.Raw("EXPLAIN EXECUTE queue(" + strings.Join(args, ", ") + ")").Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			lines = append(lines, line)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}
