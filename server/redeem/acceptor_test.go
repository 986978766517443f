package redeem

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/internal/threadnice"
	"github.com/aidledger/aidledger/server/store"
)

// funcAcceptor is an acceptor of functions, each one an acceptance.
func funcAcceptor(db *gorm.DB, groups int, limit int64) *acceptor[func(*gorm.DB) error] {
	return newAcceptor(db, groupShape{groups: groups}, limit, func(_ context.Context, tx *gorm.DB, jobs []func(*gorm.DB) error) ([]error, error) {
		for _, j := range jobs {
			if err := j(tx); err != nil {
				return nil, err
			}
		}
		return make([]error, len(jobs)), nil
	}, nil, slog.New(slog.DiscardHandler))
}

func TestAcceptor_RefusesAtOnceBeyondItsQueueAndAcceptsAgainOnceItDrains(t *testing.T) {
	db, _ := testenv.DB(t)
	a := funcAcceptor(db, 1, 3)
	defer a.close()
	ctx := context.Background()
	release := make(chan struct{})
	results := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			results <- a.do(ctx, "card", func(*gorm.DB) error { <-release; return nil })
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); a.queued.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d acceptances queued, want 3", a.queued.Load())
		}
	}
	ran := false
	if err := a.do(ctx, "card", func(*gorm.DB) error { ran = true; return nil }); !errors.Is(err, ErrBusy) || ran {
		t.Fatalf("a fourth acceptance: %v (ran: %v); want server_busy without running", err, ran)
	}
	close(release)
	for i := 0; i < 3; i++ {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if err := a.do(ctx, "card", func(*gorm.DB) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("after the queue drained: %v (ran: %v)", err, ran)
	}
}

func TestAcceptor_OnPostgresACardWaitingInOneGroupHoldsUpNoOtherGroup(t *testing.T) {
	db, _ := testenv.DB(t)
	groups := shapeFor(db).groups
	if groups == 1 {
		t.Skip("SQLite has one writer: its acceptances share one group at a time")
	}
	a := funcAcceptor(db, groups, 100)
	defer a.close()
	ctx := context.Background()
	blocked := "card-0"
	other := ""
	for i := 1; other == ""; i++ {
		if k := fmt.Sprintf("card-%d", i); a.queueOf(k) != a.queueOf(blocked) {
			other = k
		}
	}
	release := make(chan struct{})
	started := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- a.do(ctx, blocked, func(*gorm.DB) error { close(started); <-release; return nil })
	}()
	<-started
	sameCard := make(chan error, 1)
	sameRan := false
	go func() {
		sameCard <- a.do(ctx, blocked, func(*gorm.DB) error { sameRan = true; return nil })
	}()
	if err := a.do(ctx, other, func(*gorm.DB) error { return nil }); err != nil {
		t.Fatalf("another card while the first waits: %v", err)
	}
	select {
	case err := <-sameCard:
		t.Fatalf("the same card ran beside its own group (%v): its account could be locked twice", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-sameCard; err != nil || !sameRan {
		t.Fatalf("the same card after its group: %v (ran: %v)", err, sameRan)
	}
}

func TestAcceptor_AFailedStatementInAGroupFailsOnlyItsOwnAcceptance(t *testing.T) {
	db, _ := testenv.DB(t)
	if err := db.Exec("CREATE TABLE sales (ref VARCHAR(20) PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO sales (ref) VALUES ('taken')").Error; err != nil {
		t.Fatal(err)
	}
	var sizes []int // of the groups applied, in order
	insert := func(ref string) func(*gorm.DB) error {
		return func(tx *gorm.DB) error { return tx.Exec("INSERT INTO sales (ref) VALUES (?)", ref).Error }
	}
	release := make(chan struct{})
	a := newAcceptor(db, groupShape{groups: 1}, 10, func(_ context.Context, tx *gorm.DB, jobs []func(*gorm.DB) error) ([]error, error) {
		sizes = append(sizes, len(jobs))
		for _, j := range jobs {
			if err := j(tx); err != nil {
				return nil, err
			}
		}
		return make([]error, len(jobs)), nil
	}, nil, slog.New(slog.DiscardHandler))
	defer a.close()
	ctx := context.Background()
	first := make(chan error, 1)
	started := make(chan struct{})
	go func() { first <- a.do(ctx, "card", func(*gorm.DB) error { close(started); <-release; return nil }) }()
	<-started
	refs := []string{"a", "taken", "b"}
	results := make([]chan error, len(refs))
	for i, ref := range refs {
		results[i] = make(chan error, 1)
		go func() { results[i] <- a.do(ctx, "card", insert(ref)) }()
	}
	for deadline := time.Now().Add(10 * time.Second); a.queued.Load() < 4; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d acceptances queued, want 4", a.queued.Load())
		}
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for i, ref := range refs {
		err := <-results[i]
		if (ref == "taken") != (err != nil) {
			t.Errorf("inserting %q: %v", ref, err)
		}
	}
	var kept []string
	if err := db.Raw("SELECT ref FROM sales ORDER BY ref").Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(kept) != "[a b taken]" {
		t.Errorf("rows kept: %v, want [a b taken]", kept)
	}
	if fmt.Sprint(sizes) != "[1 3 1 1 1]" {
		t.Errorf("groups applied: %v, want [1 3 1 1 1] (the group of three, then one by one)", sizes)
	}
}

