package pipeline_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// countQueueReads counts the lanes' reads of their pending intents. GORM's callbacks are not
// safe to register while queries run: call it before the pipeline starts.
func (w *world) countQueueReads() *atomic.Int64 {
	w.t.Helper()
	var n atomic.Int64
	err := w.db.Callback().Query().After("gorm:query").Register("test:count_queue_reads", func(db *gorm.DB) {
		if strings.Contains(db.Statement.SQL.String(), "status = '"+pipeline.IntentPending+"'") {
			n.Add(1)
		}
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return &n
}

func TestPipeline_AQuietLaneReadsItsQueueOnlyWhenEnoughIntentsCouldHaveArrived(t *testing.T) {
	const poll = 5 * time.Millisecond
	w := newWorld(t, 1)
	reads := w.countQueueReads()
	// Allocations are never held here (a batch of 1 is a quarter of 4); a small batch of
	// redemptions (under 10) would wait an hour.
	p, _ := w.pipeline(nil, pipeline.Config{MaxRedeem: 40, MaxAllocate: 4, PollInterval: poll, BatchLinger: time.Hour})
	vendor := common.Address{0xbe, 0xef}
	cards := w.beneficiaries(10)
	w.setupProgram(p, vendor, cards, 1000)
	intents := redemptions(t, p.Lanes(), vendor, cards, 1, 100)
	ctx := context.Background()

	first, err := p.Enqueue(ctx, nil, intents[0])
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the lane reads its queue and holds the batch of one
	reads.Store(0)
	const watch = 500 * time.Millisecond
	time.Sleep(watch)
	// Polling, the lane read its queue every 5 ms: 100 times. Quiet, it reads when the bound
	// of ten polls ends: 10 times.
	if n := reads.Load(); n > 20 {
		t.Errorf("the lane read its queue %d times in %s while holding one redemption, want about %d", n, watch, watch/(10*poll))
	}
	if in, err := p.Get(ctx, first[0].ID); err != nil || in.Status != pipeline.IntentPending {
		t.Fatalf("the held redemption is %q (%v), want still pending", in.Status, err)
	}

	// Nine more make the batch a quarter of the maximum: it leaves at once, not in an hour.
	rest, err := p.Enqueue(ctx, nil, intents[1:]...)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range waitFinal(t, p, ids(append(first, rest...)), 10*time.Second) {
		if in.Status != pipeline.IntentConfirmed {
			t.Fatalf("redemption %s: %s (%s)", in.Ref[:8], in.Status, in.Reason)
		}
	}
}
