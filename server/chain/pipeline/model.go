package pipeline

import (
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// Intent statuses. An intent moves pending → submitted → confirmed | failed; a submitted intent
// whose transaction can no longer be mined (its nonce went to another transaction, or the
// whole transaction reverted for a reason worth retrying) goes back to pending.
const (
	IntentPending   = "pending"
	IntentSubmitted = "submitted"
	IntentConfirmed = "confirmed"
	IntentFailed    = "failed"
)

// Transaction statuses. "signed" is stored before the first send; "sent" means *maybe* sent (a
// send that errored or timed out is still maybe sent: the node may have accepted it); "mined"
// has a receipt; "dropped" can never be mined because its nonce went to another transaction.
const (
	TxSigned  = "signed"
	TxSent    = "sent"
	TxMined   = "mined"
	TxDropped = "dropped"
)

// Intent is one thing a caller wants done on chain ("redeem these 40 units", "create program 7").
// Ref is the caller's own id for it, unique per kind: enqueueing the same ref twice is a no-op, so
// a caller that retries after a crash never creates a second intent.
type Intent struct {
	ID          int64  `gorm:"primaryKey"`
	Kind        string `gorm:"size:32;not null;uniqueIndex:ux_chain_intents_kind_ref,priority:1"`
	Ref         string `gorm:"size:100;not null;uniqueIndex:ux_chain_intents_kind_ref,priority:2"`
	Lane        int    `gorm:"not null"`         // in the queue's index, ix_chain_intents_queue (migration 7)
	Status      string `gorm:"size:16;not null"` // in no index, so that confirming is HOT (migration 7)
	BatchKey    string `gorm:"size:100;not null"`
	Payload     []byte
	TxID        *int64 `gorm:"index:ix_chain_intents_tx"` // of the non-NULL ones only (migration 6)
	TxHash      string `gorm:"size:66"`
	BlockNumber uint64
	LogIndex    uint
	Reason      string `gorm:"size:500"`
	Attempts    int
	NotBefore   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (Intent) TableName() string { return "chain_intents" }

// Final reports whether the intent reached a state it never leaves.
func (i Intent) Final() bool { return i.Status == IntentConfirmed || i.Status == IntentFailed }

// Outcome is the intent's state as its caller sees it: "pending" until it is final (pending and
// submitted alike), then "confirmed" or "failed". The services' own statuses (a redemption's, a
// funding's) use the same three words.
func (i Intent) Outcome() string {
	if i.Final() {
		return i.Status
	}
	return IntentPending
}

// Tx is a signed transaction, stored with its raw bytes before it is first sent so that after a
// crash it is re-sent as it was (same nonce, same hash) instead of being rebuilt.
type Tx struct {
	ID           int64  `gorm:"primaryKey"`
	Lane         int    `gorm:"not null;index:ix_chain_txs_lane_status_block,priority:1"`
	Nonce        uint64 `gorm:"not null"`
	Hash         string `gorm:"size:66;not null;uniqueIndex"`
	Raw          []byte `gorm:"not null"`
	Kind         string `gorm:"size:32;not null"`
	Items        int    `gorm:"not null"`
	Status       string `gorm:"size:16;not null;index:ix_chain_txs_lane_status_block,priority:2"`
	Success      bool
	BlockNumber  uint64 `gorm:"index:ix_chain_txs_lane_status_block,priority:3"`
	BlockHash    string `gorm:"size:66"`
	GasUsed      uint64
	Error        string `gorm:"size:500"`
	SendAttempts int
	LastSentAt   time.Time
	// PriorHashes are the earlier versions of a transaction re-priced at the same nonce
	// (fees.go), space-separated: one of them may be the one mined.
	PriorHashes string `gorm:"type:text;not null"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (Tx) TableName() string { return "chain_txs" }

// Lane is one operator key's submission state: its next nonce, and a lease so that of several
// server replicas sharing a database only one submits with the key at a time.
type Lane struct {
	Lane       int    `gorm:"primaryKey;autoIncrement:false"`
	Address    string `gorm:"size:42;not null"`
	NextNonce  uint64 `gorm:"not null"`
	LeaseOwner string `gorm:"size:100"`
	LeaseUntil time.Time
	UpdatedAt  time.Time
}

func (Lane) TableName() string { return "chain_lanes" }

// Frozen copies of the models as migration 1 created them.
type intentV1 struct {
	ID          int64  `gorm:"primaryKey"`
	Kind        string `gorm:"size:32;not null;uniqueIndex:ux_chain_intents_kind_ref,priority:1"`
	Ref         string `gorm:"size:100;not null;uniqueIndex:ux_chain_intents_kind_ref,priority:2"`
	Lane        int    `gorm:"not null;index:ix_chain_intents_lane_status,priority:1"`
	Status      string `gorm:"size:16;not null;index:ix_chain_intents_lane_status,priority:2"`
	BatchKey    string `gorm:"size:100;not null"`
	Payload     []byte
	TxID        *int64
	TxHash      string `gorm:"size:66"`
	BlockNumber uint64
	LogIndex    uint
	Reason      string `gorm:"size:500"`
	Attempts    int
	NotBefore   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (intentV1) TableName() string { return "chain_intents" }

type txV1 struct {
	ID           int64  `gorm:"primaryKey"`
	Lane         int    `gorm:"not null;index:ix_chain_txs_lane_status,priority:1"`
	Nonce        uint64 `gorm:"not null"`
	Hash         string `gorm:"size:66;not null;uniqueIndex"`
	Raw          []byte `gorm:"not null"`
	Kind         string `gorm:"size:32;not null"`
	Items        int    `gorm:"not null"`
	Status       string `gorm:"size:16;not null;index:ix_chain_txs_lane_status,priority:2"`
	Success      bool
	BlockNumber  uint64
	BlockHash    string `gorm:"size:66"`
	GasUsed      uint64
	Error        string `gorm:"size:500"`
	SendAttempts int
	LastSentAt   time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (txV1) TableName() string { return "chain_txs" }

type laneV1 struct {
	Lane       int    `gorm:"primaryKey;autoIncrement:false"`
	Address    string `gorm:"size:42;not null"`
	NextNonce  uint64 `gorm:"not null"`
	LeaseOwner string `gorm:"size:100"`
	LeaseUntil time.Time
	UpdatedAt  time.Time
}

func (laneV1) TableName() string { return "chain_lanes" }

// Schema is the pipeline's tables, for store.Migrate.
var Schema = store.Component{
	Name: "pipeline",
	Migrations: []store.Migration{{
		Version: 1,
		Name:    "intents, transactions and lanes",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&intentV1{}, &txV1{}, &laneV1{})
		},
	}, {
		// Settling a receipt reads its transaction's intents: without this index every receipt
		// scanned every intent ever made.
		Version: 2,
		Name:    "index intents by transaction",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX ix_chain_intents_tx ON chain_intents (tx_id)").Error
		},
	}, {
		// Every 2 s each lane compares its transactions mined in the last reorgWindow blocks
		// with the chain. By (lane, status) alone that read every transaction the lane ever
		// mined, raw bytes included: the cost grew with history, to 4% of the server's CPU
		// at a few hundred thousand redemptions. The new index also serves every (lane,
		// status) query the old one did.
		Version: 3,
		Name:    "index transactions by lane, status and block",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("CREATE INDEX ix_chain_txs_lane_status_block ON chain_txs (lane, status, block_number)").Error; err != nil {
				return err
			}
			return tx.Migrator().DropIndex(&txV1{}, "ix_chain_txs_lane_status")
		},
	}, {
		// A lane reads its pending intents oldest first, 2,000 at most. By (lane, status)
		// PostgreSQL's generic plan for that read (status a parameter, so "one status in
		// two") walked the primary key in id order and filtered: through every intent ever
		// confirmed, 26 ms a read at 140,000 intents, the largest share of PostgreSQL's CPU
		// under load. The read now names the status in its text and this index holds only the
		// pending intents, in order: it costs what it returns, whatever the plan. SQLite needs
		// none: its (lane, status) index holds the rowid, which is the id, so it is in order.
		Version: 4,
		Name:    "index the pending intents by lane and id",
		Up: func(tx *gorm.DB) error {
			if store.DialectOf(tx) != store.Postgres {
				return nil
			}
			return tx.Exec("CREATE INDEX ix_chain_intents_queue ON chain_intents (lane, id) WHERE status = 'pending'").Error
		},
	}, {
		Version: 5,
		Name:    "earlier versions of re-priced transactions",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("ALTER TABLE chain_txs ADD COLUMN prior_hashes TEXT NOT NULL DEFAULT ''").Error
		},
	}, {
		// Every intent is stored without a transaction. In an index of all of them each
		// acceptance wrote its NULL entry, and each signing moved it: a page of every acceptance
		// commit for entries no query reads, as settling asks for one transaction's intents
		// (tx_id = ?, which both engines match to an index of the non-NULL ones).
		Version: 6,
		Name:    "index only the intents that have a transaction",
		Up: func(tx *gorm.DB) error {
			if err := tx.Exec("DROP INDEX ix_chain_intents_tx").Error; err != nil {
				return err
			}
			return tx.Exec("CREATE INDEX ix_chain_intents_tx ON chain_intents (tx_id) WHERE tx_id IS NOT NULL").Error
		},
	}, {
		// No update of an intent was HOT on PostgreSQL: the status was in (lane, status) and
		// in the queue's predicate, so each of an intent's moves wrote a new entry into every
		// index of the table (three updates per redemption, 664,000 non-HOT updates in a
		// benchmark). An intent is pending exactly while it has no transaction (signing sets
		// tx_id with the status, and every way back to pending clears it), so the queue is the
		// intents without a transaction, and no index names the status: confirming an intent,
		// and re-pricing or un-mining its transaction, changes no indexed column. Signing still
		// sets tx_id, which its own index must learn. The submitted intents, which (lane,
		// status) found, are those of the lane's transactions in flight
		// (ix_chain_txs_lane_status_block, then ix_chain_intents_tx). PostgreSQL leaves half of
		// each page free for the versions signing and confirming write beside the first.
		Version: 7,
		Name:    "queue the intents without a transaction; index no status",
		Up: func(tx *gorm.DB) error {
			pg := store.DialectOf(tx) == store.Postgres
			stmts := []string{"DROP INDEX ix_chain_intents_lane_status"}
			if pg {
				stmts = append(stmts, "DROP INDEX ix_chain_intents_queue")
			}
			stmts = append(stmts, "CREATE INDEX ix_chain_intents_queue ON chain_intents (lane, id) WHERE tx_id IS NULL")
			if pg {
				stmts = append(stmts, "ALTER TABLE chain_intents SET (fillfactor = 50)")
			}
			for _, s := range stmts {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}, {
		// Statistics of the intents' transaction and status describe a moment, and the queue
		// changes by the hundred thousand between two of them. Taken while an allocation of
		// 100,000 was queued, they said a third of all intents were pending; once signed, the
		// lanes' reads walked the primary key through every intent in search of the few still
		// pending (60-130 ms a read, 10 s of PostgreSQL's time in one allocation, until the next
		// analysis). Without statistics for the two columns the planner assumes few rows match
		// and reads the queue's own index. A target of 0 only stops new statistics, so the
		// columns' types are set to what they are, which drops the ones already taken.
		Version: 8,
		Name:    "no statistics of the intents' transaction and status",
		Up: func(tx *gorm.DB) error {
			if store.DialectOf(tx) != store.Postgres {
				return nil // SQLite's planner reads the queue's index without statistics
			}
			for _, s := range []string{
				"ALTER TABLE chain_intents ALTER COLUMN tx_id SET STATISTICS 0, ALTER COLUMN status SET STATISTICS 0",
				"ALTER TABLE chain_intents ALTER COLUMN tx_id TYPE bigint, ALTER COLUMN status TYPE varchar(16)",
			} {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}},
}
