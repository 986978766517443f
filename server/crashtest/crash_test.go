package crashtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

// TestCrash_KillNineDuringRedemptions_NothingLostOrPaidTwice runs the real binary with the
// embedded chain and SQLite, fires thousands of redemptions from concurrent phones (each retrying
// with its Idempotency-Key until it gets an answer), kills the server with SIGKILL several times
// meanwhile and restarts it on the same data directory, then proves from the chain that every
// 201/202 was paid exactly once and nothing else was paid.
func TestCrash_KillNineDuringRedemptions_NothingLostOrPaidTwice(t *testing.T) {
	runCrash(t)
}

// TestCrash_KillNineDuringRedemptions_PostgreSQL is the same test with --db on a fresh
// PostgreSQL database (AIDLEDGER_TEST_POSTGRES).
func TestCrash_KillNineDuringRedemptions_PostgreSQL(t *testing.T) {
	pg := os.Getenv(testenv.EnvPostgres)
	if pg == "" {
		t.Skipf("%s is not set: no PostgreSQL server to run the crash test on", testenv.EnvPostgres)
	}
	runCrash(t, "--db", testenv.PostgresDB(t, pg))
}

func runCrash(t *testing.T, extra ...string) {
	began := time.Now()
	n := envInt(t, "AIDLEDGER_CRASH_REDEMPTIONS", 2500)
	if testing.Short() && os.Getenv("AIDLEDGER_CRASH_REDEMPTIONS") == "" {
		n = 300
	}
	phones := envInt(t, "AIDLEDGER_CRASH_PHONES", 32)
	kills := envInt(t, "AIDLEDGER_CRASH_KILLS", 3)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	t.Logf("%d redemptions from %d phones, %d kill -9 (seed %d)", n, phones, kills, seed)

	s := newServer(t, filepath.Join(t.TempDir(), "data"), "", nil, extra...)
	s.start(true)
	t.Logf("server seeded and ready after %s (contract %s)", time.Since(began).Round(time.Millisecond), s.Contract.Hex())

	a := newAPI(s.BaseURL)
	emails := make([]string, 5)
	for i := range emails {
		emails[i] = fmt.Sprintf("vendor%d@demo.aidledger.org", i+1)
	}
	w := loadWorld(t, a, emails)
	jobs := plan(w, n, rng)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var answered atomic.Int64
	var outs []outcome
	finished := make(chan struct{})
	loadStart := time.Now()
	go func() {
		defer close(finished)
		outs = fire(ctx, w, jobs, phones, &answered)
	}()

	// Kill at random moments spread over the load: the i-th kill somewhere in the i-th slice of
	// answers between 5% and 90%.
	var killedAt []string
	for i := 0; i < kills; i++ {
		lo := 0.05 + 0.85*float64(i)/float64(kills)
		th := int64((lo + rng.Float64()*0.85/float64(kills)) * float64(n))
		for answered.Load() < th {
			select {
			case <-finished:
				t.Fatalf("the load finished before kill %d (at %d answers): raise AIDLEDGER_CRASH_REDEMPTIONS", i+1, th)
			case <-time.After(20 * time.Millisecond):
			}
		}
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond)
		at := answered.Load()
		s.kill9()
		time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
		restart := time.Now()
		// The first restart keeps --demo: on a seeded data directory it must only reprint the logins.
		out := s.start(i == 0)
		if i == 0 && (strings.Contains(out, "seeding the demo data set") || !strings.Contains(out, "Demo logins")) {
			t.Errorf("--demo on a seeded data directory did not just reprint the logins:\n%s", out)
		}
		killedAt = append(killedAt, fmt.Sprintf("kill %d at %d/%d answers (%s into the load), back in %s",
			i+1, at, n, restart.Sub(loadStart).Round(time.Millisecond), time.Since(restart).Round(time.Millisecond)))
	}
	<-finished
	t.Logf("load done in %s; %s", time.Since(loadStart).Round(time.Millisecond), strings.Join(killedAt, "; "))
	t.Logf("answers: %s", summarize(outs))

	acc := checkOutcomes(t, outs)
	drainStart := time.Now()
	drain(t, w, acc, 3*time.Minute)
	t.Logf("drained in %s", time.Since(drainStart).Round(time.Millisecond))
	checkLedger(t, s, w, acc, outs)
	t.Logf("total %s", time.Since(began).Round(time.Millisecond))
}
