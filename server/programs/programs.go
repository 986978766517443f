package programs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// Program statuses. A program is pending until its creation is confirmed on chain, then
// active; closing and reopening switch between active and closed. failed: the chain refused
// the creation.
const (
	ProgramPending = "pending"
	ProgramActive  = "active"
	ProgramClosed  = "closed"
	ProgramFailed  = "failed"
)

// ProgramRequest creates a program.
type ProgramRequest struct {
	Name     string `json:"name"`
	Currency string `json:"currency"` // ISO 4217 shape: three upper-case letters
	Decimals int    `json:"decimals"` // minor units per major unit, as a power of ten: 0..6
}

// Totals are a program's figures, summed from the indexed chain events.
type Totals struct {
	Funded      int64 `json:"funded"`
	Allocated   int64 `json:"allocated"`
	Redeemed    int64 `json:"redeemed"` // net of refunds, as the ledger keeps it
	Refunded    int64 `json:"refunded"`
	Settled     int64 `json:"settled"` // net of reversals
	Expired     int64 `json:"expired"`
	Outstanding int64 `json:"outstanding"` // allocated − redeemed − expired
}

// Program is a program's view.
type Program struct {
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	Currency       string  `json:"currency"`
	Decimals       int     `json:"decimals"`
	Status         string  `json:"status"`
	ChainProgramID uint64  `json:"chain_program_id"`
	Totals         *Totals `json:"totals,omitempty"`
	// LastCycle is the newest cycle allocated (0: none yet), in the answer about one program:
	// the next allocation must be newer, so a form can offer the next one instead of a cycle
	// the server refuses as stale_cycle.
	LastCycle *int `json:"last_cycle,omitempty"`
}

func programView(r programRow) Program {
	return Program{ID: r.ID, Name: r.Name, Currency: r.Currency, Decimals: r.Decimals, Status: r.Status, ChainProgramID: r.ChainProgramID}
}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

func (r *ProgramRequest) validate() error {
	var err error
	if r.Name, err = programName(r.Name); err != nil {
		return err
	}
	if !currencyRE.MatchString(r.Currency) {
		return apierr.Invalid("currency", "must be three upper-case letters (ISO 4217), e.g. USD")
	}
	if r.Decimals < 0 || r.Decimals > 6 {
		return apierr.Invalid("decimals", "must be between 0 and 6")
	}
	return nil
}

// CreateProgram records a program and enqueues its creation on chain, in one transaction. Its
// chain id is the next one free both in the programs table and among the ProgramCreated events
// (the server names a program before its transaction is mined).
func (s *Service) CreateProgram(ctx context.Context, actor string, req ProgramRequest) (Program, error) {
	if err := req.validate(); err != nil {
		return Program{}, err
	}
	row := programRow{ID: newID(), Name: req.Name, Currency: req.Currency, Decimals: req.Decimals,
		Status: ProgramPending, CreatedBy: actor, CreatedAt: now(), UpdatedAt: now()}
	var err error
	// A replica creating a program at the same moment may take the same chain id first (on
	// PostgreSQL; SQLite serialises the transactions): the unique index refuses ours, and we
	// take the next.
	for attempt := 0; attempt < 5; attempt++ {
		err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
			var maxRow, maxEvent uint64
			if err := tx.Model(&programRow{}).Select("COALESCE(MAX(chain_program_id), 0)").Scan(&maxRow).Error; err != nil {
				return err
			}
			if err := tx.Model(&index.Event{}).Where("kind = ?", index.KindProgramCreated).
				Select("COALESCE(MAX(program_id), 0)").Scan(&maxEvent).Error; err != nil {
				return err
			}
			row.ChainProgramID = max(maxRow, maxEvent) + 1
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			_, err := s.p.Enqueue(ctx, tx, pipeline.CallIntent(programRef(row.ID, "create"), ledgerABI.PackCreateProgram(row.ChainProgramID)))
			return err
		})
		if !store.IsUniqueViolation(err) {
			break
		}
	}
	if err != nil {
		return Program{}, fmt.Errorf("create program %q: %w", req.Name, err)
	}
	return programView(row), nil
}

func programRef(id, what string) string { return "program:" + id + ":" + what }

