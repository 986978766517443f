package programs

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// onAllocateOutcome mirrors allocation outcomes into items and entitlements. It is idempotent:
// an item's confirmed amount is added to its entitlement only when the item becomes confirmed,
// and taken back if the chain went backwards under it.
func (s *Service) onAllocateOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	ids := make([]int64, len(intents))
	byID := make(map[int64]pipeline.Intent, len(intents))
	for i, in := range intents {
		ids[i] = in.ID
		byID[in.ID] = in
	}
	var items []itemRow
	if err := tx.Where("intent_id IN ?", ids).Find(&items).Error; err != nil {
		return fmt.Errorf("read allocation items: %w", err)
	}
	deltas := map[entitlementKey]*entitlementRow{}
	progress := map[string]*jobProgress{}
	var confirmed, pending []int64
	var reverted []entitlementKey
	for _, it := range items {
		in := byID[it.IntentID]
		to := in.Outcome()
		if to == it.Status {
			continue
		}
		p := progress[it.JobID]
		if p == nil {
			p = &jobProgress{}
			progress[it.JobID] = p
		}
		p.move(it.Status, to)
		switch to {
		case itemConfirmed:
			confirmed = append(confirmed, it.ID)
		case itemPending:
			pending = append(pending, it.ID)
		case itemFailed:
			if err := tx.Model(&itemRow{}).Where("id = ?", it.ID).
				Updates(map[string]any{"status": itemFailed, "reason": truncate(in.Reason, 500), "updated_at": now()}).Error; err != nil {
				return err
			}
		}
		var delta int64
		if to == itemConfirmed {
			delta = it.Amount
		} else if it.Status == itemConfirmed {
			delta = -it.Amount
		}
		if delta == 0 {
			continue
		}
		k := entitlementKey{it.ProgramID, it.BeneficiaryID}
		e := deltas[k]
		if e == nil {
			e = &entitlementRow{ProgramID: it.ProgramID, BeneficiaryID: it.BeneficiaryID, ChainBeneficiary: it.ChainBeneficiary}
			deltas[k] = e
		}
		e.AllocatedConfirmed += delta
		if delta > 0 {
			e.LastCycle = max(e.LastCycle, it.Cycle)
		} else {
			reverted = append(reverted, k)
		}
	}
	for status, ids := range map[string][]int64{itemConfirmed: confirmed, itemPending: pending} {
		if len(ids) > 0 {
			if err := tx.Model(&itemRow{}).Where("id IN ?", ids).
				Updates(map[string]any{"status": status, "reason": "", "updated_at": now()}).Error; err != nil {
				return fmt.Errorf("update allocation items: %w", err)
			}
		}
	}
	if err := updateEntitlements(tx, deltas, reverted); err != nil {
		return err
	}
	return countSettled(tx, progress)
}

// updateEntitlements adds what the chain confirmed (or took back) to the entitlements.
func updateEntitlements(tx *gorm.DB, deltas map[entitlementKey]*entitlementRow, reverted []entitlementKey) error {
	if len(deltas) == 0 {
		return nil
	}
	programIDs := make([]string, 0, len(deltas))
	for k := range deltas {
		programIDs = append(programIDs, k.program)
	}
	chainIDs, err := chainProgramIDs(tx, programIDs)
	if err != nil {
		return err
	}
	rows := make([]entitlementRow, 0, len(deltas))
	for _, e := range deltas {
		e.ChainProgramID, e.UpdatedAt = chainIDs[e.ProgramID], now()
		rows = append(rows, *e)
	}
	err = tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "program_id"}, {Name: "beneficiary_id"}},
		DoUpdates: clause.Assignments(map[string]any{
			"allocated_confirmed": gorm.Expr("entitlements.allocated_confirmed + excluded.allocated_confirmed"),
			"last_cycle":          gorm.Expr("CASE WHEN excluded.last_cycle > entitlements.last_cycle THEN excluded.last_cycle ELSE entitlements.last_cycle END"),
			"updated_at":          gorm.Expr("excluded.updated_at"),
		}),
	}).CreateInBatches(&rows, 200).Error
	if err != nil {
		return fmt.Errorf("update entitlements: %w", err)
	}
	// A credit the chain took back: the last cycle is the newest one still confirmed.
	for _, k := range reverted {
		if err := tx.Model(&entitlementRow{}).Where("program_id = ? AND beneficiary_id = ?", k.program, k.beneficiary).
			Update("last_cycle", tx.Model(&itemRow{}).Select("COALESCE(MAX(cycle), 0)").
				Where("program_id = ? AND beneficiary_id = ? AND status = ?", k.program, k.beneficiary, itemConfirmed)).Error; err != nil {
			return fmt.Errorf("recompute last cycle: %w", err)
		}
	}
	return nil
}

