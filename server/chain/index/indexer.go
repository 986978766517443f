// Package index follows the ledger contract's logs into the chain_events table, the source of
// every report. It is idempotent (one row per block hash and log index), resumes from its
// cursor after a restart, and rolls back what a reorg (or a node that lost blocks) took away.
package index

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Backend is the part of an Ethereum client the indexer reads.
type Backend interface {
	BlockNumber(ctx context.Context) (uint64, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	BlockReceipts(ctx context.Context, block rpc.BlockNumberOrHash) ([]*types.Receipt, error)
}

// Config configures an Indexer.
type Config struct {
	Contract     common.Address
	FromBlock    uint64        // the contract's deployment block: nothing before it is read
	PollInterval time.Duration // 200ms
	MaxRange     uint64        // blocks read per step (one database transaction); 2000
	// AnalyzeAfter is how many events a catch-up stores before the indexer analyses
	// chain_events on PostgreSQL (afterStep); 0 means 50,000, negative never.
	AnalyzeAfter int
	Logger       *slog.Logger
}

// Indexer copies ledger events into the database.
type Indexer struct {
	db     *gorm.DB
	client Backend
	cfg    Config
	log    *slog.Logger

	mu   sync.Mutex
	subs map[chan uint64]struct{}
	head uint64
	last uint64

	// afterStep's state; only Step touches it.
	wasBehind     bool
	catchUpEvents int // events of the catch-up since it was last analysed
	catchUpTotal  int // events of the catch-up under way
	analysedRows  int64
}

// New makes an indexer over db (migrated with Schema).
func New(db *gorm.DB, client Backend, cfg Config) *Indexer {
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	if cfg.MaxRange == 0 {
		cfg.MaxRange = 2000
	}
	if cfg.AnalyzeAfter == 0 {
		cfg.AnalyzeAfter = defaultAnalyzeAfter
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Indexer{db: db, client: client, cfg: cfg, log: cfg.Logger.With("component", "indexer"), subs: map[chan uint64]struct{}{}}
}

// Run indexes until ctx ends.
func (ix *Indexer) Run(ctx context.Context) error {
	failures := 0
	for {
		caughtUp, err := ix.Step(ctx)
		wait := ix.cfg.PollInterval
		if err != nil && ctx.Err() == nil {
			failures++
			wait = min(time.Duration(failures)*time.Second, 10*time.Second)
			ix.log.Warn("indexing failed", "err", err, "retry_in", wait)
		} else {
			failures = 0
			if !caughtUp {
				wait = 0
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// Step indexes one range of blocks. It reports whether the indexer has caught up with the head.
func (ix *Indexer) Step(ctx context.Context) (bool, error) {
	cur, err := ix.cursor(ctx)
	if err != nil {
		return false, err
	}
	head, err := ix.client.BlockNumber(ctx)
	if err != nil {
		return false, fmt.Errorf("read head: %w", err)
	}
	ix.setProgress(head, cur.Block)
	if cur.Hash != "" {
		h, err := ix.client.HeaderByNumber(ctx, new(big.Int).SetUint64(cur.Block))
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			return false, fmt.Errorf("read block %d: %w", cur.Block, err)
		}
		if h == nil || h.Hash().Hex() != cur.Hash {
			return false, ix.rewind(ctx, cur, head)
		}
	}
	if cur.Block >= head && cur.Hash != "" {
		return true, nil
	}
	from := cur.Block + 1
	if cur.Hash == "" {
		from = cur.Block // nothing indexed yet: cur.Block is the first block to read
	}
	if from > head {
		return true, nil
	}
	to := min(head, from+ix.cfg.MaxRange-1)
	events, toHash, err := ix.readRange(ctx, from, to, cur.Hash)
	if err != nil {
		return false, err
	}
	err = ix.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if len(events) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&events, 500).Error; err != nil {
				return fmt.Errorf("store %d events: %w", len(events), err)
			}
		}
		return tx.Save(&Cursor{Contract: ix.cfg.Contract.Hex(), Block: to, Hash: toHash}).Error
	})
	if err != nil {
		return false, err
	}
	ix.setProgress(head, to)
	if len(events) > 0 {
		ix.publish(to)
	}
	ix.afterStep(ctx, len(events), to < head)
	return to >= head, nil
}

// readRange reads the contract's events in blocks from..to, block by block: a block's header
// bloom tells whether it can hold a log of the contract, and then its receipts, asked for by block
// hash, give them. Not eth_getLogs: go-ethereum's log index once answered a range without one of
// its blocks (53 confirmed redemptions had no event; the reconciler found them), and nothing in
// such an answer shows the gap. Each header must be the child of the one before it, starting
// from the cursor's block (parent; "" on a fresh index), so the range is one branch of the chain
// even if it reorganises while being read.
func (ix *Indexer) readRange(ctx context.Context, from, to uint64, parent string) ([]Event, string, error) {
	var events []Event
	hash := parent
	for n := from; n <= to; n++ {
		h, err := ix.client.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			return nil, "", fmt.Errorf("read block %d: %w", n, err)
		}
		if hash != "" && h.ParentHash.Hex() != hash {
			return nil, "", fmt.Errorf("block %d changed while indexing it; retrying", n)
		}
		hash = h.Hash().Hex()
		if !types.BloomLookup(h.Bloom, ix.cfg.Contract) {
			continue
		}
		receipts, err := ix.client.BlockReceipts(ctx, rpc.BlockNumberOrHashWithHash(h.Hash(), true))
		if err != nil {
			return nil, "", fmt.Errorf("read receipts of block %d: %w", n, err)
		}
		for _, r := range receipts {
			for _, l := range r.Logs {
				if l.Address != ix.cfg.Contract {
					continue
				}
				if l.BlockHash != h.Hash() {
					return nil, "", fmt.Errorf("block %d changed while indexing it; retrying", n)
				}
				e, err := decode(l)
				if err != nil {
					return nil, "", err
				}
				e.BlockTime = time.Unix(int64(h.Time), 0).UTC()
				events = append(events, e)
			}
		}
	}
	return events, hash, nil
}

