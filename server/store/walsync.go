package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// Deferred sync: a transaction that commits without waiting for the disk, made durable
// afterwards by SyncWAL, outside SQLite's write lock.
//
// With synchronous(FULL) every commit fsyncs the WAL while it holds the one write connection.
// At 500 redemptions/s (seventeenth session, a runtime trace) the acceptor spent 19 % of its
// time in that fsync, and every other writer waited for it. A deferred-sync transaction commits
// with synchronous(NORMAL): its WAL frames reach the kernel, not yet the disk, and the write
// connection is free as soon as they are written. The caller then calls SyncWAL before it
// answers anyone: one fsync of the WAL file covers every commit made before it began, so
// acceptance groups that committed meanwhile share it, and the next group's statements run
// during it. Until SyncWAL returns, a power cut can lose the transaction (a crash of the process
// cannot: the frames are in the kernel). SQLite stays consistent either way: in WAL mode
// synchronous(NORMAL) gives up durability, not integrity, and recovery keeps a prefix of the
// commits, so whatever a later durable commit depends on is durable with it.
//
// Every other transaction keeps synchronous(FULL): the pragma is set back before the write
// connection is handed on, and a connection that could not be set back is closed (a new one
// gets FULL from the DSN).

type deferSyncKey struct{}

// DeferSync marks ctx so that a transaction begun with it commits without fsync on SQLite. The
// caller must call SyncWAL before it tells anyone the transaction is done. No effect on
// PostgreSQL, whose commits stay synchronous.
func DeferSync(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferSyncKey{}, true)
}

func deferred(ctx context.Context) bool {
	v, _ := ctx.Value(deferSyncKey{}).(bool)
	return v
}

// SyncWAL returns once every transaction db committed before the call is on disk: at once on
// PostgreSQL, or when none was deferred since the last fsync.
func SyncWAL(db *gorm.DB) error {
	if p, ok := db.ConnPool.(*stmtPool); ok {
		return p.wal.sync()
	}
	return nil
}

// Unsynced is how many deferred-sync commits no fsync covers yet: 0 on PostgreSQL.
func Unsynced(db *gorm.DB) uint64 {
	if p, ok := db.ConnPool.(*stmtPool); ok {
		return p.wal.unsynced()
	}
	return 0
}

// walSyncer fsyncs the WAL file for deferred-sync commits, one fsync for all those before it.
type walSyncer struct {
	path     string        // the database file; the WAL is path + "-wal"
	deferred atomic.Uint64 // deferred commits so far

	mu     sync.Mutex // one fsync at a time; the others wait and are usually covered by it
	synced uint64     // deferred commits covered by the last fsync
	f      *os.File   // the WAL file, kept open
	fsyncs uint64     // fsyncs done, for tests
}

func newWALSyncer(path string) *walSyncer { return &walSyncer{path: path} }

// committed counts a deferred commit; sync covers it from now on.
func (w *walSyncer) committed() { w.deferred.Add(1) }

func (w *walSyncer) unsynced() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.deferred.Load() - w.synced
}

func (w *walSyncer) sync() error {
	target := w.deferred.Load()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.synced >= target {
		return nil // an fsync that began after our commit has finished
	}
	upTo := w.deferred.Load() // every commit counted by now is in the WAL file already
	if err := w.fsync(); err != nil {
		return err
	}
	w.synced = upTo
	return nil
}

// fsync syncs the WAL file, reopening it if SQLite has made a new one since. SQLite deletes the
// WAL only when its last connection closes, after copying it into the database file and syncing
// that: with no WAL there is nothing left to sync. (The database file itself is never opened
// here: closing any descriptor of it would drop SQLite's POSIX locks on it.)
func (w *walSyncer) fsync() error {
	name := w.path + "-wal"
	cur, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sync wal: %w", err)
	}
	if w.f != nil {
		if held, err := w.f.Stat(); err != nil || !os.SameFile(held, cur) {
			w.f.Close()
			w.f = nil
		}
	}
	if w.f == nil {
		if w.f, err = os.OpenFile(name, os.O_RDWR, 0); errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return fmt.Errorf("sync wal: %w", err)
		}
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("sync wal: %w", err)
	}
	w.fsyncs++
	return nil
}

func (w *walSyncer) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f != nil {
		w.f.Close()
		w.f = nil
	}
}
