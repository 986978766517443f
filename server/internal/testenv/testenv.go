// Package testenv builds ready worlds for tests in one line: a ledger deployed on go-ethereum's
// simulated backend that mines on its own, and a migrated SQLite database. Real parts, no mocks.
package testenv

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	gethnode "github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/store"
)

// Client is the simulated backend's client with the block receipts the indexer reads (the
// simulated.Client interface leaves them out; the ethclient behind it has them).
type Client interface {
	simulated.Client
	BlockReceipts(ctx context.Context, block rpc.BlockNumberOrHash) ([]*types.Receipt, error)
}

// Chain is a deployed ledger on a simulated chain that mines a block every few milliseconds.
// Keys[0] deployed it and holds every role; every key holds the operator role.
type Chain struct {
	Sim         *simulated.Backend
	Client      Client
	Keys        []*ecdsa.PrivateKey
	ChainID     *big.Int
	Contract    common.Address
	DeployBlock uint64

	mining sync.Mutex
}

// NewChain starts a chain with `keys` funded operator keys and the ledger deployed.
func NewChain(t testing.TB, keys int) *Chain {
	t.Helper()
	c := &Chain{ChainID: big.NewInt(node.DefaultChainID)}
	addrs := make([]common.Address, keys)
	for i := 0; i < keys; i++ {
		k, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		c.Keys = append(c.Keys, k)
		addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
	}
	c.Sim = simulated.NewBackend(node.Fund(addrs...), func(_ *gethnode.Config, ec *ethconfig.Config) {
		ec.Genesis.Config = node.ChainConfig(node.DefaultChainID)
	})
	t.Cleanup(func() { c.Sim.Close() })
	c.Client = c.Sim.Client().(Client) // an *ethclient.Client underneath

	ctx := context.Background()
	addr, tx, err := ledger.Deploy(ctx, c.Client, c.Keys[0], c.ChainID, addrs[0])
	if err != nil {
		t.Fatal(err)
	}
	rc := c.mined(t, tx)
	c.Contract, c.DeployBlock = addr, rc.BlockNumber.Uint64()
	grants := []struct {
		role common.Hash
		to   common.Address
	}{{ledger.RoleProgramManager, addrs[0]}, {ledger.RoleSettler, addrs[0]}}
	for _, a := range addrs {
		grants = append(grants, struct {
			role common.Hash
			to   common.Address
		}{ledger.RoleOperator, a})
	}
	for _, g := range grants {
		tx, err := ledger.GrantRole(ctx, c.Client, c.Keys[0], c.ChainID, c.Contract, g.role, g.to)
		if err != nil {
			t.Fatal(err)
		}
		c.mined(t, tx)
	}

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(15 * time.Millisecond):
				c.mining.Lock()
				c.Sim.Commit()
				c.mining.Unlock()
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return c
}

func (c *Chain) mined(t testing.TB, tx *types.Transaction) *types.Receipt {
	t.Helper()
	c.Sim.Commit()
	rc, err := c.Client.TransactionReceipt(context.Background(), tx.Hash())
	if err != nil || rc.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("setup transaction %s failed: %v", tx.Hash().Hex(), err)
	}
	return rc
}

// Addr is the address of Keys[i].
func (c *Chain) Addr(i int) common.Address { return crypto.PubkeyToAddress(c.Keys[i].PublicKey) }

// Rewrite runs fn with block production paused, for tests that fork or roll back the chain.
func (c *Chain) Rewrite(fn func(sim *simulated.Backend) error) error {
	c.mining.Lock()
	defer c.mining.Unlock()
	return fn(c.Sim)
}

// EnvPostgres names a PostgreSQL server (a DSN of a user allowed to create databases). When it
// is set, every test database is a fresh PostgreSQL database on it instead of a SQLite file, so
// the same suites prove both engines.
const EnvPostgres = "AIDLEDGER_TEST_POSTGRES"

// DB opens a fresh database (SQLite in a temporary directory, or PostgreSQL when EnvPostgres is
// set) and applies the given components' migrations. The DSN is returned too, for tests that
// reopen it as a restarted process would (with OpenDB).
func DB(t testing.TB, components ...store.Component) (*gorm.DB, string) {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "aidledger.db")
	if server := os.Getenv(EnvPostgres); server != "" {
		dsn = PostgresDB(t, server)
	}
	return OpenDB(t, dsn, components...), dsn
}

// PostgresDB creates an empty database on the server (dropped when the test ends) and returns
// its DSN.
func PostgresDB(t testing.TB, server string) string {
	t.Helper()
	admin, err := store.Open(server, "")
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	name := fmt.Sprintf("t_%d_%s", time.Now().UnixNano(), strings.ToLower(rand.Text()[:8]))
	if err := admin.Exec("CREATE DATABASE " + name).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").Error
		_ = store.Close(admin)
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// OpenDB opens (and migrates) the database at dsn, closing it when the test ends.
func OpenDB(t testing.TB, dsn string, components ...store.Component) *gorm.DB {
	t.Helper()
	db, err := store.Open(dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(context.Background(), db, components...); err != nil {
		t.Fatal(fmt.Errorf("migrate: %w", err))
	}
	t.Cleanup(func() { store.Close(db) })
	return db
}

// Transact sends calldata to the ledger signed by Keys[0] (every role) and waits until it is
// mined, failing the test if it reverts.
func (c *Chain) Transact(t testing.TB, data []byte) *types.Receipt {
	t.Helper()
	ctx := context.Background()
	from := c.Addr(0)
	nonce, err := c.Client.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := types.SignNewTx(c.Keys[0], types.LatestSignerForChainID(c.ChainID), &types.DynamicFeeTx{
		ChainID: c.ChainID, Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9), Gas: 5_000_000,
		To: &c.Contract, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rc, err := node.WaitReceipt(wctx, c.Client, tx.Hash())
	if err != nil {
		t.Fatalf("transaction %s not mined: %v", tx.Hash().Hex(), err)
	}
	if rc.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("transaction %s reverted", tx.Hash().Hex())
	}
	return rc
}
