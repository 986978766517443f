package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// ErrNoSnapshot says the engine takes its copies with its own tools (pg_dump for PostgreSQL).
var ErrNoSnapshot = errors.New("the database is PostgreSQL: copy it with pg_dump")

// Snapshot writes a consistent copy of a SQLite database to path (which must not exist) while
// the system runs: SQLite's VACUUM INTO, on a reading connection, copies the database as of one
// read transaction. In WAL mode that neither waits for nor holds up writers; the WAL only grows
// past its checkpoint size until the copy ends.
func Snapshot(ctx context.Context, db *gorm.DB, path string) error {
	if DialectOf(db) != SQLite {
		return ErrNoSnapshot
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	// On the *sql.DB, not through GORM: the statement pool would keep a statement prepared for
	// each call, and its write connection is for transactions.
	if _, err := sqlDB.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("copy database to %s: %w", path, err)
	}
	return nil
}
