// Package e2e drives the four web apps in a real headless Chromium against a real
// `aidledger serve --demo` subprocess. It is skipped unless AIDLEDGER_TEST_BROWSER names a
// Chromium binary (e.g. /usr/bin/chromium). AIDLEDGER_SCREENSHOTS=1 also saves screenshots of
// the main screens at phone and desktop widths into docs/screenshots/.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/app/apptest"

	"github.com/chromedp/chromedp"
)

const demoPassword = "demo-password-123"

var (
	adminEmail  = "admin@demo.aidledger.org"
	workerEmail = "aidworker@demo.aidledger.org"
	vendorEmail = "vendor1@demo.aidledger.org"
	donorEmail  = "donor@demo.aidledger.org"
)

var srv struct{ base, root, log string }

func TestMain(m *testing.M) {
	if os.Getenv("AIDLEDGER_TEST_BROWSER") == "" {
		// Every test skips itself (needBrowser) so `go test` reports SKIP with the reason.
		os.Exit(m.Run())
	}
	if _, err := exec.LookPath(os.Getenv("AIDLEDGER_TEST_BROWSER")); err != nil {
		fmt.Fprintln(os.Stderr, "web/e2e: AIDLEDGER_TEST_BROWSER:", err)
		os.Exit(1)
	}
	stop, err := startServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "web/e2e: server:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// needBrowser skips a test unless AIDLEDGER_TEST_BROWSER names a Chromium binary.
func needBrowser(t *testing.T) {
	t.Helper()
	if os.Getenv("AIDLEDGER_TEST_BROWSER") == "" {
		t.Skip("browser suite: set AIDLEDGER_TEST_BROWSER=/usr/bin/chromium to run it")
	}
}

// startServer builds cmd/aidledger and runs `serve --demo` on a free loopback port.
func startServer() (func(), error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	srv.root = root
	tmp, err := os.MkdirTemp("", "aidledger-e2e-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(tmp, "aidledger")
	if err := apptest.TrackSources(root); err != nil {
		return nil, err
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/aidledger")
	build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	srv.log = filepath.Join(tmp, "server.log")
	logf, _ := os.Create(srv.log)
	cmd := exec.Command(bin, "serve", "--demo", "--data-dir", filepath.Join(tmp, "data"), "--addr", addr, "--rpc-addr", "")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
		}
		logf.Close()
		os.RemoveAll(tmp)
	}
	srv.base = "http://" + addr
	// Ready means /readyz answers 200 AND the demo seed has finished: `serve --demo` serves the
	// API while it seeds (through the chain, about a minute), and prints the demo logins after.
	deadline := time.Now().Add(serverTimeout)
	for {
		res, err := httpClient.Get(srv.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if log, _ := os.ReadFile(logf.Name()); res.StatusCode == 200 && bytes.Contains(log, []byte("Demo logins")) {
				break
			}
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logf.Name())
			stop()
			return nil, fmt.Errorf("aidledger serve --demo exited before it was ready:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logf.Name())
			stop()
			return nil, fmt.Errorf("server at %s not ready (demo seeded) after %s:\n%s", addr, serverTimeout, log)
		}
		time.Sleep(500 * time.Millisecond)
	}
	return stop, nil
}

// browser opens a fresh Chromium (own profile) with the flags the CI image needs.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(os.Getenv("AIDLEDGER_TEST_BROWSER")), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(width, height),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, testTimeout)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	// Registered last, so it runs first: on failure, say where the page was and what it showed.
	t.Cleanup(func() {
		if !t.Failed() || ctx.Err() != nil {
			return
		}
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if s, err := chromedp.Run(dctx, chromedp.Evaluate[string](`location.pathname + "\n" + (document.querySelector('main')?.innerText || document.body.innerText).slice(0, 1500)`)); err == nil {
			t.Logf("page at failure: %s", s)
		}
	})
	return tctx
}

