package report

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// totalled lists the event kinds whose sums and counts go to report_totals: every event that
// moves value in a program, and the rejections (counted, for the record).
var totalled = map[string]bool{
	index.KindFunded: true, index.KindAllocated: true, index.KindAllocationRejected: true,
	index.KindRedeemed: true, index.KindRedemptionRejected: true, index.KindSettled: true,
	index.KindExpired: true, index.KindRefunded: true, index.KindSettlementReversed: true,
}

// Run advances the rollups until ctx ends: as fast as the events come while behind, then every
// PollInterval.
func (s *Service) Run(ctx context.Context) error {
	failures := 0
	for {
		caughtUp, err := s.Advance(ctx)
		wait := s.cfg.PollInterval
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			wait = min(time.Duration(failures)*time.Second, 10*time.Second)
			s.log.Warn("report rollup failed", "err", err, "retry_in", wait)
		case !caughtUp:
			failures, wait = 0, 0
		default:
			failures = 0
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// CatchUp advances the rollups until they have counted every event indexed so far.
func (s *Service) CatchUp(ctx context.Context) error {
	for {
		done, err := s.Advance(ctx)
		if err != nil || done {
			return err
		}
	}
}

// refresh brings the rollups up to date before a read, bounded so that a read never waits for a
// long catch-up (Run does that): the answer then says the older block it is as of.
func (s *Service) refresh(ctx context.Context) error {
	for i := 0; i < s.cfg.MaxBatchesPerRead; i++ {
		done, err := s.Advance(ctx)
		if err != nil || done {
			return err
		}
	}
	return nil
}

// Advance counts one batch of new events into the rollups and reports whether they have caught
// up with the indexer.
//
// Reorgs: the indexer deletes the events of blocks that left the chain. If the last event the
// rollups counted is gone (or its id now names another log), something they counted was
// removed: the rollups are emptied and rebuilt from the first event. That is simple and always
// right; it costs a replay, which on a permissioned chain with final blocks only a node that lost
// its tail ever causes. Events removed before the rollups reached them need nothing.
//
// Several processes may advance the same rollups (replicas sharing PostgreSQL): each batch moves
// the cursor with a compare-and-set on the last event id as its first write, so of two racing
// batches one commits and the other rolls back.
func (s *Service) Advance(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	db := s.db.WithContext(ctx)
	name := s.cfg.Contract.Hex()
	if !s.cursorMade {
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Cursor{Name: name}).Error; err != nil {
			return false, fmt.Errorf("report cursor: %w", err)
		}
		s.cursorMade = true
	}
	var cur Cursor
	if err := db.First(&cur, "name = ?", name).Error; err != nil {
		return false, fmt.Errorf("report cursor: %w", err)
	}
	var ic index.Cursor
	err := db.First(&ic, "contract = ?", name).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return true, nil // nothing indexed yet
	}
	if err != nil {
		return false, fmt.Errorf("index cursor: %w", err)
	}
	// Only events up to the block the indexer has finished: a block's events are then complete,
	// and the answer can say which block it is as of.
	var events []index.Event
	if err := db.Where("id > ? AND block_number <= ?", cur.LastEventID, ic.Block).
		Order("id").Limit(s.cfg.BatchSize).Find(&events).Error; err != nil {
		return false, fmt.Errorf("read events: %w", err)
	}
	// Checked after reading the batch: a rollback committed before the read is then noticed here.
	if cur.LastEventID != 0 {
		var last index.Event
		err := db.Where("id = ?", cur.LastEventID).Limit(1).Find(&last).Error
		if err != nil {
			return false, fmt.Errorf("read last counted event: %w", err)
		}
		if last.ID == 0 || eventKey(last) != cur.LastEventKey {
			s.log.Warn("events the report counted were rolled back; rebuilding the report rollups", "last_event", cur.LastEventID)
			return false, s.reset(ctx, cur)
		}
	}
	if len(events) == 0 {
		if cur.AsOfBlock == ic.Block {
			return true, nil
		}
		return true, s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return moveCursor(tx, cur, cur.LastEventID, cur.LastEventKey, ic.Block)
		})
	}
	full := len(events) == s.cfg.BatchSize
	asOf := ic.Block
	if full {
		// The last block of the batch may have more events in the next one.
		asOf = max(cur.AsOfBlock, events[len(events)-1].BlockNumber-1)
	}
	last := events[len(events)-1]
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := moveCursor(tx, cur, last.ID, eventKey(last), asOf); err != nil {
			return err
		}
		return apply(tx, events)
	})
	if err != nil {
		return false, err
	}
	return !full, nil
}

