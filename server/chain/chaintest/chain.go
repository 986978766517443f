// Package chaintest gives tests a ready Ethereum chain in one line: go-ethereum's simulated
// backend always, and a real `geth --dev` process when AIDLEDGER_TEST_GETH names a geth binary.
// Both are reached through the same surface (Chain), so one contract suite runs unchanged on each.
//
// Test support only: import it from _test.go files.
package chaintest

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// EnvGeth names the environment variable holding the path of a geth binary. When set, Backends
// includes a real geth --dev node.
const EnvGeth = "AIDLEDGER_TEST_GETH"

// DefaultKeys is how many funded keys Backends gives each chain.
const DefaultKeys = 8

// Client is what tests need from a chain client; *ethclient.Client and the simulated backend's
// client both satisfy it.
type Client interface {
	bind.ContractBackend
	bind.DeployBackend
	ChainID(ctx context.Context) (*big.Int, error)
	BlockNumber(ctx context.Context) (uint64, error)
}

// Chain is a running chain with funded keys.
type Chain struct {
	Name    string // "simulated" or "geth": the subtest name
	Client  Client
	Keys    []*ecdsa.PrivateKey // funded; Keys[0] is the natural deployer
	ChainID *big.Int
	URL     string // JSON-RPC endpoint of a geth chain; "" for the simulated backend

	// commit seals a block on the simulated backend; nil on geth, which mines every
	// transaction as it arrives (--dev.period 0).
	commit func()
}

// Addr returns the address of Keys[i].
func (c *Chain) Addr(i int) common.Address { return crypto.PubkeyToAddress(c.Keys[i].PublicKey) }

// Simulated reports whether blocks are sealed by Mine rather than by a node.
func (c *Chain) Simulated() bool { return c.commit != nil }

// Backends returns the simulated chain and, when EnvGeth is set, a geth --dev chain, each with
// DefaultKeys funded keys. Every chain is torn down when t ends.
func Backends(t testing.TB) []*Chain {
	t.Helper()
	chains := []*Chain{Simulated(t, DefaultKeys)}
	if path := os.Getenv(EnvGeth); path != "" {
		chains = append(chains, Geth(t, path, DefaultKeys))
	}
	return chains
}

// Run runs fn as a subtest on a fresh chain of every backend (see Backends), so that tests do
// not share state and a geth failure is reported under its own name.
func Run(t *testing.T, fn func(t *testing.T, c *Chain)) {
	t.Helper()
	names := []string{"simulated"}
	if os.Getenv(EnvGeth) != "" {
		names = append(names, "geth")
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			var c *Chain
			if name == "geth" {
				c = Geth(t, os.Getenv(EnvGeth), DefaultKeys)
			} else {
				c = Simulated(t, DefaultKeys)
			}
			fn(t, c)
		})
	}
}

// testKeys derives n keys from fixed seeds: the same addresses in every run make logs comparable.
func testKeys(n int) []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("aidledger test key %d", i))))
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// SignTx signs an EIP-1559 transaction from key to `to` with the sender's next pending nonce.
// gas == 0 asks the node to estimate, which fails (with the revert data, see
// ledger.RevertData) when the call would revert; a fixed gas lets a reverting transaction be
// mined so that its receipt can be inspected.
func (c *Chain) SignTx(t testing.TB, key *ecdsa.PrivateKey, to common.Address, data []byte, gas uint64) (*types.Transaction, error) {
	t.Helper()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := c.Client.PendingNonceAt(ctx(t), from)
	if err != nil {
		t.Fatalf("pending nonce of %s: %v", from, err)
	}
	return c.SignTxNonce(t, key, nonce, to, data, gas)
}

// SignTxNonce is SignTx with an explicit nonce, for tests that re-sign old calldata or queue
// several transactions before mining.
func (c *Chain) SignTxNonce(t testing.TB, key *ecdsa.PrivateKey, nonce uint64, to common.Address, data []byte, gas uint64) (*types.Transaction, error) {
	t.Helper()
	from := crypto.PubkeyToAddress(key.PublicKey)
	head, err := c.Client.HeaderByNumber(ctx(t), nil)
	if err != nil {
		t.Fatalf("head: %v", err)
	}
	tip, err := c.Client.SuggestGasTipCap(ctx(t))
	if err != nil {
		t.Fatalf("tip: %v", err)
	}
	// Twice the base fee keeps the transaction includable for several blocks of rising fees.
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	if gas == 0 {
		gas, err = c.Client.EstimateGas(ctx(t), ethereum.CallMsg{From: from, To: &to, Data: data, GasTipCap: tip, GasFeeCap: feeCap})
		if err != nil {
			return nil, err
		}
	}
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: c.ChainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Data: data,
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(c.ChainID), key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return signed, nil
}

