package loadgen

import (
	"context"
	"math/big"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/google/uuid"

	"github.com/aidledger/aidledger/bindings/aidledger"
)

// Open-loop mode (Config.Rate > 0): redemptions arrive at a fixed mean rate whatever the server's
// answers, as customers arrive at shops, instead of each phone waiting for its last answer. A
// closed loop measures capacity, but its latency is only in-flight ÷ throughput (Little's law);
// an open loop below capacity measures what one redemption costs. Latency counts from the
// scheduled arrival, so a server that falls behind is charged for the queue it builds (no
// coordinated omission).
//
// Requests carry "Prefer: respond-async": "accepted" is the server's durable acceptance (HTTP
// 202). "Confirmed" is when the load generator sees the redemption's Redeemed event in a block,
// following the chain itself (every 20 ms) rather than asking the server.

var ledgerABI = aidledger.NewAidLedger()

// confirmations matches redemption ids from 202 answers with the ledger events that settle them.
type confirmations struct {
	rec     *recorder
	mu      sync.Mutex
	waiting map[uuid.UUID]time.Time // accepted, not yet seen on chain: arrival time
	early   map[uuid.UUID]seen      // seen on chain before its answer came back
	pending sync.WaitGroup
}

type seen struct {
	at       time.Time
	rejected bool
}

func newConfirmations(rec *recorder) *confirmations {
	return &confirmations{rec: rec, waiting: map[uuid.UUID]time.Time{}, early: map[uuid.UUID]seen{}}
}

// accepted records a 202 for id, which arrived at arrival.
func (c *confirmations) accepted(id uuid.UUID, arrival time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.early[id]; ok {
		delete(c.early, id)
		c.settle(arrival, s)
		return
	}
	c.pending.Add(1)
	c.waiting[id] = arrival
}

// onChain records a ledger event for id.
func (c *confirmations) onChain(id uuid.UUID, s seen) {
	c.mu.Lock()
	defer c.mu.Unlock()
	arrival, ok := c.waiting[id]
	if !ok {
		c.early[id] = s
		return
	}
	delete(c.waiting, id)
	c.settle(arrival, s)
	c.pending.Done()
}

func (c *confirmations) settle(arrival time.Time, s seen) {
	if s.rejected {
		c.rec.failed.Add(1)
		return
	}
	c.rec.confirm(arrival, s.at)
}

// follow reads the ledger's redemption events in every block after from until ctx ends, and
// passes them on: one eth_getLogs a poll, whatever number of blocks came meanwhile, filtered by
// the two events' topics, rather than every block's whole receipts. Alternating runs measured
// no difference in the load generator's CPU that the noise lets us see (fourteenth session).
func (c *confirmations) follow(ctx context.Context, w *chainWatch, from uint64) {
	next := from + 1
	redeemed := ledgerABI.GetABI().Events["Redeemed"].ID
	rejected := ledgerABI.GetABI().Events["RedemptionRejected"].ID
	for ctx.Err() == nil {
		head, err := w.head(ctx)
		for err == nil && next <= head {
			to := min(head, next+followRange-1)
			var logs []types.Log
			logs, err = w.c.FilterLogs(ctx, ethereum.FilterQuery{
				FromBlock: new(big.Int).SetUint64(next), ToBlock: new(big.Int).SetUint64(to),
				Topics: [][]common.Hash{{redeemed, rejected}},
			})
			if err != nil {
				break
			}
			at := time.Now()
			for i := range logs {
				l := &logs[i]
				if id, ok := refID(l.Topics[0] == rejected, l); ok {
					c.onChain(id, seen{at: at, rejected: l.Topics[0] == rejected})
				}
			}
			next = to + 1
		}
		_ = sleep(ctx, 20*time.Millisecond)
	}
}

// followRange bounds one eth_getLogs, for a follower that fell behind.
const followRange = 64

// refID is the redemption id in an event's ref: its first 16 bytes (the server's ledger.Ref).
func refID(rejected bool, l *types.Log) (uuid.UUID, bool) {
	var ref [32]byte
	if rejected {
		ev, err := ledgerABI.UnpackRedemptionRejectedEvent(l)
		if err != nil {
			return uuid.UUID{}, false
		}
		ref = ev.Ref
	} else {
		ev, err := ledgerABI.UnpackRedeemedEvent(l)
		if err != nil {
			return uuid.UUID{}, false
		}
		ref = ev.Ref
	}
	id, err := uuid.FromBytes(ref[:16])
	return id, err == nil
}

// wait waits for every accepted redemption to be seen on chain, or ctx to end.
func (c *confirmations) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { c.pending.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// runOpenLoop offers cfg.Rate redemptions/s, Poisson arrivals spread evenly over the phones,
// until deadline.
func runOpenLoop(ctx context.Context, cfg Config, phones []*client, st State, rec *recorder, conf *confirmations, start, deadline time.Time) {
	perPhone := cfg.Rate / float64(len(phones))
	var wg sync.WaitGroup
	for v, phone := range phones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(v), 1))
			gap := func() time.Duration { return time.Duration(rng.ExpFloat64() / perPhone * float64(time.Second)) }
			for at := start.Add(gap()); at.Before(deadline) && ctx.Err() == nil; at = at.Add(gap()) {
				if sleep(ctx, time.Until(at)) != nil {
					return
				}
				body := redemptionBody(cfg, st, rng)
				wg.Add(1)
				go func() {
					defer wg.Done()
					redeemAsync(ctx, phone, body, at, rec, conf)
				}()
			}
		}()
	}
	wg.Wait()
}

func redeemAsync(ctx context.Context, phone *client, body map[string]any, arrival time.Time, rec *recorder, conf *confirmations) {
	var r redemption
	_, err := phone.do(ctx, http.MethodPost, "/api/v1/redemptions", body, &r,
		map[string]string{"Idempotency-Key": uuid.NewString(), "Prefer": "respond-async"})
	at := time.Now()
	if err != nil {
		if ctx.Err() == nil {
			rec.fail(at, errCode(err))
		}
		return
	}
	rec.accept(arrival, at)
	id, perr := uuid.Parse(r.ID)
	switch {
	case perr != nil:
		rec.fail(at, "bad_response")
	case r.Status == "failed":
		rec.failed.Add(1)
	default: // pending (202), or confirmed already (201): the chain watcher sees its event either way
		conf.accepted(id, arrival)
	}
}
