// Package chain connects aidledger to its ledger: an embedded go-ethereum node in the data
// directory by default, or any Ethereum JSON-RPC endpoint of a permissioned network. It loads the
// operator keys (one per submission lane), deploys the ledger contract on first start and
// refuses to start against a chain where the recorded contract does not exist.
package chain

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// Config says which chain to use and how to sign for it.
type Config struct {
	DataDir string // holds the embedded chain and the operator keys
	// EthRPC is an external node's JSON-RPC URL; empty means the embedded node.
	EthRPC string
	// OperatorKeyFile is a keystore file holding the first lane's key, typically an account
	// already funded and authorised on an external network; empty means a key generated in
	// DataDir/keys/lane-0. Further lanes always live in DataDir/keys.
	OperatorKeyFile string
	// Passphrase decrypts the operator keys; empty means a generated one kept in
	// DataDir/keys/passphrase (0600), which suits the embedded single-machine mode. It is
	// required with OperatorKeyFile.
	Passphrase string
	Lanes      int           // operator keys submitting in parallel; 2
	Period     time.Duration // embedded: 0 = a block whenever transactions wait
	RPCAddr    string        // embedded: expose JSON-RPC here (e.g. 127.0.0.1:8545); "" = not exposed
	Logger     *slog.Logger
}

// Backend is what the submission pipeline and the indexer read and send through: the JSON-RPC
// client, or for the embedded node a client that answers their frequent reads from the node
// itself (node.Client).
type Backend interface {
	pipeline.Backend
	index.Backend
}

// Chain is a connected ledger.
type Chain struct {
	Client      *ethclient.Client
	Backend     Backend // Client, or the embedded node's faster one
	ChainID     *big.Int
	Contract    common.Address
	DeployBlock uint64
	Keys        []*ecdsa.PrivateKey // one per lane; Keys[0] also administers the ledger
	Tip         *big.Int            // priority fee the pipeline pays
	RPCEndpoint string              // where others can read this chain ("" if nowhere)
	node        *node.Node
}

// Embedded reports whether the chain is the embedded node (whose fork rules are ours).
func (c *Chain) Embedded() bool { return c.node != nil }

// Node is the embedded node, or nil on an external network.
func (c *Chain) Node() *node.Node { return c.node }

// Open connects (starting the embedded node if needed), loads the keys and makes sure the ledger
// is deployed. db must be migrated with Schema.
func Open(ctx context.Context, db *gorm.DB, cfg Config) (*Chain, error) {
	if cfg.Lanes <= 0 {
		cfg.Lanes = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	keys, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	c := &Chain{Keys: keys}
	if cfg.EthRPC == "" {
		addrs := make([]common.Address, len(keys))
		for i, k := range keys {
			addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
		}
		n, err := node.Start(node.Config{
			DataDir: filepath.Join(cfg.DataDir, "chain"), Period: cfg.Period, HTTPAddr: cfg.RPCAddr,
			Alloc: node.Fund(addrs...), Logger: cfg.Logger,
		})
		if err != nil {
			return nil, err
		}
		c.node, c.Client, c.Backend, c.RPCEndpoint = n, n.Client(), n.Backend(), n.HTTPEndpoint()
	} else {
		cl, err := ethclient.DialContext(ctx, cfg.EthRPC)
		if err != nil {
			return nil, fmt.Errorf("connect to %s: %w", redactURL(cfg.EthRPC), err)
		}
		c.Client, c.Backend, c.RPCEndpoint = cl, cl, cfg.EthRPC
	}
	if err := c.setUp(ctx, db); err != nil {
		_ = c.Close()
		return nil, err
	}
	cfg.Logger.Info("ledger ready", "chain_id", c.ChainID, "contract", c.Contract.Hex(), "deploy_block", c.DeployBlock,
		"lanes", len(c.Keys), "operator", crypto.PubkeyToAddress(c.Keys[0].PublicKey).Hex(), "rpc", redactURL(c.RPCEndpoint))
	return c, nil
}

func (c *Chain) setUp(ctx context.Context, db *gorm.DB) error {
	id, err := c.Client.ChainID(ctx)
	if err != nil {
		return fmt.Errorf("read chain id: %w", err)
	}
	c.ChainID = id
	c.Tip = node.SuggestedTip()
	if tip, err := c.Client.SuggestGasTipCap(ctx); err == nil && tip.Cmp(c.Tip) > 0 {
		c.Tip = tip
	}
	if err := fundLanes(ctx, c.Client, c.ChainID, c.Keys, c.Tip); err != nil {
		return err
	}
	d, err := ensureLedger(ctx, db, c.Client, c.ChainID, c.Keys, c.Tip)
	if err != nil {
		return err
	}
	c.Contract, c.DeployBlock = common.HexToAddress(d.Contract), d.Block
	return nil
}

// Ping reports whether the node answers.
func (c *Chain) Ping(ctx context.Context) error {
	_, err := c.Client.BlockNumber(ctx)
	return err
}

// Close disconnects, and stops the embedded node cleanly.
func (c *Chain) Close() error {
	if c.node != nil {
		return c.node.Close()
	}
	if c.Client != nil {
		c.Client.Close()
	}
	return nil
}

// loadKeys loads (creating on first start) one operator key per lane from DataDir/keys/lane-N.
func loadKeys(cfg Config) ([]*ecdsa.PrivateKey, error) {
	dir := filepath.Join(cfg.DataDir, "keys")
	pass := cfg.Passphrase
	if pass == "" {
		var err error
		if pass, err = generatedPassphrase(dir); err != nil {
			return nil, err
		}
	}
	keys := make([]*ecdsa.PrivateKey, cfg.Lanes)
	first := 0
	if cfg.OperatorKeyFile != "" {
		if cfg.Passphrase == "" {
			return nil, errors.New("an operator key file needs its passphrase (AIDLEDGER_OPERATOR_PASSPHRASE)")
		}
		k, err := node.LoadKeyFile(cfg.OperatorKeyFile, cfg.Passphrase)
		if err != nil {
			return nil, err
		}
		keys[0], first = k, 1
	}
	for i := first; i < len(keys); i++ {
		k, _, err := node.LoadOrCreateKey(filepath.Join(dir, "lane-"+strconv.Itoa(i)), pass)
		if err != nil {
			return nil, fmt.Errorf("lane %d: %w", i, err)
		}
		keys[i] = k
	}
	return keys, nil
}

func generatedPassphrase(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "passphrase")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	pass := hex.EncodeToString(raw)
	if err := os.WriteFile(path, []byte(pass+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return pass, nil
}

// redactURL hides credentials a JSON-RPC URL may carry (https://user:token@host).
func redactURL(u string) string {
	if at := strings.LastIndex(u, "@"); at > 0 {
		if scheme := strings.Index(u, "://"); scheme > 0 && scheme < at {
			return u[:scheme+3] + "…@" + u[at+1:]
		}
	}
	return u
}

// HasCorrections reports whether the ledger deployed on this chain has the functions that correct
// mistakes (refund, reverseSettlement): one deployed by a release before them does not, and stays
// so (a contract's code does not change). Solidity's dispatcher compares the call's selector with
// each function's, pushed as a PUSH4 constant, so a function is there if its selector is pushed.
func (c *Chain) HasCorrections(ctx context.Context) (bool, error) {
	code, err := c.Client.CodeAt(ctx, c.Contract, nil)
	if err != nil {
		return false, fmt.Errorf("read ledger code: %w", err)
	}
	return ledger.HasFunction(code, "refund") && ledger.HasFunction(code, "reverseSettlement"), nil
}
