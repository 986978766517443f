package pipeline

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/core/types"
)

// Outcome is what became of one intent in a mined transaction.
type Outcome struct {
	Status   string // IntentConfirmed, IntentFailed, or IntentPending to submit it again
	Reason   string // why it failed or was requeued; empty when confirmed
	LogIndex uint   // the log that evidences the outcome, when there is one
	// TxHash and BlockNumber are set only when the evidence lives in another transaction than
	// the one being settled (an item that an earlier transaction already applied).
	TxHash      string
	BlockNumber uint64
}

// A Kind turns a batch of intents into one ledger call and reads each intent's outcome back
// from the receipt. Kinds are stateless; the pipeline owns ordering, nonces and persistence.
type Kind interface {
	Name() string
	// MaxBatch is how many intents one transaction may carry.
	MaxBatch() int
	// Calldata packs the payloads (all with batchKey, oldest first) into one call to the ledger.
	Calldata(batchKey string, payloads [][]byte) ([]byte, error)
	// Gas is the gas limit for a batch of n intents: an upper bound, since a batch never reverts
	// for one bad item and gas estimation against a state that in-flight transactions are about
	// to change would be wrong anyway.
	Gas(n int) uint64
	// Outcomes reads, for a successful receipt, one outcome per intent (same order).
	Outcomes(ctx context.Context, c *Chain, r *types.Receipt, intents []Intent) ([]Outcome, error)
	// RetryOnRevert says whether intents of a reverted transaction go back to pending (the revert
	// was about the moment: paused contract, an earlier transaction not mined yet) or fail.
	RetryOnRevert() bool
}

// callKind sends one prepared call per intent; the payload is the calldata. Used for the
// ledger's administrative functions (programs, funding, vendors, suspensions, settlement).
type callKind struct{}

// KindCall is the name of the kind whose payload is ready calldata for the ledger contract.
const KindCall = "call"

func (callKind) Name() string  { return KindCall }
func (callKind) MaxBatch() int { return 1 }
func (callKind) Calldata(_ string, p [][]byte) ([]byte, error) {
	if len(p) != 1 {
		return nil, fmt.Errorf("call batch of %d", len(p))
	}
	return p[0], nil
}
func (callKind) Gas(int) uint64      { return 300_000 }
func (callKind) RetryOnRevert() bool { return false }
func (callKind) Outcomes(_ context.Context, _ *Chain, r *types.Receipt, in []Intent) ([]Outcome, error) {
	out := make([]Outcome, len(in))
	for i := range in {
		out[i] = Outcome{Status: IntentConfirmed}
		if len(r.Logs) > 0 {
			out[i].LogIndex = r.Logs[0].Index
		}
	}
	return out, nil
}
