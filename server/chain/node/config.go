package node

import (
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common/fdlimit"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	gethnode "github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
)

// MinTip is the smallest priority fee per gas (in wei) this node's miner includes and its
// transaction pool accepts. Both are set to the same value on purpose: a transaction the pool
// accepts but the miner refuses would never be mined, and in on-demand mode go-ethereum's
// simulated beacon would then seal empty blocks in a loop waiting for it. 1 wei is what
// `geth --dev` uses: fees are meaningless on a private chain whose ether only pays for gas.
const MinTip = 1

// SuggestedTip returns the priority fee per gas a transaction needs to be mined by this node
// (a fresh copy of MinTip, safe to modify).
func SuggestedTip() *big.Int { return big.NewInt(MinTip) }

// instanceName names the directory under Config.DataDir that holds the chain. go-ethereum
// defaults it to the executable's name, which would give the server and its tests different
// chains on the same datadir.
const instanceName = "aidledger"

// httpModules are the JSON-RPC namespaces served over HTTP: what wallets, explorers and
// `aidledger verify` need, plus debug for tracing a failed redemption.
var httpModules = []string{"eth", "net", "web3", "txpool", "debug"}

// Config configures an embedded chain. The zero value of every field but DataDir is usable.
type Config struct {
	DataDir  string             // required; the chain lives under it; created if missing
	ChainID  uint64             // default DefaultChainID
	Period   time.Duration      // 0: a block as soon as transactions are pending (on demand); else one block every Period, rounded up to whole seconds
	HTTPAddr string             // "" = no JSON-RPC exposed; e.g. "127.0.0.1:8545" or "127.0.0.1:0" (pick a free port)
	Alloc    types.GenesisAlloc // funded at genesis; only used when the chain is created
	Logger   *slog.Logger       // nil = slog.Default(); never log secrets
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.DataDir == "" {
		return cfg, errors.New("chain config: DataDir is required")
	}
	if cfg.Period < 0 {
		return cfg, fmt.Errorf("chain config: negative Period %s", cfg.Period)
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = DefaultChainID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg, nil
}

// periodSeconds converts Period to the whole seconds go-ethereum's simulated beacon counts in,
// rounding up so that a short positive period never turns into on-demand mode (0).
func (cfg Config) periodSeconds() uint64 {
	if cfg.Period <= 0 {
		return 0
	}
	return uint64((cfg.Period + time.Second - 1) / time.Second)
}

// nodeConfig is the outer go-ethereum node: persistent, with no peers, no discovery and no IPC
// (the server talks to the chain in process), and HTTP JSON-RPC only when asked for.
func (cfg Config) nodeConfig() (*gethnode.Config, error) {
	c := gethnode.DefaultConfig
	c.Name = instanceName
	c.DataDir = cfg.DataDir
	c.IPCPath = ""
	c.P2P = p2p.Config{NoDiscovery: true, MaxPeers: 0, ListenAddr: ""}
	// leveldb rather than the default pebble: see ethConfig for why (crash durability).
	c.DBEngine = rawdb.DBLeveldb
	c.HTTPHost = ""
	if cfg.HTTPAddr != "" {
		host, portStr, err := net.SplitHostPort(cfg.HTTPAddr)
		if err != nil {
			return nil, fmt.Errorf("chain config: HTTPAddr %q: %w", cfg.HTTPAddr, err)
		}
		port, err := strconv.ParseUint(portStr, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("chain config: HTTPAddr %q: bad port: %w", cfg.HTTPAddr, err)
		}
		if host == "" {
			// go-ethereum treats an empty host as "HTTP off"; an explicit address is clearer
			// than silently serving on every interface.
			return nil, fmt.Errorf("chain config: HTTPAddr %q: host required (e.g. 127.0.0.1)", cfg.HTTPAddr)
		}
		c.HTTPHost = host
		c.HTTPPort = int(port)
		c.HTTPModules = httpModules
	}
	return &c, nil
}

// Bounds of the number of leveldb table files the chain keeps open (its open-file cache).
const (
	minDatabaseHandles = 256
	maxDatabaseHandles = 8192
)

// databaseHandles sizes leveldb's open-file cache from the process's file limit, as geth does
// (half of it), within [minDatabaseHandles, maxDatabaseHandles]. With a fixed 256 the cache
// thrashed once the chain database passed ~500 MB (2 MiB tables): a 1,000,000-beneficiary data
// set held 991 tables, and every trie node read that missed the cache reopened a table file and
// parsed its footer, 10 % of the server's CPU while allocating (eighteenth session,
// docs/benchmarks-log.md). An open table costs a file descriptor and a small reader: its index and
// filter blocks live in the block cache, which DatabaseCache bounds, so memory does not grow.
// Go raises the soft file limit to the hard one at start-up, so current is what we may use.
func databaseHandles(current func() (int, error)) int {
	n, err := current()
	if err != nil {
		return minDatabaseHandles
	}
	return min(max(n/2, minDatabaseHandles), maxDatabaseHandles)
}

// ethConfig is the Ethereum service. Its storage settings are chosen so that a crash of the
// process (kill -9, OOM kill, panic) loses no block it had sealed:
//
//   - hash state scheme with no pruning (archive) writes every block's state trie to the
//     database as the block is inserted. The default path scheme keeps recent state in memory
//     and journals it only on a clean shutdown, and a pruning hash-scheme node keeps dirty
//     tries in memory the same way: after a kill -9 both came back at genesis, forgetting every
//     confirmed redemption since the last clean stop.
//   - leveldb (set in nodeConfig) hands every write batch to the kernel (write(2) on its
//     journal) before returning, so a process kill cannot lose it. go-ethereum runs pebble in
//     NoSync mode, where the WAL tail can still sit in process memory when the process dies.
//
// TestKill9_KeepsMinedBlocks proves the combination. Neither engine fsyncs each write, so a
// power cut or kernel crash can still lose the last blocks; the submitter's stored raw
// transactions (re-sent after a restart) cover that. Archive state also lets `aidledger verify`
// read balances at any past block.
//
// No state snapshot (SnapshotCache 0), although go-ethereum keeps one by default: a flat copy of
// the state that lets a read skip the trie. This node pays for the trie anyway, as it reads
// every changed slot's path to hash each block, and the snapshot added its own costs: a diff
// layer of every block's changes, up to 128 of them, which go-ethereum 1.17 walks one map at a
// time for every slot it does not find (no bloom filter in front of them), and the oldest
// written into leveldb again. Without it PostgreSQL closed loops took 8 % less of the box's CPU
// per confirmed redemption and carried 6 % more (medians of fourteen alternating runs), and p99
// confirmed at 500/s was a third (thirty-fourth session, docs/benchmarks-log.md). At 1,000,000
// beneficiaries two pairs of runs disagreed (943/s against 1,097/s; then 1,081/s against
// 1,073/s), while both took 34-41 MiB less memory and allocated the million 8-9 % faster
// (thirty-fifth session).
//
// Caches are small: the chain is small, and servers and tests run several nodes side by side.
// The trie cache is a fastcache outside the Go heap, of 512 buckets that each take whole 64 KiB
// chunks: 32 MiB is one chunk a bucket, and anything above takes two, 64 MiB.
// No dirty trie cache, because an archive node on the hash scheme has none: go-ethereum used
// to add our 16 MiB of it to the other two (41 and 38 MiB), which doubled both to 64 MiB of
// resident memory, a quarter of a 1,000,000-beneficiary server's peak (eleventh session).
//
// No log search index (LogNoHistory): rendering it cost 9 % of the server's CPU under
// redemption load, and every eth_getLogs first waited for it to catch up with the head. Our
// indexer asks for a few blocks behind the head each time, which go-ethereum answers by reading
// those blocks' receipts (header blooms first) without an index; `aidledger verify` over the
// whole history reads every block's receipts either way, as almost every block holds our logs.
func (cfg Config) ethConfig() *ethconfig.Config {
	c := ethconfig.Defaults
	c.NetworkId = cfg.ChainID
	c.SyncMode = ethconfig.FullSync
	c.StateScheme = rawdb.HashScheme
	c.NoPruning = true
	c.DatabaseCache = 64
	c.DatabaseHandles = databaseHandles(fdlimit.Current)
	c.TrieCleanCache = 32
	c.TrieDirtyCache = 0
	c.SnapshotCache = 0
	c.LogNoHistory = true
	c.TxPool.NoLocals = true
	c.TxPool.Journal = ""
	c.TxPool.PriceLimit = MinTip
	c.Miner.GasPrice = SuggestedTip()
	// Matching the genesis limit keeps the block gas limit from drifting towards the miner's
	// default ceiling block after block.
	c.Miner.GasCeil = GenesisGasLimit
	return &c
}
