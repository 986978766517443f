package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

func TestPipeline_ALaneSettlesItsTransactionWhenTheBlockArrivesNotAtItsNextPoll(t *testing.T) {
	w := newWorld(t, 1)
	// A lane that only polled would look again in an hour: here every step it takes after
	// sending must come from a new block.
	p, _ := w.pipeline(nil, pipeline.Config{PollInterval: time.Hour, BatchLinger: -1})
	stored, err := p.Enqueue(context.Background(), nil, pipeline.CallIntent("create:7", ledgerABI.PackCreateProgram(programID)))
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range waitFinal(t, p, ids(stored), 10*time.Second) {
		if in.Status != pipeline.IntentConfirmed {
			t.Fatalf("%s: %s (%s)", in.Ref, in.Status, in.Reason)
		}
	}
}
