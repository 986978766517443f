// Package store opens aidledger's database (an embedded SQLite file by default, PostgreSQL for
// several replicas) and applies versioned schema migrations.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/libtnb/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL engine behind a *gorm.DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// PostgresConns is the size of the connection pool to PostgreSQL.
const PostgresConns = 32

// Open connects to dsn: a postgres:// or postgresql:// URL, or a SQLite file path (optionally
// prefixed with "sqlite:" or "file:"). An empty dsn means dataDir/aidledger.db.
func Open(dsn, dataDir string) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true, // every write path opens its own transaction explicitly
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
	}
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dsn, err := withSessionDefaults(dsn)
		if err != nil {
			return nil, err
		}
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		// Every connection stays open once made. database/sql closes those beyond the idle
		// limit after each burst, and each one PostgreSQL makes again is a forked backend that
		// authenticates and prepares every statement anew: with 16 kept idle of 32, a closed loop
		// of redemptions opened about 100 sessions a second and the box spent 40 % of its time in
		// the kernel.
		sqlDB.SetMaxOpenConns(PostgresConns)
		sqlDB.SetMaxIdleConns(PostgresConns)
		return db, nil
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			path = filepath.Join(dataDir, "aidledger.db")
		}
		return openSQLite(path, cfg)
	}
}

// statementCache is how many prepared statements (or, in pgx's describe mode, statement
// descriptions) each PostgreSQL connection keeps; pgx's default is 512. Groups of acceptances,
// batches and multi-row inserts make one statement text per size, and 32 connections may keep
// 16,384 of them: 33 MB of the server's live heap after one closed loop and one open loop, and
// growing with every run, which the garbage collector scanned again and again under the memory
// limit (GC 20 % of the server's CPU at 500/s; 7 % with 64). A statement that fell out of the
// cache costs one more round trip to prepare it again: under 1 % of the CPU.
const statementCache = 64

// noParallelWorkers is PostgreSQL's max_parallel_workers_per_gather for the server's sessions
// unless the DSN sets it. The server's statements are lookups by key and short scans of an index;
// a parallel plan only comes from a bad estimate, as for a table that grew from empty and has no
// statistics yet, and then each run forks its workers: redemptions had none in the first minute
// of a system's first open loop, the acceptance groups' reads went parallel, the box spent a
// third of its time in the kernel and acceptances stalled for seconds (thirtieth session).
const noParallelWorkers = "0"

// noJIT is PostgreSQL's jit for the server's sessions unless the DSN sets it. PostgreSQL compiles
// a plan whose estimated cost passes 100,000, which for the server's lookups and short scans
// only an estimate that means nothing reaches: above all the cost a disabled kind of plan adds
// when no other kind can do the work (a sort where no index gives the order, under IndexOrder).
// Compiling such a read took 180 ms where running it took a fraction of one (thirty-fifth
// session: the backlog check's read of the oldest submitted intent).
const noJIT = "off"

