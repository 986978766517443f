package testenv

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// SQLitePlan is SQLite's EXPLAIN QUERY PLAN of the statement, one step per "; ".
//
// A pooled connection keeps the schema it last read, and EXPLAIN never starts the transaction
// that would notice the schema changed: on a connection opened before the last migrations it
// shows indexes those migrations dropped. A real read on the same connection first makes it
// load the current schema.
func SQLitePlan(t testing.TB, db *gorm.DB, sql string, vars []any) string {
	t.Helper()
	var lines []string
	err := db.Connection(func(c *gorm.DB) error {
		var n int64
		if err := c.Raw("SELECT count(*) FROM sqlite_schema").Scan(&n).Error; err != nil {
			return err
		}
		var plan []struct{ Detail string }
		if err := c.Raw("EXPLAIN QUERY PLAN "+sql, vars...).Scan(&plan).Error; err != nil {
			return err
		}
		for _, p := range plan {
			lines = append(lines, p.Detail)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("plan of %s: %v", sql, err)
	}
	return strings.Join(lines, "; ")
}

// PostgresPlanMadeEarly returns how PostgreSQL runs sql from the generic plan it made before
// grow ran, with the buffers it read: the plan a pooled connection keeps until the table is
// analysed.
// indexOnly plans with table scans off, as an acceptance group's transaction does
// (store.QueueIndexReads).
func PostgresPlanMadeEarly(t testing.TB, db *gorm.DB, sql string, vars []any, indexOnly bool, grow func()) string {
	t.Helper()
	args := make([]string, len(vars))
	for i, v := range vars {
		args[i] = SQLLiteral(v) // EXPLAIN EXECUTE takes no bind parameters
	}
	var lines []string
	err := db.Connection(func(c *gorm.DB) error {
		if indexOnly {
			if err := c.Exec("SET enable_seqscan = off").Error; err != nil {
				return err
			}
			defer c.Exec("RESET enable_seqscan")
		}
		if err := c.Exec("SET plan_cache_mode = force_generic_plan").Error; err != nil {
			return err
		}
		defer c.Exec("RESET plan_cache_mode")
		if err := c.Exec("PREPARE early AS " + sql).Error; err != nil {
			return err
		}
		defer c.Exec("DEALLOCATE early")
		execute := "EXECUTE early(" + strings.Join(args, ", ") + ")"
		if err := c.Exec(execute).Error; err != nil { // the plan is made here
			return err
		}
		grow()
		return c.Raw("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, COSTS OFF) " + execute).Scan(&lines).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}

// SQLLiteral is v written into a statement's text, for an EXPLAIN, which takes no bind
// parameters.
func SQLLiteral(v any) string {
	switch v := v.(type) {
	case time.Time:
		return "'" + v.Format(time.RFC3339Nano) + "'"
	case string:
		return "'" + v + "'"
	default:
		return fmt.Sprint(v)
	}
}
