package crashtest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
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

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/chain/ledger"
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
		c := cats(j.Program)
		j.Category = c[rng.IntN(len(c))]
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

// accepted is a redemption that the server accepted (201 or 202).
type accepted struct {
	ID     string
	Job    job
	Status int
}

// checkOutcomes fails on any answer that is not a success or an expected refusal, and returns
// the accepted redemptions.
func checkOutcomes(t *testing.T, outs []outcome) map[string]accepted {
	t.Helper()
	acc := map[string]accepted{}
	bad := 0
	for _, o := range outs {
		switch {
		case o.Status == http.StatusCreated || o.Status == http.StatusAccepted:
			if o.Redemption.ID == "" {
				t.Errorf("redemption %s: accepted (%d) without an id: %s", o.Job.Key, o.Status, o.LastErr)
				bad++
				continue
			}
			if prev, dup := acc[o.Redemption.ID]; dup {
				t.Errorf("two idempotency keys (%s, %s) answered with the same redemption %s", prev.Job.Key, o.Job.Key, o.Redemption.ID)
			}
			if o.Redemption.Amount != o.Job.Amount || o.Redemption.ProgramID != o.Job.Program.ID {
				t.Errorf("redemption %s: answer %+v does not match the request %+v", o.Redemption.ID, o.Redemption, o.Job)
			}
			if o.Status == http.StatusCreated && o.Redemption.Status != "confirmed" || o.Status == http.StatusAccepted && o.Redemption.Status != "pending" {
				t.Errorf("redemption %s: HTTP %d with status %q", o.Redemption.ID, o.Status, o.Redemption.Status)
			}
			acc[o.Redemption.ID] = accepted{ID: o.Redemption.ID, Job: o.Job, Status: o.Status}
		case o.Status == http.StatusUnprocessableEntity && o.Code == "insufficient_balance" && o.Job.Kind != "normal":
			// expected: a contended card ran out, or an amount beyond any balance
		case o.Status == http.StatusUnprocessableEntity && o.Code == "insufficient_balance":
			// a normal-sized one can run out too if the card was drained by the demo and the load
			// together; allowed, but counted in the summary
		default:
			bad++
			if bad <= 20 {
				t.Errorf("redemption %s (%s, amount %d, %d attempts): unexpected final answer %d %q; last error: %s",
					o.Job.Key, o.Job.Kind, o.Job.Amount, o.Attempts, o.Status, o.Code, o.LastErr)
			}
		}
	}
	if bad > 20 {
		t.Errorf("... %d unexpected answers in all", bad)
	}
	return acc
}

// drain waits (bounded) until none of the accepted redemptions is pending, and fails for every
// one that did not end confirmed: a 201/202 is a promise.
func drain(t *testing.T, w *world, acc map[string]accepted, within time.Duration) map[string]apiRedemption {
	t.Helper()
	final := map[string]apiRedemption{}
	deadline := time.Now().Add(within)
	pending := make([]string, 0, len(acc))
	for id := range acc {
		pending = append(pending, id)
	}
	sort.Strings(pending)
	for len(pending) > 0 {
		var still []string
		for _, id := range pending {
			var r apiRedemption
			w.api.get(t, w.admin, "/api/v1/redemptions/"+id, &r)
			if r.Status == "pending" {
				still = append(still, id)
				continue
			}
			final[id] = r
		}
		pending = still
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d accepted redemptions still pending after %s (first: %s)", len(pending), within, pending[0])
		}
		time.Sleep(500 * time.Millisecond)
	}
	failed := 0
	for id, r := range final {
		if r.Status != "confirmed" {
			failed++
			if failed <= 20 {
				t.Errorf("redemption %s was accepted (HTTP %d) but ended %s (%s)", id, acc[id].Status, r.Status, r.Reason)
			}
		}
	}
	return final
}

