package programs_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/programs"
)

func (w *world) waitJob(id string, within time.Duration) programs.Job {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	j, err := w.svc.WaitJob(ctx, id)
	if err != nil {
		w.t.Fatalf("job %s not finished within %s: %+v, %v", id, within, j, err)
	}
	return j
}

// amountFor is what a beneficiary gets: per household + per member × household size.
func amountFor(r programs.Recipient, perHousehold, perMember int64) int64 {
	return perHousehold + perMember*int64(r.HouseholdSize)
}

func TestAllocation_500Beneficiaries_AllConfirmedAndEntitlementsMatchTheChain(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ids := w.people.add(500)
	var total int64
	for _, id := range ids {
		total += amountFor(w.people.get(id), 1_000, 250)
	}
	prog := w.activeProgram("Cash", total+5)

	job, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{
		Cycle: 1, AmountPerHousehold: 1_000, AmountPerMember: 250, AllActive: true})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != programs.JobRunning || job.Total != 500 || job.AmountTotal != total || job.ProgramID != prog.ID {
		t.Fatalf("started = %+v", job)
	}
	done := w.waitJob(job.ID, 30*time.Second)
	want := programs.Job{ID: job.ID, ProgramID: prog.ID, Cycle: 1, Status: programs.JobDone, Total: 500, Submitted: 500,
		Confirmed: 500, AmountTotal: total}
	if done.Errors != nil || done.ID != want.ID || done.Status != want.Status || done.Submitted != 500 || done.Confirmed != 500 || done.Failed != 0 {
		t.Fatalf("finished = %+v, want %+v", done, want)
	}

	for _, id := range ids {
		r := w.people.get(id)
		ents, err := w.svc.Entitlements(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		on := w.entitlement(prog.ChainProgramID, r.ChainID)
		if len(ents) != 1 || ents[0].ProgramID != prog.ID || ents[0].ChainProgramID != prog.ChainProgramID ||
			ents[0].ChainBeneficiary != common.Hash(r.ChainID).Hex() || ents[0].LastCycle != 1 ||
			ents[0].AllocatedConfirmed != amountFor(r, 1_000, 250) ||
			on.Balance.Int64() != ents[0].AllocatedConfirmed || on.LastCycle != 1 {
			t.Fatalf("beneficiary %s: entitlements %+v, chain balance %s cycle %d", id, ents, on.Balance, on.LastCycle)
		}
	}
	w.catchUp()
	got, err := w.svc.Program(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (programs.Totals{Funded: total + 5, Allocated: total, Outstanding: total}); *got.Totals != want {
		t.Fatalf("totals = %+v, want %+v", *got.Totals, want)
	}
	if on := w.programTotals(prog.ChainProgramID); on.Allocated.Int64() != total || on.Beneficiaries != 500 {
		t.Fatalf("chain allocated %s to %d beneficiaries", on.Allocated, on.Beneficiaries)
	}

	// A second cycle tops up the same entitlements: the table adds, the chain agrees.
	if f, err := w.svc.Fund(ctx, "admin", prog.ID, programs.FundRequest{Amount: 1_000, Donor: "ECHO"}); err != nil || f.Status != programs.FundingConfirmed {
		t.Fatalf("second funding = %+v, %v", f, err)
	}
	w.catchUp()
	job2, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{
		Cycle: 2, AmountPerHousehold: 100, BeneficiaryIDs: ids[:3]})
	if err != nil {
		t.Fatal(err)
	}
	if j := w.waitJob(job2.ID, 10*time.Second); j.Confirmed != 3 {
		t.Fatalf("second cycle = %+v", j)
	}
	r := w.people.get(ids[0])
	ents, _ := w.svc.Entitlements(ctx, ids[0])
	on := w.entitlement(prog.ChainProgramID, r.ChainID)
	if ents[0].AllocatedConfirmed != amountFor(r, 1_100, 250) || ents[0].LastCycle != 2 || on.Balance.Int64() != ents[0].AllocatedConfirmed {
		t.Fatalf("after cycle 2: %+v, chain %s", ents[0], on.Balance)
	}
}

