// Package enroll is the beneficiary domain: enrollment with deduplication, encrypted personal
// data that can be erased, card numbers with a check digit, PINs, suspension (in the database and
// on chain), printable cards and bulk CSV import. It has no HTTP; server/api calls it.
//
// Personal data never leaves this package in clear except through Get/List/Update (for aid
// workers) and is never logged. At rest, a beneficiary's name, date of birth, national id and
// phone are sealed with AES-256-GCM under a random per-beneficiary data key, itself wrapped by the
// master key; erasing destroys both. Deduplication and search use HMAC-SHA256 lookup hashes of
// normalized values (see normalize.go), so matching never needs the plaintext.
package enroll

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// Beneficiary statuses. Erasure is not a status: an erased beneficiary keeps its status, chain id
// and ledger history, and only loses the personal data.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
)

// MaxPINFailures wrong PINs in a row lock the card until an aid worker resets the PIN.
const MaxPINFailures = 5

// Domain errors. Handlers map them to status and code through apierr.
var (
	ErrDuplicate = apierr.New(http.StatusConflict, "duplicate_beneficiary",
		"a beneficiary with the same national id, phone, or name and date of birth is already enrolled")
	ErrWrongPIN   = apierr.New(http.StatusUnprocessableEntity, "wrong_pin", "the PIN is not correct")
	ErrCardLocked = apierr.New(http.StatusUnprocessableEntity, "card_locked",
		"too many wrong PINs: the card is locked until an aid worker resets the PIN")
	ErrInvalidCard = apierr.New(http.StatusBadRequest, "invalid_card_number",
		"the card number is malformed or mistyped (its check digit does not match)")
	ErrUnknownCard = apierr.ErrNotFound.Withf("no beneficiary holds this card number")
	// ErrCardReplaced: the card was reported lost and replaced; whoever shows it is not its holder,
	// or holds an old card.
	ErrCardReplaced = apierr.New(http.StatusGone, "card_replaced", "this card was reported lost and replaced: it no longer works")
	ErrErased       = apierr.New(http.StatusConflict, "beneficiary_erased",
		"this beneficiary's personal data has been erased")
	ErrIneligible = apierr.New(http.StatusUnprocessableEntity, "ineligible_beneficiaries",
		"some beneficiaries are unknown or not active")
	ErrInvalidCSV = apierr.New(http.StatusBadRequest, "invalid_csv", "the file is not a valid import CSV")
)

// Keys are the service's secrets, 32 bytes each, kept outside the database (the caller generates
// and persists them). They must stay the same across restarts: Master unwraps data keys, Lookup
// computes deduplication and search hashes, PIN computes PIN hashes.
type Keys struct {
	Master []byte
	Lookup []byte
	PIN    []byte
}

// Config configures a Service. Zero values take the defaults noted.
type Config struct {
	Keys Keys
	// ImportDir holds uploaded CSV files while they are imported (owner-only). It should survive
	// restarts: an import interrupted by a restart resumes from its last committed batch.
	ImportDir string
	Logger    *slog.Logger
	// DefaultCountryCode (digits, e.g. "962") turns national phone numbers with a trunk prefix
	// ("0791234567") into international ones ("+962791234567"), so both spellings match. Without
	// it, numbers are compared as written (digits only, leading + kept; "00" means "+").
	DefaultCountryCode string
	// CardTitle is printed on cards (the agency or program name); optional.
	CardTitle string
	// ImportBatch is the number of CSV rows per database transaction; 2000.
	ImportBatch int
	// MaxImportBytes caps an upload; 256 MiB.
	MaxImportBytes int64
}

// Service is the beneficiary service. It is safe for concurrent use.
type Service struct {
	db  *gorm.DB
	p   *pipeline.Pipeline
	cfg Config
	log *slog.Logger
	*keys
	owner string // the import directory's name (ImportOwnerFile)
	// abandonedChecked is when endAbandonedImports last looked (unix nanoseconds).
	abandonedChecked atomic.Int64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New makes the service and resumes imports that a previous process left running.
func New(db *gorm.DB, p *pipeline.Pipeline, cfg Config) (*Service, error) {
	if db == nil || p == nil {
		return nil, errors.New("enroll: database and pipeline are required")
	}
	k, err := newKeys(cfg.Keys)
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ImportBatch <= 0 {
		cfg.ImportBatch = 2000
	}
	if cfg.MaxImportBytes <= 0 {
		cfg.MaxImportBytes = 256 << 20
	}
	if cfg.ImportDir == "" {
		cfg.ImportDir = os.TempDir()
	}
	if err := os.MkdirAll(cfg.ImportDir, 0o700); err != nil {
		return nil, fmt.Errorf("enroll: import dir: %w", err)
	}
	owner, err := importOwner(cfg.ImportDir)
	if err != nil {
		return nil, fmt.Errorf("enroll: import dir: %w", err)
	}
	if !isDigits(cfg.DefaultCountryCode) {
		return nil, errors.New("enroll: DefaultCountryCode must be digits only")
	}
	if err := checkKeys(context.Background(), db, k, cfg.Keys); err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{db: db, p: p, cfg: cfg, log: cfg.Logger.With("component", "enroll"), keys: k, owner: owner, ctx: ctx, cancel: cancel}
	if err := s.resumeImports(); err != nil {
		cancel()
		return nil, fmt.Errorf("enroll: %w", err)
	}
	return s, nil
}

// Close stops import workers and waits for them. An import stopped half-way is left "running"
// with its last committed batch recorded, and resumes when a new Service starts.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
