package report_test

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/report"
	"github.com/aidledger/aidledger/server/store"
)

// BenchmarkReports indexes (inserts) synthetic chain events straight into chain_events, counts
// them into the rollups, and measures the reads a donor page makes. AIDLEDGER_BENCH_REDEMPTIONS
// sets the number of redemptions (200,000 by default; the target is 1,000,000):
//
//	AIDLEDGER_BENCH_REDEMPTIONS=1000000 go test -run '^$' -bench Reports -benchtime 200x ./server/report
func BenchmarkReports(b *testing.B) {
	n := 200_000
	if v, err := strconv.Atoi(os.Getenv("AIDLEDGER_BENCH_REDEMPTIONS")); err == nil && v > 0 {
		n = v
	}
	const (
		vendors       = 500
		beneficiaries = 50_000
		days          = 180
	)
	db, _ := testenv.DB(b, index.Schema, report.Schema)
	contract := common.HexToAddress("0x00000000000000000000000000000000000c0de")
	dir := &directory{programs: []report.ProgramInfo{{ID: "p1", ChainID: 1, Name: "Food", Currency: "EUR"}, {ID: "p2", ChainID: 2, Name: "Cash", Currency: "EUR"}}, vendors: map[string]report.VendorInfo{}}
	vendorAddr := make([]string, vendors)
	for i := range vendorAddr {
		vendorAddr[i] = common.HexToAddress(fmt.Sprintf("0x%040x", 0xa000+i)).Hex()
		dir.vendors[vendorAddr[i]] = report.VendorInfo{Name: fmt.Sprintf("Shop %d", i), Location: fmt.Sprintf("District %d", i%20)}
	}
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

	began := time.Now()
	var block uint64
	batch := make([]index.Event, 0, 2000)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := db.CreateInBatches(&batch, 500).Error; err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	add := func(e index.Event) {
		block++
		e.BlockNumber = block
		e.BlockHash = common.BigToHash(new(big.Int).SetUint64(block)).Hex()
		e.TxHash = e.BlockHash
		e.BlockTime = start.Add(time.Duration(int64(block)) * (time.Duration(days) * 24 * time.Hour / time.Duration(n+beneficiaries+10)))
		batch = append(batch, e)
		if len(batch) == cap(batch) {
			flush()
		}
	}
	for p := uint64(1); p <= 2; p++ {
		add(index.Event{Kind: index.KindProgramCreated, ProgramID: p})
		add(index.Event{Kind: index.KindFunded, ProgramID: p, Amount: 1 << 40})
	}
	ben := func(i int) string { return common.BigToHash(new(big.Int).SetUint64(uint64(i) + 1)).Hex() }
	for i := 0; i < beneficiaries; i++ {
		add(index.Event{Kind: index.KindAllocated, ProgramID: 1 + uint64(i%2), Beneficiary: ben(i), Amount: 1_000_000, Cycle: 1})
	}
	for i := 0; i < n; i++ {
		r := ledger.Ref{ID: uuid.New(), Category: ledger.Category(i % 9)}.Bytes()
		add(index.Event{Kind: index.KindRedeemed, ProgramID: 1 + uint64(i%2), Beneficiary: ben(i % beneficiaries),
			Vendor: vendorAddr[i%vendors], Amount: int64(100 + i%500), Seq: uint64(i / beneficiaries), Ref: common.Hash(r).Hex()})
	}
	flush()
	if err := db.Create(&index.Cursor{Contract: contract.Hex(), Block: block, Hash: "0x01"}).Error; err != nil {
		b.Fatal(err)
	}
	inserted := time.Since(began)

	svc := report.New(db, dir, report.Config{Contract: contract, ChainID: 1337})
	began = time.Now()
	if err := svc.CatchUp(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d redemptions: inserted into chain_events in %s, rolled up in %s", n, inserted, time.Since(began))
	if store.DialectOf(db) == store.Postgres {
		// Read the way a server reads: its table grows a block at a time, and autovacuum analyses
		// it every tenth of growth. A million rows inserted in a minute and read at once are read
		// with an empty table's statistics until autovacuum gets there (in one run, after more
		// than a minute of pages at 270 ms, planned for 30 rows of the program instead of 525,000).
		if err := db.Exec("ANALYZE").Error; err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	mid := start.Add(45*24*time.Hour + 7*time.Hour)
	cases := []struct {
		name string
		run  func() error
	}{
		{"Summary", func() error { _, err := svc.Summary(ctx); return err }},
		{"ByVendor", func() error {
			_, err := svc.ProgramReport(ctx, "p1", report.ByVendor, time.Time{}, time.Time{})
			return err
		}},
		{"ByLocation", func() error {
			_, err := svc.ProgramReport(ctx, "p1", report.ByLocation, time.Time{}, time.Time{})
			return err
		}},
		{"ByCategory", func() error {
			_, err := svc.ProgramReport(ctx, "p1", report.ByCategory, time.Time{}, time.Time{})
			return err
		}},
		{"ByDay", func() error {
			_, err := svc.ProgramReport(ctx, "p1", report.ByDay, time.Time{}, time.Time{})
			return err
		}},
		{"ByWeek", func() error {
			_, err := svc.ProgramReport(ctx, "p1", report.ByWeek, time.Time{}, time.Time{})
			return err
		}},
		{"TransactionsFirstPage", func() error {
			_, err := svc.Transactions(ctx, report.TransactionQuery{ProgramID: "p1", Page: 1, PageSize: 50})
			return err
		}},
		{"TransactionsPage100", func() error {
			_, err := svc.Transactions(ctx, report.TransactionQuery{ProgramID: "p1", Page: 100, PageSize: 50})
			return err
		}},
		{"TransactionsAfterMidHistory", func() error { // by cursor, half a million events deep at 1,000,000
			_, err := svc.Transactions(ctx, report.TransactionQuery{ProgramID: "p1", After: fmt.Sprintf("%d-0", block/2), PageSize: 50})
			return err
		}},
		{"ByVendor30DaysMidDayBounds", func() error {
			_, err := svc.ProgramReport(ctx, "p1", report.ByVendor, mid, mid.Add(30*24*time.Hour))
			return err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			reportP99(b, lat)
		})
	}
}

// reportP99 adds the 99th percentile latency to the benchmark's output.
func reportP99(b *testing.B, lat []time.Duration) {
	b.Helper()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}