// rewind handles a cursor block that is no longer canonical: it finds the newest indexed block
// that still is, deletes every event above it, and moves the cursor there.
func (ix *Indexer) rewind(ctx context.Context, cur Cursor, head uint64) error {
	db := ix.db.WithContext(ctx)
	limit := min(cur.Block, head)
	keep := ix.cfg.FromBlock
	keepHash := ""
	for {
		var e Event
		err := db.Where("block_number <= ?", limit).Order("block_number DESC").First(&e).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			break
		}
		if err != nil {
			return err
		}
		h, err := ix.client.HeaderByNumber(ctx, new(big.Int).SetUint64(e.BlockNumber))
		if err != nil && !errors.Is(err, ethereum.NotFound) {
			return err
		}
		if h != nil && h.Hash().Hex() == e.BlockHash {
			keep, keepHash = e.BlockNumber, e.BlockHash
			break
		}
		if e.BlockNumber == 0 {
			break
		}
		limit = e.BlockNumber - 1
	}
	ix.log.Warn("chain reorganised under the index; rolling back", "from_block", cur.Block, "to_block", keep, "head", head)
	return db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("block_number > ? OR (block_number = ? AND block_hash <> ?)", keep, keep, keepHash).
			Delete(&Event{}).Error; err != nil {
			return err
		}
		return tx.Save(&Cursor{Contract: ix.cfg.Contract.Hex(), Block: keep, Hash: keepHash}).Error
	})
}

// cursor reads the indexer's position; before the first run it points at FromBlock with no hash.
func (ix *Indexer) cursor(ctx context.Context) (Cursor, error) {
	var c Cursor
	err := ix.db.WithContext(ctx).First(&c, "contract = ?", ix.cfg.Contract.Hex()).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Cursor{Contract: ix.cfg.Contract.Hex(), Block: ix.cfg.FromBlock}, nil
	}
	return c, err
}

func (ix *Indexer) setProgress(head, last uint64) {
	ix.mu.Lock()
	ix.head, ix.last = head, last
	ix.mu.Unlock()
}

// Progress is the chain head last seen and the last block indexed; their difference is the lag.
func (ix *Indexer) Progress() (head, indexed uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.head, ix.last
}

// Subscribe delivers the last indexed block number each time new events are stored (latest value
// only; a slow reader skips intermediate blocks). Call the returned function to unsubscribe.
func (ix *Indexer) Subscribe() (<-chan uint64, func()) {
	ch := make(chan uint64, 1)
	ix.mu.Lock()
	ix.subs[ch] = struct{}{}
	ix.mu.Unlock()
	return ch, func() {
		ix.mu.Lock()
		delete(ix.subs, ch)
		ix.mu.Unlock()
	}
}

func (ix *Indexer) publish(block uint64) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for ch := range ix.subs {
		select {
		case <-ch:
		default:
		}
		ch <- block
	}
}
