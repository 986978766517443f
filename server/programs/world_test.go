package programs_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/programs"
)

var ledgerABI = aidledger.NewAidLedger()

// world is the service over a real SQLite database and a real pipeline submitting to a ledger
// on a simulated chain, with an indexer the tests step explicitly.
type world struct {
	*testenv.Chain
	t        *testing.T
	db       *gorm.DB
	p        *pipeline.Pipeline
	stopPipe func()
	ix       *index.Indexer
	people   *population
	svc      *programs.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := testenv.NewChain(t, 1)
	db, _ := testenv.DB(t, pipeline.Schema, index.Schema, programs.Schema)
	p, err := pipeline.New(db, c.Client, pipeline.Config{
		Contract: c.Contract, ChainID: c.ChainID, Keys: c.Keys,
		ResendAfter: 300 * time.Millisecond, LeaseFor: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = p.Run(ctx)
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	w := &world{Chain: c, t: t, db: db, p: p, stopPipe: stop, people: &population{byID: map[string]*person{}}}
	w.ix = index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock})
	w.svc, err = programs.New(db, p, w.people, programs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.svc.Close() }) // runs before the pipeline stops
	return w
}

// catchUp steps the indexer until it has read the chain's head.
func (w *world) catchUp() {
	w.t.Helper()
	for range 1000 {
		done, err := w.ix.Step(context.Background())
		if err != nil {
			w.t.Fatal(err)
		}
		if done {
			return
		}
	}
	w.t.Fatal("indexer never caught up")
}

func (w *world) waitFor(what string, within time.Duration, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (w *world) call(data []byte) []byte {
	w.t.Helper()
	out, err := w.Client.CallContract(context.Background(), ethereum.CallMsg{To: &w.Contract, Data: data}, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *world) programTotals(chainID uint64) aidledger.ProgramTotalsOutput {
	w.t.Helper()
	out, err := ledgerABI.UnpackProgramTotals(w.call(ledgerABI.PackProgramTotals(chainID)))
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

func (w *world) isVendorApproved(addr string) bool {
	w.t.Helper()
	ok, err := ledgerABI.UnpackIsVendorApproved(w.call(ledgerABI.PackIsVendorApproved(common.HexToAddress(addr))))
	if err != nil {
		w.t.Fatal(err)
	}
	return ok
}

func (w *world) entitlement(chainID uint64, beneficiary [32]byte) aidledger.EntitlementOutput {
	w.t.Helper()
	out, err := ledgerABI.UnpackEntitlement(w.call(ledgerABI.PackEntitlement(chainID, beneficiary)))
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// activeProgram creates a program, funds it with `funding` (if positive), waits until both are
// on chain and indexes the chain.
func (w *world) activeProgram(name string, funding int64) programs.Program {
	w.t.Helper()
	ctx := context.Background()
	prog, err := w.svc.CreateProgram(ctx, "admin", programs.ProgramRequest{Name: name, Currency: "USD", Decimals: 2})
	if err != nil {
		w.t.Fatal(err)
	}
	if funding > 0 {
		f, err := w.svc.Fund(ctx, "admin", prog.ID, programs.FundRequest{Amount: funding, Donor: "ECHO"})
		if err != nil {
			w.t.Fatal(err)
		}
		if f.Status != programs.FundingConfirmed {
			w.t.Fatalf("funding %s: status %q", f.ID, f.Status)
		}
	}
	w.waitFor("program active", 10*time.Second, func() bool {
		p, err := w.svc.Program(ctx, prog.ID)
		return err == nil && p.Status == programs.ProgramActive
	})
	w.catchUp()
	prog, err = w.svc.Program(ctx, prog.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return prog
}

// population is the test's beneficiaries, served the way enrolment serves them.
type population struct {
	mu    sync.Mutex
	byID  map[string]*person
	order []string
}

type person struct {
	programs.Recipient
	active bool
}

// add enrols n active beneficiaries with household sizes 1..5 and returns their ids.
func (p *population) add(n int) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, n)
	for i := range ids {
		// Ids are UUIDs, as enrolment makes them (the allocation keeps them as 16 bytes).
		r := programs.Recipient{ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", len(p.order)), HouseholdSize: 1 + len(p.order)%5}
		rand.Read(r.ChainID[:])
		p.byID[r.ID] = &person{Recipient: r, active: true}
		p.order = append(p.order, r.ID)
		ids[i] = r.ID
	}
	return ids
}

func (p *population) suspend(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.byID[id].active = false
}

func (p *population) get(id string) programs.Recipient {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byID[id].Recipient
}

var errUnknownBeneficiaries = apierr.New(http.StatusUnprocessableEntity, "unknown_beneficiaries", "some beneficiaries are unknown or suspended")

func (p *population) Recipients(ctx context.Context, ids []string, allActive bool, location, importID string, fn func([]programs.Recipient) error) error {
	if location != "" || importID != "" {
		return errors.New("population: no locations or imports in this test double")
	}
	p.mu.Lock()
	var out []programs.Recipient
	var bad []string
	if allActive {
		for _, id := range p.order {
			if p.byID[id].active {
				out = append(out, p.byID[id].Recipient)
			}
		}
	} else {
		for _, id := range ids {
			if r, ok := p.byID[id]; ok && r.active {
				out = append(out, r.Recipient)
			} else {
				bad = append(bad, id)
			}
		}
	}
	p.mu.Unlock()
	if len(bad) > 0 {
		return errUnknownBeneficiaries.Withf("unknown or suspended: %s", strings.Join(bad, ", "))
	}
	for start := 0; start < len(out); start += 1000 {
		if err := fn(out[start:min(start+1000, len(out))]); err != nil {
			return err
		}
	}
	return nil
}

// wantAPIError checks that err is (or wraps) target, with target's HTTP status.
func wantAPIError(t *testing.T, err error, target *apierr.Error) *apierr.Error {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Code != target.Code || e.Status != target.Status {
		t.Fatalf("error = %v, want %d %s", err, target.Status, target.Code)
	}
	return e
}
