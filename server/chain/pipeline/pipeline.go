// Package pipeline puts intents on chain exactly once. Callers enqueue intents in their own
// database transaction; per operator key ("lane") the pipeline batches them, assigns nonces from
// a persisted counter, signs, stores the raw transaction before sending it, sends, and follows
// receipts to a final state. After a crash or a chain that went backwards it re-sends the stored
// transactions with their original nonces; it never rebuilds a transaction with a new nonce while
// the old one could still be mined. The ledger contract's own replay guards (sequence numbers,
// allocation cycles) make any duplicate that slips through a harmless rejection.
package pipeline

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// Config configures a Pipeline. Zero values take the defaults noted.
type Config struct {
	Contract common.Address
	ChainID  *big.Int
	// Keys are the operator keys, one lane each. Their number must stay the same across
	// restarts for beneficiaries to keep their lanes (a change is survivable: an item that
	// reaches the chain before an earlier one of the same card is requeued, not lost).
	Keys []*ecdsa.PrivateKey
	// Owner names this process in lane leases (several replicas may share a database); by
	// default "host:pid:start", which lets a restarted process on the same host take over the
	// lease of its predecessor at once when that process is gone (after kill -9, say).
	Owner        string
	PollInterval time.Duration // how often a lane looks for work and receipts; 25ms
	ResendAfter  time.Duration // re-send a transaction not mined after this long; 3s
	LeaseFor     time.Duration // how long a lane lease lasts without renewal; 15s
	MaxInFlight  int           // unmined transactions per lane; 4
	// BatchLinger is how long a small batch may wait, from its oldest intent's enqueueing, for
	// more intents to join it; 100ms. Negative: never.
	BatchLinger time.Duration
	MaxRedeem   int      // redemptions per transaction; 250
	MaxAllocate int      // allocations per transaction; 300
	TipCap      *big.Int // priority fee; 1 gwei
	// MaxFeeCap is the most a re-priced transaction offers per gas (fees.go); 1,000 × TipCap.
	MaxFeeCap *big.Int
	// KnownGasSchedule says the chain charges mainnet's gas (the embedded node): batches then
	// take the kinds' gas bounds, checked against the node's estimate now and then (gasChecks),
	// instead of an estimate each.
	KnownGasSchedule bool
	Logger           *slog.Logger
}

// NewIntent is what a caller asks for; see RedeemIntent, AllocateIntent and CallIntent.
type NewIntent struct {
	Kind     string
	Ref      string
	Lane     int
	BatchKey string
	Payload  []byte
}

// CallIntent makes an intent that sends calldata to the ledger as its own transaction on lane 0
// (administrative calls: programs, funding, vendors, suspensions, settlements). ref must be
// unique for the call ("fund:<funding id>").
func CallIntent(ref string, calldata []byte) NewIntent {
	return NewIntent{Kind: KindCall, Ref: ref, Lane: 0, BatchKey: "", Payload: calldata}
}

// OutcomeHook is called inside the database transaction that records intents' outcomes, so a
// caller's own rows (a redemption's status) change atomically with the pipeline's. It may be
// called again for the same intent when the chain went backwards and the transaction was mined
// anew: it must be idempotent.
type OutcomeHook func(tx *gorm.DB, intents []Intent) error

// Pipeline is the exactly-once submitter. Create it with New, then Run it.
type Pipeline struct {
	db    *gorm.DB
	cfg   Config
	chain *Chain
	kinds map[string]Kind
	// queuePage is how many pending intents a lane reads at a time: the largest batch.
	queuePage int
	log       *slog.Logger

	gasChecks gasChecks

	mu      sync.Mutex
	hooks   map[string][]OutcomeHook
	waiters *waiters
	wake    []chan struct{}
	// enqueued counts each lane's enqueued intents (weighted: see wakeForGood), so that a
	// quiet lane knows whether a wake-up brings enough of them to matter.
	enqueued []atomic.Int64
}

