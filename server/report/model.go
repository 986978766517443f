package report

import (
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// The rollups below are the report's read model: running sums of chain_events, advanced by a
// cursor on the event id, so that a report reads a few hundred rows instead of every redemption.
// They hold nothing that is not in chain_events (pseudonymous ids, vendor addresses, amounts):
// dropping them all and replaying the events gives the same figures, which is how a reorg is
// handled (see Service.advance).

// Program is a program the chain created (ProgramCreated), with its count of distinct
// beneficiaries ever allocated to, kept up to date as report_beneficiaries grows.
type Program struct {
	ProgramID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedBlock  uint64 `gorm:"not null"`
	Beneficiaries int64  `gorm:"not null"`
}

func (Program) TableName() string { return "report_programs" }

// Total is the sum and count of one kind of event in one program.
type Total struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Kind      string `gorm:"primaryKey;size:32"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (Total) TableName() string { return "report_totals" }

// VendorDay is one vendor's redemptions in one program on one UTC day.
type VendorDay struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Day       string `gorm:"primaryKey;size:10"` // YYYY-MM-DD, UTC block time
	Vendor    string `gorm:"primaryKey;size:42"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (VendorDay) TableName() string { return "report_vendor_days" }

// CategoryDay is one category's redemptions in one program on one UTC day (also the source of
// the per-day and per-week reports: at most a handful of categories per day).
type CategoryDay struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Day       string `gorm:"primaryKey;size:10"`
	Category  uint8  `gorm:"primaryKey;autoIncrement:false"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (CategoryDay) TableName() string { return "report_category_days" }

// Vendor is a vendor that redeemed in a program, with its all-time redemptions there: both the
// distinct-vendor set and the source of an unfiltered report by vendor or location.
type Vendor struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Vendor    string `gorm:"primaryKey;size:42"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (Vendor) TableName() string { return "report_vendors" }

// Beneficiary records that a pseudonymous beneficiary was allocated to in a program: the set
// behind Program.Beneficiaries.
type Beneficiary struct {
	ProgramID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Beneficiary string `gorm:"primaryKey;size:66"`
}

func (Beneficiary) TableName() string { return "report_beneficiaries" }

// Cursor is how far the rollups have read chain_events: every event with an id up to
// LastEventID is counted, and the figures are those of block AsOfBlock.
type Cursor struct {
	Name        string `gorm:"primaryKey;size:42"`
	LastEventID int64  `gorm:"not null"`
	// LastEventKey is that event's block hash and log index: if the row with LastEventID is gone
	// or is another log, the indexer rolled back events the rollups counted.
	LastEventKey string `gorm:"size:80;not null"`
	AsOfBlock    uint64 `gorm:"not null"`
	UpdatedAt    time.Time
}

func (Cursor) TableName() string { return "report_cursors" }

// Frozen copies of the models as migration 1 created them.
type programV1 struct {
	ProgramID     uint64 `gorm:"primaryKey;autoIncrement:false"`
	CreatedBlock  uint64 `gorm:"not null"`
	Beneficiaries int64  `gorm:"not null"`
}

func (programV1) TableName() string { return "report_programs" }

type totalV1 struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Kind      string `gorm:"primaryKey;size:32"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (totalV1) TableName() string { return "report_totals" }

type vendorDayV1 struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Day       string `gorm:"primaryKey;size:10"`
	Vendor    string `gorm:"primaryKey;size:42"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (vendorDayV1) TableName() string { return "report_vendor_days" }

type categoryDayV1 struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Day       string `gorm:"primaryKey;size:10"`
	Category  uint8  `gorm:"primaryKey;autoIncrement:false"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (categoryDayV1) TableName() string { return "report_category_days" }

type vendorV1 struct {
	ProgramID uint64 `gorm:"primaryKey;autoIncrement:false"`
	Vendor    string `gorm:"primaryKey;size:42"`
	Amount    int64  `gorm:"not null"`
	Count     int64  `gorm:"not null"`
}

func (vendorV1) TableName() string { return "report_vendors" }

type beneficiaryV1 struct {
	ProgramID   uint64 `gorm:"primaryKey;autoIncrement:false"`
	Beneficiary string `gorm:"primaryKey;size:66"`
}

func (beneficiaryV1) TableName() string { return "report_beneficiaries" }

type cursorV1 struct {
	Name        string `gorm:"primaryKey;size:42"`
	LastEventID int64  `gorm:"not null"`
	// LastEventKey is that event's block hash and log index: if the row with LastEventID is gone
	// or is another log, the indexer rolled back events the rollups counted.
	LastEventKey string `gorm:"size:80;not null"`
	AsOfBlock    uint64 `gorm:"not null"`
	UpdatedAt    time.Time
}

func (cursorV1) TableName() string { return "report_cursors" }

// Schema is the report's tables, for store.Migrate (after index.Schema: it reads chain_events).
var Schema = store.Component{
	Name: "report",
	Migrations: []store.Migration{{
		Version: 1,
		Name:    "rollups of chain events",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&programV1{}, &totalV1{}, &vendorDayV1{}, &categoryDayV1{},
				&vendorV1{}, &beneficiaryV1{}, &cursorV1{})
		},
	}},
}

// rollupTables lists every table a rebuild empties.
var rollupTables = []any{&Program{}, &Total{}, &VendorDay{}, &CategoryDay{}, &Vendor{}, &Beneficiary{}}
