package crashtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/demo"
)

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// world is the seeded system as the tests see it through the API.
type world struct {
	api           *api
	admin         string // admin access token
	vendorEmails  []string
	vendors       map[string]apiVendor // by id
	vendorByEmail []apiVendor          // vendorEmails[i] belongs to vendorByEmail[i]
	programs      []apiProgram
	cards         []apiBeneficiary
	preExisting   map[string]bool // redemption ids that existed before the load
}

// loadWorld reads the demo world through the API. Vendor users are matched to vendors by
// logging in and reading /api/v1/me.
func loadWorld(t *testing.T, a *api, vendorEmails []string) *world {
	t.Helper()
	w := &world{api: a, admin: a.login(t, "admin@demo.aidledger.org"), vendorEmails: vendorEmails, vendors: map[string]apiVendor{}, preExisting: map[string]bool{}}
	for _, v := range a.vendors(t, w.admin) {
		w.vendors[v.ID] = v
	}
	for _, e := range vendorEmails {
		var me struct {
			VendorID string `json:"vendor_id"`
		}
		a.get(t, a.login(t, e), "/api/v1/me", &me)
		v, ok := w.vendors[me.VendorID]
		if !ok {
			t.Fatalf("%s belongs to vendor %q, which GET /api/v1/vendors does not list", e, me.VendorID)
		}
		w.vendorByEmail = append(w.vendorByEmail, v)
	}
	for _, p := range a.programs(t, w.admin) {
		if p.Status == "active" {
			w.programs = append(w.programs, p)
		}
	}
	sort.Slice(w.programs, func(i, j int) bool { return w.programs[i].ChainProgramID < w.programs[j].ChainProgramID })
	for _, b := range a.beneficiaries(t, w.admin) {
		if b.Status == "active" {
			w.cards = append(w.cards, b)
		}
	}
	if len(w.programs) == 0 || len(w.cards) == 0 || len(w.vendorByEmail) == 0 {
		t.Fatalf("the seeded world is empty: %d programs, %d cards, %d vendors", len(w.programs), len(w.cards), len(w.vendorByEmail))
	}
	for _, r := range a.redemptions(t, w.admin) {
		w.preExisting[r.ID] = true
	}
	return w
}

// job is one redemption a phone must get an answer for.
type job struct {
	Key      string
	Vendor   int // index in world.vendorEmails
	Card     apiBeneficiary
	Program  apiProgram
	Amount   int64
	Category string
	Kind     string // "normal", "hot" (contended card), "huge" (must be refused)
}

// outcome is the answer a phone finally got.
type outcome struct {
	Job        job
	Status     int // final HTTP status; 0 if never answered
	Redemption apiRedemption
	Code       string // error code of a 4xx
	Attempts   int
	LastErr    string
}

// plan makes n redemptions: mostly small amounts on random cards (they succeed), some
// contended ones on a few "hot" cards that together exceed their balance (the server must refuse
// the excess), and a few far over any balance.
func plan(w *world, n int, rng *rand.Rand) []job {
	hot := w.cards[:min(5, len(w.cards))]
	cats := func(p apiProgram) []string {
		if p.Currency == "JOD" {
			return []string{"food", "food", "household"}
		}
		return []string{"hygiene", "household"}
	}
	small := func(p apiProgram) int64 {
		if p.Currency == "JOD" {
			return int64(100 + rng.IntN(1400))
		}
		return int64(10 + rng.IntN(140))
	}
	jobs := make([]job, n)
	for i := range jobs {
		p := w.programs[rng.IntN(len(w.programs))]
		j := job{Key: uuid.NewString(), Vendor: rng.IntN(len(w.vendorEmails)), Card: w.cards[rng.IntN(len(w.cards))], Program: p,
			Amount: small(p), Kind: "normal"}
		switch r := rng.IntN(100); {
		case r < 10: // contended: ~10% of the load on 5 cards, in the last program (smallest balances)
			p = w.programs[len(w.programs)-1]
			j.Program, j.Card, j.Kind = p, hot[rng.IntN(len(hot))], "hot"
			j.Amount = small(p) * 4
		case r < 13:
			j.Amount, j.Kind = 1_000_000_000, "huge"
		}
		// A category the shop sells: any other is refused (category_not_allowed).
		j.Category = demo.CategoryAt(w.vendorByEmail[j.Vendor].Categories, cats(j.Program), rng)
		jobs[i] = j
	}
	return jobs
}

// phones fires the jobs from `phones` concurrent simulated phones. Each phone retries a
// redemption with the same Idempotency-Key and body after any transport error, timeout, 5xx or
// 429, as the vendor app does, until it gets an answer. answered counts final answers.
func fire(ctx context.Context, w *world, jobs []job, phones int, answered *atomic.Int64) []outcome {
	toks := &tokens{a: w.api, m: map[string]string{}}
	out := make([]outcome, len(jobs))
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for p := 0; p < phones; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				out[i] = redeemUntilAnswered(ctx, w.api, toks, w.vendorEmails[jobs[i].Vendor], jobs[i])
				answered.Add(1)
			}
		}()
	}
	wg.Wait()
	return out
}

func redeemUntilAnswered(ctx context.Context, a *api, toks *tokens, email string, j job) outcome {
	o := outcome{Job: j}
	body := map[string]any{"card_number": j.Card.CardNumber, "pin": demo.PIN, "program_id": j.Program.ID, "amount": j.Amount, "category": j.Category}
	deadline := time.Now().Add(4 * time.Minute)
	backoff := func() {
		time.Sleep(time.Duration(100+rand.IntN(300)) * time.Millisecond)
	}
	for time.Now().Before(deadline) && ctx.Err() == nil {
		tok, err := toks.get(ctx, email)
		if err != nil {
			o.LastErr = err.Error()
			backoff()
			continue
		}
		o.Attempts++
		status, b, err := a.do(ctx, http.MethodPost, "/api/v1/redemptions", tok, body, map[string]string{"Idempotency-Key": j.Key})
		if err != nil {
			o.LastErr = err.Error()
			backoff()
			continue
		}
		switch {
		case status == http.StatusCreated || status == http.StatusAccepted:
			o.Status = status
			if err := json.Unmarshal(b, &o.Redemption); err != nil || o.Redemption.ID == "" {
				o.LastErr = fmt.Sprintf("decode %d answer: %v %s", status, err, b)
			}
			return o
		case status == http.StatusUnauthorized:
			toks.drop(email, tok)
			o.LastErr = "401"
			backoff()
			continue
		case status >= 500 || status == http.StatusTooManyRequests:
			o.LastErr = fmt.Sprintf("%d %s", status, b)
			backoff()
			continue
		default:
			o.Status = status
			var e apiError
			_ = json.Unmarshal(b, &e)
			o.Code = e.Error.Code
			if o.Code == "" {
				o.LastErr = string(b)
			}
			return o
		}
	}
	return o
}

// summarize counts outcomes by answer, for the log.
func summarize(outs []outcome) string {
	counts := map[string]int{}
	retried := 0
	for _, o := range outs {
		k := strconv.Itoa(o.Status)
		if o.Code != "" {
			k += " " + o.Code
		}
		counts[k+" ("+o.Job.Kind+")"]++
		if o.Attempts > 1 {
			retried++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %d; ", k, counts[k])
	}
	fmt.Fprintf(&b, "retried with the same key: %d", retried)
	return b.String()
}
