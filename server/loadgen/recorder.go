package loadgen

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Latency is a distribution summary in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	q := func(p float64) float64 {
		i := int(p*float64(len(ds))+0.5) - 1
		i = max(0, min(i, len(ds)-1))
		return float64(ds[i].Microseconds()) / 1000
	}
	return Latency{Count: len(ds), P50: q(0.50), P95: q(0.95), P99: q(0.99), Max: float64(ds[len(ds)-1].Microseconds()) / 1000}
}

// Second is one second of the run, for the chart.
type Second struct {
	T            int     `json:"t"`
	Accepted     int     `json:"accepted"`
	Confirmed    int     `json:"confirmed"`
	Errors       int     `json:"errors"`
	AcceptP99ms  float64 `json:"accept_p99_ms"`
	ConfirmP99ms float64 `json:"confirm_p99_ms"`
	ServerCPU    float64 `json:"server_cpu_cores"`
	ServerRSSMiB float64 `json:"server_rss_mib"`
	AcceptP50ms  float64 `json:"accept_p50_ms"`
	ConfirmP50ms float64 `json:"confirm_p50_ms"`
	acceptLat    []time.Duration
	confirmLat   []time.Duration
}

// recorder collects outcomes of one phase, per second.
type recorder struct {
	mu        sync.Mutex
	start     time.Time
	secs      []Second
	errs      map[string]int
	accepted  atomic.Int64
	confirmed atomic.Int64
	failed    atomic.Int64
	errCount  atomic.Int64
	acceptAll []time.Duration
	confAll   []time.Duration
}

func newRecorder(start time.Time) *recorder {
	return &recorder{start: start, errs: map[string]int{}}
}

func (r *recorder) sec(t time.Time) *Second {
	i := max(0, int(t.Sub(r.start)/time.Second))
	for len(r.secs) <= i {
		r.secs = append(r.secs, Second{T: len(r.secs)})
	}
	return &r.secs[i]
}

func (r *recorder) accept(sent, at time.Time) {
	r.accepted.Add(1)
	r.mu.Lock()
	s := r.sec(at)
	s.Accepted++
	s.acceptLat = append(s.acceptLat, at.Sub(sent))
	r.acceptAll = append(r.acceptAll, at.Sub(sent))
	r.mu.Unlock()
}

func (r *recorder) confirm(sent, at time.Time) {
	r.confirmed.Add(1)
	r.mu.Lock()
	s := r.sec(at)
	s.Confirmed++
	s.confirmLat = append(s.confirmLat, at.Sub(sent))
	r.confAll = append(r.confAll, at.Sub(sent))
	r.mu.Unlock()
}

func (r *recorder) fail(at time.Time, code string) {
	r.errCount.Add(1)
	r.mu.Lock()
	r.sec(at).Errors++
	r.errs[code]++
	r.mu.Unlock()
}

// phase summarizes: throughput counts what was accepted/confirmed within the window.
func (r *recorder) phase(name string, window time.Duration) Phase {
	r.mu.Lock()
	defer r.mu.Unlock()
	p := Phase{Name: name, Seconds: window.Seconds(), Errors: r.errs, Failed: int(r.failed.Load())}
	n := int(window / time.Second)
	for i := range r.secs {
		s := &r.secs[i]
		a, c := summarize(s.acceptLat), summarize(s.confirmLat)
		s.AcceptP99ms, s.ConfirmP99ms, s.AcceptP50ms, s.ConfirmP50ms = a.P99, c.P99, a.P50, c.P50
		if i < n {
			p.Accepted += s.Accepted
			p.Confirmed += s.Confirmed
		}
	}
	p.Timeline = r.secs
	p.AcceptedPS = float64(p.Accepted) / window.Seconds()
	p.ConfirmedPS = float64(p.Confirmed) / window.Seconds()
	p.AcceptLat, p.ConfirmLat = summarize(r.acceptAll), summarize(r.confAll)
	p.Unconfirmed = int(r.accepted.Load() - r.confirmed.Load() - r.failed.Load())
	return p
}
