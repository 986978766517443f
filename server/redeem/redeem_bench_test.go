package redeem_test

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/redeem"
)

// BenchmarkRedeemService measures the redemption service without HTTP on a real system
// (embedded chain, SQLite in a temp dir, the pipeline running): many concurrent shops, each
// Redeem waiting for its confirmation as the API does. ns/op is wall time per redemption across
// all goroutines, i.e. 1e9/ns-per-op = confirmed redemptions per second. With
// AIDLEDGER_TEST_POSTGRES set it runs on a fresh PostgreSQL database there. Profile it with
//
//	go test -run '^$' -bench RedeemService -benchtime 3000x -cpuprofile /tmp/redeem.pprof ./server/redeem
func BenchmarkRedeemService(b *testing.B) {
	benchmarkRedeem(b, 3*time.Second, redeem.StatusConfirmed)
}

// BenchmarkRedeemAccepted is BenchmarkRedeemService with each shop going on as soon as its
// redemption is durably accepted (Prefer: respond-async), not confirmed: it measures the
// acceptance path (checks, PIN, group commit), which the chain's block cycle does not bound.
func BenchmarkRedeemAccepted(b *testing.B) {
	benchmarkRedeem(b, 0, redeem.StatusPending)
}

func benchmarkRedeem(b *testing.B, wait time.Duration, want string) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	dsn := ""
	if server := os.Getenv(testenv.EnvPostgres); server != "" {
		dsn = testenv.PostgresDB(b, server)
	}
	a, err := app.Start(ctx, app.Config{DataDir: b.TempDir(), DB: dsn, RPCAddr: "", Lanes: 2, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	seeded, err := demo.Seed(ctx, a, demo.Size{Beneficiaries: 300, Redemptions: 0, Vendors: 5}, nil)
	if err != nil {
		b.Fatal(err)
	}
	prog := seeded.Programs[0].ID
	var failures atomic.Int64
	var seed atomic.Uint64
	b.SetParallelism(64) // 128 concurrent shops on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(seed.Add(1), 1))
		for pb.Next() {
			v := seeded.Vendors[rng.IntN(len(seeded.Vendors))]
			c := seeded.Beneficiaries[rng.IntN(len(seeded.Beneficiaries))]
			r, err := a.Redeem.RedeemWait(ctx, v.ID, uuid.NewString(), redeem.Request{CardNumber: c.CardNumber, PIN: demo.PIN,
				ProgramID: prog, Amount: 1, Category: v.Categories[0]}, wait)
			if err != nil || r.Status != want {
				failures.Add(1)
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "redemptions/s")
	if f := failures.Load(); f > 0 {
		b.Logf("%d of %d not %s", f, b.N, want)
	}
}