func TestAllocation_RefusesMoreThanTheFundingNotYetAllocated(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ids := w.people.add(10) // household sizes 1..5, twice
	prog := w.activeProgram("Cash", 10_000)
	alloc := func(cycle int, perHousehold int64) (programs.Job, error) {
		return w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{
			Cycle: cycle, AmountPerHousehold: perHousehold, BeneficiaryIDs: ids})
	}

	_, err := alloc(1, 1_001) // 10 × 1,001 > 10,000
	e := wantAPIError(t, err, programs.ErrInsufficientFunds)
	if e.Details["available"] != int64(10_000) || e.Details["requested"] != int64(10_010) {
		t.Fatalf("details = %v", e.Details)
	}

	// A job in flight holds its total: nothing confirmed or indexed yet, still refused.
	first, err := alloc(1, 600)
	if err != nil {
		t.Fatal(err)
	}
	_, err = alloc(2, 600)
	wantAPIError(t, err, programs.ErrInsufficientFunds)
	w.waitJob(first.ID, 10*time.Second)
	w.catchUp()
	// Exactly what is left fits.
	second, err := alloc(2, 400)
	if err != nil {
		t.Fatal(err)
	}
	if j := w.waitJob(second.ID, 10*time.Second); j.Confirmed != 10 {
		t.Fatalf("second job = %+v", j)
	}
	w.catchUp()
	if f, _ := w.svc.Funds(ctx, prog.ID); f.Available != 0 {
		t.Fatalf("funds after both = %+v", f)
	}
}

func TestAllocation_TwoJobsRacingCannotTogetherExceedFunding(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ids := w.people.add(20)
	prog := w.activeProgram("Cash", 20_000)

	var wg sync.WaitGroup
	errs := make([]error, 4)
	jobs := make([]programs.Job, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each alone fits (20 × 600); any two together do not.
			jobs[i], errs[i] = w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{
				Cycle: i + 1, AmountPerHousehold: 600, BeneficiaryIDs: ids})
		}()
	}
	wg.Wait()
	accepted := 0
	for i, err := range errs {
		switch {
		case err == nil:
			accepted++
			w.waitJob(jobs[i].ID, 10*time.Second)
		case errors.Is(err, programs.ErrInsufficientFunds), errors.Is(err, programs.ErrStaleCycle):
		default:
			t.Fatalf("job %d: %v", i, err)
		}
	}
	if accepted != 1 {
		t.Fatalf("%d racing jobs accepted, want 1 (errors %v)", accepted, errs)
	}
	if on := w.programTotals(prog.ChainProgramID); on.Allocated.Int64() != 12_000 {
		t.Fatalf("chain allocated %s, want 12000", on.Allocated)
	}
}

func TestAllocation_RefusesACycleNotNewerThanTheLast(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ids := w.people.add(3)
	prog := w.activeProgram("Cash", 10_000)
	job, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 2, AmountPerHousehold: 10, BeneficiaryIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	for _, cycle := range []int{2, 1} {
		_, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: cycle, AmountPerHousehold: 10, BeneficiaryIDs: ids})
		wantAPIError(t, err, programs.ErrStaleCycle)
	}
	w.waitJob(job.ID, 10*time.Second)
	if _, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 3, AmountPerHousehold: 10, BeneficiaryIDs: ids}); err != nil {
		t.Fatalf("cycle 3: %v", err)
	}
}

