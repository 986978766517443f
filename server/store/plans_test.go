package store_test

import (
	"context"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

func TestCustomPlans_LastsForItsTransactionOnly(t *testing.T) {
	db, _ := testenv.DB(t)
	if err := db.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	var inside string
	err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
		if err := store.CustomPlans(tx); err != nil {
			return err
		}
		if store.DialectOf(tx) == store.Postgres {
			if err := tx.Raw("SHOW plan_cache_mode").Scan(&inside).Error; err != nil {
				return err
			}
		}
		return tx.Exec("INSERT INTO items (id, n) VALUES (1, 1)").Error // the transaction stays usable
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Raw("SELECT COUNT(*) FROM items").Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("items after the transaction: %d, %v; want 1", n, err)
	}
	if store.DialectOf(db) != store.Postgres {
		return
	}
	if inside != "force_custom_plan" {
		t.Errorf("plan_cache_mode inside the transaction = %q, want force_custom_plan", inside)
	}
	// Every pooled connection is back to the default once the transaction ends.
	var after string
	if err := db.Raw("SHOW plan_cache_mode").Scan(&after).Error; err != nil || after != "auto" {
		t.Errorf("plan_cache_mode after the transaction = %q, %v; want auto", after, err)
	}
}

func TestIndexOrder_LastsForItsTransactionOnly(t *testing.T) {
	db, _ := testenv.DB(t)
	if store.DialectOf(db) != store.Postgres {
		if err := store.IndexOrder(db); err != nil { // nothing to set on SQLite
			t.Fatal(err)
		}
		return
	}
	for _, setting := range []string{"enable_bitmapscan", "enable_sort"} {
		var inside, after string
		err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
			if err := store.IndexOrder(tx); err != nil {
				return err
			}
			return tx.Raw("SHOW " + setting).Scan(&inside).Error
		})
		if err != nil || inside != "off" {
			t.Fatalf("%s inside the transaction = %q, %v; want off", setting, inside, err)
		}
		if err := db.Raw("SHOW " + setting).Scan(&after).Error; err != nil || after != "on" {
			t.Errorf("%s after the transaction = %q, %v; want on", setting, after, err)
		}
	}
}

// A read that must sort, where no index gives its order, carries the cost IndexOrder puts on a
// sort: far above what makes PostgreSQL compile a plan, which took 180 ms for a read of a few
// rows under load.
func TestIndexOrder_LeavesAReadThatMustSortUncompiled(t *testing.T) {
	db, _ := testenv.DB(t)
	if store.DialectOf(db) != store.Postgres {
		t.Skip("PostgreSQL's JIT")
	}
	if err := db.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO items SELECT i, i % 7 FROM generate_series(1, 1000) i").Error; err != nil {
		t.Fatal(err)
	}
	var plan []string
	err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
		if err := store.IndexOrder(tx); err != nil {
			return err
		}
		return tx.Raw("EXPLAIN (ANALYZE) SELECT id FROM items WHERE id > 10 ORDER BY n LIMIT 1").Scan(&plan).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(plan, "; ")
	if !strings.Contains(joined, "Sort") {
		t.Fatalf("plan %q: no sort to carry the cost", joined)
	}
	if strings.Contains(joined, "JIT") {
		t.Errorf("plan %q was compiled", joined)
	}
}

func TestQueueIndexReads_TurnsTableScansOffForItsTransactionOnlyPipelinedOrNot(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	type setting struct{ EnableSeqscan string }
	if store.DialectOf(db) != store.Postgres {
		var b store.Batch
		store.QueueIndexReads(&b, db)
		if b.Len() != 0 {
			t.Fatalf("on SQLite %d statements queued, want none", b.Len())
		}
		return
	}
	var inGORM, inPipeline []setting
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		var b store.Batch
		store.QueueIndexReads(&b, tx)
		store.Query(&b, tx.Raw("SHOW enable_seqscan"), &inGORM)
		return b.Run()
	})
	if err != nil || len(inGORM) != 1 || inGORM[0].EnableSeqscan != "off" {
		t.Fatalf("enable_seqscan in GORM's transaction = %v, %v; want off", inGORM, err)
	}
	err = store.WithPipelined(ctx, db, func(p *store.Pipelined) error {
		var b store.Batch
		store.QueueIndexReads(&b, p.Dry())
		store.Query(&b, p.Dry().Raw("SHOW enable_seqscan"), &inPipeline)
		return p.Commit(ctx, &b)
	})
	if err != nil || len(inPipeline) != 1 || inPipeline[0].EnableSeqscan != "off" {
		t.Fatalf("enable_seqscan in a pipelined transaction = %v, %v; want off", inPipeline, err)
	}
	for range store.PostgresConns { // whichever pooled connection answers
		var after string
		if err := db.Raw("SHOW enable_seqscan").Scan(&after).Error; err != nil || after != "on" {
			t.Fatalf("enable_seqscan after the transactions = %q, %v; want on", after, err)
		}
	}
}

func TestOpen_PostgreSQLSessionsStartNoParallelWorkers(t *testing.T) {
	db, _ := testenv.DB(t)
	if store.DialectOf(db) != store.Postgres {
		t.Skip("a PostgreSQL setting")
	}
	var workers string
	if err := db.Raw("SHOW max_parallel_workers_per_gather").Scan(&workers).Error; err != nil || workers != "0" {
		t.Errorf("max_parallel_workers_per_gather = %q, %v; want 0", workers, err)
	}
}
