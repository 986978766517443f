// Package programs is the domain service for aid programs, donor funding, vendors and
// allocations. It writes its own rows and the pipeline intents that put them on chain in one
// database transaction, follows the intents' outcomes through pipeline hooks, and reports every
// figure (funded, allocated, redeemed…) from the indexed chain events, never from its own rows.
//
// Choices worth knowing:
//
//   - Donors. The chain sees a donor only as donorRef = keccak256(key), where key is 32 random
//     bytes drawn once per donor (by normalised name) and kept in the donors table. The reference
//     is stable (a donor's contributions can be summed from the chain alone) but opaque: unlike a
//     hash of the name, it cannot be reversed by hashing a list of candidate names.
//   - Vendors. A vendor's on-chain identity is an address, but vendors never sign: the operator
//     redeems on their behalf. The service therefore derives the address from a fresh random key
//     that it throws away. The address carries no information about the shop, and since nobody
//     holds its key, nobody can ever act on chain as the vendor.
//   - Funds check. An allocation job is refused when its total exceeds what the program has
//     funded but not allocated. Funding counts when its Funded event is indexed (confirmed on
//     chain). Allocations count as max(indexed Allocated events, what our jobs hold): a job holds
//     its whole total from the moment it is accepted until its items fail, so two jobs started at
//     once cannot together exceed the funding, and an allocation confirmed but not yet indexed is
//     still counted. The check runs under a write on the program row, which serialises jobs of
//     one program on PostgreSQL as on SQLite.
package programs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/pipeline"
)

var ledgerABI = aidledger.NewAidLedger()

// Recipient is a beneficiary as an allocation needs it.
type Recipient struct {
	ID            string
	ChainID       [32]byte
	HouseholdSize int
}

// Recipients is what the service needs from enrolment.
type Recipients interface {
	// Recipients streams active beneficiaries in chunks: exactly `ids` when given (an error
	// names unknown or suspended ones), or every active one when allActive (at location only,
	// and of the import importID only, when they are given).
	Recipients(ctx context.Context, ids []string, allActive bool, location, importID string, fn func([]Recipient) error) error
}

// Config configures a Service. Zero values take the defaults noted.
type Config struct {
	Logger *slog.Logger
	// FundWait bounds how long Fund waits for its transaction to be signed and mined before it
	// answers with what is known; 3s.
	FundWait time.Duration
	// ChunkSize is how many allocations one database transaction enqueues; 1000.
	ChunkSize int
	// Totals, when set, supplies programs' on-chain totals (the report service's rollups of the
	// same chain events), instead of summing chain_events on every read: the sums grow with a
	// program's history, the rollups do not.
	Totals func(ctx context.Context, chainIDs ...uint64) (map[uint64]Totals, error)
}

// Service is the programs domain service. Create it with New; Close stops its background work.
type Service struct {
	db         *gorm.DB
	p          *pipeline.Pipeline
	recipients Recipients
	cfg        Config
	log        *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New makes the service over db (migrated with pipeline.Schema, index.Schema and Schema) and
// registers its outcome hooks with p. Allocation jobs whose enqueueing stopped with a previous
// process (silent for two minutes) are marked failed, now and then every minute: what they
// enqueued still goes on chain, and they hold only that much funding.
func New(db *gorm.DB, p *pipeline.Pipeline, r Recipients, cfg Config) (*Service, error) {
	if db == nil || p == nil || r == nil {
		return nil, errors.New("programs: db, pipeline and recipients are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FundWait == 0 {
		cfg.FundWait = 3 * time.Second
	}
	if cfg.ChunkSize <= 0 {
		cfg.ChunkSize = 1000
	}
	s := &Service{db: db, p: p, recipients: r, cfg: cfg, log: cfg.Logger.With("component", "programs")}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if err := s.failInterruptedJobs(s.ctx); err != nil {
		s.cancel()
		return nil, err
	}
	p.OnOutcome(pipeline.KindCall, s.onCallOutcome)
	p.OnOutcome(pipeline.KindAllocate, s.onAllocateOutcome)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-s.ctx.Done():
				return
			case <-tick.C:
				if err := s.failInterruptedJobs(s.ctx); err != nil && s.ctx.Err() == nil {
					s.log.Warn("sweep interrupted allocation jobs", "err", err)
				}
			}
		}
	}()
	return s, nil
}

// Close stops background enqueueing and waits for it. A job stopped half-way is marked failed
// (holding only the funding it enqueued) by the next New.
func (s *Service) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func now() time.Time { return time.Now().UTC() }

// Page selects a slice of a list: at most Limit items (default 50, at most 500) after the item
// with id After (ids are UUIDv7, so this is creation order).
type Page struct {
	Limit int
	After string
}

func (pg Page) limit() int {
	switch {
	case pg.Limit <= 0:
		return 50
	case pg.Limit > 500:
		return 500
	}
	return pg.Limit
}

func (pg Page) apply(q *gorm.DB) *gorm.DB {
	if pg.After != "" {
		q = q.Where("id > ?", pg.After)
	}
	return q.Order("id").Limit(pg.limit())
}

// next is the cursor of the following page, or "" when this one was the last.
func next[T any](items []T, limit int, id func(T) string) string {
	if len(items) < limit || len(items) == 0 {
		return ""
	}
	return id(items[len(items)-1])
}

// Call intent refs: "program:<id>:create", "program:<id>:active:<version>",
// "fund:<id>", "vendor:<id>:approve:<version>", "vendor:<id>:revoke:<version>".
func (s *Service) onCallOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	for _, in := range intents {
		var err error
		switch {
		case strings.HasPrefix(in.Ref, "program:") && strings.HasSuffix(in.Ref, ":create"):
			err = s.programCreated(tx, strings.TrimSuffix(strings.TrimPrefix(in.Ref, "program:"), ":create"), in)
		case strings.HasPrefix(in.Ref, "fund:"):
			err = s.fundingSettled(tx, strings.TrimPrefix(in.Ref, "fund:"), in)
		case strings.HasPrefix(in.Ref, "vendor:"):
			err = s.vendorCallSettled(tx, strings.TrimPrefix(in.Ref, "vendor:"), in)
		default:
			if strings.HasPrefix(in.Ref, "program:") && in.Status == pipeline.IntentFailed {
				s.log.Error("program status change failed on chain", "ref", in.Ref, "reason", in.Reason)
			}
		}
		if err != nil {
			return fmt.Errorf("outcome of %s: %w", in.Ref, err)
		}
	}
	return nil
}
