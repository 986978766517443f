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
			mined, _ := storeTxs(t, db)
			// A history of final intents, older than anything queued, in both lanes.
			var intents []Intent
			for i := range 600 {
				status := IntentConfirmed
				if i%100 == 7 {
					status = IntentFailed
				}
				at := t0.Add(-time.Hour + time.Duration(i)*time.Second)
				intents = append(intents, Intent{Kind: "redeem", Ref: fmt.Sprint("h", i), Lane: i % 2, Status: status, TxID: &mined[i%2],
					BatchKey: "p", CreatedAt: at, UpdatedAt: at})
			}
			for i, u := range tt.queue {
				at := t0.Add(u.at)
				in := Intent{Kind: u.kind, Ref: fmt.Sprint("q", i), Lane: u.lane, Status: u.status, BatchKey: "p", CreatedAt: at, UpdatedAt: at}
				if u.status == IntentSubmitted { // in a transaction of its own kind, in flight
					tx := Tx{Lane: u.lane, Nonce: uint64(10 + i), Hash: fmt.Sprint("0xq", i), Raw: []byte{1}, Kind: u.kind, Items: 1, Status: TxSent}
					if err := db.Create(&tx).Error; err != nil {
						t.Fatal(err)
					}
					in.TxID = &tx.ID
				}
				intents = append(intents, in)
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
	storeTxs(t, db)
	// A history of 60 mined transactions of 50 intents each.
	now := time.Now().UTC()
	var intents []Intent
	var tx Tx
	for i := range 3000 {
		if i%50 == 0 {
			tx = Tx{Lane: i / 50 % 2, Nonce: uint64(100 + i/50), Hash: fmt.Sprint("0xm", i/50), Raw: []byte{1}, Kind: "redeem", Items: 50, Status: TxMined}
			if err := db.Create(&tx).Error; err != nil {
				t.Fatal(err)
			}
		}
		txID := tx.ID
		intents = append(intents, Intent{Kind: "redeem", Ref: fmt.Sprint(i), Lane: tx.Lane, Status: IntentConfirmed, TxID: &txID,
			BatchKey: "p", CreatedAt: now, UpdatedAt: now})
	}
	if err := db.CreateInBatches(intents, 500).Error; err != nil {
		t.Fatal(err)
	}
	// Statistics that know the history, as autovacuum gives a running server's planner.
	if err := db.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	dry := db.Session(&gorm.Session{DryRun: true})
	stmt := oldestPending(dry, 0, "redeem").Pluck("created_at", &[]time.Time{}).Statement
	plan := explain(t, db, stmt.SQL.String(), stmt.Vars)
	if !strings.Contains(plan, "ix_chain_intents_queue") || strings.Contains(plan, "chain_intents_pkey") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("plan %q does not read the pending intents in order from ix_chain_intents_queue", plan)
	}
	var txs []int64
	if err := txsInFlight(db, 1, "redeem").Pluck("id", &txs).Error; err != nil || len(txs) != 1 {
		t.Fatalf("lane 1's redeem transactions in flight: %v, %v; want the one", txs, err)
	}
	reads := []*gorm.DB{submittedOf(dry, []int64{txs[0], txs[0] + 1}).Order("created_at").Limit(1).Select("created_at")}
	if store.DialectOf(db) == store.SQLite { // PostgreSQL rightly scans 64 transactions' three pages
		reads = append(reads, txsInFlight(dry, 1, "redeem").Select("id"))
	}
	for _, q := range reads {
		stmt = q.Find(&[]time.Time{}).Statement
		plan = explain(t, db, stmt.SQL.String(), stmt.Vars)
		if strings.Contains(plan, "SCAN chain_") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "pkey") {
			t.Errorf("plan %q reads more than the transactions in flight and their intents", plan)
		}
	}
}

func TestDepth_CountsThePendingAndSubmittedIntentsOfEveryLane(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	mined, sent := storeTxs(t, db)
	now := time.Now().UTC()
	var intents []Intent
	add := func(lane int, status string, tx *int64) {
		intents = append(intents, Intent{Kind: "redeem", Ref: fmt.Sprint(len(intents)), Lane: lane, Status: status, TxID: tx,
			BatchKey: "p", CreatedAt: now, UpdatedAt: now})
	}
	for range 50 {
		add(0, IntentConfirmed, &mined[0])
		add(1, IntentFailed, &mined[1])
	}
	add(0, IntentPending, nil)
	add(1, IntentPending, nil)
	add(1, IntentPending, nil)
	add(0, IntentSubmitted, &sent[0])
	add(1, IntentSubmitted, &sent[1])
	add(1, IntentSubmitted, &sent[1])
	add(1, IntentSubmitted, &sent[1])
	if err := db.CreateInBatches(intents, 200).Error; err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ lanes, want int64 }{{1, 2}, {2, 7}} {
		if got, err := depth(db, int(tt.lanes)); err != nil || got != tt.want {
			t.Errorf("depth of %d lanes = %d, %v; want %d", tt.lanes, got, err, tt.want)
		}
	}
}

// storeTxs stores, for lanes 0 and 1, a mined transaction and one in flight, and returns their ids
// by lane.
func storeTxs(t *testing.T, db *gorm.DB) (mined, sent [2]int64) {
	t.Helper()
	for lane := range 2 {
		for i, status := range []string{TxMined, TxSent} {
			tx := Tx{Lane: lane, Nonce: uint64(i), Hash: fmt.Sprintf("0x%d%d", lane, i), Raw: []byte{1}, Kind: "redeem", Items: 1, Status: status}
			if err := db.Create(&tx).Error; err != nil {
				t.Fatal(err)
			}
			if status == TxMined {
				mined[lane] = tx.ID
			} else {
				sent[lane] = tx.ID
			}
		}
	}
	return mined, sent
}

