package loadgen_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/loadgen"
)

// TestLoadgen_SmokeRedeemsOverHTTPAndNeverPaysTwice is the CI smoke of the load generator: a real
// system (embedded chain, SQLite) behind its HTTP API, set up and loaded for a few seconds.
func TestLoadgen_SmokeRedeemsOverHTTPAndNeverPaysTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a whole system")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := app.Config{DataDir: t.TempDir(), RPCAddr: "127.0.0.1:0", Lanes: 2, Logger: logger}
	a, err := app.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.API.Handler())
	defer srv.Close()
	const email, password = "admin@loadtest.example.org", "smoke-test-password"
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Password: password, Role: auth.Admin}); err != nil {
		t.Fatal(err)
	}

	lc := loadgen.Config{API: srv.URL, EthRPC: a.Chain.RPCEndpoint, AdminEmail: email, AdminPassword: password,
		Vendors: 4, Beneficiaries: 200, Duration: 3 * time.Second, InFlight: 2, ConfirmTimeout: 30 * time.Second}
	if testing.Verbose() {
		lc.Log = os.Stderr
	}
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
	lc.Rate, lc.Duration = 40, 2*time.Second
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