// Timeouts: generous for a slow shared 2-core CI box, but bounded so a broken page fails in
// minutes with a message naming the step, not at the go test deadline.
const (
	serverTimeout = 5 * time.Minute  // build done: server up and the demo seeded
	testTimeout   = 5 * time.Minute  // one test's browser
	stepTimeout   = 60 * time.Second // one run(...) call: navigation, waits, clicks
	evalTimeout   = 15 * time.Second // one JavaScript evaluation
)

// run performs chromedp steps, each call bounded by stepTimeout.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		if sctx.Err() != nil && ctx.Err() == nil {
			t.Fatalf("browser step did not finish within %s (a selector never appeared?): %v", stepTimeout, err)
		}
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	ectx, cancel := context.WithTimeout(ctx, evalTimeout)
	defer cancel()
	v, err := chromedp.Run(ectx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %q: %v", js, err)
	}
	return v
}

// waitJS polls a JavaScript condition until it is true (explicit waits, no sleeps).
func waitJS(t *testing.T, ctx context.Context, cond string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ectx, cancel := context.WithTimeout(ctx, evalTimeout)
		ok, err := chromedp.Run(ectx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("browser gone while waiting for %s: %v", cond, ctx.Err())
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, cond)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// choose sets a <select> (or input) to value and fires its change event, as a person's choice does.
func choose(t *testing.T, ctx context.Context, selector, value string) {
	t.Helper()
	eval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change')); return true })()`, selector, value))
}

// uiLogin logs in through the app's login form.
func uiLogin(t *testing.T, ctx context.Context, path, email string) {
	t.Helper()
	run(t, ctx, chromedp.Navigate(srv.base+path), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", demoPassword), chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#logout"))
}

// screenshot saves docs/screenshots/<name>-phone.png / -desktop.png when AIDLEDGER_SCREENSHOTS=1.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("AIDLEDGER_SCREENSHOTS") != "1" {
		return
	}
	dir := filepath.Join(srv.root, "docs", "screenshots")
	os.MkdirAll(dir, 0o755)
	for _, s := range []struct {
		suffix string
		w, h   int64
	}{{"phone", 360, 740}, {"desktop", 1280, 800}} {
		sctx, cancel := context.WithTimeout(ctx, stepTimeout)
		defer cancel()
		if err := chromedp.Do(sctx, chromedp.EmulateViewport(s.w, s.h)); err != nil {
			t.Logf("screenshot %s: %v", name, err)
			continue
		}
		time.Sleep(300 * time.Millisecond)                           // let the layout and charts settle at the new width
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100)) // 100: PNG (any other quality is JPEG)
		if err != nil {
			t.Logf("screenshot %s: %v", name, err)
			continue
		}
		os.WriteFile(filepath.Join(dir, name+"-"+s.suffix+".png"), png, 0o644)
	}
	chromedp.Do(ctx, chromedp.EmulateViewport(360, 740))
}

var httpClient = &http.Client{Timeout: time.Minute}

// client is a minimal API client for arranging and checking state around the UI.
type client struct{ token string }

type apiErr struct {
	Status int
	Body   string
}

func (e *apiErr) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

func login(t *testing.T, email string) *client {
	t.Helper()
	var s struct {
		AccessToken string `json:"access_token"`
	}
	if err := (&client{}).do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": demoPassword}, &s, nil); err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	return &client{token: s.AccessToken}
}

func (c *client) do(method, path string, body, out any, hdr map[string]string) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, srv.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := httpClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return &apiErr{res.StatusCode, string(b)}
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (c *client) must(t *testing.T, method, path string, body, out any) {
	t.Helper()
	if err := c.do(method, path, body, out, nil); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
}

type program struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	Decimals int    `json:"decimals"`
	Status   string `json:"status"`
}

var uniq = time.Now().UnixNano() % 1_000_000_000

func next() int64 { uniq++; return uniq }