// withSessionDefaults sets pgx's statement cache capacities and PostgreSQL's parallel workers
// and JIT on a postgres:// DSN, each unless the DSN sets it itself (pgx sends parameters it
// does not know to PostgreSQL as the session's settings).
func withSessionDefaults(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse postgres dsn: %w", err)
	}
	q := u.Query()
	for k, v := range map[string]string{
		"statement_cache_capacity":        strconv.Itoa(statementCache),
		"description_cache_capacity":      strconv.Itoa(statementCache),
		"max_parallel_workers_per_gather": noParallelWorkers,
		"jit":                             noJIT,
	} {
		if !q.Has(k) {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func openSQLite(path string, cfg *gorm.Config) (*gorm.DB, error) {
	// Create the file owner-only before SQLite does (it would use 0644, and its -wal and -shm
	// files copy the main file's mode): it holds encrypted personal data and operator state.
	if f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o600); err == nil {
		f.Close()
	} else {
		return nil, fmt.Errorf("create sqlite file %s: %w", path, err)
	}
	// WAL lets readers run beside the single writer. synchronous(FULL) makes every commit
	// durable before it returns: an accepted redemption must survive a power cut, not only a
	// crash of the process. busy_timeout makes writers queue instead of failing with SQLITE_BUSY.
	// cache_size: 2 MiB of pages per reading connection, which takes 4 MiB (sqliteCacheKiB): a
	// reader loses its cache whenever another connection has written, so more buys little and
	// costs memory. The one write connection keeps a larger cache of its own (sqlitepool.go).
	// wal_autocheckpoint(4000): the commit that grows the WAL past 4,000 pages (16 MiB) copies
	// them into the database file, holding the write lock meanwhile. At SQLite's default of 1,000
	// the pages every transaction touches (index roots, the lanes' rows) were copied four times
	// as often: checkpoints were 12 % of the server's CPU in a closed loop of redemptions, now
	// 6 %. A larger WAL makes each checkpoint longer, and that pause is in p99 latency: at
	// 10,000 pages p99 accepted at 500/s rose from 63 to 76–100 ms; at 4,000, 66–74 ms.
	// temp_store(MEMORY): the statement journals of the redemption savepoints stay off the disk.
	// _txlock=immediate takes the write lock at BEGIN, so two transactions that read then write
	// the same row serialize instead of one failing at its first write.
	// _texttotime, _inttotime and _time_format(sqlite): DATETIME columns read back as time.Time
	// and times are written in SQLite's own format, which its date functions understand.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=wal_autocheckpoint(4000)&_pragma=foreign_keys(ON)&_pragma=cache_size(-" + strconv.Itoa(sqliteCacheKiB(readerCacheKiB)) + ")&_pragma=temp_store(MEMORY)" +
		"&_txlock=immediate&_texttotime=1&_inttotime=1&_time_format=sqlite"
	sqlDB, err := sql.Open(sqlite.DriverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// One writer at a time is all SQLite allows; a small pool still lets reads run in parallel.
	// Idle connections stay open (database/sql keeps only 2 by default): a new one runs the
	// pragmas above and prepares its statements again, 14 % of the CPU under load before this.
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	// The first connection switches a new file to WAL, which needs the file to itself: make it
	// before any other can open (the statement pool opens connections in the background).
	if err := sqlDB.Ping(); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db, err := gorm.Open(sqlite.New(sqlite.Config{Conn: newStmtPool(sqlDB, path)}), cfg)
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// DialectOf tells which engine db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// CustomPlans makes PostgreSQL plan every statement of transaction tx for its actual parameters
// (a no-op on SQLite). Bulk work needs it: pgx prepares each statement, and after five runs
// PostgreSQL may keep one generic plan for it, chosen from the table's statistics at that time. A
// table that grows from empty during an import or an allocation keeps the plan made when it was
// tiny, a sequential scan, until autovacuum next analyses it (a minute or more): a 100,000-row
// import spent 40 of its 50 s scanning beneficiary_lookups 500 hashes at a time. Planning each
// statement costs a fraction of a millisecond, small next to a statement of hundreds of rows.
func CustomPlans(tx *gorm.DB) error {
	return setLocal(tx, "plan_cache_mode", "force_custom_plan")
}

// IndexOrder makes PostgreSQL read through indexes in their own order, never by bitmap and
// never sorted where an index gives the order asked for, for the rest of transaction tx (a no-op
// on SQLite). Reads of a queue need it. A queue is a partial index that rows keep leaving: each
// row that left it leaves behind the entry of its old version, until vacuum removes it. An
// index scan marks each such entry dead as it passes it, so later reads skip it; a bitmap scan,
// which PostgreSQL prefers for a few hundred rows, visits every one of them again on every read
// (4,600 buffers and 11 ms a read against 260 and 0.5 ms, with 20,000 intents signed since the
// last vacuum). And statistics taken before a burst of one kind can make another kind look
// rare, so that the oldest of it seemed cheapest to find through an index of kinds, every
// intent of the kind then sorted: 6,000-10,000 buffers and 10-18 ms a read under load
// (thirty-fifth session).
func IndexOrder(tx *gorm.DB) error {
	if err := setLocal(tx, "enable_bitmapscan", "off"); err != nil {
		return err
	}
	return setLocal(tx, "enable_sort", "off")
}

// QueueIndexReads queues in b what makes PostgreSQL read through indexes rather than scan
// tables for the rest of its transaction (enable_seqscan off; nothing on SQLite). For
// transactions whose reads are all lookups by key, such as an acceptance group's. A table that
// grew from empty has no statistics until autovacuum analyses it, a minute or more later, and
// meanwhile the planner takes each value of an IN list to match 0.5 % of the table: sixteen
// beneficiaries, 8 % of redemptions, which it would rather scan whole, on every group, while
// the table grows. A lookup by key is never slower through its index.
func QueueIndexReads(b *Batch, db *gorm.DB) {
	if DialectOf(db) == Postgres {
		Query[struct{}](b, db.Raw(setLocalSQL("enable_seqscan", "off")), nil)
	}
}

// setLocal sets one of PostgreSQL's planner settings until transaction tx ends (a no-op on SQLite).
func setLocal(tx *gorm.DB, name, value string) error {
	if DialectOf(tx) != Postgres {
		return nil
	}
	if err := tx.Exec(setLocalSQL(name, value)).Error; err != nil {
		return fmt.Errorf("set %s: %w", name, err)
	}
	return nil
}

// setLocalSQL is the statement that sets name to value until the transaction ends.
func setLocalSQL(name, value string) string { return "SET LOCAL " + name + " = " + value }

// Close closes the connection pool behind db.
func Close(db *gorm.DB) error {
	if p, ok := db.ConnPool.(*stmtPool); ok {
		if err := p.close(); err != nil {
			return err
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping reports whether the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// InTx runs fn in a database transaction, committed when fn returns nil.
func InTx(ctx context.Context, db *gorm.DB, fn func(tx *gorm.DB) error) error {
	return db.WithContext(ctx).Transaction(fn)
}

// IsUniqueViolation reports whether err is a unique-constraint violation on either engine.
func IsUniqueViolation(err error) bool {
	return errors.Is(err, gorm.ErrDuplicatedKey)
}

// IsLockConflict reports whether PostgreSQL cancelled err's statement to break a deadlock or a
// serialization conflict: nothing of it was kept, and the same work may simply be tried again.
func IsLockConflict(err error) bool {
	var coded interface{ SQLState() string }
	if !errors.As(err, &coded) {
		return false
	}
	switch coded.SQLState() {
	case "40P01", "40001": // deadlock_detected, serialization_failure
		return true
	}
	return false
}
