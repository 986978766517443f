package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// stmtPool is the connection pool GORM uses for SQLite: it prepares each SQL text once and reuses
// it, in and out of transactions. SQLite compiles every statement it runs, and under redemption
// load compiling was 10–12 % of the server's CPU. GORM's own PrepareStmt mode does not help
// here: a statement first prepared inside a transaction belongs to that transaction, so every
// later transaction prepares it again, and the money path runs entirely inside transactions.
// A *sql.Stmt prepared on the *sql.DB is prepared once per connection, and tx.StmtContext
// reuses that connection's copy.
//
// (PostgreSQL needs none of this: pgx caches prepared statements per connection by itself.)
type stmtPool struct {
	db *sql.DB
	// writer holds the one connection every transaction runs on (every SQLite transaction here
	// takes the write lock at BEGIN), and every write outside a transaction (execOnWriter);
	// taking it from the channel admits a transaction, putting it back admits the next. Two
	// reasons:
	//   - Without it, waiting transactions sat in SQLite's busy handler, which sleeps 1 ms, then
	//     2, 5, 10 … up to 100 ms between tries: under load a redemption's transaction spent
	//     longer asleep there than running. A channel hands over the moment the lock is free.
	//   - A connection throws its page cache away whenever another connection has written. With
	//     every transaction on one connection, the pages the money path touches stay cached.
	writer    chan *sql.Conn
	closeOnce sync.Once

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// preparing counts statements being prepared in the background. close waits for them: one
	// still running would open a connection after the database was closed, and that
	// connection's -wal and -shm files would appear in a directory being removed.
	preparing sync.WaitGroup
	wal       *walSyncer // makes deferred-sync commits durable (walsync.go)
}

// Page caches, in the memory they take (sqliteCacheKiB). The write connection keeps the larger
// one; readers set theirs in the DSN (store.go): they lose it after every write anyway.
const (
	writerCacheKiB = 32 << 10
	readerCacheKiB = 4 << 10
)

// sqliteCacheKiB is the cache_size that makes a connection's page cache take kib of memory.
// SQLite allocates each cached page with its header in one block, 4 KiB and a few hundred bytes,
// and the pure-Go driver's allocator serves blocks in power-of-two sizes: every page takes 8 KiB.
// Measured in the twelfth session (RssAnon of a connection reading a 58 MiB table): cache sizes
// of 2, 16 and 32 MiB took 11, 38 and 69 MiB, so at 1,000,000 beneficiaries the page caches took
// twice the memory the budget gave them.
func sqliteCacheKiB(kib int) int { return kib / 2 }

// maxCachedStmts bounds the cache: statements built with a variable number of parameters (IN
// lists, batch inserts) have many texts, and past the bound new texts simply run unprepared.
// Long texts (batch inserts, mostly) are never cached: each would be prepared on every
// connection for a statement that seldom recurs.
const (
	maxCachedStmts   = 512
	maxCachedStmtLen = 4096
)

var (
	_ gorm.ConnPool         = (*stmtPool)(nil)
	_ gorm.ConnPoolBeginner = (*stmtPool)(nil)
	_ gorm.GetDBConnector   = (*stmtPool)(nil)
	_ gorm.Tx               = (*stmtTx)(nil)
)

func newStmtPool(db *sql.DB, path string) *stmtPool {
	p := &stmtPool{db: db, stmts: map[string]*sql.Stmt{}, writer: make(chan *sql.Conn, 1), wal: newWALSyncer(path)}
	p.writer <- nil // connected on first use
	return p
}

// stmt returns the prepared statement for query, or nil when it is to run unprepared this time.
// A statement seen for the first time is prepared in the background: preparing takes a connection
// of its own, and the caller may hold the write connection in a transaction while every other
// connection is busy, some of them with writes outside a transaction that wait for that very
// transaction's lock (those GORM runs as queries, with RETURNING: execOnWriter routes the others
// to the write connection): waiting for one of them here would wait for ourselves.
func (p *stmtPool) stmt(query string) *sql.Stmt {
	if len(query) > maxCachedStmtLen {
		return nil
	}
	p.mu.RLock()
	s, ok := p.stmts[query]
	p.mu.RUnlock()
	if ok {
		return s // nil while it is being prepared, or once the cache is full
	}
	p.mu.Lock()
	if _, ok := p.stmts[query]; !ok && len(p.stmts) < maxCachedStmts {
		p.stmts[query] = nil
		p.preparing.Go(func() { p.prepare(query) })
	}
	p.mu.Unlock()
	return nil
}

func (p *stmtPool) prepare(query string) {
	s, err := p.db.PrepareContext(context.Background(), query)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		delete(p.stmts, query) // it runs unprepared and reports its error there; try again next time
		return
	}
	p.stmts[query] = s
}

// close closes the write connection, once the transaction on it (if any) has ended.
func (p *stmtPool) close() error {
	var err error
	p.closeOnce.Do(func() {
		p.preparing.Wait()
		if c := <-p.writer; c != nil {
			err = c.Close()
		}
		close(p.writer) // a transaction begun after this gets no connection and fails
		p.wal.close()
	})
	return err
}