// programCreated follows the creation's outcome. Only a pending program changes, so a hook run
// twice, or one arriving after the program was closed, changes nothing.
func (s *Service) programCreated(tx *gorm.DB, id string, in pipeline.Intent) error {
	var from, to string
	switch in.Status {
	case pipeline.IntentConfirmed:
		from, to = ProgramPending, ProgramActive
	case pipeline.IntentFailed:
		from, to = ProgramPending, ProgramFailed
		s.log.Error("program creation failed on chain", "program", id, "reason", in.Reason)
	default: // the chain went backwards under the creation: not on chain until mined again
		from, to = ProgramActive, ProgramPending
	}
	return tx.Model(&programRow{}).Where("id = ? AND status = ?", id, from).
		Updates(map[string]any{"status": to, "updated_at": now()}).Error
}

// programName is a program's name as stored: trimmed, 1 to 200 characters.
func programName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); n < 1 || n > 200 {
		return "", apierr.Invalid("name", "must be 1 to 200 characters")
	}
	return s, nil
}

// ProgramPatch corrects a program's record. Only the name: the currency and its decimals fix
// what every amount already on chain means.
type ProgramPatch struct {
	Name string `json:"name"`
}

// RenameProgram corrects a program's name (a typo donors would otherwise read on the transparency
// page for good). Reports name programs when they are read, so every figure follows it.
func (s *Service) RenameProgram(ctx context.Context, actor, id string, p ProgramPatch) (Program, error) {
	name, err := programName(p.Name)
	if err != nil {
		return Program{}, err
	}
	if _, err := s.programRow(ctx, s.db, id); err != nil {
		return Program{}, err
	}
	if err := s.db.WithContext(ctx).Model(&programRow{}).Where("id = ?", id).
		Updates(map[string]any{"name": name, "updated_at": now()}).Error; err != nil {
		return Program{}, fmt.Errorf("rename program %s: %w", id, err)
	}
	return s.Program(ctx, id)
}

// Program reads one program with its totals from the indexed chain events.
func (s *Service) Program(ctx context.Context, id string) (Program, error) {
	row, err := s.programRow(ctx, s.db, id)
	if err != nil {
		return Program{}, err
	}
	totals, err := s.totals(ctx, row.ChainProgramID)
	if err != nil {
		return Program{}, err
	}
	// From the jobs alone: reading the chain's side means an event per beneficiary allocated,
	// millions in a large programme, on every look at a program. A form offering a cycle the
	// chain already has is still refused with stale_cycle.
	last, err := lastJobCycle(s.db.WithContext(ctx), row)
	if err != nil {
		return Program{}, err
	}
	v := programView(row)
	t := totals[row.ChainProgramID]
	v.Totals = &t
	v.LastCycle = &last
	return v, nil
}

// ProgramByChainID finds the program with the given on-chain id (reports joining chain events
// to names).
func (s *Service) ProgramByChainID(ctx context.Context, chainID uint64) (Program, error) {
	var row programRow
	err := s.db.WithContext(ctx).Where("chain_program_id = ?", chainID).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Program{}, fmt.Errorf("program with chain id %d: %w", chainID, apierr.ErrNotFound)
	}
	if err != nil {
		return Program{}, fmt.Errorf("read program with chain id %d: %w", chainID, err)
	}
	return programView(row), nil
}

// Programs lists programs in creation order, with their totals, and the cursor of the next
// page ("" on the last).
func (s *Service) Programs(ctx context.Context, pg Page) ([]Program, string, error) {
	var rows []programRow
	if err := pg.apply(s.db.WithContext(ctx)).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list programs: %w", err)
	}
	ids := make([]uint64, len(rows))
	for i, r := range rows {
		ids[i] = r.ChainProgramID
	}
	totals, err := s.totals(ctx, ids...)
	if err != nil {
		return nil, "", err
	}
	out := make([]Program, len(rows))
	for i, r := range rows {
		out[i] = programView(r)
		t := totals[r.ChainProgramID]
		out[i].Totals = &t
	}
	return out, next(out, pg.limit(), func(p Program) string { return p.ID }), nil
}

