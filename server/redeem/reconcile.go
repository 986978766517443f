package redeem

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"
)

// Reconciliation compares the API's confirmed redemptions with the ledger's Redeemed events, up
// to the last indexed block: each confirmed redemption must have exactly one event with its ref,
// and each event must belong to exactly one confirmed redemption.
type Reconciliation struct {
	CheckedAt            time.Time `json:"checked_at"`
	AsOfBlock            uint64    `json:"as_of_block"`
	ConfirmedRedemptions int64     `json:"confirmed_redemptions"`
	RedeemedEvents       int64     `json:"redeemed_events"`
	MissingEvents        []string  `json:"missing_events"`   // confirmed redemption ids with no event
	UnknownEvents        []string  `json:"unknown_events"`   // tx hashes of events with no confirmed redemption
	DuplicateEvents      []string  `json:"duplicate_events"` // refs with more than one event
	// Refunds: each confirmed refund has its own transaction, with one Refunded event of its
	// amount; each Refunded event belongs to a confirmed refund.
	ConfirmedRefunds    int64    `json:"confirmed_refunds"`
	RefundedEvents      int64    `json:"refunded_events"`
	MissingRefundEvents []string `json:"missing_refund_events"` // confirmed refund ids with no matching event
	UnknownRefundEvents []string `json:"unknown_refund_events"` // tx hashes of Refunded events with no confirmed refund
	// Settlements and their reversals, likewise, with Settled and SettlementReversed events.
	ConfirmedSettlements    int64    `json:"confirmed_settlements"`
	SettlementEvents        int64    `json:"settlement_events"`
	MissingSettlementEvents []string `json:"missing_settlement_events"`
	UnknownSettlementEvents []string `json:"unknown_settlement_events"`
	OK                      bool     `json:"ok"`
}

// listLimit bounds the ids a report lists; the counts are exact.
const listLimit = 100

// Reconcile runs the comparison once, as fast as the database answers (reconcile_walk.go).
func Reconcile(ctx context.Context, db *gorm.DB, asOfBlock uint64) (Reconciliation, error) {
	return reconcile(ctx, db, asOfBlock, 0)
}

// Reconciler runs Reconcile in the background, keeps the latest report, logs and counts
// mismatches (Prometheus: aidledger_reconciliation_mismatches).
type Reconciler struct {
	db       *gorm.DB
	indexed  func() uint64
	every    time.Duration
	log      *slog.Logger
	gauge    prometheus.Gauge
	mu       sync.Mutex
	last     Reconciliation
	hasValue bool
}

// NewReconciler checks every `every` (5 minutes if zero) up to the block indexed() reports. A
// check reads every confirmed redemption and every Redeemed event, so it runs rarely, and paced
// (backgroundPace): GET /api/v1/admin/reconciliation runs one at full speed.
func NewReconciler(db *gorm.DB, indexed func() uint64, every time.Duration, log *slog.Logger) *Reconciler {
	if every == 0 {
		every = 5 * time.Minute
	}
	if log == nil {
		log = slog.Default()
	}
	return &Reconciler{db: db, indexed: indexed, every: every, log: log.With("component", "reconciler"),
		gauge: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "aidledger_reconciliation_mismatches",
			Help: "Confirmed redemptions without exactly one Redeemed event, plus events without a confirmed redemption, at the last check.",
		})}
}

// Collector is the mismatch gauge, for the metrics registry.
func (r *Reconciler) Collector() prometheus.Collector { return r.gauge }

// Run checks until ctx ends.
func (r *Reconciler) Run(ctx context.Context) {
	for {
		if _, err := r.check(ctx, backgroundPace); err != nil && ctx.Err() == nil {
			r.log.Warn("reconciliation failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.every):
		}
	}
}

// Check reconciles now, at full speed, and keeps the result.
func (r *Reconciler) Check(ctx context.Context) (Reconciliation, error) { return r.check(ctx, 0) }

func (r *Reconciler) check(ctx context.Context, pace float64) (Reconciliation, error) {
	rep, err := reconcile(ctx, r.db, r.indexed(), pace)
	if err != nil {
		return rep, err
	}
	mismatches := len(rep.MissingEvents) + len(rep.UnknownEvents) + len(rep.DuplicateEvents) +
		len(rep.MissingRefundEvents) + len(rep.UnknownRefundEvents) + len(rep.MissingSettlementEvents) + len(rep.UnknownSettlementEvents)
	if d := rep.ConfirmedRedemptions - rep.RedeemedEvents; mismatches == 0 && d != 0 {
		mismatches = int(max(d, -d))
	}
	r.gauge.Set(float64(mismatches))
	if !rep.OK {
		r.log.Error("reconciliation mismatch", "missing_events", len(rep.MissingEvents), "unknown_events", len(rep.UnknownEvents),
			"duplicate_events", len(rep.DuplicateEvents), "missing_refund_events", len(rep.MissingRefundEvents),
			"unknown_refund_events", len(rep.UnknownRefundEvents), "missing_settlement_events", len(rep.MissingSettlementEvents),
			"unknown_settlement_events", len(rep.UnknownSettlementEvents), "as_of_block", rep.AsOfBlock)
	}
	r.mu.Lock()
	r.last, r.hasValue = rep, true
	r.mu.Unlock()
	return rep, nil
}

// Last is the latest report, running a check if there is none yet.
func (r *Reconciler) Last(ctx context.Context) (Reconciliation, error) {
	r.mu.Lock()
	rep, ok := r.last, r.hasValue
	r.mu.Unlock()
	if ok {
		return rep, nil
	}
	return r.Check(ctx)
}
