package testenv

import (
	"context"
	"database/sql/driver"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/store"
)

// A connection that read the schema before another connection dropped an index still plans with
// that index until something makes it look again; the plan a test asserts must be today's.
func TestSQLitePlan_SeesAnIndexAnotherConnectionDropped(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "plan.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close(db) })
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	stale, err := sqlDB.Conn(ctx) // the only idle connection SQLitePlan can get
	if err != nil {
		t.Fatal(err)
	}
	other, err := sqlDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE t (a INTEGER, b INTEGER)", "CREATE INDEX ix_t_a ON t (a)"} {
		if _, err := other.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := stale.QueryRowContext(ctx, "SELECT count(*) FROM t WHERE a = 1").Scan(&n); err != nil {
		t.Fatal(err) // stale has now read the schema with ix_t_a
	}
	if _, err := other.ExecContext(ctx, "DROP INDEX ix_t_a"); err != nil {
		t.Fatal(err)
	}
	// Thrown away, not put back: the plan below is to run on the stale connection.
	_ = other.Raw(func(any) error { return driver.ErrBadConn })
	other.Close()
	var before string
	if err := stale.QueryRowContext(ctx, "EXPLAIN QUERY PLAN SELECT b FROM t WHERE a = 1").Scan(new(int), new(int), new(int), &before); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(before, "ix_t_a") {
		t.Fatalf("the stale connection's plan %q does not show the dropped index: nothing left to test", before)
	}
	stale.Close()

	if plan := SQLitePlan(t, db, "SELECT b FROM t WHERE a = ?", []any{1}); strings.Contains(plan, "ix_t_a") {
		t.Errorf("plan %q uses the index another connection dropped", plan)
	}
}