// New prepares a pipeline over db (migrated with Schema) and client.
func New(db *gorm.DB, client Backend, cfg Config) (*Pipeline, error) {
	if len(cfg.Keys) == 0 {
		return nil, errors.New("pipeline: no operator keys")
	}
	if cfg.ChainID == nil {
		return nil, errors.New("pipeline: no chain id")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&cfg.PollInterval, 25*time.Millisecond)
	def(&cfg.ResendAfter, 3*time.Second)
	def(&cfg.LeaseFor, 15*time.Second)
	def(&cfg.BatchLinger, 100*time.Millisecond)
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 4
	}
	if cfg.MaxRedeem == 0 {
		cfg.MaxRedeem = 250
	}
	if cfg.MaxAllocate == 0 {
		cfg.MaxAllocate = 300
	}
	if cfg.TipCap == nil {
		cfg.TipCap = big.NewInt(1_000_000_000)
	}
	if cfg.MaxFeeCap == nil {
		cfg.MaxFeeCap = new(big.Int).Mul(cfg.TipCap, big.NewInt(1000))
	}
	if cfg.MaxFeeCap.Cmp(cfg.TipCap) < 0 {
		// Every version would be refused its tip: the lane would stall on its first late
		// transaction instead of failing here, where the operator sees why.
		return nil, fmt.Errorf("pipeline: the most a transaction may offer per gas (%s wei) is below the tip (%s wei)", cfg.MaxFeeCap, cfg.TipCap)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Owner == "" {
		cfg.Owner = defaultOwner()
	}
	p := &Pipeline{
		db: db, cfg: cfg, log: cfg.Logger.With("component", "pipeline"),
		chain:   &Chain{Client: client, Contract: cfg.Contract},
		hooks:   map[string][]OutcomeHook{},
		waiters: newWaiters(),
	}
	p.kinds = map[string]Kind{}
	for _, k := range []Kind{callKind{}, redeemKind{max: cfg.MaxRedeem}, allocateKind{max: cfg.MaxAllocate}} {
		p.kinds[k.Name()] = k
		p.queuePage = max(p.queuePage, k.MaxBatch())
	}
	for range cfg.Keys {
		p.wake = append(p.wake, make(chan struct{}, 1))
	}
	p.enqueued = make([]atomic.Int64, len(cfg.Keys))
	return p, nil
}

// Lanes is the number of operator keys, for LaneFor.
func (p *Pipeline) Lanes() int { return len(p.cfg.Keys) }

// Address is the operator address of a lane.
func (p *Pipeline) Address(lane int) common.Address {
	return crypto.PubkeyToAddress(p.cfg.Keys[lane].PublicKey)
}

// OnOutcome registers a hook for outcomes of intents of one kind.
func (p *Pipeline) OnOutcome(kind string, h OutcomeHook) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hooks[kind] = append(p.hooks[kind], h)
}

// Wake tells a lane that a caller has committed a new intent for it. Enqueue wakes the lanes too,
// but inside the caller's transaction: a lane that looks then may not see the intent yet, and a
// quiet lane (see quiet) would then not look again for a while. Callers on the hot path (the
// redemption acceptor) wake the lane again after their commit.
func (p *Pipeline) Wake(lane int) {
	if lane < 0 || lane >= len(p.wake) {
		return
	}
	p.enqueued[lane].Add(1)
	p.poke(lane)
}

// poke wakes a lane early. Enqueue calls it before the caller's commit, which is harmless: the
// lane finds nothing new and sleeps until its next poll, or until Wake.
func (p *Pipeline) poke(lane int) {
	select {
	case p.wake[lane] <- struct{}{}:
	default:
	}
}

// Get reads an intent.
func (p *Pipeline) Get(ctx context.Context, id int64) (Intent, error) {
	var in Intent
	err := p.db.WithContext(ctx).First(&in, id).Error
	return in, err
}

// Wait blocks until the intent is final or ctx ends, and returns it as it is then. This process'
// lanes notify it; it also polls once a second, slowly, because another replica may be the one
// submitting the intent.
func (p *Pipeline) Wait(ctx context.Context, id int64) (Intent, error) {
	notified, _, drop := p.waiters.add(id) // before the first read, so no notification falls between
	defer drop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		in, err := p.Get(context.WithoutCancel(ctx), id)
		if err != nil || in.Final() {
			return in, err
		}
		select {
		case <-ctx.Done():
			return in, ctx.Err()
		case <-notified:
		case <-tick.C:
		}
	}
}

// AwaitFinal is Wait for a caller that reads the outcome from its own rows afterwards (the
// outcome hooks update them in the transaction that makes the intent final): it reads nothing
// while this process' lanes notify it, only once a second as Wait does. It returns ctx's error
// if ctx ends first. For an intent enqueued a moment ago this saves the redemption path two
// database reads. An intent this process made final before the call returns at once: the caller
// read it as pending a moment earlier, and the lane may have been quicker than its registering.
func (p *Pipeline) AwaitFinal(ctx context.Context, id int64) error {
	notified, final, drop := p.waiters.add(id)
	defer drop()
	if final {
		return nil
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-notified:
			return nil
		case <-tick.C:
			if in, err := p.Get(context.WithoutCancel(ctx), id); err != nil || in.Final() {
				return err
			}
		}
	}
}

