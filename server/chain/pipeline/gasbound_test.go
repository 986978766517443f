package pipeline_test

import (
	"context"
	"errors"
	"math/big"
	"sync/atomic"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// gasCounter is the real chain client, counting the pipeline's gas checks: calls with a gas
// limit (a batch executed within its bound) and estimates. failChecks makes those calls fail,
// as a batch that needs more than four fifths of its bound would.
type gasCounter struct {
	pipeline.Backend
	checks, estimates atomic.Int64
	failChecks        atomic.Bool
}

func (g *gasCounter) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if msg.Gas != 0 {
		g.checks.Add(1)
		if g.failChecks.Load() {
			return nil, errors.New("injected: out of gas")
		}
	}
	return g.Backend.CallContract(ctx, msg, block)
}

func (g *gasCounter) EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error) {
	g.estimates.Add(1)
	return g.Backend.EstimateGas(ctx, msg)
}

func TestPipeline_OnAKnownGasScheduleChecksABatchByRunningItOnceNotByEstimating(t *testing.T) {
	for _, tc := range []struct {
		name          string
		checkFails    bool
		wantEstimates bool
	}{
		{"a batch within its bound is not estimated", false, false},
		{"a batch over four fifths of its bound is estimated and still confirmed", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1)
			client := &gasCounter{Backend: w.client}
			client.failChecks.Store(tc.checkFails)
			p, _ := w.pipeline(client, pipeline.Config{KnownGasSchedule: true})
			vendor := common.Address{0xbe, 0xef}
			cards := w.beneficiaries(20)
			w.setupProgram(p, vendor, cards, 1000)
			intents := redemptions(t, p.Lanes(), vendor, cards, 1, 100)
			stored, err := p.Enqueue(context.Background(), nil, intents...)
			if err != nil {
				t.Fatal(err)
			}
			for _, in := range waitFinal(t, p, ids(stored), 30*time.Second) {
				if in.Status != pipeline.IntentConfirmed {
					t.Fatalf("redemption %s: %s (%s)", in.Ref[:8], in.Status, in.Reason)
				}
			}
			w.assertAppliedOnce(intents, cards, 1000, 100, 1)
			if client.checks.Load() == 0 {
				t.Fatal("no batch was checked against the node")
			}
			if got := client.estimates.Load() > 0; got != tc.wantEstimates {
				t.Errorf("%d estimates after %d checks; want estimates: %v", client.estimates.Load(), client.checks.Load(), tc.wantEstimates)
			}
		})
	}
}
