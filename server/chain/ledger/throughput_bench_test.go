package ledger_test

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
)

// BenchmarkChainLimit measures how fast the go-ethereum node (the simulated backend runs the same
// block building and import as the embedded node) executes blocks full of redeemBatch
// transactions, in Mgas/s, and turns that into the most redemptions per second the chain could
// confirm. Each op mines one block of txsPerBlock batches of 250 items spread over 200 vendors
// (the load generator's shape). Signing and sending are outside the timer; Commit (build the
// block, execute, import, write state) is inside.
//
//	go test -run '^$' -bench ChainLimit -benchtime 20x ./server/chain/ledger
func BenchmarkChainLimit(b *testing.B) {
	const (
		items       = 250
		vendors     = 200
		txsPerBlock = 8 // ~8 x 5.2M gas: a 40M-gas block, under the 60M limit
	)
	g := newGasBench(b)
	var gas, n uint64
	var busy time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		nonce, err := g.Client.PendingNonceAt(t0(b), cryptoAddr(g.operator))
		if err != nil {
			b.Fatal(err)
		}
		var txs []*types.Transaction
		for k := range txsPerBlock {
			tx, err := g.SignTxNonce(b, g.operator, nonce+uint64(k), g.addr, abiL.PackRedeemBatch(1, g.batchFrom(items, vendors, i*7+k)), 12_000_000)
			if err != nil {
				b.Fatal(err)
			}
			if err := g.Send(b, tx); err != nil {
				b.Fatal(err)
			}
			txs = append(txs, tx)
		}
		b.StartTimer()
		start := time.Now()
		g.Mine(b)
		busy += time.Since(start)
		b.StopTimer()
		for _, tx := range txs {
			r := g.Receipt(b, tx.Hash())
			if r.Status != types.ReceiptStatusSuccessful {
				b.Fatal("batch failed")
			}
			gas += r.GasUsed
			n += items
		}
		b.StartTimer()
	}
	b.StopTimer()
	mgasps := float64(gas) / 1e6 / busy.Seconds()
	b.ReportMetric(mgasps, "Mgas/s")
	b.ReportMetric(float64(gas)/float64(n), "gas/redemption")
	b.ReportMetric(float64(n)/busy.Seconds(), "redemptions/s")
}
