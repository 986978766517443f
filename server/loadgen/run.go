// Package loadgen drives an aidledger server over HTTP the way shops would: vendor phones
// redeeming vouchers with real JWTs and idempotency keys. It sets a system up (vendors,
// beneficiaries by CSV import, a funded program, a cycle allocated), runs redemptions for a fixed
// time and measures what was accepted and what was confirmed on chain, the server's CPU and
// memory, and the chain's gas; and it runs the naive design (one ERC20 transfer per redemption)
// against the same chain for comparison. `aidledger loadtest` is its command line.
package loadgen

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Config is one load test.
type Config struct {
	API                string // the server, e.g. http://127.0.0.1:8080
	EthRPC             string // the chain's JSON-RPC (gas/s, blocks; the baseline); "" skips both
	AdminEmail         string
	AdminPassword      string
	Vendors            int           // simulated vendor phones (and vendors created by Setup)
	Beneficiaries      int           // imported by Setup
	Duration           time.Duration // of the measured redemption phase
	InFlight           int           // requests each phone keeps in flight (a shop with several tills); 1
	Rate               float64       // open loop: redemptions/s offered across all phones (Poisson arrivals); 0 = closed loop
	Amount             int64         // per redemption, minor units
	AmountPerHousehold int64         // allocated per beneficiary by Setup
	ConfirmTimeout     time.Duration // give up polling a 202 after this; 60s

	BaselineKey *ecdsa.PrivateKey // funded account for the ERC20 baseline; nil skips it

	// ChainLimitMgas is what the node executes of redemption batches alone, in Mgas/s
	// (BenchmarkChainLimit); the result then says what share of it the run used. 0 = not known.
	ChainLimitMgas float64

	Progress io.Writer // single-line progress (stderr); nil = none
	Log      io.Writer // step log; nil = none
}

func (c *Config) defaults() {
	if c.Vendors <= 0 {
		c.Vendors = 200
	}
	if c.Duration <= 0 {
		c.Duration = 60 * time.Second
	}
	if c.InFlight <= 0 {
		c.InFlight = 1
	}
	if c.Amount <= 0 {
		c.Amount = 100
	}
	if c.AmountPerHousehold <= 0 {
		c.AmountPerHousehold = 10_000_000
	}
	if c.ConfirmTimeout <= 0 {
		c.ConfirmTimeout = 60 * time.Second
	}
}

func (c *Config) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// Phase is the result of one load phase (aidledger or the baseline).
type Phase struct {
	Name         string         `json:"name"`
	Seconds      float64        `json:"seconds"`
	Accepted     int            `json:"accepted"`
	Confirmed    int            `json:"confirmed"`
	Failed       int            `json:"failed"` // accepted, then refused by the chain
	Unconfirmed  int            `json:"unconfirmed"`
	AcceptedPS   float64        `json:"accepted_per_s"`
	ConfirmedPS  float64        `json:"confirmed_per_s"`
	AcceptLat    Latency        `json:"accept_latency"`
	ConfirmLat   Latency        `json:"confirm_latency"`
	Errors       map[string]int `json:"errors"`
	Chain        *ChainStats    `json:"chain,omitempty"`
	Timeline     []Second       `json:"timeline"`
	ServerCPU    float64        `json:"server_cpu_cores,omitempty"` // mean CPU cores used
	ServerPeakMB float64        `json:"server_peak_rss_mib,omitempty"`
	// ServerLifetimePeakMB is the server's highest RSS since it started (setup included), as it
	// reported at the end of the phase.
	ServerLifetimePeakMB float64  `json:"server_lifetime_peak_rss_mib,omitempty"`
	Host                 *HostCPU `json:"host_cpu,omitempty"` // this machine, whoever used it
	// LoadgenCPU is the load generator's own mean CPU (cores), part of Host's busy share.
	LoadgenCPU float64 `json:"loadgen_cpu_cores,omitempty"`
	// BoxCPUPerConfirmedMs is the milliseconds of the machine's CPU, whoever spent it, per
	// confirmed redemption (or transfer) of the phase.
	BoxCPUPerConfirmedMs float64 `json:"box_cpu_ms_per_confirmed,omitempty"`
	// Acceptance is where the server's acceptances spent their time in the phase, from its
	// /metrics (absent for the baseline, and for servers without those metrics).
	Acceptance *AcceptanceStages `json:"acceptance,omitempty"`
}

