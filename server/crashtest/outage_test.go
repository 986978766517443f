package crashtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/demo"
)

// gethNode is a `geth --dev` process on loopback with its own datadir, restartable on the same
// datadir and port.
type gethNode struct {
	t       *testing.T
	path    string
	dataDir string
	port    int
	URL     string
	logPath string
	logFile *os.File

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	started time.Time
}

func newGeth(t *testing.T, path string) *gethNode {
	t.Helper()
	dir := t.TempDir()
	port := chaintest.FreePort(t)
	logPath := filepath.Join(dir, "geth.log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	g := &gethNode{t: t, path: path, dataDir: filepath.Join(dir, "data"), port: port, URL: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: logPath, logFile: f}
	t.Cleanup(func() {
		g.stop()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("geth log (tail):\n%s", tail(b, 4000))
		}
		_ = f.Close()
	})
	return g
}

// start runs geth and waits until it answers eth_chainId.
func (g *gethNode) start() {
	g.t.Helper()
	// The flags of chaintest.Geth: a dev chain that mines each transaction as it arrives.
	cmd := exec.Command(g.path,
		"--dev", "--dev.period", "0",
		"--datadir", g.dataDir,
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(g.port),
		"--http.api", "eth,net,web3,debug,txpool",
		"--nodiscover", "--maxpeers", "0", "--port", "0", "--authrpc.port", "0",
		"--ipcdisable",
	)
	cmd.Stdout, cmd.Stderr = g.logFile, g.logFile
	fmt.Fprintf(g.logFile, "\n===== crashtest: start geth at %s\n", time.Now().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		g.t.Fatalf("start geth: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	g.mu.Lock()
	g.cmd, g.exited, g.started = cmd, exited, time.Now()
	g.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-exited:
			b, _ := os.ReadFile(g.logPath)
			g.t.Fatalf("geth exited during start-up:\n%s", tail(b, 4000))
		default:
		}
		if rc, err := rpc.Dial(g.URL); err == nil {
			var id hexutil.Big
			err = rc.CallContext(context.Background(), &id, "eth_chainId")
			rc.Close()
			if err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			g.t.Fatalf("geth did not answer on %s within 30s", g.URL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop interrupts geth (it flushes its chain to the datadir) and waits for it to exit.
func (g *gethNode) stop() {
	g.mu.Lock()
	cmd, exited, started := g.cmd, g.exited, g.started
	g.cmd = nil
	g.mu.Unlock()
	if cmd == nil {
		return
	}
	// A signal before geth installed its handler kills it without flushing (see chaintest.Geth).
	if d := time.Second - time.Since(started); d > 0 {
		time.Sleep(d)
	}
	_ = cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-exited:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// operatorKey makes a keystore file for a new key funded from geth's dev account.
func (g *gethNode) operatorKey(t *testing.T, passphrase string) string {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	addr := crypto.PubkeyToAddress(key.PublicKey)
	blob, err := keystore.EncryptKey(&keystore.Key{Id: uuid.New(), Address: addr, PrivateKey: key}, passphrase, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "operator.json")
	if err := os.WriteFile(file, blob, 0o600); err != nil {
		t.Fatal(err)
	}
	chaintest.FundFromDevAccount(t, g.URL, key)
	return file
}

// TestChainOutage_RedemptionsPendThenConfirm runs the real binary against a real `geth --dev`,
// stops the node for a while (redemptions made meanwhile must be accepted as pending, or refused
// with 503 chain_backlog), restarts it on the same datadir, and proves every accepted redemption
// then confirms exactly once on chain.
func TestChainOutage_RedemptionsPendThenConfirm(t *testing.T) {
	gethPath := os.Getenv(chaintest.EnvGeth)
	if gethPath == "" {
		t.Skipf("set %s to a geth binary to run the chain-outage test", chaintest.EnvGeth)
	}
	began := time.Now()
	g := newGeth(t, gethPath)
	g.start()
	const pass = "crashtest-operator-passphrase"
	keyFile := g.operatorKey(t, pass)

	s := newServer(t, filepath.Join(t.TempDir(), "data"), g.URL, []string{"AIDLEDGER_OPERATOR_PASSPHRASE=" + pass},
		"--eth-rpc", g.URL, "--operator-key", keyFile, "--rpc-addr=")
	// A small world seeded through the API keeps this test quick.
	s.createUser(t, "admin@demo.aidledger.org", "admin", "")
	s.start(false)
	a := newAPI(s.BaseURL)
	emails := seedSmall(t, s, a, 2, 8)
	t.Logf("geth up and a small world seeded through it after %s (contract %s)", time.Since(began).Round(time.Millisecond), s.Contract.Hex())
	w := loadWorld(t, a, emails)
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 11))
	ctx := context.Background()

	// Warm up: the chain is up, redemptions confirm.
	var answered atomic.Int64
	warm := fire(ctx, w, plan(w, 40, rng), 8, &answered)
	all := append([]outcome(nil), warm...)

	headBefore := dialChain(t, g.URL)
	hb, err := headBefore.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	headBefore.Close()

	// The outage: stop geth, redeem for about 10 s from 8 phones.
	g.stop()
	outageStart := time.Now()
	toks := &tokens{a: a, m: map[string]string{}}
	var mu sync.Mutex
	var during []outcome
	var wg sync.WaitGroup
	for p := 0; p < 8; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prng := rand.New(rand.NewPCG(seed, uint64(p)))
			for time.Since(outageStart) < 10*time.Second {
				j := plan(w, 1, prng)[0]
				o := redeemOnce(ctx, a, toks, w.vendorEmails[j.Vendor], j)
				mu.Lock()
				during = append(during, o)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	outage := time.Since(outageStart)
	pendingCount, backlog := 0, 0
	for _, o := range during {
		switch {
		case o.Status == http.StatusAccepted:
			pendingCount++
		case o.Status == http.StatusServiceUnavailable && o.Code == "chain_backlog":
			backlog++
		case o.Status == http.StatusUnprocessableEntity && o.Code == "insufficient_balance" && o.Job.Kind != "normal":
		case o.Status == http.StatusCreated:
			t.Errorf("redemption %s confirmed (201) while the node was down", o.Redemption.ID)
		default:
			t.Errorf("during the outage: redemption %s (%s, %d) answered %d %q (%s)", o.Job.Key, o.Job.Kind, o.Job.Amount, o.Status, o.Code, o.LastErr)
		}
	}
	if pendingCount == 0 {
		t.Errorf("no redemption was accepted as pending during the outage")
	}
	if backlog > 0 {
		t.Errorf("%d redemptions refused with chain_backlog after an outage of only %s (the backlog limit is 10 minutes)", backlog, outage)
	}
	all = append(all, during...)

	// Restart the node on the same datadir and port.
	g.start()
	c := dialChain(t, g.URL)
	ha, err := c.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ha < hb {
		t.Fatalf("geth --dev lost its chain across a restart: head %d before, %d after", hb, ha)
	}
	code, err := c.CodeAt(ctx, s.Contract, nil)
	if err != nil || len(code) == 0 {
		t.Fatalf("the ledger has no code after the geth restart (%v)", err)
	}
	t.Logf("outage %s: %d redemptions answered 202 pending, %d refused with chain_backlog; geth back with head %d (was %d)",
		outage.Round(time.Millisecond), pendingCount, backlog, ha, hb)

	var answers []outcome // chain_backlog refusals were judged above
	for _, o := range all {
		if o.Code != "chain_backlog" {
			answers = append(answers, o)
		}
	}
	acc := checkOutcomes(t, answers)
	drainStart := time.Now()
	drain(t, w, acc, 2*time.Minute)
	t.Logf("every pending redemption settled %s after geth came back", time.Since(drainStart).Round(time.Millisecond))
	checkLedger(t, s, w, acc, all)
	t.Logf("total %s", time.Since(began).Round(time.Millisecond))
}

// redeemOnce sends one redemption and returns the server's answer, retrying only when there was
// no answer at all (transport errors).
func redeemOnce(ctx context.Context, a *api, toks *tokens, email string, j job) outcome {
	o := outcome{Job: j}
	tok, err := toks.get(ctx, email)
	if err != nil {
		o.LastErr = err.Error()
		return o
	}
	body := map[string]any{"card_number": j.Card.CardNumber, "pin": demo.PIN, "program_id": j.Program.ID, "amount": j.Amount, "category": j.Category}
	for i := 0; i < 20; i++ {
		o.Attempts++
		status, b, err := a.do(ctx, http.MethodPost, "/api/v1/redemptions", tok, body, map[string]string{"Idempotency-Key": j.Key})
		if err != nil {
			o.LastErr = err.Error()
			time.Sleep(200 * time.Millisecond)
			continue
		}
		o.Status = status
		if status == http.StatusCreated || status == http.StatusAccepted {
			decodeInto(b, &o.Redemption)
		} else {
			var e apiError
			decodeInto(b, &e)
			o.Code, o.LastErr = e.Error.Code, string(b)
		}
		return o
	}
	return o
}

// createUser runs `aidledger user create` on the server's database (before it starts).
func (s *server) createUser(t *testing.T, email, role, vendorID string) {
	t.Helper()
	args := []string{"user", "create", "--data-dir", s.DataDir, "--email", email, "--password", demo.Password, "--role", role}
	if vendorID != "" {
		args = append(args, "--vendor-id", vendorID)
	}
	if out, err := exec.Command(s.bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("aidledger %v: %v\n%s", args, err, out)
	}
}

// seedSmall makes, through the API, one funded USD program, `vendors` approved vendors with
// their users (vendorN@demo.aidledger.org), `cards` beneficiaries with the demo PIN, and a
// confirmed first allocation. It returns the vendor users' emails.
func seedSmall(t *testing.T, s *server, a *api, vendors, cards int) []string {
	t.Helper()
	admin := a.login(t, "admin@demo.aidledger.org")
	var prog apiProgram
	a.post(t, admin, "/api/v1/programs", map[string]any{"name": "Outage test", "currency": "USD", "decimals": 2}, http.StatusCreated, &prog)
	waitFor(t, "program active", func() (bool, string) {
		a.get(t, admin, "/api/v1/programs/"+prog.ID, &prog)
		return prog.Status == "active", prog.Status
	})
	a.post(t, admin, "/api/v1/programs/"+prog.ID+"/fundings", map[string]any{"amount": 50_000_000, "donor": "Outage donor"}, http.StatusCreated, nil)
	var emails []string
	for i := 0; i < vendors; i++ {
		var v apiVendor
		a.post(t, admin, "/api/v1/vendors", map[string]any{"name": fmt.Sprintf("Outage shop %d", i+1), "location": "Irbid",
			"categories": []string{"hygiene", "household"}}, http.StatusCreated, &v)
		email := fmt.Sprintf("vendor%d@demo.aidledger.org", i+1)
		a.post(t, admin, "/api/v1/users", map[string]any{"email": email, "password": demo.Password, "role": "vendor", "vendor_id": v.ID}, http.StatusCreated, nil)
		emails = append(emails, email)
		waitFor(t, "vendor approved", func() (bool, string) {
			a.get(t, admin, "/api/v1/vendors/"+v.ID, &v)
			return v.Status != "pending", v.Status
		})
	}
	var ids []string
	for i := 0; i < cards; i++ {
		var b apiBeneficiary
		a.post(t, admin, "/api/v1/beneficiaries", map[string]any{"given_name": "Outage", "family_name": fmt.Sprintf("Tester%c", 'A'+i),
			"date_of_birth": fmt.Sprintf("19%02d-03-%02d", 60+i, 1+i), "national_id": fmt.Sprintf("88%08d", 1000+i), "phone": fmt.Sprintf("+9627%08d", 80_000_000+i),
			"household_size": 1 + i%5, "location": "Irbid", "pin": demo.PIN}, http.StatusCreated, &b)
		ids = append(ids, b.ID)
	}
	waitFor(t, "funding indexed", func() (bool, string) {
		a.get(t, admin, "/api/v1/programs/"+prog.ID, &prog)
		return prog.Totals != nil && prog.Totals.Funded > 0, fmt.Sprint(prog.Totals)
	})
	// One job for every card: its allocate transaction's gas comes from the node's own estimate,
	// so it fits geth --dev's (unreleased-fork) storage costs too.
	var job struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Total     int    `json:"total"`
		Confirmed int    `json:"confirmed"`
	}
	a.post(t, admin, "/api/v1/programs/"+prog.ID+"/allocations", map[string]any{"cycle": 1, "beneficiary_ids": ids,
		"amount_per_household": 50_000, "amount_per_member": 10_000}, http.StatusAccepted, &job)
	waitFor(t, "allocation done", func() (bool, string) {
		a.get(t, admin, "/api/v1/programs/"+prog.ID+"/allocations/"+job.ID, &job)
		return job.Status != "running", fmt.Sprintf("%+v", job)
	})
	if job.Status != "done" || job.Confirmed != len(ids) {
		t.Fatalf("allocation ended %+v; want all %d confirmed", job, len(ids))
	}
	return emails
}

func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 60s (%s)", what, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
