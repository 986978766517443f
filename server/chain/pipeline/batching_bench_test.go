package pipeline_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// BenchmarkPipelineRedeem is intent batching from queue to confirmation: each op enqueues one
// redemption for each of 2,000 cards and waits until the pipeline has confirmed every one, over
// SQLite and a simulated chain that seals a block every 15 ms. In between the lanes read their
// queues, form batches, pack, sign and store transactions, send them, follow their receipts and
// settle their intents: everything the pipeline does per redemption but the acceptance before it.
//
//	go test -run '^$' -bench PipelineRedeem -benchtime 5x ./server/chain/pipeline
func BenchmarkPipelineRedeem(b *testing.B) {
	const cards = 2000
	// The migrations' log lines would split the benchmark's result lines for benchstat.
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.DiscardHandler))
	b.Cleanup(func() { slog.SetDefault(prev) })
	w := newWorld(b, 2)
	p, stop := w.pipeline(nil, pipeline.Config{})
	defer stop()
	vendor := common.Address{0xbe, 0xef}
	cs := w.beneficiaries(cards)
	w.setupProgram(p, vendor, cs, 1_000_000)
	ctx := context.Background()
	txsBefore := w.redeemTxs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		intents := make([]pipeline.NewIntent, cards)
		for k, c := range cs {
			intents[k] = pipeline.RedeemIntent(p.Lanes(), pipeline.Redemption{ProgramID: programID, Beneficiary: c, Vendor: vendor,
				Amount: 100, Seq: uint64(i), Ref: randomID(b)})
		}
		b.StartTimer()
		stored, err := p.Enqueue(ctx, nil, intents...)
		if err != nil {
			b.Fatal(err)
		}
		waitConfirmed(b, p, stored)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*cards)/b.Elapsed().Seconds(), "redemptions/s")
	b.ReportMetric(float64(b.N*cards)/float64(w.redeemTxs()-txsBefore), "redemptions/tx")
}

// redeemTxs counts the redemption transactions the pipeline has stored.
func (w *world) redeemTxs() int64 {
	w.t.Helper()
	var n int64
	if err := w.db.Model(&pipeline.Tx{}).Where("kind = ?", pipeline.KindRedeem).Count(&n).Error; err != nil {
		w.t.Fatal(err)
	}
	return n
}
