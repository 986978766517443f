package loadgen_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/loadgen"
)

// TestLoadgen_SmokeRedeemsOverHTTPNeverPaysTwiceAndRunsTheBaseline is the CI smoke of the load
// generator: a real system (embedded chain, SQLite) behind its HTTP API, set up and loaded for a
// few seconds, then the ERC20 baseline on the same chain.
func TestLoadgen_SmokeRedeemsOverHTTPNeverPaysTwiceAndRunsTheBaseline(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole system")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	// As scripts/bench-e2e.sh does: a first start with three lanes funds a third key in the
	// genesis block, and the server then runs with two, leaving that key to the baseline.
	cfg := app.Config{DataDir: t.TempDir(), RPCAddr: "127.0.0.1:0", Lanes: 3, Passphrase: "smoke-test-keys", Logger: logger}
	first, err := app.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	cfg.Lanes = 2
	a, err := app.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	keyFiles, _ := filepath.Glob(filepath.Join(cfg.DataDir, "keys", "lane-2", "UTC--*"))
	if len(keyFiles) != 1 {
		t.Fatalf("lane-2 key files: %v", keyFiles)
	}
	baselineKey, err := node.LoadKeyFile(keyFiles[0], cfg.Passphrase)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.API.Handler())
	defer srv.Close()
	const email, password = "admin@loadtest.example.org", "smoke-test-password"
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Password: password, Role: auth.Admin}); err != nil {
		t.Fatal(err)
	}

	lc := loadgen.Config{API: srv.URL, EthRPC: a.Chain.RPCEndpoint, AdminEmail: email, AdminPassword: password,
		Vendors: 4, Beneficiaries: 200, Duration: 3 * time.Second, InFlight: 2, ConfirmTimeout: 30 * time.Second,
		BaselineKey: baselineKey, ChainLimitMgas: 100}
	if testing.Verbose() {
		lc.Log = os.Stderr
	}
	var progress strings.Builder
	lc.Progress = &progress
	st, err := loadgen.Setup(ctx, lc)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Cards) != 200 || len(st.Vendors) != 4 {
		t.Fatalf("setup made %d cards and %d vendors", len(st.Cards), len(st.Vendors))
	}
	res, err := loadgen.Run(ctx, lc, st)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	loadgen.Print(&sb, res)
	t.Log("\n" + sb.String())
	checkProgressBars(t, progress.String(), "import ", "allocation ", "aidledger ", "baseline ")
	p := res.Aidledger
	if p.Confirmed == 0 {
		t.Fatalf("no redemption confirmed")
	}
	if p.Unconfirmed != 0 || p.Failed != 0 {
		t.Errorf("%d unconfirmed, %d failed on chain", p.Unconfirmed, p.Failed)
	}
	if len(p.Errors) != 0 {
		t.Errorf("errors: %v", p.Errors)
	}
	if p.ServerPeakMB <= 0 || p.ServerLifetimePeakMB < p.ServerPeakMB {
		t.Errorf("server peak RSS %.0f MiB in the run, %.0f MiB since it started: the second bounds the first", p.ServerPeakMB, p.ServerLifetimePeakMB)
	}
	checkCosts(t, p)
	if a := p.Acceptance; a == nil || a.Count <= 0 || a.TransactionMs <= 0 || a.GroupSize < 1 || !strings.Contains(sb.String(), "server's acceptance (mean)") {
		t.Errorf("the run does not say where the server's acceptances spent their time: %+v", a)
	}

	b := res.Baseline
	if b == nil {
		t.Fatal("no baseline phase")
	}
	if b.Confirmed == 0 || b.Failed != 0 || b.Unconfirmed != 0 || len(b.Errors) != 0 {
		t.Fatalf("baseline: %d confirmed, %d failed, %d unconfirmed, errors %v", b.Confirmed, b.Failed, b.Unconfirmed, b.Errors)
	}
	if b.Chain == nil || b.Chain.Transactions < b.Confirmed {
		t.Errorf("baseline: %d transfers confirmed but the chain saw %+v", b.Confirmed, b.Chain)
	}
	checkCosts(t, *b)
	if b.Acceptance != nil {
		t.Errorf("baseline: the server accepted redemptions during it: %+v", *b.Acceptance)
	}
	// Against a chain limit given in Mgas/s, at the gas the run's blocks took per redemption
	// (~15,000 in a large batch; here batches are small, and one alone in its transaction pays
	// the transaction's 21,000 by itself).
	if l := res.ChainLimit; l == nil || l.GasPerRedemption < 5_000 || l.GasPerRedemption > 100_000 ||
		l.Share != p.ConfirmedPS/l.RedemptionsPerS || !strings.Contains(sb.String(), "chain limit: 100 Mgas/s") {
		t.Errorf("chain limit %+v; summary:\n%s", l, sb.String())
	}
	if want := p.ConfirmedPS / b.ConfirmedPS; res.Ratio != want {
		t.Errorf("ratio %.3f, want %.3f", res.Ratio, want)
	}
	if !strings.Contains(sb.String(), "box CPU per confirmed: aidledger") {
		t.Errorf("the summary does not compare the box's CPU per confirmed redemption:\n%s", sb.String())
	}

	// Every confirmed redemption has exactly one Redeemed event on chain, and no ref has two.
	var rec struct {
		ConfirmedRedemptions int64    `json:"confirmed_redemptions"`
		RedeemedEvents       int64    `json:"redeemed_events"`
		DuplicateEvents      []string `json:"duplicate_events"`
		OK                   bool     `json:"ok"`
	}
	tok := adminToken(t, srv.URL, email, password)
	for deadline := time.Now().Add(20 * time.Second); ; {
		getJSON(t, srv.URL+"/api/v1/admin/reconciliation", tok, &rec)
		if rec.OK && rec.ConfirmedRedemptions >= int64(p.Confirmed) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !rec.OK || len(rec.DuplicateEvents) != 0 || rec.RedeemedEvents != rec.ConfirmedRedemptions {
		t.Fatalf("reconciliation: %+v", rec)
	}
	if rec.ConfirmedRedemptions < int64(p.Confirmed) {
		t.Fatalf("server confirmed %d, load generator saw %d", rec.ConfirmedRedemptions, p.Confirmed)
	}

	// The open loop: arrivals at a fixed rate, answered 202 at once, confirmations read from blocks.
	lc.Rate, lc.Duration, lc.BaselineKey = 40, 2*time.Second, nil
	res, err = loadgen.Run(ctx, lc, st)
	if err != nil {
		t.Fatal(err)
	}
	sb.Reset()
	loadgen.Print(&sb, res)
	t.Log("\n" + sb.String())
	o := res.Aidledger
	if o.Accepted == 0 || o.Unconfirmed != 0 || o.Failed != 0 || len(o.Errors) != 0 {
		t.Fatalf("open loop: %d accepted, %d unconfirmed, %d failed, errors %v", o.Accepted, o.Unconfirmed, o.Failed, o.Errors)
	}
	if o.ConfirmLat.Count != o.AcceptLat.Count || o.ConfirmLat.P50 < o.AcceptLat.P50 {
		t.Fatalf("open loop: %d accepted (p50 %.1f ms) but %d seen on chain (p50 %.1f ms)",
			o.AcceptLat.Count, o.AcceptLat.P50, o.ConfirmLat.Count, o.ConfirmLat.P50)
	}
}