// Migration 7 changes which index the queue is read from, not what is in it: a lane's pending
// intents, its depth and its oldest unfinished intent are the same before and after.
func TestMigration7_KeepsEveryQueuedAndInFlightIntent(t *testing.T) {
	db, _ := testenv.DB(t, store.Component{Name: Schema.Name, Migrations: Schema.Migrations[:6]})
	mined, sent := storeTxs(t, db)
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	var intents []Intent
	add := func(status string, tx *int64, at time.Duration) {
		intents = append(intents, Intent{Kind: "redeem", Ref: fmt.Sprint(len(intents)), Lane: 0, Status: status, TxID: tx,
			BatchKey: "p", CreatedAt: t0.Add(at), UpdatedAt: t0.Add(at)})
	}
	add(IntentConfirmed, &mined[0], 0)
	add(IntentSubmitted, &sent[0], 2*time.Second)
	add(IntentPending, nil, time.Second) // requeued: older than the one in flight
	add(IntentPending, nil, 3*time.Second)
	add(IntentFailed, &mined[0], 4*time.Second)
	if err := db.CreateInBatches(intents, 100).Error; err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(t.Context(), db, Schema); err != nil {
		t.Fatal(err)
	}
	var queue []Intent
	if err := pendingQueue(db, 0, t0.Add(time.Hour), 0, queueWindow).Find(&queue).Error; err != nil || len(queue) != 2 || queue[0].Ref != "2" || queue[1].Ref != "3" {
		t.Errorf("queue after migration 7: %v, %v; want intents 2 and 3", queue, err)
	}
	if n, err := depth(db, 1); err != nil || n != 3 {
		t.Errorf("depth after migration 7 = %d, %v; want 3", n, err)
	}
	if at, err := oldestUnfinished(db, 1, "redeem"); err != nil || !at.Equal(t0.Add(time.Second)) {
		t.Errorf("oldest unfinished after migration 7 = %v, %v; want %v", at, err, t0.Add(time.Second))
	}
}

// Between two vacuums the queue's index keeps an entry for every intent signed since the first.
// The backlog check and /metrics read it every second or so: each read must pass those entries
// once (an index scan marks them dead), not again on every read (a bitmap scan).
func TestQueueReads_PassTheEntriesOfSignedIntentsOnceNotOnEveryRead(t *testing.T) {
	db := intentsLeftAlone(t, "PostgreSQL's index entries of old row versions")
	now := time.Now().UTC()
	refs := 0
	enqueue := func(n int) {
		t.Helper()
		intents := make([]Intent, n)
		for i := range intents {
			refs++
			intents[i] = Intent{Kind: "redeem", Ref: fmt.Sprint(refs), Lane: i % 2, Status: IntentPending, BatchKey: "p", CreatedAt: now, UpdatedAt: now}
		}
		if err := db.CreateInBatches(intents, 1000).Error; err != nil {
			t.Fatal(err)
		}
	}
	sign := func(keep int) { // all pending intents but the last keep, 200 a transaction
		t.Helper()
		var ids []int64
		if err := db.Model(&Intent{}).Where("tx_id IS NULL").Order("id").Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		for i := 0; i+200 <= len(ids)-keep; i += 200 {
			if err := db.Model(&Intent{}).Where("id IN ?", ids[i:i+200]).
				Updates(map[string]any{"status": IntentSubmitted, "tx_id": ids[i]}).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	// Statistics from a history with few intents pending, as under load; then 20,000 signed.
	enqueue(20000)
	sign(400)
	if err := db.Exec("ANALYZE chain_intents").Error; err != nil {
		t.Fatal(err)
	}
	enqueue(20000)
	sign(400)

	read := func() (plan string, buffers int) {
		t.Helper()
		err := queueReads(db, func(tx *gorm.DB) error {
			var lines []string
			if err := tx.Raw("EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM chain_intents WHERE " +
				strings.Replace(queued, "?", "0", 1)).Scan(&lines).Error; err != nil {
				return err
			}
			plan = strings.Join(lines, "; ")
			_, err := fmt.Sscanf(lines[1], "  Buffers: shared hit=%d", &buffers)
			return err
		})
		if err != nil {
			t.Fatalf("read the queue: %v (plan %q)", err, plan)
		}
		return plan, buffers
	}
	plan, first := read()
	if strings.Contains(plan, "Bitmap") || !strings.Contains(plan, "ix_chain_intents_queue") {
		t.Fatalf("plan %q does not read the queue's index in its order", plan)
	}
	if _, second := read(); second*5 > first {
		t.Errorf("the second read of the queue took %d buffers, the first %d: it passed the signed intents' entries again", second, first)
	}
}

// intentsLeftAlone is a pipeline database on PostgreSQL whose intents autovacuum neither
// vacuums nor analyses, so that a test sets the moment; on SQLite the test is skipped, for why.
func intentsLeftAlone(t *testing.T, why string) *gorm.DB {
	t.Helper()
	db, _ := testenv.DB(t, Schema)
	if store.DialectOf(db) != store.Postgres {
		t.Skip(why)
	}
	if err := db.Exec("ALTER TABLE chain_intents SET (autovacuum_enabled = false)").Error; err != nil {
		t.Fatal(err)
	}
	return db
}