func newBeneficiary(t *testing.T, worker *client, pin string) (id, card string, body map[string]any) {
	t.Helper()
	n := next()
	body = map[string]any{"given_name": "Test", "family_name": fmt.Sprintf("Person%d", n), "date_of_birth": "1990-01-02",
		"national_id": fmt.Sprintf("E2E%d", n), "phone": fmt.Sprintf("+9627%08d", n%100_000_000), "household_size": 4, "location": "Zaatari", "pin": pin}
	var r struct {
		ID         string `json:"id"`
		CardNumber string `json:"card_number"`
	}
	worker.must(t, "POST", "/api/v1/beneficiaries", body, &r)
	return r.ID, r.CardNumber, body
}

// fundedCard enrolls a beneficiary with a known PIN and allocates to it in the first active
// program, waiting until the vendor sees a positive balance.
func fundedCard(t *testing.T, pin string) (card string, p program) {
	t.Helper()
	admin, worker, vendor := login(t, adminEmail), login(t, workerEmail), login(t, vendorEmail)
	id, card, _ := newBeneficiary(t, worker, pin)
	var ps struct{ Programs []program }
	admin.must(t, "GET", "/api/v1/programs", nil, &ps)
	for _, x := range ps.Programs {
		if x.Status == "" || x.Status == "active" {
			p = x
			break
		}
	}
	if p.ID == "" {
		t.Fatal("the demo has no active program")
	}
	unit := int64(1)
	for i := 0; i < p.Decimals; i++ {
		unit *= 10
	}
	var job struct{ ID string }
	admin.must(t, "POST", "/api/v1/programs/"+p.ID+"/allocations", map[string]any{"cycle": lastCycle(t, admin, p.ID) + 1,
		"amount_per_household": 50 * unit, "amount_per_member": 0, "beneficiary_ids": []string{id}}, &job)
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if b := balance(t, vendor, card, pin, p.ID); b > 0 {
			return card, p
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("card %s never got a balance in program %s", card, p.ID)
	return
}

// lastCycle is the newest cycle allocated in a program: the next allocation must be newer.
func lastCycle(t *testing.T, c *client, programID string) int {
	t.Helper()
	var p struct {
		LastCycle *int `json:"last_cycle"`
	}
	c.must(t, "GET", "/api/v1/programs/"+programID, nil, &p)
	if p.LastCycle == nil {
		t.Fatal("the program does not say its last cycle")
	}
	return *p.LastCycle
}

// moneyText is how the English pages write a whole amount of p's currency ("JOD 1.000", "$1.00"),
// with a plain space.
func moneyText(p program, whole int) string {
	s := grouped(whole)
	if p.Decimals > 0 {
		s += "." + strings.Repeat("0", p.Decimals)
	}
	if p.Currency == "USD" {
		return "$" + s
	}
	return p.Currency + " " + s
}

// grouped writes n as the English pages do, with thousands separators.
func grouped(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// confirmText is the sentence of the app's open confirmation <dialog>.
func confirmText(t *testing.T, ctx context.Context) string {
	t.Helper()
	run(t, ctx, chromedp.WaitVisible(`dialog[open] p`))
	return eval[string](t, ctx, `document.querySelector('dialog[open] p').textContent.replace(/[\u00a0\u202f]/g, ' ')`)
}

// balance reads a card's balance in a program through the vendor's balance endpoint.
func balance(t *testing.T, vendor *client, card, pin, programID string) int64 {
	t.Helper()
	var r map[string]any
	if err := vendor.do("POST", "/api/v1/cards/"+card+"/balance", map[string]string{"pin": pin}, &r, nil); err != nil {
		return -1
	}
	for _, key := range []string{"balances", "programs"} {
		list, _ := r[key].([]any)
		for _, x := range list {
			m, _ := x.(map[string]any)
			pid := fmt.Sprint(m["program_id"])
			if pid == "<nil>" {
				pid = fmt.Sprint(m["id"])
			}
			if pid != programID {
				continue
			}
			for _, k := range []string{"balance", "available", "amount"} {
				if v, ok := m[k].(float64); ok {
					return int64(v)
				}
			}
		}
	}
	return 0
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