// Send submits a signed transaction without waiting for it. It returns the node's error, e.g.
// "already known" or "nonce too low" when a transaction is re-sent.
func (c *Chain) Send(t testing.TB, tx *types.Transaction) error {
	t.Helper()
	return c.Client.SendTransaction(ctx(t), tx)
}

// Mine seals the pending transactions into a block on the simulated backend. On geth it does
// nothing: the node mines on its own, and Receipt waits.
func (c *Chain) Mine(t testing.TB) {
	t.Helper()
	if c.commit != nil {
		c.commit()
	}
}

// Receipt waits for the transaction's receipt (call Mine first on the simulated backend).
func (c *Chain) Receipt(t testing.TB, hash common.Hash) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r, err := c.Client.TransactionReceipt(ctx(t), hash)
		if err == nil {
			if c.headReached(t, r.BlockNumber) {
				return r
			}
			err = ethereum.NotFound // the block's receipts are stored, the head not yet moved to it
		}
		// A fresh geth answers "transaction indexing is in progress" until its indexer starts.
		retry := errors.Is(err, ethereum.NotFound) || strings.Contains(err.Error(), "indexing is in progress")
		if !retry || time.Now().After(deadline) {
			t.Fatalf("receipt of %s: %v", hash, err)
		}
		time.Sleep(20 * time.Millisecond)
		if c.commit != nil {
			// The simulated pool admits transactions asynchronously, so a Commit right after
			// Send can seal a block without the newest ones; seal another.
			c.commit()
		}
	}
}

// headReached says whether the node's latest block is at least number. geth stores a block's
// receipts a moment before it makes that block the head, and a gas estimate made in between
// runs on the block before: a call to a contract deployed in the new block then estimates as a
// plain transfer and runs out of gas once mined.
func (c *Chain) headReached(t testing.TB, number *big.Int) bool {
	t.Helper()
	h, err := c.Client.HeaderByNumber(ctx(t), nil)
	return err == nil && h.Number.Cmp(number) >= 0
}

// Transact signs (estimating gas), sends, mines and returns the receipt. The error is the
// node's refusal (typically a revert found by gas estimation, with its data) and means nothing
// was sent.
func (c *Chain) Transact(t testing.TB, key *ecdsa.PrivateKey, to common.Address, data []byte) (*types.Receipt, error) {
	t.Helper()
	return c.TransactGas(t, key, to, data, 0)
}

// TransactGas is Transact with a fixed gas limit (0 = estimate): with a fixed limit a reverting
// call is mined and its receipt has status 0.
func (c *Chain) TransactGas(t testing.TB, key *ecdsa.PrivateKey, to common.Address, data []byte, gas uint64) (*types.Receipt, error) {
	t.Helper()
	tx, err := c.SignTx(t, key, to, data, gas)
	if err != nil {
		return nil, err
	}
	if err := c.Send(t, tx); err != nil {
		return nil, err
	}
	c.Mine(t)
	return c.Receipt(t, tx.Hash()), nil
}

// MustTransact is Transact for steps that must succeed: it fails the test on a refusal or a
// failed receipt.
func (c *Chain) MustTransact(t testing.TB, key *ecdsa.PrivateKey, to common.Address, data []byte) *types.Receipt {
	t.Helper()
	r, err := c.Transact(t, key, to, data)
	if err != nil {
		t.Fatalf("transact to %s: %v", to, err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("transaction %s failed (gas used %d)", r.TxHash, r.GasUsed)
	}
	return r
}

// Call runs an eth_call against the latest block. A revert comes back as an error carrying the
// revert data (see ledger.RevertData).
func (c *Chain) Call(t testing.TB, from, to common.Address, data []byte) ([]byte, error) {
	t.Helper()
	return c.Client.CallContract(ctx(t), ethereum.CallMsg{From: from, To: &to, Data: data}, nil)
}
