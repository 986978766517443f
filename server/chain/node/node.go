// Package node runs aidledger's embedded chain: an in-process, persistent go-ethereum dev chain
// (the machinery `geth --dev` uses) for the default single-machine mode, and for tests of other
// packages that want a real node rather than a simulated backend.
//
// go-ethereum's own components log through its global logger (github.com/ethereum/go-ethereum/log,
// silent unless the binary sets it); Node logs its lifecycle to Config.Logger.
package node

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	gethnode "github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rpc"
)

// Node is a running embedded chain. Its methods are safe for concurrent use.
type Node struct {
	cfg     Config
	chainID *big.Int
	stack   *gethnode.Node
	backend *eth.Ethereum
	rpc     *rpc.Client
	client  *ethclient.Client
	sealer  *sealer // nil when the beacon seals by period

	closeOnce sync.Once
	closeErr  error
}

// Start opens the chain under cfg.DataDir, creating it with cfg.Alloc if it does not exist yet,
// and starts producing blocks. An existing chain keeps its stored genesis and all its state;
// cfg.ChainID must then match the stored chain id.
func Start(cfg Config) (*Node, error) {
	cfg, stack, err := newStack(cfg)
	if err != nil {
		return nil, err
	}
	n, err := assemble(stack, cfg)
	if err != nil {
		return nil, errors.Join(err, stack.Close())
	}
	head := n.backend.BlockChain().CurrentBlock()
	cfg.Logger.Info("chain started", "datadir", cfg.DataDir, "chain_id", cfg.ChainID,
		"head", head.Number, "head_hash", head.Hash(), "period", cfg.Period,
		"http", n.HTTPEndpoint())
	return n, nil
}

// newStack fills in cfg's defaults, creates its datadir and a go-ethereum node on it, with
// nothing registered yet.
func newStack(cfg Config) (Config, *gethnode.Node, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return cfg, nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return cfg, nil, fmt.Errorf("create chain datadir: %w", err)
	}
	nodeConf, err := cfg.nodeConfig()
	if err != nil {
		return cfg, nil, err
	}
	stack, err := gethnode.New(nodeConf)
	if err != nil {
		return cfg, nil, fmt.Errorf("create chain node in %s: %w", cfg.DataDir, err)
	}
	return cfg, stack, nil
}

// assemble registers the Ethereum service, the log filters and the block producer on stack and
// starts it. Everything must be registered before stack.Start: go-ethereum freezes the API list
// then.
func assemble(stack *gethnode.Node, cfg Config) (*Node, error) {
	exists, err := chainExists(stack)
	if err != nil {
		return nil, err
	}
	ethConf := cfg.ethConfig()
	if !exists {
		ethConf.Genesis = Genesis(cfg.ChainID, cfg.Alloc)
	}
	// On an existing chain Genesis stays nil: go-ethereum then uses the stored genesis and
	// chain configuration, so a different Alloc (a new operator key, say) cannot make the
	// datadir unusable.
	backend, err := eth.New(stack, ethConf)
	if err != nil {
		return nil, fmt.Errorf("open chain in %s: %w", cfg.DataDir, err)
	}
	chainID := backend.BlockChain().Config().ChainID
	if chainID == nil || !chainID.IsUint64() || chainID.Uint64() != cfg.ChainID {
		return nil, fmt.Errorf("open chain in %s: stored chain id %v, configured %d", cfg.DataDir, chainID, cfg.ChainID)
	}

	// eth_getLogs and log subscriptions live in the filter system, which eth.New does not
	// register (geth's main does): the indexer needs them.
	filterSystem := filters.NewFilterSystem(backend.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)}})

	// The fee recipient is the zero address: fees on this chain pay nobody.
	beacon, err := catalyst.NewSimulatedBeacon(cfg.periodSeconds(), common.Address{}, backend)
	if err != nil {
		return nil, fmt.Errorf("create block producer: %w", err)
	}
	// With a period the beacon seals on its own (Start); with period 0 our sealer does, once
	// the node runs. No dev_ API (catalyst.RegisterSimulatedBeaconAPIs): it would start
	// go-ethereum's on-demand loop as well. No beacon.Fork(genesis) here, unlike the simulated
	// backend: it would discard the chain.
	stack.RegisterLifecycle(beacon)

	if err := stack.Start(); err != nil {
		return nil, fmt.Errorf("start chain node: %w", err)
	}
	n := &Node{
		cfg:     cfg,
		chainID: new(big.Int).Set(chainID),
		stack:   stack,
		backend: backend,
	}
	if cfg.periodSeconds() == 0 {
		n.sealer = startSealer(backend, beacon)
	}
	n.rpc = stack.Attach()
	n.client = ethclient.NewClient(n.rpc)
	return n, nil
}

// chainExists reports whether stack's datadir already holds a chain (a stored genesis block).
// It opens the database read-only, as `geth --dev` does, because eth.New given no genesis on an
// empty database would write mainnet's.
func chainExists(stack *gethnode.Node) (bool, error) {
	if rawdb.PreexistingDatabase(stack.ResolvePath("chaindata")) == "" {
		return false, nil
	}
	db, err := stack.OpenDatabaseWithOptions("chaindata", gethnode.DatabaseOptions{ReadOnly: true})
	if err != nil {
		return false, fmt.Errorf("inspect chain database: %w", err)
	}
	genesis := rawdb.ReadCanonicalHash(db, 0)
	if err := db.Close(); err != nil {
		return false, fmt.Errorf("close chain database after inspection: %w", err)
	}
	return genesis != (common.Hash{}), nil
}

// Client returns an Ethereum client connected in process (no network, no serialisation limits).
// It is closed by Close.
func (n *Node) Client() *ethclient.Client { return n.client }

// RPC returns the in-process JSON-RPC client behind Client, for namespaces ethclient does not
// cover (debug_, txpool_). It is closed by Close.
func (n *Node) RPC() *rpc.Client { return n.rpc }

// HTTPEndpoint returns the JSON-RPC URL, e.g. "http://127.0.0.1:8545", or "" when
// Config.HTTPAddr was empty.
func (n *Node) HTTPEndpoint() string {
	if n.cfg.HTTPAddr == "" {
		return ""
	}
	return n.stack.HTTPEndpoint()
}

// ChainID returns the chain id (a copy).
func (n *Node) ChainID() *big.Int { return new(big.Int).Set(n.chainID) }

// DataDir returns the directory the chain lives under.
func (n *Node) DataDir() string { return n.cfg.DataDir }

// Genesis returns the genesis block's hash: together with ChainID it identifies the chain.
func (n *Node) Genesis() common.Hash { return n.backend.BlockChain().Genesis().Hash() }

// Close stops block production and the node and flushes the database. Calling it again returns
// the first call's result.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		if n.sealer != nil {
			n.sealer.close()
		}
		head := n.backend.BlockChain().CurrentBlock()
		n.client.Close() // also closes n.rpc
		if err := n.stack.Close(); err != nil {
			n.closeErr = fmt.Errorf("stop chain node: %w", err)
		}
		n.cfg.Logger.Info("chain stopped", "datadir", n.cfg.DataDir, "head", head.Number,
			"head_hash", head.Hash(), "err", n.closeErr)
	})
	return n.closeErr
}
