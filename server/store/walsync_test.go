package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
)

// synchronous reads the synchronous pragma of the connection tx runs on: 1 NORMAL, 2 FULL.
func synchronous(t *testing.T, tx *gorm.DB) int {
	t.Helper()
	var n int
	if err := tx.Raw("PRAGMA synchronous").Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeferSync_OnlyItsOwnTransactionCommitsWithoutWaitingForTheDisk(t *testing.T) {
	db, _ := openTestSQLite(t)
	const normal, full = 1, 2
	steps := []struct {
		name string
		ctx  context.Context
		want int
	}{
		{"a plain transaction", context.Background(), full},
		{"a deferred-sync transaction", DeferSync(context.Background()), normal},
		{"the plain transaction after it", context.Background(), full},
		{"another deferred-sync transaction", DeferSync(context.Background()), normal},
	}
	for _, s := range steps {
		var got int
		err := db.WithContext(s.ctx).Transaction(func(tx *gorm.DB) error {
			got = synchronous(t, tx)
			return tx.Exec("INSERT INTO items (n) VALUES (1)").Error
		})
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s ran with synchronous %d, want %d", s.name, got, s.want)
		}
	}
}

func TestSyncWAL_OneFsyncCoversEveryDeferredCommitBeforeIt(t *testing.T) {
	db, pool := openTestSQLite(t)
	if err := SyncWAL(db); err != nil || pool.wal.fsyncs != 0 {
		t.Fatalf("with nothing deferred: %v after %d fsyncs, want none", err, pool.wal.fsyncs)
	}
	ctx := DeferSync(context.Background())
	for i := 0; i < 3; i++ {
		if err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO items (n) VALUES (?)", i).Error
		}); err != nil {
			t.Fatal(err)
		}
	}
	rolledBack := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		tx.Exec("INSERT INTO items (n) VALUES (99)")
		return os.ErrInvalid
	})
	if rolledBack == nil {
		t.Fatal("the failing transaction committed")
	}
	if n := Unsynced(db); n != 3 {
		t.Fatalf("%d commits unsynced, want the 3 deferred ones that committed", n)
	}
	for i := 0; i < 2; i++ {
		if err := SyncWAL(db); err != nil {
			t.Fatal(err)
		}
	}
	if n := Unsynced(db); n != 0 || pool.wal.fsyncs != 1 {
		t.Fatalf("after syncing twice: %d unsynced, %d fsyncs; want 0 and 1", n, pool.wal.fsyncs)
	}
	var count int64
	if err := db.Raw("SELECT COUNT(*) FROM items").Row().Scan(&count); err != nil || count != 3 {
		t.Fatalf("%d rows (%v), want 3", count, err)
	}
}

func TestWALSyncer_FollowsAWALFileThatWasRemadeAndSkipsOneThatIsGone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aidledger.db")
	w := newWALSyncer(path)
	defer w.close()
	w.committed()
	if err := w.sync(); err != nil || w.fsyncs != 0 {
		t.Fatalf("with no WAL file: %v after %d fsyncs, want nothing to do", err, w.fsyncs)
	}
	write := func() {
		t.Helper()
		if err := os.WriteFile(path+"-wal", []byte("frames"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write()
	w.committed()
	if err := w.sync(); err != nil || w.fsyncs != 1 {
		t.Fatalf("%v after %d fsyncs, want one", err, w.fsyncs)
	}
	first := w.f
	if err := os.Remove(path + "-wal"); err != nil {
		t.Fatal(err)
	}
	write()
	w.committed()
	if err := w.sync(); err != nil || w.fsyncs != 2 {
		t.Fatalf("%v after %d fsyncs, want two", err, w.fsyncs)
	}
	held, err := w.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	now, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	if w.f == first || !os.SameFile(held, now) {
		t.Fatal("synced the removed WAL file instead of the new one")
	}
}