// Run drives every lane until ctx ends. In-flight work is left in the database, from where the
// next Run (here or in another replica) picks it up.
func (p *Pipeline) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.wakeOnNewHeads(ctx)
	}()
	for i := range p.cfg.Keys {
		l := newLane(p, i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.run(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// Depth is the number of intents not yet final, for metrics.
func (p *Pipeline) Depth(ctx context.Context) (int64, error) {
	return depth(p.db.WithContext(ctx), len(p.cfg.Keys))
}

func depth(db *gorm.DB, lanes int) (int64, error) {
	// Through indexes, not a scan of every intent: /metrics asks on every scrape.
	var n int64
	err := queueReads(db, func(db *gorm.DB) (err error) {
		n, err = depthOf(db, lanes)
		return err
	})
	return n, err
}

// queueReads runs reads of the queue's index in index order (store.IndexOrder), in a
// transaction on PostgreSQL, so that each passes the entries of intents signed since the last
// vacuum once, not on every read. SQLite, which has no such entries, reads without one.
func queueReads(db *gorm.DB, reads func(*gorm.DB) error) error {
	if store.DialectOf(db) != store.Postgres {
		return reads(db)
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if err := store.IndexOrder(tx); err != nil {
			return err
		}
		return reads(tx)
	})
}

func depthOf(db *gorm.DB, lanes int) (int64, error) {
	var n int64
	for lane := range lanes {
		var c int64
		if err := db.Model(&Intent{}).Where(queued, lane).Count(&c).Error; err != nil {
			return 0, err
		}
		n += c
		var txs []int64
		if err := txsInFlight(db, lane, "").Pluck("id", &txs).Error; err != nil {
			return 0, err
		}
		if len(txs) > 0 {
			if err := submittedOf(db, txs).Count(&c).Error; err != nil {
				return 0, err
			}
			n += c
		}
	}
	return n, nil
}

// txsInFlight selects lane's transactions not yet mined (of one kind, unless kind is empty): a
// handful, through ix_chain_txs_lane_status_block. Their intents are the lane's submitted ones:
// signing submits an intent with its transaction, and settling, dropping or un-mining a
// transaction moves its intents with it. No index of intents names the status (migration 7), so
// this is how the submitted intents are found.
func txsInFlight(db *gorm.DB, lane int, kind string) *gorm.DB {
	q := db.Model(&Tx{}).Where("lane = ? AND status IN ('"+TxSigned+"', '"+TxSent+"')", lane)
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	return q
}

// submittedOf selects the submitted intents of transactions txs, through ix_chain_intents_tx
// (whose predicate the statement names, for planners that would not infer it from IN). Read
// apart from txsInFlight, not joined, so that each plan is one index's whatever a planner
// guesses of the join.
func submittedOf(db *gorm.DB, txs []int64) *gorm.DB {
	return db.Model(&Intent{}).Where("tx_id IS NOT NULL AND tx_id IN ? AND status = '"+IntentSubmitted+"'", txs)
}

// OldestUnfinished is when the oldest intent of the kind that is not yet final was made, or the
// zero time if every one is final. A service whose rows follow its intents' outcomes reads its
// backlog here rather than from an index of its own rows by status, which every outcome would
// rewrite. Each lane and status is read apart, so that each read is an index's: the pending
// intents in id order from the queue's index, up to the first of the kind; the submitted ones,
// those of the lane's transactions of the kind in flight, sorted by time (no index of the time
// tempts a planner to walk another). Callers should cache the answer: it is a few reads.
func (p *Pipeline) OldestUnfinished(ctx context.Context, kind string) (time.Time, error) {
	return oldestUnfinished(p.db.WithContext(ctx), len(p.cfg.Keys), kind)
}

func oldestUnfinished(db *gorm.DB, lanes int, kind string) (time.Time, error) {
	var oldest time.Time
	err := queueReads(db, func(db *gorm.DB) (err error) {
		oldest, err = oldestOf(db, lanes, kind)
		return err
	})
	return oldest, err
}

func oldestOf(db *gorm.DB, lanes int, kind string) (time.Time, error) {
	var oldest time.Time
	for lane := range lanes {
		reads := []*gorm.DB{oldestPending(db, lane, kind)}
		var txs []int64 // a transaction's kind is its intents'
		if err := txsInFlight(db, lane, kind).Pluck("id", &txs).Error; err != nil {
			return time.Time{}, fmt.Errorf("%s transactions in flight in lane %d: %w", kind, lane, err)
		}
		if len(txs) > 0 {
			reads = append(reads, submittedOf(db, txs).Order("created_at").Limit(1))
		}
		for _, q := range reads {
			var at []time.Time
			if err := q.Pluck("created_at", &at).Error; err != nil {
				return time.Time{}, fmt.Errorf("oldest unfinished %s intent of lane %d: %w", kind, lane, err)
			}
			if len(at) > 0 && (oldest.IsZero() || at[0].Before(oldest)) {
				oldest = at[0]
			}
		}
	}
	return oldest, nil
}

func oldestPending(db *gorm.DB, lane int, kind string) *gorm.DB {
	return db.Model(&Intent{}).Where(queued+" AND kind = ?", lane, kind).Order("id").Limit(1)
}
