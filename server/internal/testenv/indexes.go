package testenv

import (
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// IndexDefinitions returns the CREATE INDEX statements of table's indexes (its primary key's too
// on PostgreSQL), for tests of which columns they name.
func IndexDefinitions(t testing.TB, db *gorm.DB, table string) []string {
	t.Helper()
	q := "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
	if store.DialectOf(db) == store.Postgres {
		q = "SELECT indexdef FROM pg_indexes WHERE tablename = ?"
	}
	var defs []string
	if err := db.Raw(q, table).Scan(&defs).Error; err != nil || len(defs) == 0 {
		t.Fatalf("indexes of %s: %v, %v", table, defs, err)
	}
	return defs
}

// UpdatesInTx returns how many rows of table transaction tx has updated so far on PostgreSQL,
// and how many of those in place (HOT: beside the old version, with no new index entry).
func UpdatesInTx(t testing.TB, tx *gorm.DB, table string) (updated, hot int64) {
	t.Helper()
	q := fmt.Sprintf("SELECT pg_stat_get_xact_tuples_updated('%[1]s'::regclass), pg_stat_get_xact_tuples_hot_updated('%[1]s'::regclass)", table)
	if err := tx.Raw(q).Row().Scan(&updated, &hot); err != nil {
		t.Fatalf("updates of %s in this transaction: %v", table, err)
	}
	return updated, hot
}

// TableOptions returns table's storage options on PostgreSQL (e.g. "fillfactor=50"), or "".
func TableOptions(t testing.TB, db *gorm.DB, table string) string {
	t.Helper()
	var opts string
	if err := db.Raw("SELECT COALESCE(array_to_string(reloptions, ','), '') FROM pg_class WHERE relname = ?", table).Scan(&opts).Error; err != nil {
		t.Fatalf("options of %s: %v", table, err)
	}
	return opts
}
