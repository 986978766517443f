package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// A Migration is one versioned schema change of one component. Up must use only what GORM's
// migrator or portable SQL offers, so the same migration gives the same schema on SQLite and
// PostgreSQL. A migration's models are frozen copies declared beside it: later changes to the
// live models never rewrite history.
type Migration struct {
	Version int
	Name    string
	Up      func(tx *gorm.DB) error
}

// A Component is a package that owns tables (the pipeline, the indexer, the API's domain) and
// their migrations, numbered 1, 2, 3… within that component. Components migrate independently,
// so packages never need to agree on one global numbering.
type Component struct {
	Name       string
	Migrations []Migration
}

type schemaMigration struct {
	Component string `gorm:"primaryKey;size:64"`
	Version   int    `gorm:"primaryKey"`
	Name      string `gorm:"size:200;not null"`
	AppliedAt time.Time
}

func (schemaMigration) TableName() string { return "schema_migrations" }

// Migrate applies, in order, every migration of every component that the database has not seen.
// Each migration runs in its own transaction together with its bookkeeping row (PostgreSQL and
// SQLite both have transactional DDL), so a crash leaves each one applied or not at all.
func Migrate(ctx context.Context, db *gorm.DB, components ...Component) error {
	db = db.WithContext(ctx)
	if err := db.AutoMigrate(&schemaMigration{}); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for _, c := range components {
		var applied []schemaMigration
		if err := db.Where("component = ?", c.Name).Find(&applied).Error; err != nil {
			return fmt.Errorf("read applied migrations of %s: %w", c.Name, err)
		}
		done := make(map[int]bool, len(applied))
		for _, a := range applied {
			done[a.Version] = true
		}
		for i, m := range c.Migrations {
			if m.Version != i+1 {
				return fmt.Errorf("migrations of %s: version %d at position %d, want %d", c.Name, m.Version, i, i+1)
			}
			if done[m.Version] {
				continue
			}
			err := db.Transaction(func(tx *gorm.DB) error {
				if err := m.Up(tx); err != nil {
					return err
				}
				row := schemaMigration{Component: c.Name, Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}
				// DoNothing: a replica migrating at the same moment may have won the race.
				return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error
			})
			if err != nil {
				return fmt.Errorf("migrate %s %d (%s): %w", c.Name, m.Version, m.Name, err)
			}
			slog.Info("schema migrated", "component", c.Name, "version", m.Version, "name", m.Name)
		}
	}
	return nil
}

// Applied lists the applied versions per component, for `aidledger migrate` and tests.
func Applied(ctx context.Context, db *gorm.DB) (map[string][]int, error) {
	var rows []schemaMigration
	if err := db.WithContext(ctx).Order("component, version").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := map[string][]int{}
	for _, r := range rows {
		out[r.Component] = append(out[r.Component], r.Version)
	}
	return out, nil
}
