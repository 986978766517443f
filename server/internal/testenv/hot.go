package testenv

import (
	"fmt"
	"testing"

	"gorm.io/gorm"
)

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