func (p *stmtPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *stmtPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p *stmtPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if isWrite(query) {
		return p.execOnWriter(ctx, query, args...)
	}
	s := p.stmt(query)
	if s == nil {
		return p.db.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
}

// execOnWriter runs a write made outside a transaction (GORM's Updates, Delete or Exec on the
// *gorm.DB) as a one-statement transaction on the write connection. On any other connection it
// would make the write connection throw its page cache away at its next BEGIN: the pipeline marks
// each sent transaction this way, and at 500 redemptions/s (fourteenth session) freeing and
// re-reading the cache a few times a second was 8 % of the server's CPU, all of it spent holding
// the write connection that every transaction, acceptances first, waits for. It would also wait
// for the write lock in SQLite's busy handler, asleep between tries, instead of in turn.
//
// A caller that holds the write connection in a transaction and writes outside it would wait for
// itself; as with SQLite's busy_timeout before, it gets an error after writerWait.
func (p *stmtPool) execOnWriter(ctx context.Context, query string, args ...any) (sql.Result, error) {
	wctx, cancel := context.WithTimeoutCause(ctx, writerWait, errWriterWait)
	defer cancel()
	pool, err := p.BeginTx(wctx, nil)
	if err != nil {
		if errors.Is(context.Cause(wctx), errWriterWait) {
			err = errWriterWait
		}
		return nil, err
	}
	tx := pool.(*stmtTx)
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		_ = tx.Rollback()
		return nil, err
	}
	return res, tx.Commit()
}

// writerWait bounds how long a write outside a transaction waits for the write connection: the
// DSN's busy_timeout. A variable for the test that waits it out.
var writerWait = 10 * time.Second

var errWriterWait = errors.New("database is locked: a write outside a transaction waited too long for the write connection")

// isWrite says whether query changes the database. Writes with RETURNING, which GORM runs as
// queries, are not seen here: outside a transaction they are logins and setup, not the money path.
func isWrite(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	for _, verb := range []string{"INSERT", "UPDATE", "DELETE", "REPLACE"} {
		if len(q) >= len(verb) && strings.EqualFold(q[:len(verb)], verb) {
			return true
		}
	}
	return false
}

func (p *stmtPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s := p.stmt(query)
	if s == nil {
		return p.db.QueryContext(ctx, query, args...)
	}
	return s.QueryContext(ctx, args...)
}

func (p *stmtPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s := p.stmt(query)
	if s == nil {
		return p.db.QueryRowContext(ctx, query, args...)
	}
	return s.QueryRowContext(ctx, args...)
}

func (p *stmtPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (gorm.ConnPool, error) {
	var conn *sql.Conn
	select {
	case c, ok := <-p.writer:
		if !ok {
			return nil, sql.ErrConnDone
		}
		conn = c
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t := &stmtTx{p: p, deferred: deferred(ctx)}
	tx, err := p.begin(ctx, &conn, opts, t.deferred)
	t.Tx, t.conn = tx, conn
	if err != nil {
		t.done()
		return nil, err
	}
	return t, nil
}

// begin starts a transaction on *conn, connecting first if it is nil and dropping a connection
// the driver reports broken.
func (p *stmtPool) begin(ctx context.Context, conn **sql.Conn, opts *sql.TxOptions, deferSync bool) (*sql.Tx, error) {
	if *conn == nil {
		c, err := p.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", sqliteCacheKiB(writerCacheKiB))); err != nil {
			c.Close()
			return nil, err
		}
		*conn = c
	}
	if deferSync {
		if _, err := (*conn).ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
			return nil, fmt.Errorf("defer sync: %w", err)
		}
	}
	tx, err := (*conn).BeginTx(ctx, opts)
	if errors.Is(err, driver.ErrBadConn) {
		(*conn).Close()
		*conn = nil
	}
	return tx, err
}

// stmtTx runs a transaction's statements through the pool's prepared statements, and hands the
// write connection to the next transaction when it ends.
type stmtTx struct {
	*sql.Tx
	p        *stmtPool
	conn     *sql.Conn
	once     sync.Once
	deferred bool // committed with synchronous(NORMAL): see walsync.go
}

func (t *stmtTx) Commit() error {
	defer t.done()
	err := t.Tx.Commit()
	if err == nil && t.deferred {
		t.p.wal.committed()
	}
	return err
}

func (t *stmtTx) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

// done hands the write connection on, set back to synchronous(FULL) after a deferred-sync
// transaction: a connection that cannot be set back is closed, and the next transaction opens
// one that the DSN sets to FULL.
func (t *stmtTx) done() {
	t.once.Do(func() {
		if t.deferred && t.conn != nil {
			if _, err := t.conn.ExecContext(context.Background(), "PRAGMA synchronous = FULL"); err != nil {
				t.conn.Close()
				t.conn = nil
			}
		}
		t.p.writer <- t.conn
	})
}

func (t *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s := t.p.stmt(query)
	if s == nil {
		return t.Tx.ExecContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, s).ExecContext(ctx, args...)
}

func (t *stmtTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s := t.p.stmt(query)
	if s == nil {
		return t.Tx.QueryContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, s).QueryContext(ctx, args...)
}

func (t *stmtTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s := t.p.stmt(query)
	if s == nil {
		return t.Tx.QueryRowContext(ctx, query, args...)
	}
	return t.Tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
}
