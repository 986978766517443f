package api_test

import (
	"context"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/programs"
)

// The allocation form offers the cycle after the last one: a program says its last cycle, and
// an allocation's new cycle is said at once, while it is still running.
func TestProgram_SaysItsLastAllocatedCycleSoTheNextCanBeOffered(t *testing.T) {
	w := newAPIWorld(t)
	prog := w.Seeded.Programs[0].ID
	lastOf := func() int {
		t.Helper()
		var p programs.Program
		r := w.do("GET", "/api/v1/programs/"+prog, auth.AidWorker, nil)
		if r.JSON(t, &p); r.Status != 200 || p.LastCycle == nil {
			t.Fatalf("program: %d %s; want a last_cycle", r.Status, r.Body)
		}
		return *p.LastCycle
	}
	before := lastOf()
	if r := w.do("POST", "/api/v1/programs/"+prog+"/fundings", auth.Admin, map[string]any{"amount": 1_000_000, "donor": "Cycle test"}); r.Status != 201 {
		t.Fatalf("funding: %d %s", r.Status, r.Body)
	}
	r := w.do("POST", "/api/v1/programs/"+prog+"/allocations", auth.AidWorker, map[string]any{"cycle": before + 3, "amount_per_household": 100, "all_active": true})
	var job programs.Job
	if r.JSON(t, &job); r.Status != 202 {
		t.Fatalf("allocation of cycle %d: %d %s", before+3, r.Status, r.Body)
	}
	if got := lastOf(); got != before+3 {
		t.Errorf("last cycle while the allocation runs: %d; want %d", got, before+3)
	}
	w.WaitFor("the allocation", 60*time.Second, func() bool {
		got, err := w.App.Programs.Job(context.Background(), job.ID)
		return err == nil && got.Status == "done"
	})
	if got := lastOf(); got != before+3 {
		t.Errorf("last cycle once allocated: %d; want %d", got, before+3)
	}
	if r := w.do("POST", "/api/v1/programs/"+prog+"/allocations", auth.AidWorker, map[string]any{"cycle": before + 3, "amount_per_household": 100, "all_active": true}); r.Status != 422 || errorCode(r) != "stale_cycle" {
		t.Errorf("the same cycle again: %d %s; want 422 stale_cycle", r.Status, r.Body)
	}
}
