package store

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// residentAnonKiB is the process's anonymous resident memory: SQLite's page caches live there,
// outside the Go heap.
func residentAnonKiB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "RssAnon:" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skip("no RssAnon in /proc/self/status")
	return 0
}

func TestSQLitePageCache_OfTheWriteConnectionTakesTheMemoryItsBudgetGivesIt(t *testing.T) {
	db, _ := openTestSQLite(t)
	if err := db.Exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, v BLOB NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	before := residentAnonKiB(t)
	// Half again the budget in 1 KB rows, written by the write connection, whose cache keeps
	// them: the cache fills to its bound.
	rows := writerCacheKiB * 3 / 2
	err := db.Transaction(func(tx *gorm.DB) error {
		return tx.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO blobs (v) SELECT randomblob(1000) FROM n`, rows).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	grew := residentAnonKiB(t) - before
	t.Logf("anonymous memory grew by %d KiB for a budget of %d KiB", grew, writerCacheKiB)
	// Before sqliteCacheKiB, a 32 MiB budget took 62 MiB. The Go heap's own growth in this test
	// is a few MiB of the slack.
	if grew < writerCacheKiB*6/10 || grew > writerCacheKiB*13/10 {
		t.Fatalf("anonymous memory grew by %d KiB filling the write connection's cache, want about its budget of %d KiB", grew, writerCacheKiB)
	}
}
