package pipeline_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	gethnode "github.com/ethereum/go-ethereum/node"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

var ledgerABI = aidledger.NewAidLedger()

// world is a ledger deployed on a simulated chain that mines a block every few milliseconds,
// with a migrated SQLite database: what the pipeline runs against in production, minus the
// network.
type world struct {
	t        *testing.T
	sim      *simulated.Backend
	client   simulated.Client
	db       *gorm.DB
	dbPath   string
	keys     []*ecdsa.PrivateKey
	contract common.Address
	chainID  *big.Int

	mineMu sync.Mutex // held while the test rewrites the chain
	stop   chan struct{}
}

func newWorld(t *testing.T, lanes int) *world {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, lanes)
	addrs := make([]common.Address, lanes)
	for i := range keys {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		keys[i], addrs[i] = k, crypto.PubkeyToAddress(k.PublicKey)
	}
	sim := simulated.NewBackend(node.Fund(addrs...), func(_ *gethnode.Config, ec *ethconfig.Config) {
		ec.Genesis.Config = node.ChainConfig(node.DefaultChainID)
	})
	t.Cleanup(func() { sim.Close() })
	w := &world{t: t, sim: sim, client: sim.Client(), keys: keys, chainID: big.NewInt(node.DefaultChainID), stop: make(chan struct{})}

	w.dbPath = filepath.Join(t.TempDir(), "test.db")
	w.db = w.openDB()

	// Deploy and grant roles directly, before any pipeline runs: the pipeline must then catch
	// its nonce counter up with the chain.
	admin := keys[0]
	data := append(common.FromHex(aidledger.AidLedgerMetaData.Bin), ledgerABI.PackConstructor(addrs[0])...)
	rc := w.sendAndMine(admin, nil, data)
	w.contract = rc.ContractAddress
	for _, role := range []string{"PROGRAM_MANAGER_ROLE", "SETTLER_ROLE"} {
		w.sendAndMine(admin, &w.contract, ledgerABI.PackGrantRole(crypto.Keccak256Hash([]byte(role)), addrs[0]))
	}
	for _, a := range addrs {
		w.sendAndMine(admin, &w.contract, ledgerABI.PackGrantRole(crypto.Keccak256Hash([]byte("OPERATOR_ROLE")), a))
	}

	go w.mine()
	t.Cleanup(func() { close(w.stop) })
	return w
}

func (w *world) openDB() *gorm.DB {
	w.t.Helper()
	db, err := store.Open(w.dbPath, "")
	if err != nil {
		w.t.Fatal(err)
	}
	if err := store.Migrate(context.Background(), db, pipeline.Schema); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { store.Close(db) })
	return db
}

func (w *world) mine() {
	for {
		select {
		case <-w.stop:
			return
		case <-time.After(15 * time.Millisecond):
			w.mineMu.Lock()
			w.sim.Commit()
			w.mineMu.Unlock()
		}
	}
}

func (w *world) sendAndMine(key *ecdsa.PrivateKey, to *common.Address, data []byte) *types.Receipt {
	w.t.Helper()
	ctx := context.Background()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := w.client.PendingNonceAt(ctx, from)
	if err != nil {
		w.t.Fatal(err)
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(w.chainID), &types.DynamicFeeTx{
		ChainID: w.chainID, Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9), Gas: 5_000_000, To: to, Data: data,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.client.SendTransaction(ctx, tx); err != nil {
		w.t.Fatal(err)
	}
	w.sim.Commit()
	rc, err := w.client.TransactionReceipt(ctx, tx.Hash())
	if err != nil || rc.Status != types.ReceiptStatusSuccessful {
		w.t.Fatalf("setup transaction failed: %v (receipt %+v)", err, rc)
	}
	return rc
}

// pipeline builds a pipeline over the world's database and client (optionally through a fault
// injector) and runs it until the returned stop function is called.
func (w *world) pipeline(client pipeline.Backend, cfg pipeline.Config) (*pipeline.Pipeline, func()) {
	w.t.Helper()
	if client == nil {
		client = w.client
	}
	cfg.Contract, cfg.ChainID, cfg.Keys = w.contract, w.chainID, w.keys
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
func waitFinal(t *testing.T, p *pipeline.Pipeline, ids []int64, within time.Duration) []pipeline.Intent {
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

// faultyClient is the real chain client with faults injected into sends: what a flaky network
// or a crash does to the pipeline, without replacing the chain.
type faultyClient struct {
	pipeline.Backend
	// dropSends: the send never reaches the node and returns an error.
	dropSends atomic.Bool
	// errorAfterSend: the node takes the transaction, but the caller sees an error (a time-out).
	errorAfterSend atomic.Bool
	// afterSend runs after a send reached the node (used to "crash" the pipeline right there).
	afterSend func()
	sends     atomic.Int64
}

func (f *faultyClient) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	f.sends.Add(1)
	if f.dropSends.Load() {
		return errors.New("injected: connection reset before the node read the request")
	}
	if err := f.Backend.SendTransaction(ctx, tx); err != nil {
		return err
	}
	if f.afterSend != nil {
		f.afterSend()
	}
	if f.errorAfterSend.Load() {
		return context.DeadlineExceeded
	}
	return nil
}
