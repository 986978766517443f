package testenv

import (
	"strings"
	"testing"

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
