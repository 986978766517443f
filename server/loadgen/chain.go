package loadgen

import (
	"bufio"
	"context"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
)

// ChainStats are the blocks mined during a phase.
type ChainStats struct {
	FromBlock    uint64  `json:"from_block"`
	ToBlock      uint64  `json:"to_block"`
	Blocks       int     `json:"blocks"`
	Transactions int     `json:"transactions"`
	GasUsed      uint64  `json:"gas_used"`
	MgasPerS     float64 `json:"mgas_per_s"`
	GasPerBlock  float64 `json:"gas_per_block"`
	BlockGapMs   float64 `json:"mean_block_interval_ms"`
}

type chainWatch struct {
	c *ethclient.Client
}

func dialChain(ctx context.Context, url string) (*chainWatch, error) {
	c, err := ethclient.DialContext(ctx, url)
	if err != nil {
		return nil, err
	}
	return &chainWatch{c: c}, nil
}

func (w *chainWatch) close() { w.c.Close() }

func (w *chainWatch) head(ctx context.Context) (uint64, error) { return w.c.BlockNumber(ctx) }

// stats sums the blocks from..to (inclusive) over window.
func (w *chainWatch) stats(ctx context.Context, from, to uint64, window time.Duration) (ChainStats, error) {
	cs := ChainStats{FromBlock: from, ToBlock: to}
	for n := from; n <= to; n++ {
		h, err := w.c.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			return cs, err
		}
		txs, err := w.c.TransactionCount(ctx, h.Hash())
		if err != nil {
			return cs, err
		}
		cs.Blocks++
		cs.Transactions += int(txs)
		cs.GasUsed += h.GasUsed
	}
	if cs.Blocks > 0 {
		cs.GasPerBlock = float64(cs.GasUsed) / float64(cs.Blocks)
		cs.MgasPerS = float64(cs.GasUsed) / 1e6 / window.Seconds()
		cs.BlockGapMs = window.Seconds() * 1000 / float64(cs.Blocks)
	}
	return cs, nil
}

// sample is one reading of the server's /metrics.
type sample struct {
	at  time.Time
	cpu float64 // process_cpu_seconds_total
	rss float64 // process_resident_memory_bytes
	hwm float64 // aidledger_process_peak_resident_memory_bytes (0 where the server has none)
	// stages are the acceptance histograms' running sums and counts, by series name and labels
	// as exposed (acceptanceSeries).
	stages map[string]float64
}

// acceptanceSeries are the series of the server's acceptance metrics that a phase's means are
// taken from.
var acceptanceSeries = []string{
	`aidledger_redemption_acceptance_seconds_sum{stage="wait"}`,
	`aidledger_redemption_acceptance_seconds_sum{stage="transaction"}`,
	`aidledger_redemption_acceptance_seconds_sum{stage="durable"}`,
	`aidledger_redemption_acceptance_seconds_count{stage="transaction"}`,
	`aidledger_redemption_acceptance_group_size_sum`,
	`aidledger_redemption_acceptance_group_size_count`,
}

type metricsWatch struct {
	done    chan struct{}
	samples []sample
}

// startMetrics reads /metrics every second until ctx ends.
func startMetrics(ctx context.Context, hc *http.Client, api string) *metricsWatch {
	m := &metricsWatch{done: make(chan struct{})}
	go func() {
		defer close(m.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			if s, ok := readMetrics(ctx, hc, api); ok {
				m.samples = append(m.samples, s)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *metricsWatch) wait() *metricsWatch { <-m.done; return m }

func readMetrics(ctx context.Context, hc *http.Client, api string) (sample, bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(api, "/")+"/metrics", nil)
	if err != nil {
		return sample{}, false
	}
	resp, err := hc.Do(req)
	if err != nil {
		return sample{}, false
	}
	defer resp.Body.Close()
	s := sample{at: time.Now(), stages: map[string]float64{}}
	s.cpu, s.rss = -1, -1 // required; the peak is optional (0 when absent)
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	single := map[string]*float64{"process_cpu_seconds_total": &s.cpu, "process_resident_memory_bytes": &s.rss,
		"aidledger_process_peak_resident_memory_bytes": &s.hwm}
	for sc.Scan() {
		// "series value": none of the series read here has a space in its labels.
		series, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		if dst, ok := single[series]; ok {
			*dst = v
		} else if slices.Contains(acceptanceSeries, series) {
			s.stages[series] = v
		}
	}
	return s, s.cpu >= 0 && s.rss >= 0
}

// apply puts mean CPU, peak RSS and per-second figures into p.
func (m *metricsWatch) apply(p *Phase, start time.Time) {
	if len(m.samples) < 2 {
		return
	}
	f, l := m.samples[0], m.samples[len(m.samples)-1]
	p.ServerCPU = (l.cpu - f.cpu) / l.at.Sub(f.at).Seconds()
	p.Acceptance = acceptanceBetween(f, l)
	for i, s := range m.samples {
		p.ServerPeakMB = max(p.ServerPeakMB, s.rss/(1<<20))
		p.ServerLifetimePeakMB = max(p.ServerLifetimePeakMB, s.hwm/(1<<20))
		sec := int(s.at.Sub(start) / time.Second)
		if sec >= 0 && sec < len(p.Timeline) {
			p.Timeline[sec].ServerRSSMiB = s.rss / (1 << 20)
			if i > 0 {
				prev := m.samples[i-1]
				p.Timeline[sec].ServerCPU = (s.cpu - prev.cpu) / s.at.Sub(prev.at).Seconds()
			}
		}
	}
}

// acceptanceBetween is the mean acceptance stages between two samples, or nil when the server
// accepted nothing in between (or has no such metrics).
func acceptanceBetween(f, l sample) *AcceptanceStages {
	delta := func(i int) float64 { return l.stages[acceptanceSeries[i]] - f.stages[acceptanceSeries[i]] }
	n, groups := delta(3), delta(5)
	if n <= 0 || groups <= 0 {
		return nil
	}
	return &AcceptanceStages{Count: n, WaitMs: delta(0) / n * 1000, TransactionMs: delta(1) / n * 1000, DurableMs: delta(2) / n * 1000,
		GroupSize: delta(4) / groups}
}
