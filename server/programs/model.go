package programs

import (
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// programRow is a program's off-chain record: its name and currency, which the chain does not
// hold, and the chain id the service chose for it. Its figures live on chain only.
type programRow struct {
	ID             string `gorm:"primaryKey;size:36"`
	Name           string `gorm:"size:200;not null"`
	Currency       string `gorm:"size:3;not null"`
	Decimals       int    `gorm:"not null"`
	Status         string `gorm:"size:16;not null"`
	ChainProgramID uint64 `gorm:"not null;uniqueIndex"`
	// Version counts status changes, so that each setProgramActive call has its own intent ref.
	Version   int    `gorm:"not null"`
	CreatedBy string `gorm:"size:100"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (programRow) TableName() string { return "programs" }

// donorRow maps a donor's name (kept off chain) to the opaque reference the chain sees.
type donorRow struct {
	ID        string `gorm:"primaryKey;size:36"`
	Name      string `gorm:"size:200;not null;uniqueIndex"` // normalised: trimmed, lower-case
	Ref       string `gorm:"size:66;not null;uniqueIndex"`  // 0x-hex keccak256 of a random key
	CreatedAt time.Time
}

func (donorRow) TableName() string { return "donors" }

// fundingRow is one recorded donor contribution and its intent.
type fundingRow struct {
	ID        string `gorm:"primaryKey;size:36"`
	ProgramID string `gorm:"size:36;not null;index"`
	Amount    int64  `gorm:"not null"`
	Donor     string `gorm:"size:200;not null"`
	DonorRef  string `gorm:"size:66;not null"`
	IntentID  int64  `gorm:"not null"`
	Status    string `gorm:"size:16;not null"`
	TxHash    string `gorm:"size:66"`
	Reason    string `gorm:"size:500"`
	CreatedBy string `gorm:"size:100"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (fundingRow) TableName() string { return "fundings" }

// vendorRow is a shop. Address is its identity on chain.
type vendorRow struct {
	ID         string `gorm:"primaryKey;size:36"`
	Name       string `gorm:"size:200;not null"`
	Location   string `gorm:"size:200;not null"`
	Categories string `gorm:"size:500;not null"` // comma-separated slugs from the vocabulary
	Address    string `gorm:"size:42;not null;uniqueIndex"`
	Status     string `gorm:"size:16;not null"`
	// Version counts approve/revoke calls, so that each has its own intent ref.
	Version   int    `gorm:"not null"`
	CreatedBy string `gorm:"size:100"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (vendorRow) TableName() string { return "vendors" }

// jobRow is one allocation cycle being put on chain. Reserved is the value the job holds
// against the program's funding: all of AmountTotal while it runs, only what was enqueued if it
// stopped early.
type jobRow struct {
	ID                 string `gorm:"primaryKey;size:36"`
	ProgramID          string `gorm:"size:36;not null;index"`
	Cycle              int    `gorm:"not null"`
	Status             string `gorm:"size:16;not null"`
	AmountPerHousehold int64  `gorm:"not null"`
	AmountPerMember    int64  `gorm:"not null"`
	Total              int    `gorm:"not null"`
	AmountTotal        int64  `gorm:"not null"`
	Reserved           int64  `gorm:"not null"`
	Enqueued           int    `gorm:"not null"`
	EnqueuedAmount     int64  `gorm:"not null"`
	EnqueueDone        bool   `gorm:"not null"`
	// Items the chain settled, kept by the outcome hook in the transaction that settles them
	// (migration 2), so that reading a job's progress does not count its items.
	ConfirmedItems int    `gorm:"not null"`
	FailedItems    int    `gorm:"not null"`
	Error          string `gorm:"size:500"`
	CreatedBy      string `gorm:"size:100"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (jobRow) TableName() string { return "allocation_jobs" }

// itemRow is one beneficiary's allocation in a job. IntentID is its pipeline intent, which is
// how outcomes find their item (an ever-increasing key: cheap to index, unlike the intent's
// random-looking ref). Status mirrors the intent's: pending (also while submitted), confirmed
// or failed.
type itemRow struct {
	ID               int64  `gorm:"primaryKey"`
	JobID            string `gorm:"size:36;not null;index:ix_allocation_items_job_status,priority:1"`
	ProgramID        string `gorm:"size:36;not null;index:ix_allocation_items_program_status,priority:1"`
	BeneficiaryID    string `gorm:"size:36;not null"`
	ChainBeneficiary string `gorm:"size:66;not null"`
	Cycle            int    `gorm:"not null"`
	Amount           int64  `gorm:"not null"`
	IntentID         int64  `gorm:"not null;uniqueIndex"`
	Status           string `gorm:"size:16;not null;index:ix_allocation_items_job_status,priority:2;index:ix_allocation_items_program_status,priority:2"`
	Reason           string `gorm:"size:500"`
	UpdatedAt        time.Time
}

func (itemRow) TableName() string { return "allocation_items" }

// entitlementRow is what the chain confirmed for one beneficiary in one program, kept by the
// allocation outcome hook so that redemption can find a card's programs without a chain call.
type entitlementRow struct {
	ProgramID          string `gorm:"primaryKey;size:36"`
	BeneficiaryID      string `gorm:"primaryKey;size:36;index"`
	ChainProgramID     uint64 `gorm:"not null"`
	ChainBeneficiary   string `gorm:"size:66;not null;index"`
	AllocatedConfirmed int64  `gorm:"not null"`
	LastCycle          int    `gorm:"not null"`
	UpdatedAt          time.Time
}

func (entitlementRow) TableName() string { return "entitlements" }

// Frozen copies of the models as migration 1 created them.
type programV1 struct {
	ID             string `gorm:"primaryKey;size:36"`
	Name           string `gorm:"size:200;not null"`
	Currency       string `gorm:"size:3;not null"`
	Decimals       int    `gorm:"not null"`
	Status         string `gorm:"size:16;not null"`
	ChainProgramID uint64 `gorm:"not null;uniqueIndex"`
	Version        int    `gorm:"not null"`
	CreatedBy      string `gorm:"size:100"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (programV1) TableName() string { return "programs" }

type donorV1 struct {
	ID        string `gorm:"primaryKey;size:36"`
	Name      string `gorm:"size:200;not null;uniqueIndex"`
	Ref       string `gorm:"size:66;not null;uniqueIndex"`
	CreatedAt time.Time
}

func (donorV1) TableName() string { return "donors" }

type fundingV1 struct {
	ID        string `gorm:"primaryKey;size:36"`
	ProgramID string `gorm:"size:36;not null;index"`
	Amount    int64  `gorm:"not null"`
	Donor     string `gorm:"size:200;not null"`
	DonorRef  string `gorm:"size:66;not null"`
	IntentID  int64  `gorm:"not null"`
	Status    string `gorm:"size:16;not null"`
	TxHash    string `gorm:"size:66"`
	Reason    string `gorm:"size:500"`
	CreatedBy string `gorm:"size:100"`
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (fundingV1) TableName() string { return "fundings" }

type vendorV1 struct {
	ID         string `gorm:"primaryKey;size:36"`
	Name       string `gorm:"size:200;not null"`
	Location   string `gorm:"size:200;not null"`
	Categories string `gorm:"size:500;not null"`
	Address    string `gorm:"size:42;not null;uniqueIndex"`
	Status     string `gorm:"size:16;not null"`
	Version    int    `gorm:"not null"`
	CreatedBy  string `gorm:"size:100"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (vendorV1) TableName() string { return "vendors" }

type jobV1 struct {
	ID                 string `gorm:"primaryKey;size:36"`
	ProgramID          string `gorm:"size:36;not null;index"`
	Cycle              int    `gorm:"not null"`
	Status             string `gorm:"size:16;not null"`
	AmountPerHousehold int64  `gorm:"not null"`
	AmountPerMember    int64  `gorm:"not null"`
	Total              int    `gorm:"not null"`
	AmountTotal        int64  `gorm:"not null"`
	Reserved           int64  `gorm:"not null"`
	Enqueued           int    `gorm:"not null"`
	EnqueuedAmount     int64  `gorm:"not null"`
	EnqueueDone        bool   `gorm:"not null"`
	Error              string `gorm:"size:500"`
	CreatedBy          string `gorm:"size:100"`
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (jobV1) TableName() string { return "allocation_jobs" }

type itemV1 struct {
	ID               int64  `gorm:"primaryKey"`
	JobID            string `gorm:"size:36;not null;index:ix_allocation_items_job_status,priority:1"`
	ProgramID        string `gorm:"size:36;not null;index:ix_allocation_items_program_status,priority:1"`
	BeneficiaryID    string `gorm:"size:36;not null"`
	ChainBeneficiary string `gorm:"size:66;not null"`
	Cycle            int    `gorm:"not null"`
	Amount           int64  `gorm:"not null"`
	IntentID         int64  `gorm:"not null;uniqueIndex"`
	Status           string `gorm:"size:16;not null;index:ix_allocation_items_job_status,priority:2;index:ix_allocation_items_program_status,priority:2"`
	Reason           string `gorm:"size:500"`
	UpdatedAt        time.Time
}

func (itemV1) TableName() string { return "allocation_items" }

type entitlementV1 struct {
	ProgramID          string `gorm:"primaryKey;size:36"`
	BeneficiaryID      string `gorm:"primaryKey;size:36;index"`
	ChainProgramID     uint64 `gorm:"not null"`
	ChainBeneficiary   string `gorm:"size:66;not null;index"`
	AllocatedConfirmed int64  `gorm:"not null"`
	LastCycle          int    `gorm:"not null"`
	UpdatedAt          time.Time
}

func (entitlementV1) TableName() string { return "entitlements" }

// Schema is this package's tables, for store.Migrate. It reads the pipeline's and the
// indexer's tables, so it migrates after theirs.
var Schema = store.Component{
	Name: "programs",
	Migrations: []store.Migration{{
		Version: 1,
		Name:    "programs, donors, fundings, vendors, allocation jobs and items, entitlements",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&programV1{}, &donorV1{}, &fundingV1{}, &vendorV1{}, &jobV1{}, &itemV1{}, &entitlementV1{})
		},
	}, {
		// A job's progress was counted from its items at every read: 58 ms of PostgreSQL's time
		// for a job of 100,000 items, read twice a second by whoever watches the progress bar
		// while the job runs, and ten times that at 1,000,000. The outcome hook now keeps the
		// counts on the job, in the transaction that settles the items.
		Version: 2, Name: "allocation jobs count their settled items",
		Up: func(tx *gorm.DB) error {
			for _, q := range []string{
				"ALTER TABLE allocation_jobs ADD COLUMN confirmed_items INTEGER NOT NULL DEFAULT 0",
				"ALTER TABLE allocation_jobs ADD COLUMN failed_items INTEGER NOT NULL DEFAULT 0",
				"UPDATE allocation_jobs SET " +
					"confirmed_items = (SELECT COUNT(*) FROM allocation_items i WHERE i.job_id = allocation_jobs.id AND i.status = 'confirmed'), " +
					"failed_items = (SELECT COUNT(*) FROM allocation_items i WHERE i.job_id = allocation_jobs.id AND i.status = 'failed')",
			} {
				if err := tx.Exec(q).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}},
}
