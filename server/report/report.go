// Package report answers donors and the public: where every unit of a program went, by vendor,
// category, location and time, and every on-chain transaction behind it.
//
// Every figure is computed from the indexed chain events (chain_events), never from the API's own
// records, so each traces to a log anyone can fetch from the chain (and `aidledger verify` does).
// Each answer says the block it is as of. Nothing personal is reported: beneficiaries appear only
// as their on-chain pseudonym, and chain events hold nothing else about them.
//
// Reports read rollups (running sums per program, kind, day, vendor and category) that Run, or
// any read, advances from chain_events by a cursor on the event id; see Advance for reorgs.
package report

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/store"
)

// ProgramInfo is the API's view of a program.
type ProgramInfo struct {
	ID       string // the API's program id
	ChainID  uint64 // the program id on chain
	Name     string
	Currency string
	Decimals int // minor units per major unit, as a power of ten
}

// VendorInfo is the public part of a vendor's record.
type VendorInfo struct {
	Name     string
	Location string
}

// Directory names what the chain only numbers: programs and vendors, from the API's records.
type Directory interface {
	// Program maps a chain program id to the API's program (id, name, currency); ok=false if unknown.
	Program(ctx context.Context, chainID uint64) (ProgramInfo, bool, error)
	Programs(ctx context.Context) ([]ProgramInfo, error)
	// Vendor maps a vendor address (checksummed hex) to name and location.
	Vendor(ctx context.Context, address string) (VendorInfo, bool, error)
}

// VendorLister is what a Directory may also offer to name many vendors in one call; reports by
// vendor or location use it when present instead of one Vendor call per vendor.
type VendorLister interface {
	Vendors(ctx context.Context, addresses []string) (map[string]VendorInfo, error)
}

// Config configures a Service.
type Config struct {
	Contract common.Address // the ledger whose indexed events are reported
	ChainID  uint64         // reported as chain_id
	// BatchSize is the number of events counted per rollup transaction; 5000.
	BatchSize int
	// MaxBatchesPerRead bounds the catching up a read does before answering; 2.
	MaxBatchesPerRead int
	PollInterval      time.Duration // Run's pause once caught up; 500ms
	Logger            *slog.Logger
}

// Service computes reports. Its zero value is not usable; use New.
type Service struct {
	db  *gorm.DB
	dir Directory
	cfg Config
	log *slog.Logger
	mu  sync.Mutex // one Advance at a time in this process
	// cursorMade: this process has made sure the cursor row exists. Rows are never deleted, so
	// once is enough; on SQLite every write, even one that changes nothing, takes a turn on the
	// one write connection.
	cursorMade bool
}

// New makes a report service over db (migrated with index.Schema and Schema).
func New(db *gorm.DB, dir Directory, cfg Config) *Service {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 5000
	}
	if cfg.MaxBatchesPerRead <= 0 {
		cfg.MaxBatchesPerRead = 2
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{db: db, dir: dir, cfg: cfg, log: cfg.Logger.With("component", "report")}
}

// Summary is every program's totals.
type Summary struct {
	AsOfBlock uint64           `json:"as_of_block"`
	ChainID   uint64           `json:"chain_id"`
	Contract  string           `json:"contract"`
	Programs  []ProgramSummary `json:"programs"`
}

// ProgramSummary is one program's totals, in minor units of its currency.
type ProgramSummary struct {
	ID             string `json:"id"` // the API's program id; empty if the API does not know it
	ChainProgramID uint64 `json:"chain_program_id"`
	Name           string `json:"name"`
	Currency       string `json:"currency"`
	Decimals       int    `json:"decimals"`
	Funded         int64  `json:"funded"`
	Allocated      int64  `json:"allocated"`
	// Redeemed is net of refunds, as the ledger keeps it: what vendors are owed or were paid.
	Redeemed int64 `json:"redeemed"`
	Refunded int64 `json:"refunded"` // given back to beneficiaries out of redemptions (Refunded events)
	// Settled is net of reversals, as the ledger keeps it: what the agency paid vendors.
	Settled         int64 `json:"settled"`
	SettledReversed int64 `json:"settled_reversed"` // settlements taken back (SettlementReversed events)
	Expired         int64 `json:"expired"`
	// Outstanding is allocated − redeemed − expired: what beneficiaries still hold.
	Outstanding   int64 `json:"outstanding"`
	Beneficiaries int64 `json:"beneficiaries"` // distinct beneficiaries ever allocated to
	Vendors       int64 `json:"vendors"`       // distinct vendors that redeemed
	Redemptions   int64 `json:"redemptions"`   // Redeemed events
	Refunds       int64 `json:"refunds"`       // Refunded events
}

