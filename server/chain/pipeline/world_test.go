package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

var ledgerABI = aidledger.NewAidLedger()

// world is a ledger on a simulated chain and a migrated SQLite database: what the pipeline runs
// against in production, minus the network.
type world struct {
	*testenv.Chain
	t      testing.TB
	client simulated.Client
	db     *gorm.DB
}

func newWorld(t testing.TB, lanes int) *world {
	t.Helper()
	c := testenv.NewChain(t, lanes)
	db, _ := testenv.DB(t, pipeline.Schema)
	// The queue is the intents without a transaction (migration 7): whatever a test makes the
	// pipeline do, an intent must be pending exactly while it has none. Registered before any
	// pipeline, so it runs after each has stopped.
	t.Cleanup(func() {
		var wrong []pipeline.Intent
		if err := db.Where("(tx_id IS NULL) <> (status = ?)", pipeline.IntentPending).Find(&wrong).Error; err != nil {
			t.Error(err)
		}
		for _, in := range wrong {
			t.Errorf("intent %d is %s, with a transaction: %t; want pending exactly while it has none", in.ID, in.Status, in.TxID != nil)
		}
	})
	return &world{Chain: c, t: t, client: c.Client, db: db}
}

// pipeline builds a pipeline over the world's database and client (optionally through a fault
// injector) and runs it until the returned stop function is called.
func (w *world) pipeline(client pipeline.Backend, cfg pipeline.Config) (*pipeline.Pipeline, func()) {
	w.t.Helper()
	if client == nil {
		client = w.client
	}
	cfg.Contract, cfg.ChainID, cfg.Keys = w.Contract, w.ChainID, w.Keys
	if cfg.ResendAfter == 0 {
		cfg.ResendAfter = 300 * time.Millisecond
	}
	if cfg.LeaseFor == 0 {
		cfg.LeaseFor = time.Second
	}
	p, err := pipeline.New(w.db, client, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(ctx)
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	w.t.Cleanup(stop)
	return p, stop
}

// waitFinal waits until every listed intent is final and returns them.
func waitFinal(t testing.TB, p *pipeline.Pipeline, ids []int64, within time.Duration) []pipeline.Intent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	out := make([]pipeline.Intent, len(ids))
	for i, id := range ids {
		in, err := p.Wait(ctx, id)
		if err != nil {
			t.Fatalf("intent %d not final within %s (status %q, reason %q): %v", id, within, in.Status, in.Reason, err)
		}
		out[i] = in
	}
	return out
}

// waitConfirmed waits up to 30 s for the stored intents to be final, and fails the test unless
// every one was confirmed.
func waitConfirmed(t testing.TB, p *pipeline.Pipeline, stored []pipeline.Intent) {
	t.Helper()
	for _, in := range waitFinal(t, p, ids(stored), 30*time.Second) {
		if in.Status != pipeline.IntentConfirmed {
			t.Fatalf("intent %s %s: %s (%s)", in.Kind, in.Ref, in.Status, in.Reason)
		}
	}
}

// faultyClient is the real chain client with faults injected into sends: what a flaky network
// or a crash does to the pipeline, without replacing the chain.
type faultyClient struct {
	pipeline.Backend
	// dropSends: the send never reaches the node and returns an error.
	dropSends atomic.Bool
	// errorAfterSend: the node takes the transaction, but the caller sees an error (a time-out).
	errorAfterSend atomic.Bool
	// refusePriceAfterSend: the node takes the transaction, but the caller sees a refusal of its
	// price (what a proxy in front of several nodes can answer when one of them refused it).
	refusePriceAfterSend atomic.Bool
	// afterSend runs after a send reached the node (used to "crash" the pipeline right there).
	afterSend func()
	sends     atomic.Int64

	mu      sync.Mutex
	reached []common.Hash // transactions that reached the node, in order
}

func (f *faultyClient) reachedNode() []common.Hash {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]common.Hash(nil), f.reached...)
}

func (f *faultyClient) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	f.sends.Add(1)
	if f.dropSends.Load() {
		return errors.New("injected: connection reset before the node read the request")
	}
	if err := f.Backend.SendTransaction(ctx, tx); err != nil {
		return err
	}
	f.mu.Lock()
	f.reached = append(f.reached, tx.Hash())
	f.mu.Unlock()
	if f.afterSend != nil {
		f.afterSend()
	}
	if f.errorAfterSend.Load() {
		return context.DeadlineExceeded
	}
	if f.refusePriceAfterSend.Load() {
		return fmt.Errorf("transaction gas price below minimum: gas tip cap %s, minimum needed %s", tx.GasTipCap(), new(big.Int).Add(tx.GasTipCap(), big.NewInt(1)))
	}
	return nil
}
