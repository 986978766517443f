package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
)

// Batch is statements of one transaction that go to the database together where they can: on
// a pgx connection in one round trip (pipeline mode), where each was a round trip of its own;
// in a transaction GORM runs (SQLite, whose statements are calls within the process), one after
// another. A statement is a *gorm.DB made by Raw, whose SQL GORM builds at once, on the
// transaction for GORM to run or on a dry-run session (Pipelined.Dry) for pgx; for pgx only, it
// may also be what a finisher such as Create built on the dry-run session.
//
// PostgreSQL runs a pipeline's statements in their order, each seeing what the ones before it
// wrote, as one after the other would. After a failed one it skips the rest up to the batch's
// end, so a COMMIT queued behind a failed statement does not commit.
type Batch struct {
	stmts []batchStmt
}

type batchStmt struct {
	q    *gorm.DB
	gorm func(q *gorm.DB) error    // runs q on GORM's transaction and reads its rows
	pgx  func(rows pgx.Rows) error // reads its rows from pgx
}

// Query adds q, whose rows are read into *dest: by GORM, or by pgx by the fields' names
// (pgx.RowToStructByNameLax: ProgramID reads program_id, as GORM's naming would). dest nil
// reads nothing of them.
func Query[T any](b *Batch, q *gorm.DB, dest *[]T) {
	s := batchStmt{q: q}
	if dest == nil {
		s.gorm = func(q *gorm.DB) error {
			rows, err := q.Rows()
			if err != nil {
				return err
			}
			return rows.Close()
		}
		s.pgx = func(rows pgx.Rows) error {
			rows.Close()
			return rows.Err()
		}
	} else {
		s.gorm = func(q *gorm.DB) error { return q.Scan(dest).Error }
		s.pgx = func(rows pgx.Rows) error {
			out, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[T])
			*dest = out
			return err
		}
	}
	b.stmts = append(b.stmts, s)
}

// Len is how many statements b holds.
func (b *Batch) Len() int { return len(b.stmts) }

// Run runs b's statements in GORM's transaction, one after another, and empties b.
func (b *Batch) Run() error {
	stmts := b.stmts
	b.stmts = nil
	for i, s := range stmts {
		if err := s.gorm(s.q); err != nil {
			return fmt.Errorf("statement %d of %d: %w", i+1, len(stmts), err)
		}
	}
	return nil
}

// Pipelined is a transaction on one PostgreSQL connection whose statements go out in batches
// (pgx's pipeline mode). It begins with its first batch; Commit ends it with its last.
type Pipelined struct {
	conn  *pgx.Conn
	dry   *gorm.DB
	begun bool
	trips int
	texts map[string]bool
}

// RoundTrips is how many batches p has sent.
func (p *Pipelined) RoundTrips() int { return p.trips }

// Texts are the statement texts p has sent, once each: what pgx prepares and keeps per
// connection (PadIn, Chunks).
func (p *Pipelined) Texts() []string { return slices.Sorted(maps.Keys(p.texts)) }

// Dry is the session to build b's statements on: GORM builds their SQL and does not run them.
func (p *Pipelined) Dry() *gorm.DB { return p.dry }

// Run sends b's statements in one round trip (with BEGIN in front of the first batch) and reads
// their rows, and empties b.
func (p *Pipelined) Run(ctx context.Context, b *Batch) error {
	return p.send(ctx, b, false)
}

// Commit sends b's statements and COMMIT in one round trip.
func (p *Pipelined) Commit(ctx context.Context, b *Batch) error {
	return p.send(ctx, b, true)
}

func (p *Pipelined) send(ctx context.Context, b *Batch, commit bool) error {
	stmts := b.stmts
	b.stmts = nil
	batch := &pgx.Batch{}
	begin := !p.begun
	if begin {
		batch.Queue("BEGIN")
		p.begun = true
	}
	for _, s := range stmts {
		sql := s.q.Statement.SQL.String()
		batch.Queue(sql, s.q.Statement.Vars...)
		p.texts[sql] = true
	}
	if commit {
		batch.Queue("COMMIT")
	}
	p.trips++
	res := p.conn.SendBatch(ctx, batch)
	err := p.read(res, stmts, begin, commit)
	if cerr := res.Close(); err == nil && cerr != nil {
		err = p.translate(cerr)
	}
	return err
}

func (p *Pipelined) read(res pgx.BatchResults, stmts []batchStmt, begin, commit bool) error {
	if begin {
		if _, err := res.Exec(); err != nil {
			return fmt.Errorf("begin: %w", p.translate(err))
		}
	}
	for i, s := range stmts {
		rows, err := res.Query()
		if err == nil {
			err = s.pgx(rows)
		}
		if err != nil {
			return fmt.Errorf("statement %d of %d: %w", i+1, len(stmts), p.translate(err))
		}
	}
	if commit {
		tag, err := res.Exec()
		if err != nil {
			return fmt.Errorf("commit: %w", p.translate(err))
		}
		if tag.String() != "COMMIT" { // PostgreSQL answers ROLLBACK to the COMMIT of a failed transaction
			return fmt.Errorf("commit: transaction rolled back (%s)", tag.String())
		}
	}
	return nil
}

// translate makes PostgreSQL's errors GORM's (a unique violation wraps gorm.ErrDuplicatedKey),
// as for statements GORM runs.
func (p *Pipelined) translate(err error) error {
	if t, ok := p.dry.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}

// errNotPostgres is returned by WithPipelined on a database that is not PostgreSQL.
var errNotPostgres = errors.New("pipelined transactions need PostgreSQL")

// WithPipelined runs fn with a pipelined transaction on one of db's PostgreSQL connections. If
// fn returns an error (or does not commit), the transaction is rolled back. db must be
// PostgreSQL's.
func WithPipelined(ctx context.Context, db *gorm.DB, fn func(p *Pipelined) error) error {
	if DialectOf(db) != Postgres {
		return errNotPostgres
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("take a connection: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipelined transaction: driver connection is %T, not pgx's", driverConn)
		}
		p := &Pipelined{conn: c.Conn(), dry: db.Session(&gorm.Session{DryRun: true, NewDB: true}), texts: map[string]bool{}}
		err := fn(p)
		if c.Conn().PgConn().TxStatus() != 'I' {
			// Rolled back here, or, if that fails, by database/sql discarding the connection
			// (pgx's ResetSession refuses one left in a transaction).
			if _, rerr := c.Conn().Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil && err == nil {
				err = fmt.Errorf("roll back: %w", rerr)
			}
			if err == nil {
				err = errors.New("pipelined transaction ended without a commit")
			}
		}
		return err
	})
}