// checkProgressBars says whether each phase's progress line was last drawn with a full bar: the
// setup's import and allocation done, each run's redemptions all settled on chain.
func checkProgressBars(t *testing.T, out string, phases ...string) {
	t.Helper()
	final := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		redraws := strings.Split(line, "\r\033[K")
		last := redraws[len(redraws)-1]
		for _, p := range phases {
			if strings.HasPrefix(last, p) {
				final[p] = last
			}
		}
	}
	for _, p := range phases {
		if got := final[p]; !strings.Contains(got, "] 100%") || !strings.Contains(got, "[#") {
			t.Errorf("%q phase: last progress line %q, want a full bar", p, got)
		}
	}
}

// checkCosts says whether a phase measured what it cost: the server's CPU, the load
// generator's, and the whole box's per confirmed redemption (or transfer). Here the server runs
// in the test's process, so its figure and the load generator's are the same one.
func checkCosts(t *testing.T, p loadgen.Phase) {
	t.Helper()
	if p.ServerCPU <= 0 || p.LoadgenCPU <= 0 {
		t.Errorf("%s: server %.3f cores, load generator %.3f cores: both did work", p.Name, p.ServerCPU, p.LoadgenCPU)
	}
	if p.Host == nil || p.Host.CPUs < 1 || p.BoxCPUPerConfirmedMs <= 0 {
		t.Errorf("%s: host %+v, %.3f ms of CPU per confirmed", p.Name, p.Host, p.BoxCPUPerConfirmedMs)
	}
}

func adminToken(t *testing.T, base, email, password string) string {
	t.Helper()
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s.AccessToken
}

func getJSON(t *testing.T, url, token string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}
