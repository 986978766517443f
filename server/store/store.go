// Package store opens aidledger's database (an embedded SQLite file by default, PostgreSQL for
// several replicas) and applies versioned schema migrations.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
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
		db, err := gorm.Open(postgres.Open(dsn), cfg)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(32)
		sqlDB.SetMaxIdleConns(16)
		return db, nil
	default:
		path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
		if path == "" {
			path = filepath.Join(dataDir, "aidledger.db")
		}
		return openSQLite(path, cfg)
	}
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
	// cache_size: 16 MiB of pages per connection instead of SQLite's 2 MiB default, which under
	// load sent most page reads to the kernel.
	// _txlock=immediate takes the write lock at BEGIN, so two transactions that read then write
	// the same row serialize instead of one failing at its first write.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(ON)&_pragma=cache_size(-16384)&_txlock=immediate"
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// One writer at a time is all SQLite allows; a small pool still lets reads run in parallel.
	sqlDB.SetMaxOpenConns(8)
	return db, nil
}

// DialectOf tells which engine db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

// Close closes the connection pool behind db.
func Close(db *gorm.DB) error {
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