type entitlementKey struct{ program, beneficiary string }

// jobProgress is how many of a job's items one settling confirmed and failed, less those it
// took back (a chain going backwards makes a confirmed or failed item pending again).
type jobProgress struct{ confirmed, failed int }

func (p *jobProgress) move(from, to string) {
	p.add(from, -1)
	p.add(to, 1)
}

func (p *jobProgress) add(status string, n int) {
	switch status {
	case itemConfirmed:
		p.confirmed += n
	case itemFailed:
		p.failed += n
	}
}

// countSettled adds each job's progress to its counts, last in the hook and in the jobs' order:
// two lanes settling items of the same job wait for each other on its row until they commit, so
// the row is held as briefly as the hook allows and never taken in an order that could
// deadlock.
func countSettled(tx *gorm.DB, progress map[string]*jobProgress) error {
	for _, id := range slices.Sorted(maps.Keys(progress)) {
		p := progress[id]
		if p.confirmed == 0 && p.failed == 0 {
			continue
		}
		if err := tx.Model(&jobRow{}).Where("id = ?", id).Updates(map[string]any{
			"confirmed_items": gorm.Expr("confirmed_items + ?", p.confirmed),
			"failed_items":    gorm.Expr("failed_items + ?", p.failed),
		}).Error; err != nil {
			return fmt.Errorf("count settled items of job %s: %w", id, err)
		}
	}
	return nil
}

func chainProgramIDs(tx *gorm.DB, ids []string) (map[string]uint64, error) {
	var progs []programRow
	if err := tx.Where("id IN ?", ids).Find(&progs).Error; err != nil {
		return nil, fmt.Errorf("read programs: %w", err)
	}
	out := make(map[string]uint64, len(progs))
	for _, p := range progs {
		out[p.ID] = p.ChainProgramID
	}
	return out, nil
}

// Entitlements lists a beneficiary's confirmed entitlements, one per program.
func (s *Service) Entitlements(ctx context.Context, beneficiaryID string) ([]Entitlement, error) {
	var rows []entitlementRow
	if err := s.db.WithContext(ctx).Where("beneficiary_id = ?", beneficiaryID).Order("program_id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("read entitlements of %s: %w", beneficiaryID, err)
	}
	out := make([]Entitlement, len(rows))
	for i, r := range rows {
		out[i] = Entitlement{ProgramID: r.ProgramID, ChainProgramID: r.ChainProgramID, BeneficiaryID: r.BeneficiaryID,
			ChainBeneficiary: r.ChainBeneficiary, AllocatedConfirmed: r.AllocatedConfirmed, LastCycle: r.LastCycle}
	}
	return out, nil
}

// EntitlementKey names one entitlement: a beneficiary in a program.
type EntitlementKey struct{ ProgramID, BeneficiaryID string }

// AllocatedQuery selects program_id, beneficiary_id and allocated_confirmed of the
// beneficiaries' entitlements (their ids, or a query that selects them): what the chain
// confirmed as allocated to each, in each program they have an entitlement in. It is a query,
// not a read, so that the redemption service reads it in the same statement as what each has
// spent: on PostgreSQL every statement of a group of acceptances is a round trip, and the
// group's round trips are most of what PostgreSQL spends per redemption.
func AllocatedQuery(tx *gorm.DB, beneficiaries any) *gorm.DB {
	return tx.Model(&entitlementRow{}).Select("program_id", "beneficiary_id", "allocated_confirmed").
		Where("beneficiary_id IN (?)", beneficiaries)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
