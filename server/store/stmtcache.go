package store

import (
	"context"
	"database/sql"
	"sync"

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
	// writer admits one transaction at a time (every SQLite transaction here takes the write lock
	// at BEGIN). Without it the others wait in SQLite's busy handler, which sleeps 1 ms, then 2,
	// 5, 10 … up to 100 ms between tries: under load a redemption's transaction spent longer
	// asleep there than running. A channel wakes the next one as soon as the lock is free.
	writer chan struct{}

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

// maxCachedStmts bounds the cache: statements built with a variable number of parameters (IN
// lists, batch inserts) have many texts, and past the bound new texts simply run unprepared.
const maxCachedStmts = 512

var (
	_ gorm.ConnPool         = (*stmtPool)(nil)
	_ gorm.ConnPoolBeginner = (*stmtPool)(nil)
	_ gorm.GetDBConnector   = (*stmtPool)(nil)
	_ gorm.Tx               = (*stmtTx)(nil)
)

func newStmtPool(db *sql.DB) *stmtPool {
	return &stmtPool{db: db, stmts: map[string]*sql.Stmt{}, writer: make(chan struct{}, 1)}
}

// stmt returns the prepared statement for query, or nil when it is to run unprepared this time.
// A statement seen for the first time is prepared in the background: preparing takes a connection
// of its own, and the caller may be holding one in a transaction while every other connection
// waits for SQLite's write lock — waiting for another here could wait forever.
func (p *stmtPool) stmt(query string) *sql.Stmt {
	p.mu.RLock()
	s, ok := p.stmts[query]
	p.mu.RUnlock()
	if ok {
		return s // nil while it is being prepared, or once the cache is full
	}
	p.mu.Lock()
	if _, ok := p.stmts[query]; !ok && len(p.stmts) < maxCachedStmts {
		p.stmts[query] = nil
		go p.prepare(query)
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

func (p *stmtPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func (p *stmtPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

func (p *stmtPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s := p.stmt(query)
	if s == nil {
		return p.db.ExecContext(ctx, query, args...)
	}
	return s.ExecContext(ctx, args...)
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
	select {
	case p.writer <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tx, err := p.db.BeginTx(ctx, opts)
	if err != nil {
		<-p.writer
		return nil, err
	}
	return &stmtTx{Tx: tx, p: p}, nil
}

// stmtTx runs a transaction's statements through the pool's prepared statements, and lets the
// next transaction in when it ends.
type stmtTx struct {
	*sql.Tx
	p    *stmtPool
	once sync.Once
}

func (t *stmtTx) Commit() error {
	defer t.done()
	return t.Tx.Commit()
}

func (t *stmtTx) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

func (t *stmtTx) done() { t.once.Do(func() { <-t.p.writer }) }

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
