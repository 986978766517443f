package programs

import (
	"context"
	"fmt"
	"testing"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// counted is a job's settled items as its counts say and as its items say.
type counted struct{ confirmed, failed int }

func itemsCounted(t *testing.T, db *gorm.DB, job string) counted {
	t.Helper()
	var c counted
	for status, n := range map[string]*int{itemConfirmed: &c.confirmed, itemFailed: &c.failed} {
		var got int64
		if err := db.Model(&itemRow{}).Where("job_id = ? AND status = ?", job, status).Count(&got).Error; err != nil {
			t.Fatal(err)
		}
		*n = int(got)
	}
	return c
}

// jobItems stores a job of n pending items whose intents are numbered from firstIntent.
func jobItems(t *testing.T, db *gorm.DB, job string, firstIntent int64, n int) {
	t.Helper()
	if err := db.Create(&jobRow{ID: job, ProgramID: "p", Cycle: 1, Status: JobRunning, Total: n, Enqueued: n, EnqueueDone: true}).Error; err != nil {
		t.Fatal(err)
	}
	for i := range int64(n) {
		it := itemRow{JobID: job, ProgramID: "p", BeneficiaryID: fmt.Sprintf("%s-%d", job, i), ChainBeneficiary: "0x01",
			Cycle: 1, Amount: 10, IntentID: firstIntent + i, Status: itemPending}
		if err := db.Create(&it).Error; err != nil {
			t.Fatal(err)
		}
	}
}

func TestOnAllocateOutcome_KeepsEachJobsCountsEqualToItsItemsAsTheChainGoesForwardAndBack(t *testing.T) {
	db, _ := testenv.DB(t, pipeline.Schema, index.Schema, Schema)
	if err := db.Create(&programRow{ID: "p", Name: "Food", Currency: "JOD", Status: ProgramActive, ChainProgramID: 1}).Error; err != nil {
		t.Fatal(err)
	}
	jobItems(t, db, "j", 1, 4) // intents 1-4
	jobItems(t, db, "k", 5, 2) // intents 5-6
	s := &Service{db: db}
	settled := func(ids []int64, status string) []pipeline.Intent {
		out := make([]pipeline.Intent, len(ids))
		for i, id := range ids {
			out[i] = pipeline.Intent{ID: id, Kind: pipeline.KindAllocate, Status: status}
			if status == pipeline.IntentFailed {
				out[i].Reason = "stale_cycle"
			}
		}
		return out
	}
	for _, step := range []struct {
		name     string
		outcomes []pipeline.Intent
		wantJ    counted
		wantK    counted
	}{
		{"a first settling confirms two and fails one",
			append(settled([]int64{1, 2}, pipeline.IntentConfirmed), settled([]int64{3}, pipeline.IntentFailed)...),
			counted{2, 1}, counted{0, 0}},
		{"one settling spans two jobs, and takes a confirmed item back",
			append(append(settled([]int64{1}, pipeline.IntentPending), settled([]int64{4, 5}, pipeline.IntentConfirmed)...),
				settled([]int64{6}, pipeline.IntentFailed)...),
			counted{2, 1}, counted{1, 1}},
		{"a failed item goes back and an outcome already counted comes again",
			append(settled([]int64{3}, pipeline.IntentSubmitted), settled([]int64{2, 5}, pipeline.IntentConfirmed)...),
			counted{2, 0}, counted{1, 1}},
		{"the rest confirm",
			settled([]int64{1, 3}, pipeline.IntentConfirmed),
			counted{4, 0}, counted{1, 1}},
	} {
		err := db.Transaction(func(tx *gorm.DB) error { return s.onAllocateOutcome(tx, step.outcomes) })
		if err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		for job, want := range map[string]counted{"j": step.wantJ, "k": step.wantK} {
			if got := itemsCounted(t, db, job); got != want {
				t.Fatalf("%s: job %s's items say %+v; want %+v", step.name, job, got, want)
			}
			view, err := s.Job(context.Background(), job)
			if err != nil {
				t.Fatal(err)
			}
			if got := (counted{view.Confirmed, view.Failed}); got != want {
				t.Fatalf("%s: job %s reads %+v; want %+v", step.name, job, got, want)
			}
		}
	}
	if view, _ := s.Job(context.Background(), "j"); view.Status != JobDone {
		t.Fatalf("job j is %s once every item is confirmed; want done", view.Status)
	}
}

func TestMigration2_CountsTheItemsOfJobsThatExistedBefore(t *testing.T) {
	before := store.Component{Name: Schema.Name, Migrations: Schema.Migrations[:1]}
	db, _ := testenv.DB(t, pipeline.Schema, index.Schema, before)
	if err := db.Create(&jobV1{ID: "j", ProgramID: "p", Cycle: 1, Status: JobRunning, Total: 5, Enqueued: 5, EnqueueDone: true}).Error; err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{itemConfirmed, itemConfirmed, itemFailed, itemPending, itemConfirmed} {
		it := itemV1{JobID: "j", ProgramID: "p", BeneficiaryID: fmt.Sprint(i), ChainBeneficiary: "0x01", Cycle: 1, Amount: 10,
			IntentID: int64(i + 1), Status: status}
		if err := db.Create(&it).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := store.Migrate(context.Background(), db, Schema); err != nil {
		t.Fatal(err)
	}
	var row jobRow
	if err := db.First(&row, "id = ?", "j").Error; err != nil {
		t.Fatal(err)
	}
	if row.ConfirmedItems != 3 || row.FailedItems != 1 {
		t.Fatalf("after migration 2 the job counts %d confirmed and %d failed; want 3 and 1", row.ConfirmedItems, row.FailedItems)
	}
}