// AcceptanceStages are the server's mean times per acceptance over a phase, by stage
// (aidledger_redemption_acceptance_seconds), and its mean group size.
type AcceptanceStages struct {
	Count         float64 `json:"count"`
	WaitMs        float64 `json:"wait_mean_ms"`        // for its group to start
	TransactionMs float64 `json:"transaction_mean_ms"` // its group's statements and commit
	DurableMs     float64 `json:"durable_mean_ms"`     // the fsync after a deferred commit
	GroupSize     float64 `json:"group_size_mean"`
}

// Result is everything a load test measured.
type Result struct {
	Vendors       int         `json:"vendors"`
	Beneficiaries int         `json:"beneficiaries"`
	InFlight      int         `json:"in_flight_per_vendor"`
	Rate          float64     `json:"offered_rate,omitempty"` // open loop: redemptions/s offered
	Setup         *State      `json:"-"`
	ImportSeconds float64     `json:"import_seconds,omitempty"`
	AllocSeconds  float64     `json:"allocate_seconds,omitempty"`
	Aidledger     Phase       `json:"aidledger"`
	Baseline      *Phase      `json:"baseline,omitempty"`
	Ratio         float64     `json:"confirmed_ratio_vs_baseline,omitempty"`
	ChainLimit    *ChainLimit `json:"chain_limit,omitempty"`
}

// Run logs the vendor phones in and drives redemptions for cfg.Duration, then waits (up to
// ConfirmTimeout) for what was accepted to be confirmed; then the baseline if configured.
func Run(ctx context.Context, cfg Config, st State) (Result, error) {
	cfg.defaults()
	res := Result{Vendors: min(cfg.Vendors, len(st.Vendors)), Beneficiaries: len(st.Cards), InFlight: cfg.InFlight, Rate: cfg.Rate,
		ImportSeconds: st.ImportSeconds, AllocSeconds: st.AllocateSeconds}
	if len(st.Cards) == 0 || len(st.Vendors) == 0 {
		return res, fmt.Errorf("nothing to redeem: %d cards, %d vendors (run setup first)", len(st.Cards), len(st.Vendors))
	}
	hc := newHTTPClient(res.Vendors * cfg.InFlight)
	phones := make([]*client, res.Vendors)
	cfg.logf("logging in %d vendor phones", res.Vendors)
	if err := parallel(ctx, 8, res.Vendors, func(i int) error {
		c, err := login(ctx, cfg.API, hc, st.Vendors[i].Email, st.Vendors[i].Password)
		phones[i] = c
		return err
	}); err != nil {
		return res, err
	}

	var chainStart uint64
	var chain *chainWatch
	if cfg.EthRPC != "" {
		var err error
		if chain, err = dialChain(ctx, cfg.EthRPC); err != nil {
			return res, err
		}
		defer chain.close()
		chainStart, _ = chain.head(ctx)
	}
	if cfg.Rate > 0 && chain == nil {
		return res, fmt.Errorf("the open loop (--rate) follows confirmations on the chain: give its JSON-RPC")
	}
	mctx, stopMetrics := context.WithCancel(ctx)
	metrics := startMetrics(mctx, hc, cfg.API)

	meter := startMeter()
	start := time.Now()
	rec := newRecorder(start)
	deadline := start.Add(cfg.Duration)
	var polls sync.WaitGroup
	stopProgress := cfg.progressLoop(rec, start, "aidledger")
	var window time.Duration
	if cfg.Rate > 0 {
		cfg.logf("offering %.0f redemptions/s for %s across %d phones (Prefer: respond-async)", cfg.Rate, cfg.Duration, res.Vendors)
		conf := newConfirmations(rec)
		fctx, stopFollow := context.WithCancel(ctx)
		go conf.follow(fctx, chain, chainStart)
		runOpenLoop(ctx, cfg, phones, st, rec, conf, start, deadline)
		window = time.Since(start)
		cfg.logf("\nwaiting for confirmations of what was accepted")
		wctx, cancel := context.WithTimeout(ctx, cfg.ConfirmTimeout)
		conf.wait(wctx)
		cancel()
		stopFollow()
	} else {
		cfg.logf("redeeming for %s from %d phones (%d in flight each)", cfg.Duration, res.Vendors, cfg.InFlight)
		var wg sync.WaitGroup
		for v := range res.Vendors {
			for k := range cfg.InFlight {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(v), uint64(k)))
					phone := phones[v]
					for time.Now().Before(deadline) && ctx.Err() == nil {
						redeemOnce(ctx, cfg, phone, st, rng, rec, &polls)
					}
				}()
			}
		}
		wg.Wait()
		window = time.Since(start)
		cfg.logf("\nwaiting for confirmations of what was accepted")
		pollDone := make(chan struct{})
		go func() { polls.Wait(); close(pollDone) }()
		select {
		case <-pollDone:
		case <-ctx.Done():
		}
	}
	stopProgress()
	stopMetrics()
	ms := metrics.wait()
	window = max(window, cfg.Duration)
	res.Aidledger = rec.phase("aidledger", window)
	meter.finish(&res.Aidledger)
	ms.apply(&res.Aidledger, start)
	if chain != nil {
		end, _ := chain.head(ctx)
		cs, err := chain.stats(ctx, chainStart+1, end, window)
		if err == nil {
			res.Aidledger.Chain = &cs
		}
	}

	res.ChainLimit = chainLimit(cfg.ChainLimitMgas, res.Aidledger)

	if cfg.BaselineKey != nil && chain != nil {
		cfg.logf("baseline: one ERC20 transfer per redemption, %d phones, %s", res.Vendors*cfg.InFlight, cfg.Duration)
		bp, err := runBaseline(ctx, cfg, chain, st, res.Vendors*cfg.InFlight, hc)
		if err != nil {
			cfg.logf("baseline failed: %v", err)
			return res, nil
		}
		res.Baseline = &bp
		if bp.ConfirmedPS > 0 {
			res.Ratio = res.Aidledger.ConfirmedPS / bp.ConfirmedPS
		}
	}
	return res, nil
}

