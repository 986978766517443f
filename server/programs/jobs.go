package programs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
)

// Job statuses.
const (
	JobRunning = "running" // enqueueing, or waiting for the chain
	JobDone    = "done"    // every item confirmed or failed on chain, at least one confirmed
	JobFailed  = "failed"  // enqueueing stopped (what was enqueued still goes on chain), or the chain refused every item
)

// Job is an allocation job's view. Submitted counts the items enqueued to the pipeline;
// Confirmed and Failed, those the chain settled.
type Job struct {
	ID          string     `json:"id"`
	ProgramID   string     `json:"program_id"`
	Cycle       int        `json:"cycle"`
	Status      string     `json:"status"`
	Total       int        `json:"total"`
	Submitted   int        `json:"submitted"`
	Confirmed   int        `json:"confirmed"`
	Failed      int        `json:"failed"`
	AmountTotal int64      `json:"amount_total"`
	Errors      []JobError `json:"errors,omitempty"`
}

// JobError is why a job stopped (no beneficiary) or why one beneficiary's item failed.
type JobError struct {
	BeneficiaryID string `json:"beneficiary_id,omitempty"`
	Reason        string `json:"reason"`
}

// maxJobErrors bounds the item errors a job view lists.
const maxJobErrors = 20

// Job reads an allocation job with its progress.
func (s *Service) Job(ctx context.Context, id string) (Job, error) {
	var row jobRow
	err := s.db.WithContext(ctx).Where("id = ?", id).First(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Job{}, fmt.Errorf("allocation job %s: %w", id, apierr.ErrNotFound)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read allocation job %s: %w", id, err)
	}
	return s.jobView(ctx, row)
}

// Jobs lists a program's allocation jobs in creation order.
func (s *Service) Jobs(ctx context.Context, programID string, pg Page) ([]Job, string, error) {
	var rows []jobRow
	if err := pg.apply(s.db.WithContext(ctx).Where("program_id = ?", programID)).Find(&rows).Error; err != nil {
		return nil, "", fmt.Errorf("list allocation jobs: %w", err)
	}
	out := make([]Job, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = s.jobView(ctx, r); err != nil {
			return nil, "", err
		}
	}
	return out, next(out, pg.limit(), func(j Job) string { return j.ID }), nil
}

// WaitJob polls a job until it is no longer running or ctx ends (for the seeder and tests).
func (s *Service) WaitJob(ctx context.Context, id string) (Job, error) {
	for {
		j, err := s.Job(ctx, id)
		if err != nil || j.Status != JobRunning {
			return j, err
		}
		select {
		case <-ctx.Done():
			return j, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Service) jobView(ctx context.Context, row jobRow) (Job, error) {
	db := s.db.WithContext(ctx)
	j := Job{ID: row.ID, ProgramID: row.ProgramID, Cycle: row.Cycle, Status: row.Status, Total: row.Total,
		Submitted: row.Enqueued, Confirmed: row.ConfirmedItems, Failed: row.FailedItems, AmountTotal: row.AmountTotal}
	if row.Error != "" {
		j.Errors = append(j.Errors, JobError{Reason: row.Error})
	}
	if j.Failed > 0 {
		var failed []itemRow
		if err := db.Where("job_id = ? AND status = ?", row.ID, itemFailed).Order("id").Limit(maxJobErrors).
			Find(&failed).Error; err != nil {
			return Job{}, fmt.Errorf("read failed items of job %s: %w", row.ID, err)
		}
		for _, f := range failed {
			j.Errors = append(j.Errors, JobError{BeneficiaryID: f.BeneficiaryID, Reason: f.Reason})
		}
	}
	if row.Status == JobRunning && row.EnqueueDone && j.Confirmed+j.Failed == row.Total {
		// Remembered, so that the job's status need not be worked out again at every read. A
		// chain going backwards later still changes the counts (the outcome hook keeps them).
		j.Status = JobDone
		upd := map[string]any{"status": JobDone, "updated_at": now()}
		if j.Confirmed == 0 && j.Total > 0 {
			// "done" read as success to the aid worker watching the progress bar, when nobody
			// received anything; the items' reasons follow in Errors.
			reason := fmt.Sprintf("the ledger refused all %d items", j.Total)
			j.Status, upd["status"], upd["error"] = JobFailed, JobFailed, reason
			j.Errors = append([]JobError{{Reason: reason}}, j.Errors...)
		}
		if err := db.Model(&jobRow{}).Where("id = ? AND status = ?", row.ID, JobRunning).Updates(upd).Error; err != nil {
			return Job{}, fmt.Errorf("mark job %s %s: %w", row.ID, j.Status, err)
		}
	}
	return j, nil
}