// SetProgramActive closes (active=false) or reopens a program, on chain and off. Closing stops
// allocations and redemptions, and funding through this service; the chain still accepts
// funding, expiry and settlement so that a closed program can be wound down.
func (s *Service) SetProgramActive(ctx context.Context, actor, id string, active bool) (Program, error) {
	var row programRow
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		var err error
		if row, err = s.programRow(ctx, tx, id); err != nil {
			return err
		}
		want := ProgramClosed
		if active {
			want = ProgramActive
		}
		switch row.Status {
		case want:
			return nil // already so: nothing to send
		case ProgramPending:
			return ErrProgramPending
		case ProgramFailed:
			return ErrProgramInactive.Withf("the program's creation failed on chain")
		}
		res := tx.Model(&programRow{}).Where("id = ? AND status = ? AND version = ?", id, row.Status, row.Version).
			Updates(map[string]any{"status": want, "version": row.Version + 1, "updated_at": now()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apierr.ErrConflict.Withf("the program changed meanwhile; try again")
		}
		row.Status, row.Version = want, row.Version+1
		ref := programRef(id, "active:"+strconv.Itoa(row.Version))
		_, err = s.p.Enqueue(ctx, tx, pipeline.CallIntent(ref, ledgerABI.PackSetProgramActive(row.ChainProgramID, active)))
		return err
	})
	if err != nil {
		return Program{}, fmt.Errorf("set program %s active=%t: %w", id, active, err)
	}
	return programView(row), nil
}

func (s *Service) programRow(ctx context.Context, db *gorm.DB, id string) (programRow, error) {
	var row programRow
	err := db.WithContext(ctx).Where("id = ?", id).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return row, fmt.Errorf("program %s: %w", id, apierr.ErrNotFound)
	}
	if err != nil {
		return row, fmt.Errorf("read program %s: %w", id, err)
	}
	return row, nil
}

// totals sums the indexed events of the given chain programs. Every program asked for has an
// entry, zero when it has no events yet.
func (s *Service) totals(ctx context.Context, chainIDs ...uint64) (map[uint64]Totals, error) {
	if s.cfg.Totals != nil {
		return s.cfg.Totals(ctx, chainIDs...)
	}
	return totalsOf(s.db.WithContext(ctx), chainIDs...)
}

func totalsOf(db *gorm.DB, chainIDs ...uint64) (map[uint64]Totals, error) {
	out := make(map[uint64]Totals, len(chainIDs))
	if len(chainIDs) == 0 {
		return out, nil
	}
	var sums []struct {
		ProgramID uint64
		Kind      string
		Total     int64
	}
	err := db.Model(&index.Event{}).Select("program_id, kind, COALESCE(SUM(amount), 0) AS total").
		Where("program_id IN ? AND kind IN ?", chainIDs, []string{index.KindFunded, index.KindAllocated,
			index.KindRedeemed, index.KindRefunded, index.KindSettled, index.KindSettlementReversed, index.KindExpired}).
		Group("program_id, kind").Scan(&sums).Error
	if err != nil {
		return nil, fmt.Errorf("sum chain events: %w", err)
	}
	for _, id := range chainIDs {
		out[id] = Totals{}
	}
	for _, r := range sums {
		t := out[r.ProgramID]
		switch r.Kind {
		case index.KindFunded:
			t.Funded = r.Total
		case index.KindAllocated:
			t.Allocated = r.Total
		case index.KindRedeemed:
			t.Redeemed += r.Total
		case index.KindRefunded:
			t.Redeemed -= r.Total
			t.Refunded = r.Total
		case index.KindSettled:
			t.Settled += r.Total
		case index.KindSettlementReversed:
			t.Settled -= r.Total
		case index.KindExpired:
			t.Expired = r.Total
		}
		out[r.ProgramID] = t
	}
	for id, t := range out {
		t.Outstanding = t.Allocated - t.Redeemed - t.Expired
		out[id] = t
	}
	return out, nil
}

// ProgramNames lists every program without totals: the cheap directory that reports use to put
// names on chain program ids.
func (s *Service) ProgramNames(ctx context.Context) ([]Program, error) {
	var rows []programRow
	if err := s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list programs: %w", err)
	}
	out := make([]Program, len(rows))
	for i, r := range rows {
		out[i] = programView(r)
	}
	return out, nil
}

// ProgramInfo reads a program without its totals: the cheap lookup for hot paths (a redemption
// needs the status and chain id, never the sums over its history).
func (s *Service) ProgramInfo(ctx context.Context, id string) (Program, error) {
	row, err := s.programRow(ctx, s.db, id)
	if err != nil {
		return Program{}, err
	}
	return programView(row), nil
}
