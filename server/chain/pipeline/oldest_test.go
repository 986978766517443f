package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

func TestOldestUnfinished_IsTheOldestPendingOrSubmittedIntentOfTheKindInAnyLane(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	type unfinished struct {
		kind, status string
		lane         int
		at           time.Duration // after t0
	}
	tests := []struct {
		name  string
		queue []unfinished
		want  time.Duration // -1: none
	}{{
		name: "with every intent final there is none",
		want: -1,
	}, {
		name:  "a pending intent in lane 0",
		queue: []unfinished{{"redeem", IntentPending, 0, 5 * time.Second}, {"redeem", IntentPending, 0, 9 * time.Second}},
		want:  5 * time.Second,
	}, {
		name: "a submitted intent in lane 1 older than the pending ones",
		queue: []unfinished{{"redeem", IntentPending, 0, 5 * time.Second}, {"redeem", IntentSubmitted, 1, 3 * time.Second},
			{"redeem", IntentPending, 1, 4 * time.Second}},
		want: 3 * time.Second,
	}, {
		name:  "an older intent of another kind does not count",
		queue: []unfinished{{"allocate", IntentPending, 0, time.Second}, {"allocate", IntentSubmitted, 1, time.Second}, {"redeem", IntentSubmitted, 0, 7 * time.Second}},
		want:  7 * time.Second,
	}, {
		name:  "only other kinds unfinished",
		queue: []unfinished{{"allocate", IntentPending, 0, time.Second}},
		want:  -1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := testenv.DB(t, Schema)
			// A history of final intents, older than anything queued, in both lanes.
			var intents []Intent
			for i := range 600 {
				status := IntentConfirmed
				if i%100 == 7 {
					status = IntentFailed
				}
				at := t0.Add(-time.Hour + time.Duration(i)*time.Second)
				intents = append(intents, Intent{Kind: "redeem", Ref: fmt.Sprint("h", i), Lane: i % 2, Status: status, BatchKey: "p", CreatedAt: at, UpdatedAt: at})
			}
			for i, u := range tt.queue {
				at := t0.Add(u.at)
				intents = append(intents, Intent{Kind: u.kind, Ref: fmt.Sprint("q", i), Lane: u.lane, Status: u.status, BatchKey: "p", CreatedAt: at, UpdatedAt: at})
			}
			if err := db.CreateInBatches(intents, 200).Error; err != nil {
				t.Fatal(err)
			}
			got, err := oldestUnfinished(db, 2, "redeem")
			if err != nil {
				t.Fatal(err)
			}
			want := time.Time{}
			if tt.want >= 0 {
				want = t0.Add(tt.want)
			}
			if !got.Equal(want) {
				t.Errorf("oldest unfinished = %v, want %v", got, want)
			}
		})
	}
}

// The backlog check asks every second; reading through the history of final intents would cost
// what that history costs.
func TestOldestUnfinished_ReadsOnlyTheUnfinishedIntentsThroughIndexes(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	now := time.Now().UTC()
	var intents []Intent
	for i := range 3000 {
		intents = append(intents, Intent{Kind: "redeem", Ref: fmt.Sprint(i), Lane: i % 2, Status: IntentConfirmed, BatchKey: "p", CreatedAt: now, UpdatedAt: now})
	}
	if err := db.CreateInBatches(intents, 500).Error; err != nil {
		t.Fatal(err)
	}
	// Statistics that know the history: with them PostgreSQL expected to meet a submitted
	// intent soon on the primary key's walk.
	if err := db.Exec("ANALYZE chain_intents").Error; err != nil {
		t.Fatal(err)
	}
	dry := db.Session(&gorm.Session{DryRun: true})
	stmt := oldestPending(dry, 0, "redeem").Pluck("created_at", &[]time.Time{}).Statement
	plan := explain(t, db, stmt.SQL.String(), stmt.Vars)
	index := "ix_chain_intents_lane_status"
	if store.DialectOf(db) == store.Postgres {
		index = "ix_chain_intents_queue"
	}
	if !strings.Contains(plan, index) || strings.Contains(plan, "chain_intents_pkey") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("plan %q does not read the pending intents in order from %s", plan, index)
	}
	stmt = oldestSubmitted(dry, 1, "redeem").Pluck("created_at", &[]time.Time{}).Statement
	plan = explain(t, db, stmt.SQL.String(), stmt.Vars)
	if !strings.Contains(plan, "ix_chain_intents_lane_status") || strings.Contains(plan, "chain_intents_pkey") {
		t.Errorf("plan %q does not read the submitted intents from (lane, status)", plan)
	}
}
