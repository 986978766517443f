package redeem

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// stages measures where an acceptance's time goes, for /metrics: waiting for its group to start
// (the queue, and on PostgreSQL the gather time), the group's transaction (its statements and
// commit) and, on SQLite, the fsync after it. This split is what showed that on PostgreSQL a
// group's round trips, not its statements, were most of an acceptance (twenty-fifth session,
// docs/benchmarks-log.md); an operator sees the same from a running server.
type stages struct {
	seconds *prometheus.HistogramVec
	size    prometheus.Histogram
	retried *prometheus.CounterVec // groups applied again, by the kind of transaction that failed
}

// The failed label's values: a pipelined transaction on PostgreSQL, run again in one of GORM's;
// a group in one of GORM's, run again one acceptance at a time.
const (
	failedPipelined = "pipelined"
	failedGroup     = "group"
)

// The stage label's values.
const (
	stageWait        = "wait"
	stageTransaction = "transaction"
	stageDurable     = "durable"
)

func newStages() *stages {
	s := &stages{
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aidledger_redemption_acceptance_seconds",
			Help: "Time an accepted or refused redemption spent in each stage of its durable acceptance: " +
				"wait (for its group to start), transaction (the group's statements and commit), durable (the fsync after a deferred commit).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"stage"}),
		size: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "aidledger_redemption_acceptance_group_size",
			Help:    "Acceptances per group transaction.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
		}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aidledger_redemption_acceptance_groups_retried_total",
			Help: "Acceptance groups applied again after their transaction failed, by that transaction: " +
				"pipelined (PostgreSQL's fast path, run again in an ordinary transaction, e.g. for a PIN attempt to count) " +
				"or group (run again one acceptance at a time, e.g. after two phones raced one Idempotency-Key).",
		}, []string{"failed"}),
	}
	// Both series exist from the start, at 0: an operator's alert on their rate needs them.
	s.retried.WithLabelValues(failedPipelined)
	s.retried.WithLabelValues(failedGroup)
	return s
}

// group records one group: when each of its acceptances was queued, when the group started and
// when its transaction ended.
func (s *stages) group(queued []time.Time, start, applied time.Time) {
	s.size.Observe(float64(len(queued)))
	tx := s.seconds.WithLabelValues(stageTransaction)
	wait := s.seconds.WithLabelValues(stageWait)
	for _, at := range queued {
		wait.Observe(start.Sub(at).Seconds())
		tx.Observe(applied.Sub(start).Seconds())
	}
}

// durable records the fsync wait of a committed group's n acceptances.
func (s *stages) durable(n int, d time.Duration) {
	o := s.seconds.WithLabelValues(stageDurable)
	for range n {
		o.Observe(d.Seconds())
	}
}

func (s *stages) Describe(ch chan<- *prometheus.Desc) {
	s.seconds.Describe(ch)
	s.size.Describe(ch)
	s.retried.Describe(ch)
}

func (s *stages) Collect(ch chan<- prometheus.Metric) {
	s.seconds.Collect(ch)
	s.size.Collect(ch)
	s.retried.Collect(ch)
}