// readTx runs fn in a read transaction so that the cursor and the rollups it reads agree even
// while a batch is being counted (SQLite's WAL gives a snapshot; PostgreSQL needs REPEATABLE READ).
func (s *Service) readTx(ctx context.Context, fn func(tx *gorm.DB, cur Cursor) error) error {
	var opts *sql.TxOptions
	if store.DialectOf(s.db) == store.Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var cur Cursor
		if err := tx.Limit(1).Find(&cur, "name = ?", s.cfg.Contract.Hex()).Error; err != nil {
			return fmt.Errorf("report cursor: %w", err)
		}
		return fn(tx, cur)
	}, opts)
}

// Summary reports every program the chain created.
func (s *Service) Summary(ctx context.Context) (Summary, error) {
	out := Summary{ChainID: s.cfg.ChainID, Contract: s.cfg.Contract.Hex(), Programs: []ProgramSummary{}}
	if err := s.refresh(ctx); err != nil {
		return out, err
	}
	infos, err := s.programsByChainID(ctx)
	if err != nil {
		return out, err
	}
	err = s.readTx(ctx, func(tx *gorm.DB, cur Cursor) error {
		out.AsOfBlock = cur.AsOfBlock
		var programs []Program
		if err := tx.Order("program_id").Find(&programs).Error; err != nil {
			return err
		}
		var totals []Total
		if err := tx.Find(&totals).Error; err != nil {
			return err
		}
		var vendors []struct {
			ProgramID uint64
			N         int64
		}
		if err := tx.Model(&Vendor{}).Select("program_id, COUNT(*) AS n").Group("program_id").Scan(&vendors).Error; err != nil {
			return err
		}
		byID := map[uint64]*ProgramSummary{}
		for _, p := range programs {
			info := infos[p.ProgramID]
			out.Programs = append(out.Programs, ProgramSummary{
				ID: info.ID, ChainProgramID: p.ProgramID, Name: info.Name, Currency: info.Currency, Decimals: info.Decimals, Beneficiaries: p.Beneficiaries,
			})
		}
		for i := range out.Programs {
			byID[out.Programs[i].ChainProgramID] = &out.Programs[i]
		}
		for _, t := range totals {
			p := byID[t.ProgramID]
			if p == nil {
				continue
			}
			switch t.Kind {
			case index.KindFunded:
				p.Funded = t.Amount
			case index.KindAllocated:
				p.Allocated = t.Amount
			case index.KindRedeemed:
				p.Redeemed, p.Redemptions = p.Redeemed+t.Amount, t.Count
			case index.KindRefunded:
				p.Redeemed, p.Refunded, p.Refunds = p.Redeemed-t.Amount, t.Amount, t.Count
			case index.KindSettled:
				p.Settled += t.Amount
			case index.KindSettlementReversed:
				p.Settled, p.SettledReversed = p.Settled-t.Amount, t.Amount
			case index.KindExpired:
				p.Expired = t.Amount
			}
		}
		for _, v := range vendors {
			if p := byID[v.ProgramID]; p != nil {
				p.Vendors = v.N
			}
		}
		for i := range out.Programs {
			p := &out.Programs[i]
			p.Outstanding = p.Allocated - p.Redeemed - p.Expired
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("summary: %w", err)
	}
	return out, nil
}

func (s *Service) programsByChainID(ctx context.Context) (map[uint64]ProgramInfo, error) {
	list, err := s.dir.Programs(ctx)
	if err != nil {
		return nil, fmt.Errorf("list programs: %w", err)
	}
	m := make(map[uint64]ProgramInfo, len(list))
	for _, p := range list {
		m[p.ChainID] = p
	}
	return m, nil
}

// program finds the API's program by its id.
func (s *Service) program(ctx context.Context, id string) (ProgramInfo, bool, error) {
	list, err := s.dir.Programs(ctx)
	if err != nil {
		return ProgramInfo{}, false, fmt.Errorf("list programs: %w", err)
	}
	for _, p := range list {
		if p.ID == id {
			return p, true, nil
		}
	}
	return ProgramInfo{}, false, nil
}

// vendorInfos names vendors, in one call when the directory can.
func (s *Service) vendorInfos(ctx context.Context, addrs []string) (map[string]VendorInfo, error) {
	if l, ok := s.dir.(VendorLister); ok {
		m, err := l.Vendors(ctx, addrs)
		if err != nil {
			return nil, fmt.Errorf("name vendors: %w", err)
		}
		return m, nil
	}
	m := make(map[string]VendorInfo, len(addrs))
	for _, a := range addrs {
		v, ok, err := s.dir.Vendor(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("name vendor %s: %w", a, err)
		}
		if ok {
			m[a] = v
		}
	}
	return m, nil
}