// Rebuild empties the rollups and counts every indexed event again.
func (s *Service) Rebuild(ctx context.Context) error {
	s.mu.Lock()
	var cur Cursor
	err := s.db.WithContext(ctx).Limit(1).Find(&cur, "name = ?", s.cfg.Contract.Hex()).Error
	if err == nil && cur.Name != "" {
		err = s.reset(ctx, cur)
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.CatchUp(ctx)
}

// reset empties every rollup and puts the cursor back before the first event.
func (s *Service) reset(ctx context.Context, cur Cursor) error {
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := moveCursor(tx, cur, 0, "", 0); err != nil {
			return err
		}
		for _, t := range rollupTables {
			if err := tx.Session(&gorm.Session{AllowGlobalUpdate: true}).Delete(t).Error; err != nil {
				return fmt.Errorf("empty rollups: %w", err)
			}
		}
		return nil
	})
}

// errRaced is returned when another process moved the cursor first; the caller's next Advance
// starts from where that one left.
var errRaced = errors.New("report rollups advanced concurrently; retrying")

func moveCursor(tx *gorm.DB, cur Cursor, lastID int64, lastKey string, asOf uint64) error {
	res := tx.Model(&Cursor{}).Where("name = ? AND last_event_id = ? AND last_event_key = ?", cur.Name, cur.LastEventID, cur.LastEventKey).
		Updates(map[string]any{"last_event_id": lastID, "last_event_key": lastKey, "as_of_block": asOf, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return fmt.Errorf("move report cursor: %w", res.Error)
	}
	if res.RowsAffected != 1 {
		return errRaced
	}
	return nil
}

func eventKey(e index.Event) string {
	return e.BlockHash + ":" + strconv.FormatUint(uint64(e.LogIndex), 10)
}

// sums is an amount and a count being added up.
type sums struct{ amount, count int64 }

func (s *sums) add(amount int64) { s.amount += amount; s.count++ }

// refund takes a refund out of a redemption cell: the amount goes, the count of redemptions stays.
func (s *sums) refund(amount int64) { s.amount -= amount }

type (
	totalKey struct {
		program uint64
		kind    string
	}
	vendorDayK struct {
		program     uint64
		day, vendor string
	}
	categoryDay struct {
		program  uint64
		day      string
		category uint8
	}
	vendorKey struct {
		program uint64
		vendor  string
	}
)

// apply adds a batch of events to the rollups: summed in memory first, so a batch of thousands of
// redemptions costs one upsert per distinct cell.
func apply(tx *gorm.DB, events []index.Event) error {
	var programs []Program
	totals := map[totalKey]*sums{}
	vendorDays := map[vendorDayK]*sums{}
	categoryDays := map[categoryDay]*sums{}
	vendors := map[vendorKey]*sums{}
	beneficiaries := map[uint64]map[string]bool{}
	for _, e := range events {
		switch e.Kind {
		case index.KindProgramCreated:
			programs = append(programs, Program{ProgramID: e.ProgramID, CreatedBlock: e.BlockNumber})
		case index.KindAllocated:
			if beneficiaries[e.ProgramID] == nil {
				beneficiaries[e.ProgramID] = map[string]bool{}
			}
			beneficiaries[e.ProgramID][e.Beneficiary] = true
		case index.KindRedeemed:
			day := dayOf(e.BlockTime)
			cell(vendorDays, vendorDayK{e.ProgramID, day, e.Vendor}).add(e.Amount)
			cell(categoryDays, categoryDay{e.ProgramID, day, categoryOf(e.Ref)}).add(e.Amount)
			cell(vendors, vendorKey{e.ProgramID, e.Vendor}).add(e.Amount)
		case index.KindRefunded:
			// On the refund's own day, so that a period's figure is what moved in it; its
			// category is the redemption's, which the event's ref carries.
			day := dayOf(e.BlockTime)
			cell(vendorDays, vendorDayK{e.ProgramID, day, e.Vendor}).refund(e.Amount)
			cell(categoryDays, categoryDay{e.ProgramID, day, categoryOf(e.Ref)}).refund(e.Amount)
			cell(vendors, vendorKey{e.ProgramID, e.Vendor}).refund(e.Amount)
		}
		if totalled[e.Kind] {
			cell(totals, totalKey{e.ProgramID, e.Kind}).add(e.Amount)
		}
	}
	if len(programs) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&programs, 500).Error; err != nil {
			return fmt.Errorf("add programs: %w", err)
		}
	}
	var ts []Total
	for k, v := range totals {
		ts = append(ts, Total{ProgramID: k.program, Kind: k.kind, Amount: v.amount, Count: v.count})
	}
	var vds []VendorDay
	for k, v := range vendorDays {
		vds = append(vds, VendorDay{ProgramID: k.program, Day: k.day, Vendor: k.vendor, Amount: v.amount, Count: v.count})
	}
	var cds []CategoryDay
	for k, v := range categoryDays {
		cds = append(cds, CategoryDay{ProgramID: k.program, Day: k.day, Category: k.category, Amount: v.amount, Count: v.count})
	}
	var vs []Vendor
	for k, v := range vendors {
		vs = append(vs, Vendor{ProgramID: k.program, Vendor: k.vendor, Amount: v.amount, Count: v.count})
	}
	for _, u := range []struct {
		table string
		keys  []string
		rows  any
		n     int
	}{
		{"report_totals", []string{"program_id", "kind"}, &ts, len(ts)},
		{"report_vendor_days", []string{"program_id", "day", "vendor"}, &vds, len(vds)},
		{"report_category_days", []string{"program_id", "day", "category"}, &cds, len(cds)},
		{"report_vendors", []string{"program_id", "vendor"}, &vs, len(vs)},
	} {
		if u.n == 0 {
			continue
		}
		if err := addUp(tx, u.table, u.keys, u.rows); err != nil {
			return err
		}
	}
	for program, set := range beneficiaries {
		batch := make([]Beneficiary, 0, len(set))
		for b := range set {
			batch = append(batch, Beneficiary{ProgramID: program, Beneficiary: b})
		}
		// ON CONFLICT DO NOTHING: RowsAffected is the number of beneficiaries seen for the first
		// time, which keeps the distinct count without ever counting the set.
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&batch, 500)
		if res.Error != nil {
			return fmt.Errorf("add beneficiaries: %w", res.Error)
		}
		if res.RowsAffected > 0 {
			if err := tx.Model(&Program{}).Where("program_id = ?", program).
				Update("beneficiaries", gorm.Expr("beneficiaries + ?", res.RowsAffected)).Error; err != nil {
				return fmt.Errorf("count beneficiaries: %w", err)
			}
		}
	}
	return nil
}

func cell[K comparable](m map[K]*sums, k K) *sums {
	s, ok := m[k]
	if !ok {
		s = &sums{}
		m[k] = s
	}
	return s
}

// addUp inserts rows, or adds their amount and count to the rows already there.
func addUp(tx *gorm.DB, table string, keys []string, rows any) error {
	cols := make([]clause.Column, len(keys))
	for i, k := range keys {
		cols[i] = clause.Column{Name: k}
	}
	err := tx.Clauses(clause.OnConflict{
		Columns: cols,
		DoUpdates: clause.Assignments(map[string]any{
			"amount": gorm.Expr(`"` + table + `"."amount" + excluded."amount"`),
			"count":  gorm.Expr(`"` + table + `"."count" + excluded."count"`),
		}),
	}).CreateInBatches(rows, 500).Error
	if err != nil {
		return fmt.Errorf("add up %s: %w", table, err)
	}
	return nil
}

func dayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// categoryOf reads the spending category from a redemption's ref (byte 16, see ledger.Ref).
func categoryOf(ref string) uint8 {
	return uint8(ledger.ParseRef(common.HexToHash(ref)).Category)
}