type redemption struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// categories are those Setup registers its shops for: the server refuses a sale outside a shop's.
var categories = []string{"food", "food", "hygiene", "household"}

// redemptionBody is a redemption of a random card in a random category.
func redemptionBody(cfg Config, st State, rng *rand.Rand) map[string]any {
	return map[string]any{"card_number": st.Cards[rng.IntN(len(st.Cards))], "pin": st.PIN, "program_id": st.ProgramID,
		"amount": cfg.Amount, "category": categories[rng.IntN(len(categories))]}
}

// redeemOnce makes one redemption from phone; a 202 is followed by a poller goroutine.
func redeemOnce(ctx context.Context, cfg Config, phone *client, st State, rng *rand.Rand, rec *recorder, polls *sync.WaitGroup) {
	body := redemptionBody(cfg, st, rng)
	key := uuid.NewString()
	sent := time.Now()
	var r redemption
	status, err := phone.do(ctx, http.MethodPost, "/api/v1/redemptions", body, &r, map[string]string{"Idempotency-Key": key})
	at := time.Now()
	if err != nil {
		if ctx.Err() == nil {
			code := errCode(err)
			rec.fail(at, code)
			if code == "transport" || code == "timeout" || code == "server_busy" {
				_ = sleep(ctx, 100*time.Millisecond) // the server is down or full: do not spin
			}
		}
		return
	}
	rec.accept(sent, at)
	switch {
	case status == http.StatusCreated && r.Status == "confirmed":
		rec.confirm(sent, at)
	case r.Status == "failed":
		rec.failed.Add(1)
	default:
		polls.Add(1)
		go func() {
			defer polls.Done()
			pollConfirmed(ctx, cfg, phone, r.ID, sent, rec)
		}()
	}
}

func pollConfirmed(ctx context.Context, cfg Config, phone *client, id string, sent time.Time, rec *recorder) {
	until := time.Now().Add(cfg.ConfirmTimeout)
	for time.Now().Before(until) {
		if sleep(ctx, 100*time.Millisecond) != nil {
			return
		}
		var r redemption
		if _, err := phone.do(ctx, http.MethodGet, "/api/v1/redemptions/"+id, nil, &r, nil); err != nil {
			continue
		}
		switch r.Status {
		case "confirmed":
			rec.confirm(sent, time.Now())
			return
		case "failed":
			rec.failed.Add(1)
			return
		}
	}
}
