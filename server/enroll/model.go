package enroll

import (
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// beneficiaryRow is a beneficiary as stored. Personal fields live only in Personal (sealed) and
// in one-way lookup hashes; everything else is needed in clear for cards, allocation and reports.
type beneficiaryRow struct {
	ID         string `gorm:"primaryKey;size:36;index:ix_beneficiaries_status_id,priority:2"`
	CardNumber string `gorm:"size:11;not null;uniqueIndex:ux_beneficiaries_card"`
	ChainID    string `gorm:"size:66;not null;uniqueIndex:ux_beneficiaries_chain"`
	Status     string `gorm:"size:16;not null;index:ix_beneficiaries_status_id,priority:1"`
	// StatusVersion counts status changes, making each change's chain intent ref unique.
	StatusVersion int    `gorm:"not null"`
	HouseholdSize int    `gorm:"not null"`
	Location      string `gorm:"size:200;not null"`
	// WrappedKey is the data key sealed by the master key; Personal is the personal fields
	// sealed by the data key. Both nil once erased.
	WrappedKey []byte
	Personal   []byte
	// NameKey is the name-only lookup hash (not unique: two people may share a name), for search.
	NameKey     []byte     `gorm:"index:ix_beneficiaries_name_key"`
	PINHash     []byte     `gorm:"column:pin_hash;not null"`
	PINFailures int        `gorm:"column:pin_failures;not null"`
	PINLockedAt *time.Time `gorm:"column:pin_locked_at"`
	ImportID    *string    `gorm:"size:36"` // indexed with id (migration 4)
	ErasedAt    *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (beneficiaryRow) TableName() string { return "beneficiaries" }

// Lookup kinds. The unique (kind, hash) key is what makes deduplication hold under concurrency.
const (
	lookupNationalID = "national_id"
	lookupPhone      = "phone"
	lookupNameDOB    = "name_dob"
)

type lookupRow struct {
	Kind          string `gorm:"primaryKey;size:16"`
	Hash          []byte `gorm:"primaryKey"`
	BeneficiaryID string `gorm:"size:36;not null;index:ix_beneficiary_lookups_beneficiary"`
}

func (lookupRow) TableName() string { return "beneficiary_lookups" }

// Import statuses.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

type importRow struct {
	ID     string `gorm:"primaryKey;size:36"`
	Status string `gorm:"size:16;not null;index"`
	Actor  string `gorm:"size:100;not null"`
	Path   string `gorm:"size:500;not null"`
	// Owner is the import directory that holds the file (ImportOwnerFile): a server resumes only
	// its own imports, never a replica's whose file it does not have (migration 5; "" before).
	Owner      string `gorm:"size:36;not null;default:''"`
	Total      int    `gorm:"not null"`
	Processed  int    `gorm:"not null"`
	Created    int    `gorm:"not null"`
	Duplicates int    `gorm:"not null"`
	Failed     int    `gorm:"not null"`
	ErrorCount int    `gorm:"not null"`
	Error      string `gorm:"size:500"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

func (importRow) TableName() string { return "beneficiary_imports" }

type importErrorRow struct {
	ID       int64  `gorm:"primaryKey"`
	ImportID string `gorm:"size:36;not null;index:ix_beneficiary_import_errors_import,priority:1"`
	Row      int    `gorm:"not null;index:ix_beneficiary_import_errors_import,priority:2"`
	Field    string `gorm:"size:32"`
	Message  string `gorm:"size:300;not null"`
}

func (importErrorRow) TableName() string { return "beneficiary_import_errors" }

// keyFingerprintRow records which keys sealed this database's personal data, lookups and PINs
// (a one-way fingerprint of each, not the key), so a server given another secrets.json refuses
// to start rather than seal new rows under keys the old ones do not share.
type keyFingerprintRow struct {
	Name        string `gorm:"primaryKey;size:16"`
	Fingerprint string `gorm:"size:64;not null"`
}

func (keyFingerprintRow) TableName() string { return "enroll_key_fingerprints" }

// Frozen copies of the models as migration 1 created them.
type beneficiaryV1 struct {
	ID            string `gorm:"primaryKey;size:36;index:ix_beneficiaries_status_id,priority:2"`
	CardNumber    string `gorm:"size:11;not null;uniqueIndex:ux_beneficiaries_card"`
	ChainID       string `gorm:"size:66;not null;uniqueIndex:ux_beneficiaries_chain"`
	Status        string `gorm:"size:16;not null;index:ix_beneficiaries_status_id,priority:1"`
	StatusVersion int    `gorm:"not null"`
	HouseholdSize int    `gorm:"not null"`
	Location      string `gorm:"size:200;not null"`
	WrappedKey    []byte
	Personal      []byte
	NameKey       []byte     `gorm:"index:ix_beneficiaries_name_key"`
	PINHash       []byte     `gorm:"column:pin_hash;not null"`
	PINFailures   int        `gorm:"column:pin_failures;not null"`
	PINLockedAt   *time.Time `gorm:"column:pin_locked_at"`
	ImportID      *string    `gorm:"size:36"`
	ErasedAt      *time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (beneficiaryV1) TableName() string { return "beneficiaries" }

type lookupV1 struct {
	Kind          string `gorm:"primaryKey;size:16"`
	Hash          []byte `gorm:"primaryKey"`
	BeneficiaryID string `gorm:"size:36;not null;index:ix_beneficiary_lookups_beneficiary"`
}

func (lookupV1) TableName() string { return "beneficiary_lookups" }

type importV1 struct {
	ID         string `gorm:"primaryKey;size:36"`
	Status     string `gorm:"size:16;not null;index"`
	Actor      string `gorm:"size:100;not null"`
	Path       string `gorm:"size:500;not null"`
	Total      int    `gorm:"not null"`
	Processed  int    `gorm:"not null"`
	Created    int    `gorm:"not null"`
	Duplicates int    `gorm:"not null"`
	Failed     int    `gorm:"not null"`
	ErrorCount int    `gorm:"not null"`
	Error      string `gorm:"size:500"`
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

func (importV1) TableName() string { return "beneficiary_imports" }

type importErrorV1 struct {
	ID       int64  `gorm:"primaryKey"`
	ImportID string `gorm:"size:36;not null;index:ix_beneficiary_import_errors_import,priority:1"`
	Row      int    `gorm:"not null;index:ix_beneficiary_import_errors_import,priority:2"`
	Field    string `gorm:"size:32"`
	Message  string `gorm:"size:300;not null"`
}

func (importErrorV1) TableName() string { return "beneficiary_import_errors" }

// replacedCardRow is a card number given up for a new one (lost or stolen): a shop shown the old
// card is told that, not "unknown card", and can keep it aside. Card numbers identify nobody.
type replacedCardRow struct {
	CardNumber    string    `gorm:"primaryKey;size:11"`
	BeneficiaryID string    `gorm:"size:36;not null"`
	ReplacedAt    time.Time `gorm:"not null"`
}

func (replacedCardRow) TableName() string { return "replaced_cards" }

type replacedCardV2 struct {
	CardNumber    string    `gorm:"primaryKey;size:11"`
	BeneficiaryID string    `gorm:"size:36;not null"`
	ReplacedAt    time.Time `gorm:"not null"`
}

func (replacedCardV2) TableName() string { return "replaced_cards" }

type keyFingerprintV3 struct {
	Name        string `gorm:"primaryKey;size:16"`
	Fingerprint string `gorm:"size:64;not null"`
}

func (keyFingerprintV3) TableName() string { return "enroll_key_fingerprints" }

// Schema is the enroll component's tables, for store.Migrate.
var Schema = store.Component{
	Name: "enroll",
	Migrations: []store.Migration{{
		Version: 1,
		Name:    "beneficiaries, lookups and imports",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&beneficiaryV1{}, &lookupV1{}, &importV1{}, &importErrorV1{})
		},
	}, {
		Version: 2,
		Name:    "replaced cards",
		Up:      func(tx *gorm.DB) error { return tx.Migrator().CreateTable(&replacedCardV2{}) },
	}, {
		Version: 3,
		Name:    "key fingerprints",
		Up:      func(tx *gorm.DB) error { return tx.Migrator().CreateTable(&keyFingerprintV3{}) },
	}, {
		Version: 4,
		Name:    "an import's beneficiaries in order, for printing its cards",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("CREATE INDEX ix_beneficiaries_import ON beneficiaries (import_id, id)").Error
		},
	}, {
		Version: 5,
		Name:    "imports name the directory that holds their file",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("ALTER TABLE beneficiary_imports ADD COLUMN owner VARCHAR(36) NOT NULL DEFAULT ''").Error
		},
	}},
}
