package redeem

import (
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// Redemption statuses: pending until the chain's outcome is known.
const (
	StatusPending   = "pending"
	StatusConfirmed = "confirmed"
	StatusFailed    = "failed"
)

// redemptionRow is one accepted redemption. (vendor, idempotency key) is unique: the same key
// can never create a second row, hence never a second payment.
type redemptionRow struct {
	ID             string `gorm:"primaryKey;size:36"`
	VendorID       string `gorm:"size:36;not null;uniqueIndex:ux_redemptions_key_vendor,priority:2;index:ix_redemptions_vendor_created,priority:1"`
	IdempotencyKey string `gorm:"size:200;not null;uniqueIndex:ux_redemptions_key_vendor,priority:1"` // key first (migration 10)
	RequestHash    string `gorm:"size:64;not null"`
	BeneficiaryID  string `gorm:"size:36;not null"` // indexed with program and amount (migration 6)
	ProgramID      string `gorm:"size:36;not null"`
	Amount         int64  `gorm:"not null"`
	Category       string `gorm:"size:20;not null"`
	Seq            uint64 `gorm:"not null"`
	ChainRef       string `gorm:"size:66;not null"`   // the bytes32 ref on chain, 0x-hex; it begins with the id (ledger.Ref)
	Status         string `gorm:"size:12;not null"`   // in no index, so settling is a HOT update on PostgreSQL (migration 9)
	FailedAmount   int64  `gorm:"not null;default:0"` // the amount while failed, else 0: what the spent sum gives back
	Reason         string `gorm:"size:200"`
	BalanceAfter   int64  `gorm:"not null"`
	IntentID       int64  `gorm:"not null"` // not indexed (migration 7): settling reads by the id in the chain ref
	TxHash         string `gorm:"size:66"`
	BlockNumber    uint64
	CreatedAt      time.Time `gorm:"index:ix_redemptions_vendor_created,priority:2"`
	UpdatedAt      time.Time
	FinalAt        *time.Time
}

func (redemptionRow) TableName() string { return "redemptions" }

// accountRow is the lock a redemption takes for one entitlement (program, beneficiary), and the
// next sequence number the ledger expects. What is spent is not kept here: it is the sum of the
// entitlement's pending and confirmed redemptions, read under this lock, so no counter can drift
// from the rows it would summarise. Allocations are the programs service's (entitlements table).
type accountRow struct {
	ProgramID     string `gorm:"primaryKey;size:36"`
	BeneficiaryID string `gorm:"primaryKey;size:36"`
	NextSeq       uint64 `gorm:"not null"`
	UpdatedAt     time.Time
}

func (accountRow) TableName() string { return "redemption_accounts" }

// settlementRow records that the agency paid a vendor off chain for one program's redemptions.
type settlementRow struct {
	ID          string `gorm:"primaryKey;size:36"`
	VendorID    string `gorm:"size:36;not null;index"`
	ProgramID   string `gorm:"size:36;not null;index"`
	Amount      int64  `gorm:"not null"`
	Reference   string `gorm:"size:200;not null"`
	Status      string `gorm:"size:12;not null"`
	Reason      string `gorm:"size:500"`
	IntentID    int64  `gorm:"not null;index"`
	TxHash      string `gorm:"size:66"`
	BlockNumber uint64
	CreatedBy   string `gorm:"size:36"`
	// ReversesID names the settlement a reversal takes back part of; its Amount is then
	// negative, so that sums of settlements are net of reversals (migration 12).
	ReversesID string `gorm:"size:36;not null;default:''"`
	Note       string `gorm:"size:200;not null;default:''"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (settlementRow) TableName() string { return "settlements" }

// refundRow gives back all or part of a confirmed redemption to its card. (actor, key) is unique:
// a retried request can never refund twice.
type refundRow struct {
	ID             string `gorm:"primaryKey;size:36"`
	RedemptionID   string `gorm:"size:36;not null;index"`
	VendorID       string `gorm:"size:36;not null;index"`
	BeneficiaryID  string `gorm:"size:36;not null"` // with program and amount in ix_refunds_holder (confirmed ones)
	ProgramID      string `gorm:"size:36;not null"`
	Amount         int64  `gorm:"not null"`
	Note           string `gorm:"size:200"`
	Actor          string `gorm:"size:36;not null;uniqueIndex:ux_refunds_key,priority:1"`
	IdempotencyKey string `gorm:"size:200;not null;uniqueIndex:ux_refunds_key,priority:2"`
	RequestHash    string `gorm:"size:64;not null"`
	Status         string `gorm:"size:12;not null"`
	Reason         string `gorm:"size:500"` // why it failed
	IntentID       int64  `gorm:"not null"`
	TxHash         string `gorm:"size:66"`
	BlockNumber    uint64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (refundRow) TableName() string { return "refunds" }

// Frozen copies of the models as migration 1 created them: later changes to the live models
// must come as new migrations, never by editing these.
type redemptionV1 struct {
	ID             string `gorm:"primaryKey;size:36"`
	VendorID       string `gorm:"size:36;not null;uniqueIndex:ux_redemptions_vendor_key,priority:1;index:ix_redemptions_vendor_created,priority:1"`
	IdempotencyKey string `gorm:"size:200;not null;uniqueIndex:ux_redemptions_vendor_key,priority:2"`
	RequestHash    string `gorm:"size:64;not null"`
	BeneficiaryID  string `gorm:"size:36;not null;index"`
	ProgramID      string `gorm:"size:36;not null;index"`
	Amount         int64  `gorm:"not null"`
	Category       string `gorm:"size:20;not null"`
	Seq            uint64 `gorm:"not null"`
	ChainRef       string `gorm:"size:66;not null;uniqueIndex"` // the bytes32 ref on chain, 0x-hex
	Status         string `gorm:"size:12;not null;index"`
	Reason         string `gorm:"size:200"`
	BalanceAfter   int64  `gorm:"not null"`
	IntentID       int64  `gorm:"not null;index"`
	TxHash         string `gorm:"size:66"`
	BlockNumber    uint64
	CreatedAt      time.Time `gorm:"index:ix_redemptions_vendor_created,priority:2"`
	UpdatedAt      time.Time
	FinalAt        *time.Time
}

func (redemptionV1) TableName() string { return "redemptions" }

type accountV1 struct {
	ProgramID     string `gorm:"primaryKey;size:36"`
	BeneficiaryID string `gorm:"primaryKey;size:36"`
	NextSeq       uint64 `gorm:"not null"`
	Pending       int64  `gorm:"not null"`
	Redeemed      int64  `gorm:"not null"`
	UpdatedAt     time.Time
}

func (accountV1) TableName() string { return "redemption_accounts" }

type settlementV1 struct {
	ID          string `gorm:"primaryKey;size:36"`
	VendorID    string `gorm:"size:36;not null;index"`
	ProgramID   string `gorm:"size:36;not null;index"`
	Amount      int64  `gorm:"not null"`
	Reference   string `gorm:"size:200;not null"`
	Status      string `gorm:"size:12;not null"`
	Reason      string `gorm:"size:500"`
	IntentID    int64  `gorm:"not null;index"`
	TxHash      string `gorm:"size:66"`
	BlockNumber uint64
	CreatedBy   string `gorm:"size:36"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (settlementV1) TableName() string { return "settlements" }

// refundV11 is refundRow as migration 11 created it.
type refundV11 struct {
	ID             string `gorm:"primaryKey;size:36"`
	RedemptionID   string `gorm:"size:36;not null;index"`
	VendorID       string `gorm:"size:36;not null;index"`
	BeneficiaryID  string `gorm:"size:36;not null"`
	ProgramID      string `gorm:"size:36;not null"`
	Amount         int64  `gorm:"not null"`
	Note           string `gorm:"size:200"`
	Actor          string `gorm:"size:36;not null;uniqueIndex:ux_refunds_key,priority:1"`
	IdempotencyKey string `gorm:"size:200;not null;uniqueIndex:ux_refunds_key,priority:2"`
	RequestHash    string `gorm:"size:64;not null"`
	Status         string `gorm:"size:12;not null"`
	Reason         string `gorm:"size:500"`
	IntentID       int64  `gorm:"not null"`
	TxHash         string `gorm:"size:66"`
	BlockNumber    uint64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (refundV11) TableName() string { return "refunds" }

// Schema is the redemption service's tables.
var Schema = store.Component{
	Name: "redeem",
	Migrations: []store.Migration{{
		Version: 1, Name: "redemptions, accounts, settlements",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&redemptionV1{}, &accountV1{}, &settlementV1{})
		},
	}, {
		// Every redemption asks for the oldest pending one (the chain-backlog check).
		Version: 2, Name: "index pending redemptions by age",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX ix_redemptions_status_created ON redemptions (status, created_at)").Error
		},
	}, {
		// Spent amounts are summed from redemptions under the account lock instead of being kept
		// as counters that every outcome had to update.
		Version: 3, Name: "accounts keep only the sequence counter",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("CREATE INDEX ix_redemptions_entitlement ON redemptions (beneficiary_id, program_id, status)").Error; err != nil {
				return err
			}
			for _, col := range []string{"pending", "redeemed"} {
				if err := tx.Exec("ALTER TABLE redemption_accounts DROP COLUMN " + col).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// Every index is a page written by every redemption; these three are prefixes of the
		// composite indexes of migrations 2 and 3, or serve no query.
		Version: 4, Name: "drop redundant redemption indexes",
		Up: func(tx *gorm.DB) error {
			for _, ix := range []string{"idx_redemptions_beneficiary_id", "idx_redemptions_program_id", "idx_redemptions_status"} {
				if err := tx.Exec("DROP INDEX IF EXISTS " + ix).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// The spent sum under the account lock read each redemption's row for its amount: a
		// random page of a large table per redemption, 11 % of the CPU under load. With the
		// amount in the index the sum reads only the index.
		Version: 5, Name: "entitlement index covers the amount",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("DROP INDEX ix_redemptions_entitlement").Error; err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX ix_redemptions_entitlement ON redemptions (beneficiary_id, program_id, status, amount)").Error
		},
	}, {
		// Settling a redemption changes its status. Every index that holds the status then moves
		// the entry: a random leaf of the entitlement index per redemption, and the status index
		// growing with every confirmed redemption ever, for one reader that wants the oldest
		// pending one. Counted in the WAL (sixteenth session), these were 2.9 of the 14.7 pages
		// SQLite wrote per redemption. Without the status the entitlement index is not touched
		// by the outcome: spent is all that was redeemed less what failed, and the few failed
		// ones have an index of their own. The pending ones do too, and it stays as small as the
		// chain's backlog. The literal 'pending' and 'failed' let the queries use them.
		Version: 6, Name: "indexes that settling does not rewrite",
		Up: func(tx *gorm.DB) error {
			for _, q := range []string{
				"DROP INDEX ix_redemptions_entitlement",
				"DROP INDEX ix_redemptions_status_created",
				"CREATE INDEX ix_redemptions_holder ON redemptions (beneficiary_id, program_id, amount)",
				"CREATE INDEX ix_redemptions_failed ON redemptions (beneficiary_id, program_id, amount) WHERE status = 'failed'",
				"CREATE INDEX ix_redemptions_pending ON redemptions (created_at) WHERE status = 'pending'",
			} {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// Settling reads a batch's redemptions by their chain refs, which are unique and so
		// indexed anyway; this index was written by every acceptance for that read alone.
		Version: 7, Name: "drop the index on intent_id",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("DROP INDEX idx_redemptions_intent_id").Error
		},
	}, {
		// A chain ref is the redemption's id followed by its category (ledger.Ref): unique
		// because the id is, and read by the id's primary key instead. Its own unique index was
		// a random leaf of a large index written by every acceptance and, on PostgreSQL, by
		// every settling too (no update there is HOT: the status is in two index predicates).
		Version: 8, Name: "drop the index on chain_ref",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("DROP INDEX idx_redemptions_chain_ref").Error
		},
	}, {
		// PostgreSQL rewrites a row in place (a HOT update: no index entry, the page only) when
		// no index names a column whose value changed, predicates included, and the page has
		// room. The status was in the predicates of the failed and pending indexes, so each
		// settled redemption wrote a new entry into each of the table's four other indexes. Now a
		// failed redemption's amount is in a column of its own, which only a failure sets, and
		// its index is partial on that column; the oldest pending redemption is read from the
		// pipeline's queue (Pipeline.OldestUnfinished). Half of each page is left free for the
		// new versions that a batch's settling writes beside the old ones. SQLite, which has no
		// HOT updates, writes two index entries fewer per redemption (the pending index's
		// insert and delete).
		Version: 9, Name: "settling changes no indexed column",
		Up: func(tx *gorm.DB) error {
			stmts := []string{
				"ALTER TABLE redemptions ADD COLUMN failed_amount BIGINT NOT NULL DEFAULT 0",
				"UPDATE redemptions SET failed_amount = amount WHERE status = 'failed'",
				"DROP INDEX ix_redemptions_failed",
				"DROP INDEX ix_redemptions_pending",
				"CREATE INDEX ix_redemptions_failed_amount ON redemptions (beneficiary_id, program_id, failed_amount) WHERE failed_amount > 0",
			}
			if store.DialectOf(tx) == store.Postgres {
				stmts = append(stmts, "ALTER TABLE redemptions SET (fillfactor = 50)")
			}
			for _, q := range stmts {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// An acceptance group asks which of its Idempotency-Keys were used before. By (vendor,
		// key) pairs, PostgreSQL could answer through the vendor index by creation time, and did
		// in plans made while the table was nearly empty, reading every redemption of the
		// group's vendors. By key alone, only an index that leads with the key serves: the same
		// uniqueness, the columns the other way round (redeem.keysTakenQuery).
		Version: 10, Name: "unique index of idempotency keys leads with the key",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("CREATE UNIQUE INDEX ux_redemptions_key_vendor ON redemptions (idempotency_key, vendor_id)").Error; err != nil {
				return err
			}
			return tx.Exec("DROP INDEX ux_redemptions_vendor_key").Error
		},
	}, {
		// Refunds give a sale back to its card. An entitlement's standing counts its confirmed
		// refunds on every acceptance: the partial index holds those alone, with the amount, so
		// that sum reads a few index entries (none for almost every card).
		Version: 11, Name: "refunds",
		Up: func(tx *gorm.DB) error {
			if err := tx.Migrator().CreateTable(&refundV11{}); err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX ix_refunds_holder ON refunds (beneficiary_id, program_id, amount) WHERE status = 'confirmed'").Error
		},
	}, {
		// A settlement recorded by mistake, or paid back, is taken back by a reversal: a row of
		// its own naming it, with a negative amount.
		Version: 12, Name: "settlement reversals",
		Up: func(tx *gorm.DB) error {
			for _, q := range []string{
				"ALTER TABLE settlements ADD COLUMN reverses_id VARCHAR(36) NOT NULL DEFAULT ''",
				"ALTER TABLE settlements ADD COLUMN note VARCHAR(200) NOT NULL DEFAULT ''",
				"CREATE INDEX ix_settlements_reverses ON settlements (reverses_id) WHERE reverses_id <> ''",
			} {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}},
}