func TestAllocation_RefusesUnknownOrSuspendedBeneficiariesAndClosedPrograms(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ids := w.people.add(3)
	w.people.suspend(ids[1])
	prog := w.activeProgram("Cash", 10_000)

	_, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 1, AmountPerHousehold: 10, BeneficiaryIDs: append(ids, "b-missing")})
	if e := wantAPIError(t, err, errUnknownBeneficiaries); e.Message != "unknown or suspended: "+ids[1]+", b-missing" {
		t.Fatalf("message = %q", e.Message)
	}
	jobs, _, _ := w.svc.Jobs(ctx, prog.ID, programs.Page{})
	if len(jobs) != 0 {
		t.Fatalf("a refused allocation left jobs: %+v", jobs)
	}

	// all_active skips the suspended one.
	job, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 1, AmountPerHousehold: 10, AllActive: true})
	if err != nil || job.Total != 2 {
		t.Fatalf("all active = %+v, %v", job, err)
	}

	if _, err := w.svc.SetProgramActive(ctx, "admin", prog.ID, false); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 2, AmountPerHousehold: 10, AllActive: true})
	wantAPIError(t, err, programs.ErrProgramInactive)
}

// Enqueueing a national caseload takes seconds. The pipeline is stopped first: this measures
// the service, not the chain.
func TestAllocation_EnqueuesAHundredThousandBeneficiariesInSeconds(t *testing.T) {
	if testing.Short() || os.Getenv("AIDLEDGER_TEST_LARGE") == "" {
		t.Skip("set AIDLEDGER_TEST_LARGE=1 to enqueue 100,000 allocations")
	}
	w := newWorld(t)
	ctx := context.Background()
	w.people.add(100_000)
	prog := w.activeProgram("Cash", 1_000_000_000)
	w.stopPipe()
	started := time.Now()
	job, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 1, AmountPerHousehold: 1_000, AllActive: true})
	if err != nil {
		t.Fatal(err)
	}
	accepted := time.Since(started)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		j, err := w.svc.Job(ctx, job.ID)
		if err == nil && j.Submitted == j.Total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not enqueued within a minute: %+v, %v", j, err)
		}
	}
	t.Logf("100,000 allocations: accepted in %s, enqueued in %s", accepted, time.Since(started))
	var n int64
	w.db.Table("chain_intents").Where("kind = ?", "allocate").Count(&n)
	if n != 100_000 {
		t.Fatalf("%d allocation intents", n)
	}
}

func TestAllocation_EndsFailedWhenTheLedgerRefusesEveryItem(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ids := w.people.add(3)
	prog := w.activeProgram("Cash", 100_000)
	// Cycle 3 reaches the chain outside the service's jobs (through the pipeline directly, as
	// another operator's tool might) and is not indexed yet, so the service's job for cycle 2
	// passes its own checks and the ledger refuses every item as stale.
	var direct []pipeline.NewIntent
	for _, id := range ids {
		direct = append(direct, pipeline.AllocateIntent(pipeline.Allocation{
			ProgramID: prog.ChainProgramID, Cycle: 3, Beneficiary: w.people.get(id).ChainID, Amount: 10}))
	}
	stored, err := w.p.Enqueue(ctx, w.db, direct...)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range stored {
		actx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := w.p.AwaitFinal(actx, in.ID)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
	}

	job, err := w.svc.StartAllocation(ctx, "worker", prog.ID, programs.AllocationRequest{Cycle: 2, AmountPerHousehold: 100, AllActive: true})
	if err != nil {
		t.Fatal(err)
	}
	done := w.waitJob(job.ID, 30*time.Second)
	if done.Status != programs.JobFailed || done.Confirmed != 0 || done.Failed != 3 || len(done.Errors) != 4 {
		t.Fatalf("finished = %+v; want failed with 3 refused items and their reasons", done)
	}
	if !strings.Contains(done.Errors[0].Reason, "refused all 3") || done.Errors[1].Reason != "stale_cycle" {
		t.Fatalf("errors = %+v", done.Errors)
	}
	if again, err := w.svc.Job(ctx, job.ID); err != nil || again.Status != programs.JobFailed || len(again.Errors) != 4 {
		t.Fatalf("read again = %+v, %v; want the same failed job", again, err)
	}
}
