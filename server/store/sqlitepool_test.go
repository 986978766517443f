package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

func openTestSQLite(t *testing.T) (*gorm.DB, *stmtPool) {
	t.Helper()
	db, err := Open("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Close(db) })
	pool, ok := db.ConnPool.(*stmtPool)
	if !ok {
		t.Fatalf("SQLite's connection pool is %T, want the statement pool", db.ConnPool)
	}
	if err := db.Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	return db, pool
}

func TestStmtPool_PreparesAStatementOnceAndReusesItInLaterTransactions(t *testing.T) {
	db, pool := openTestSQLite(t)
	const insert = "INSERT INTO items (n) VALUES (?)"
	for i := 0; i < 200; i++ {
		err := db.Transaction(func(tx *gorm.DB) error { return tx.Exec(insert, i).Error })
		if err != nil {
			t.Fatal(err)
		}
	}
	var sum, count int64
	if err := db.Raw("SELECT COALESCE(SUM(n), 0), COUNT(*) FROM items").Row().Scan(&sum, &count); err != nil {
		t.Fatal(err)
	}
	if count != 200 || sum != 199*200/2 {
		t.Fatalf("%d rows summing to %d, want 200 summing to %d", count, sum, 199*200/2)
	}
	pool.mu.RLock()
	s := pool.stmts[insert]
	pool.mu.RUnlock()
	if s == nil {
		t.Fatal("the insert was never prepared for reuse")
	}
}

func TestStmtPool_NewStatementsInTransactionsDoNotWaitForAFreeConnection(t *testing.T) {
	// Every connection of the pool is taken by a transaction waiting for SQLite's write lock or
	// holding it, and each runs statements never seen before. Preparing them on a connection of
	// their own would wait for one that only frees when the transactions end.
	db, _ := openTestSQLite(t)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(4)
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.Transaction(func(tx *gorm.DB) error {
				for k := 0; k < 5; k++ {
					q := fmt.Sprintf("INSERT INTO items (n) VALUES (? + %d)", g*100+k) // a new text each time
					if err := tx.Exec(q, 1).Error; err != nil {
						return err
					}
				}
				return nil
			})
		}()
	}
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("transactions with new statements did not finish: the pool waits for a connection")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var count int64
	db.Raw("SELECT COUNT(*) FROM items").Row().Scan(&count)
	if count != 80 {
		t.Fatalf("%d rows, want 80", count)
	}
}

func TestOpenSQLite_EveryConnectionCheckpointsTheWALEvery4000Pages(t *testing.T) {
	db, _ := openTestSQLite(t)
	var inTx, outside int
	err := db.Transaction(func(tx *gorm.DB) error { // the write connection
		return tx.Raw("PRAGMA wal_autocheckpoint").Scan(&inTx).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Raw("PRAGMA wal_autocheckpoint").Scan(&outside).Error; err != nil {
		t.Fatal(err)
	}
	if inTx != 4000 || outside != 4000 {
		t.Fatalf("wal_autocheckpoint: %d on the write connection, %d on a reader; want 4000 on both", inTx, outside)
	}
}

// dataVersion is PRAGMA data_version on the write connection: it changes when another connection
// has committed since the write connection last looked, which is when SQLite throws that
// connection's page cache away.
func dataVersion(t *testing.T, db *gorm.DB) int64 {
	t.Helper()
	var v int64
	if err := db.Transaction(func(tx *gorm.DB) error { return tx.Raw("PRAGMA data_version").Scan(&v).Error }); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStmtPool_WritesOutsideATransactionRunOnTheWriteConnection(t *testing.T) {
	db, _ := openTestSQLite(t)
	if err := db.Exec("INSERT INTO items (n) VALUES (1)").Error; err != nil {
		t.Fatal(err)
	}
	before := dataVersion(t, db)
	writes := []func() error{
		func() error { return db.Exec("INSERT INTO items (n) VALUES (?)", 2).Error },
		func() error { return db.Exec("UPDATE items SET n = n + 1").Error },
		func() error { return db.Table("items").Where("n > ?", 100).Update("n", 0).Error },
		func() error { return db.Exec("DELETE FROM items WHERE n = ?", 3).Error },
	}
	for i, write := range writes {
		if err := write(); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if after := dataVersion(t, db); after != before {
		t.Errorf("data_version on the write connection went from %d to %d: another connection wrote", before, after)
	}
	var count int64
	if err := db.Raw("SELECT COUNT(*) FROM items").Scan(&count).Error; err != nil {
		t.Fatal(err)
	}
	if count != 1 {
		t.Errorf("%d items after the writes, want 1", count)
	}
}

func TestStmtPool_AWriteOutsideItsOwnTransactionFailsInsteadOfWaitingForever(t *testing.T) {
	db, _ := openTestSQLite(t)
	defer func(w time.Duration) { writerWait = w }(writerWait)
	writerWait = 200 * time.Millisecond
	err := db.Transaction(func(tx *gorm.DB) error {
		return db.Exec("INSERT INTO items (n) VALUES (1)").Error // db, not tx: waits for itself
	})
	if !errors.Is(err, errWriterWait) {
		t.Fatalf("got %v, want %v", err, errWriterWait)
	}
}

func TestIsWrite_TellsWritesFromReads(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO items (n) VALUES (1)":     true,
		"  update items SET n = 1":             true,
		"\n\tDELETE FROM items":                true,
		"REPLACE INTO items (n) VALUES (1)":    true,
		"SELECT * FROM items":                  false,
		"PRAGMA wal_checkpoint":                false,
		"CREATE TABLE x (id INTEGER)":          false,
		"UPD":                                  false,
		"WITH x AS (SELECT 1) SELECT * FROM x": false,
	} {
		if got := isWrite(q); got != want {
			t.Errorf("isWrite(%q) = %v, want %v", q, got, want)
		}
	}
}