func TestAcceptor_AnswersAnAcceptanceOnlyOnceItIsOnDisk(t *testing.T) {
	db, _ := testenv.DB(t)
	if store.DialectOf(db) != store.SQLite {
		t.Skip("PostgreSQL commits synchronously")
	}
	if err := db.Exec("CREATE TABLE sales (ref VARCHAR(20) PRIMARY KEY)").Error; err != nil {
		t.Fatal(err)
	}
	a := funcAcceptor(db, 1, 10)
	defer a.close()
	for i := 0; i < 5; i++ {
		var sync int
		err := a.do(context.Background(), "card", func(tx *gorm.DB) error {
			if err := tx.Raw("PRAGMA synchronous").Row().Scan(&sync); err != nil {
				return err
			}
			return tx.Exec("INSERT INTO sales (ref) VALUES (?)", fmt.Sprint(i)).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		if sync != 1 {
			t.Errorf("acceptance %d committed with synchronous %d, want 1 (NORMAL, synced after)", i, sync)
		}
		if n := store.Unsynced(db); n != 0 {
			t.Fatalf("acceptance %d answered with %d commits not yet on disk", i, n)
		}
	}
}

func TestAcceptor_RecordsWhatEachAcceptanceWaitedForItsGroupAndItsTransactionTook(t *testing.T) {
	db, _ := testenv.DB(t)
	a := funcAcceptor(db, 1, 10)
	defer a.close()
	started, release := make(chan struct{}), make(chan struct{})
	slow := func(*gorm.DB) error { close(started); <-release; return nil }
	quick := func(*gorm.DB) error { return nil }
	slowDone, quickDone := make(chan error, 1), make(chan error, 1)
	go func() { slowDone <- a.do(context.Background(), "card", slow) }()
	<-started
	go func() { quickDone <- a.do(context.Background(), "card", quick) }()
	// The quick one is counted (its time taken a statement later) while the slow one's group
	// holds the loop: the slow one is released 60 ms after that, whatever the box's load.
	for a.queued.Load() < 2 {
		runtime.Gosched()
	}
	time.Sleep(60 * time.Millisecond)
	close(release)
	for _, done := range []chan error{slowDone, quickDone} {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// The quick one waited for the slow one's group (≥ 60 ms, less the moment between being
	// counted and taking its time); the slow one's transaction took ≥ 60 ms. Two groups of one.
	for _, c := range []struct {
		series     string
		count      uint64
		atLeastSum float64
	}{
		{`aidledger_redemption_acceptance_seconds{stage="wait"}`, 2, 0.050},
		{`aidledger_redemption_acceptance_seconds{stage="transaction"}`, 2, 0.060},
		{`aidledger_redemption_acceptance_seconds{stage="durable"}`, 2, 0},
		{`aidledger_redemption_acceptance_group_size`, 2, 2},
	} {
		count, sum := histogram(t, a.stages, c.series)
		if count != c.count || sum < c.atLeastSum {
			t.Errorf("%s: %d observations summing to %.3f, want %d summing to at least %.3f", c.series, count, sum, c.count, c.atLeastSum)
		}
	}
}

// histogram reads the count and sum of one histogram series (name{label="value"}) from c.
func histogram(t *testing.T, c prometheus.Collector, series string) (uint64, float64) {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			name := f.GetName()
			for i, l := range m.GetLabel() {
				sep := ","
				if i == 0 {
					sep = "{"
				}
				name += sep + l.GetName() + `="` + l.GetValue() + `"`
			}
			if len(m.GetLabel()) > 0 {
				name += "}"
			}
			if name == series {
				return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
			}
		}
	}
	t.Fatalf("no series %s", series)
	return 0, 0
}

func TestAcceptor_RunsItsGroupsOnThreadsAtTheNiceValueItWasGiven(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread priorities are only set on Linux")
	}
	db, _ := testenv.DB(t)
	before, err := threadnice.Nice()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		nice int // 0 = unchanged; a lower priority needs no privilege
		want int
	}{
		{"unchanged", 0, before},
		{"lowered to 5", 5, 5},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newAcceptor(db, groupShape{groups: 2, threadNice: c.nice}, 10, func(_ context.Context, _ *gorm.DB, jobs []int) ([]error, error) {
				for range jobs {
					if n, err := threadnice.Nice(); err != nil || n != c.want {
						return nil, fmt.Errorf("group ran at nice %d (%v), want %d", n, err, c.want)
					}
				}
				return make([]error, len(jobs)), nil
			}, nil, slog.New(slog.DiscardHandler))
			defer a.close()
			for _, card := range []string{"a", "b", "c", "d"} { // both groups
				if err := a.do(context.Background(), card, 1); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestStages_ShowBothRetriedSeriesAtZeroBeforeAnyGroupFails(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newStages())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "aidledger_redemption_acceptance_groups_retried_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				seen[l.GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	for _, failed := range []string{failedPipelined, failedGroup} {
		if v, ok := seen[failed]; !ok || v != 0 {
			t.Errorf("series failed=%q: %v, present %v; want it present at 0", failed, v, ok)
		}
	}
}
