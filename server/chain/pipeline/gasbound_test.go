package pipeline_test

import (
	"context"
	"errors"
	"math/big"
	"sync/atomic"
	"testing"

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
	revertChecks      atomic.Bool
}

// reverted is how JSON-RPC reports a call that reverted.
type reverted struct{}

func (reverted) Error() string  { return "execution reverted" }
func (reverted) ErrorCode() int { return 3 }

func (g *gasCounter) CallContract(ctx context.Context, msg ethereum.CallMsg, block *big.Int) ([]byte, error) {
	if msg.Gas != 0 {
		g.checks.Add(1)
		if g.failChecks.Load() {
			return nil, errors.New("injected: out of gas")
		}
		if g.revertChecks.Load() {
			return nil, reverted{}
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
		checkReverts  bool
		cards         int
		vendors       int
		wantEstimates bool
	}{
		{"a batch within its bound is not estimated", false, false, 40, 1, false},
		// The costliest batches there are, checked with the margin: full batches of
		// allocations to new beneficiaries, and of redemptions that each first write their
		// vendor's position in the program (every one in the first seconds of a programme).
		{"full batches of new allocations and of first redemptions at new vendors are within their bounds", false, false, 300, 250, false},
		{"a batch over four fifths of its bound is estimated and still confirmed", true, false, 40, 1, true},
		// Its estimate would revert too; the receipt says what happened.
		{"a batch whose check reverts keeps its bound and is not estimated", false, true, 40, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 1)
			client := &gasCounter{Backend: w.client}
			client.failChecks.Store(tc.checkFails)
			client.revertChecks.Store(tc.checkReverts)
			p, _ := w.pipeline(client, pipeline.Config{KnownGasSchedule: true})
			vendors := make([]common.Address, tc.vendors)
			for i := range vendors {
				vendors[i] = common.Address{0xbe, 0xef, byte(i)}
			}
			cards := w.beneficiaries(tc.cards)
			w.setupProgram(p, vendors[0], cards, 1000)
			w.approveVendors(p, vendors[1:])
			var intents []pipeline.NewIntent
			for i, card := range cards {
				intents = append(intents, pipeline.RedeemIntent(p.Lanes(), pipeline.Redemption{
					ProgramID: programID, Beneficiary: card, Vendor: vendors[i%len(vendors)], Amount: 100, Ref: randomID(t),
				}))
			}
			stored, err := p.Enqueue(context.Background(), nil, intents...)
			if err != nil {
				t.Fatal(err)
			}
			waitConfirmed(t, p, stored)
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
