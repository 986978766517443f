package api

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/report"
)

// BenchmarkGzipAnswer is what gzipAnswer costs the server per read of a page of 100
// transactions like /api/v1/reports/transactions' (random 32-byte pseudonyms, a transaction hash
// per batch of 50, five shops), against the same page sent plain.
func BenchmarkGzipAnswer(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	hex := func(n int) string {
		s := "0x"
		for range n {
			s += fmt.Sprintf("%02x", rng.IntN(256))
		}
		return s
	}
	vendors := []string{hex(20), hex(20), hex(20), hex(20), hex(20)}
	categories := []string{"food", "hygiene", "fuel", "medicine"}
	page := report.TransactionPage{AsOfBlock: 90_100, Total: 525_002, PageSize: 100, NextAfter: "90001-49"}
	var txHash string
	for i := range 100 {
		if i%50 == 0 {
			txHash = hex(32)
		}
		v := rng.IntN(len(vendors))
		page.Transactions = append(page.Transactions, report.Transaction{
			TxHash: txHash, BlockNumber: uint64(90_100 - i/50), LogIndex: uint(49 - i%50),
			Time: time.Date(2026, 12, 6, 19, 38, 10-i/50, 0, time.UTC), Kind: "redeemed",
			ProgramID: "01a24ce2-cc4b-7be4-8a9a-6730b75a014e", ChainProgramID: 1,
			Vendor: vendors[v], VendorName: fmt.Sprintf("Shop %d, Zaatari district %d", v+1, v+3),
			Amount: int64(250 + rng.IntN(900)), Category: categories[rng.IntN(len(categories))], Beneficiary: hex(32),
		})
	}
	body, err := json.Marshal(page)
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.GET("/page", func(c echo.Context) error { return c.JSONBlob(http.StatusOK, body) }, gzipAnswer)
	for _, enc := range []string{"", "gzip"} {
		name := "plain"
		if enc != "" {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/page", nil)
			if enc != "" {
				req.Header.Set("Accept-Encoding", enc)
			}
			var sent int
			for b.Loop() {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				sent = rec.Body.Len()
			}
			b.ReportMetric(float64(len(body)), "json-bytes")
			b.ReportMetric(float64(sent), "sent-bytes")
		})
	}
}