// checkLedger proves, from the chain itself, that every accepted redemption was paid exactly
// once, nothing else was paid, no entitlement is overspent, and that the API, the reconciliation
// report and `aidledger verify` agree with the chain.
func checkLedger(t *testing.T, s *server, w *world, acc map[string]accepted, outs []outcome) {
	t.Helper()
	client := dialChain(t, s.RPC)
	led := readLedger(t, client, s.Contract)
	block := new(big.Int).SetUint64(led.Head)

	// Exactly once per ref.
	for id, evs := range led.ByRef {
		if len(evs) > 1 {
			t.Errorf("redemption %s was paid %d times on chain (txs %s, %s)", id, len(evs), evs[0].Raw.TxHash.Hex(), evs[1].Raw.TxHash.Hex())
		}
	}
	// Every accepted redemption is on chain, once, as it was asked.
	vendorAddr := func(i int) common.Address { return common.HexToAddress(w.vendorByEmail[i].Address) }
	var acceptedSum, loadSum int64
	missing := 0
	for id, a := range acc {
		acceptedSum += a.Job.Amount
		evs := led.ByRef[uuid.MustParse(id)]
		if len(evs) == 0 {
			missing++
			if missing <= 20 {
				t.Errorf("redemption %s (HTTP %d, %d to card %s) has no Redeemed event on chain", id, a.Status, a.Job.Amount, a.Job.Card.CardNumber)
			}
			continue
		}
		ev := evs[0]
		if ev.ProgramId != a.Job.Program.ChainProgramID || ev.Beneficiary != common.HexToHash(a.Job.Card.ChainID) ||
			ev.Vendor != vendorAddr(a.Job.Vendor) || ev.Amount.Int64() != a.Job.Amount {
			t.Errorf("redemption %s: on chain program %d beneficiary %s vendor %s amount %s; asked program %d card %s vendor %s amount %d",
				id, ev.ProgramId, common.Hash(ev.Beneficiary).Hex(), ev.Vendor.Hex(), ev.Amount, a.Job.Program.ChainProgramID,
				a.Job.Card.ChainID, vendorAddr(a.Job.Vendor).Hex(), a.Job.Amount)
		}
	}
	if missing > 20 {
		t.Errorf("... %d accepted redemptions missing on chain in all", missing)
	}
	// Nothing was paid that no phone was told about (a 422 never moved money).
	unknown, loadEvents := 0, 0
	for _, ev := range led.Redeemed {
		id := ledger.ParseRef(ev.Ref).ID.String()
		if w.preExisting[id] {
			continue
		}
		loadSum += ev.Amount.Int64()
		loadEvents++
		if _, ok := acc[id]; !ok {
			unknown++
			if unknown <= 20 {
				t.Errorf("the chain paid %s for ref %s (tx %s), which no phone got a 201/202 for", ev.Amount, id, ev.Raw.TxHash.Hex())
			}
		}
	}
	if loadSum != acceptedSum {
		t.Errorf("the chain paid %d during the load; the phones were told %d", loadSum, acceptedSum)
	}
	// The server's own rows: every confirmed one was answered 201/202; failed ones moved nothing.
	for _, r := range w.api.redemptions(t, w.admin) {
		if w.preExisting[r.ID] {
			continue
		}
		_, isAcc := acc[r.ID]
		paid := len(led.ByRef[uuid.MustParse(r.ID)])
		switch r.Status {
		case "confirmed":
			if !isAcc {
				t.Errorf("redemption %s is confirmed but no phone got a 201/202 for it", r.ID)
			}
		case "failed":
			if paid != 0 {
				t.Errorf("redemption %s failed (%s) but the chain paid it", r.ID, r.Reason)
			}
		default:
			t.Errorf("redemption %s is still %s after the drain", r.ID, r.Status)
		}
	}

	// No entitlement overspent: per card and program, Σ redeemed ≤ allocated, and the contract's
	// balance is exactly allocated − redeemed.
	checked := 0
	for k, alloc := range led.Allocated {
		if led.Expired[k] {
			continue
		}
		red := led.RedeemedBy[k]
		if red == nil {
			red = new(big.Int)
		}
		if red.Cmp(alloc) > 0 {
			t.Errorf("entitlement %d/%s overspent: redeemed %s > allocated %s", k.Program, k.Beneficiary.Hex(), red, alloc)
		}
		e := entitlementOnChain(t, client, s.Contract, k, block)
		if want := new(big.Int).Sub(alloc, red); e.Balance.Cmp(want) != 0 || e.Balance.Sign() < 0 {
			t.Errorf("entitlement %d/%s: balance on chain %s, want allocated %s − redeemed %s = %s", k.Program, k.Beneficiary.Hex(), e.Balance, alloc, red, want)
		}
		checked++
	}
	for k := range led.RedeemedBy {
		if led.Allocated[k] == nil {
			t.Errorf("entitlement %d/%s was redeemed from but never allocated", k.Program, k.Beneficiary.Hex())
		}
	}

	// The API's program totals equal the contract's (the API reads indexed events: allow it to
	// catch up with the head we read).
	for _, p := range w.programs {
		onChain := programTotalsOnChain(t, client, s.Contract, p.ChainProgramID, block)
		if sum := led.ProgramSum[p.ChainProgramID]; sum == nil || sum.Cmp(onChain.Redeemed) != 0 {
			t.Errorf("program %d: Σ Redeemed events %v, programTotals.redeemed %s", p.ChainProgramID, sum, onChain.Redeemed)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			var got apiProgram
			w.api.get(t, w.admin, "/api/v1/programs/"+p.ID, &got)
			if got.Totals != nil && got.Totals.Redeemed == onChain.Redeemed.Int64() && got.Totals.Allocated == onChain.Allocated.Int64() &&
				got.Totals.Funded == onChain.Funded.Int64() {
				break
			}
			if time.Now().After(deadline) {
				t.Errorf("program %s: API totals %+v, chain funded %s allocated %s redeemed %s", p.ID, got.Totals, onChain.Funded, onChain.Allocated, onChain.Redeemed)
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	// The server's reconciliation report.
	var rec reconciliation
	deadline := time.Now().Add(60 * time.Second)
	for {
		w.api.get(t, w.admin, "/api/v1/admin/reconciliation", &rec)
		if rec.OK && rec.AsOfBlock >= led.Head {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("reconciliation not ok (or behind block %d): %+v", led.Head, rec)
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	// And the donor's check: `aidledger verify` against the chain and the API.
	vout := s.verify(t)

	rejected := 0
	for _, o := range outs {
		if o.Status == http.StatusUnprocessableEntity {
			rejected++
		}
	}
	t.Logf("chain: head %d, %d Redeemed events (%d during the load, total %d), %d RedemptionRejected events; %d entitlements checked; %d accepted, %d refused with 422 moved nothing; reconciliation %d confirmed = %d events",
		led.Head, len(led.Redeemed), loadEvents, loadSum, len(led.Rejected), checked, len(acc), rejected, rec.ConfirmedRedemptions, rec.RedeemedEvents)
	t.Logf("aidledger verify:\n%s", vout)
}
