package index

import (
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// Event is one decoded log of the ledger contract. Reports are computed from these rows, never
// from the API's own records, so every figure traces to a log anyone can fetch from the chain.
// Fields an event does not have are zero.
type Event struct {
	ID          int64     `gorm:"primaryKey"`
	BlockNumber uint64    `gorm:"not null;index"`
	BlockHash   string    `gorm:"size:66;not null;uniqueIndex:ux_chain_events_log,priority:1"`
	LogIndex    uint      `gorm:"not null;uniqueIndex:ux_chain_events_log,priority:2"`
	BlockTime   time.Time `gorm:"not null;index"`
	TxHash      string    `gorm:"size:66;not null"`
	Kind        string    `gorm:"size:32;not null;index:ix_chain_events_program_kind,priority:2"`
	ProgramID   uint64    `gorm:"index:ix_chain_events_program_kind,priority:1"`
	Beneficiary string    `gorm:"size:66"` // 0x-hex pseudonym
	Vendor      string    `gorm:"size:42"` // checksummed address
	Amount      int64     // minor units
	Seq         uint64
	Ref         string `gorm:"size:66;index"` // redemption id, donor reference or payout reference
	Cycle       uint32
	Reason      uint8
	Active      bool
	Account     string `gorm:"size:42"` // role events: the account; pause events: the caller
	Role        string `gorm:"size:66"`
}

func (Event) TableName() string { return "chain_events" }

// Cursor is how far the indexer has read: the last block it fully indexed, and that block's hash
// so that a reorg underneath is noticed.
type Cursor struct {
	Contract  string `gorm:"primaryKey;size:42"`
	Block     uint64 `gorm:"not null"`
	Hash      string `gorm:"size:66;not null"`
	UpdatedAt time.Time
}

func (Cursor) TableName() string { return "chain_index_cursors" }

type eventV1 struct {
	ID          int64     `gorm:"primaryKey"`
	BlockNumber uint64    `gorm:"not null;index"`
	BlockHash   string    `gorm:"size:66;not null;uniqueIndex:ux_chain_events_log,priority:1"`
	LogIndex    uint      `gorm:"not null;uniqueIndex:ux_chain_events_log,priority:2"`
	BlockTime   time.Time `gorm:"not null;index"`
	TxHash      string    `gorm:"size:66;not null;index"`
	Kind        string    `gorm:"size:32;not null;index:ix_chain_events_program_kind,priority:2"`
	ProgramID   uint64    `gorm:"index:ix_chain_events_program_kind,priority:1"`
	Beneficiary string    `gorm:"size:66;index"`
	Vendor      string    `gorm:"size:42;index"`
	Amount      int64
	Seq         uint64
	Ref         string `gorm:"size:66;index"`
	Cycle       uint32
	Reason      uint8
	Active      bool
	Account     string `gorm:"size:42"`
	Role        string `gorm:"size:66"`
}

func (eventV1) TableName() string { return "chain_events" }

type cursorV1 struct {
	Contract  string `gorm:"primaryKey;size:42"`
	Block     uint64 `gorm:"not null"`
	Hash      string `gorm:"size:66;not null"`
	UpdatedAt time.Time
}

func (cursorV1) TableName() string { return "chain_index_cursors" }

// Schema is the indexer's tables, for store.Migrate.
var Schema = store.Component{
	Name: "index",
	Migrations: []store.Migration{{
		Version: 1,
		Name:    "chain events and cursor",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&eventV1{}, &cursorV1{})
		},
	}, {
		Version: 2,
		Name:    "drop chain_events indexes no query uses",
		// Reports read the rollups, the reconciler joins on ref, reorgs delete by block
		// number; nothing looks events up by transaction, beneficiary or vendor. Each index
		// was one more B-tree to write for every event, inside the indexer's transaction,
		// which holds SQLite's single write lock.
		Up: func(tx *gorm.DB) error {
			for _, name := range []string{"idx_chain_events_tx_hash", "idx_chain_events_beneficiary", "idx_chain_events_vendor"} {
				if err := tx.Migrator().DropIndex(&eventV1{}, name); err != nil {
					return fmt.Errorf("drop index %s: %w", name, err)
				}
			}
			return nil
		},
	}, {
		Version: 3,
		Name:    "the program and kind index ends with the event id on PostgreSQL",
		// A report's partial day reads a program's redemptions in an id range through this
		// index. SQLite ends every index with the rowid (the id), so the range is part of the
		// search there; a PostgreSQL index holds only its columns, and read every redemption
		// of the program to filter the range: 250 ms a read at 1,000,000 redemptions.
		Up: func(tx *gorm.DB) error {
			if store.DialectOf(tx) != store.Postgres {
				return nil
			}
			if err := tx.Exec("DROP INDEX ix_chain_events_program_kind").Error; err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX ix_chain_events_program_kind ON chain_events (program_id, kind, id)").Error
		},
	}, {
		Version: 4,
		Name:    "a program's events in id order",
		// The transparency page lists a program's events newest first, a page at a time. Through
		// (program_id, kind, id) both engines read all of the program's events, one range a
		// kind, and sorted them: 2 s a page at 1,000,000 redemptions.
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX ix_chain_events_program_id ON chain_events (program_id, id)").Error
		},
	}},
}
