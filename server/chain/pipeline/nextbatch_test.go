package pipeline

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

// queuedIntent is one pending intent of a test's queue: kind and batch key.
type queuedIntent struct{ kind, key string }

func repeat(n int, kind, key string) []queuedIntent {
	out := make([]queuedIntent, n)
	for i := range out {
		out[i] = queuedIntent{kind, key}
	}
	return out
}

func TestNextBatch_ReadsTheQueueAPageAtATimeAndBatchesAsIfItReadTheWholeWindow(t *testing.T) {
	// Batches of 4 redemptions or 3 allocations: the lane reads 4 intents a page.
	kinds := map[string]Kind{KindRedeem: redeemKind{max: 4}, KindAllocate: allocateKind{max: 3}}
	for _, tc := range []struct {
		name    string
		queue   []queuedIntent
		want    []int // positions in the queue, from 0
		queries int
	}{
		{"an empty queue gives no batch", nil, nil, 1},
		{"a queue of one key fills its batch from the first page",
			repeat(10, KindRedeem, "p"), []int{0, 1, 2, 3}, 1},
		{"a short queue is read once",
			repeat(2, KindAllocate, "a"), []int{0, 1}, 1},
		{"a key's intents come from pages after the first",
			slices.Concat(repeat(1, KindRedeem, "p"), repeat(4, KindRedeem, "q"), repeat(1, KindRedeem, "p"),
				repeat(1, KindRedeem, "q"), repeat(3, KindRedeem, "p")),
			[]int{0, 5, 7, 8}, 3},
		{"the batch ends at the first intent of another kind, on whatever page",
			slices.Concat(repeat(2, KindRedeem, "p"), repeat(3, KindRedeem, "q"), repeat(1, KindAllocate, "a"), repeat(2, KindRedeem, "p")),
			[]int{0, 1}, 2},
		{"the window ends the search",
			slices.Concat(repeat(1, KindRedeem, "p"), repeat(queueWindow, KindRedeem, "q"), repeat(1, KindRedeem, "p")),
			[]int{0}, queueWindow / 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, _ := testenv.DB(t, Schema)
			now := time.Now().UTC()
			intents := make([]Intent, len(tc.queue))
			for i, q := range tc.queue {
				intents[i] = Intent{Kind: q.kind, Ref: fmt.Sprint(i), Status: IntentPending, BatchKey: q.key, CreatedAt: now, UpdatedAt: now}
			}
			if len(intents) > 0 {
				if err := db.CreateInBatches(intents, 500).Error; err != nil {
					t.Fatal(err)
				}
			}
			queries := 0
			counting := db.Session(&gorm.Session{NewDB: true})
			if err := counting.Callback().Query().After("gorm:query").Register("count_queries", func(*gorm.DB) { queries++ }); err != nil {
				t.Fatal(err)
			}
			l := &lane{idx: 0, p: &Pipeline{db: counting, kinds: kinds, queuePage: 4}}
			batch, err := l.nextBatch(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, in := range batch {
				got = append(got, int(in.ID-intents[0].ID))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("batch = %v; want %v", got, tc.want)
			}
			if queries != tc.queries {
				t.Errorf("read the queue %d times; want %d", queries, tc.queries)
			}
		})
	}
}
