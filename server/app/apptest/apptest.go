// Package apptest runs the whole system for tests in one line: a real embedded chain, a real
// database (SQLite, or PostgreSQL when AIDLEDGER_TEST_POSTGRES is set), every service and the
// HTTP API, seeded through the real services by server/demo.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

// World is a running, seeded system.
type World struct {
	t      testing.TB
	App    *app.App
	Seeded demo.Seeded

	mu     sync.Mutex
	tokens map[string]string
}

// Small is a size that seeds in a couple of seconds.
var Small = demo.Size{Beneficiaries: 6, Redemptions: 0, Vendors: 2}

// Option changes the configuration New starts the system with.
type Option func(*app.Config)

// WithDB runs prepare on the database before the system starts using it: the place to register
// GORM callbacks (a fault to inject, statements to count), which cannot be added to a running
// system without racing its queries.
func WithDB(prepare func(*gorm.DB) error) Option {
	return func(c *app.Config) { c.PrepareDB = prepare }
}

// New starts a system on a temporary data directory and seeds it.
func New(t testing.TB, size demo.Size, opts ...Option) *World {
	t.Helper()
	cfg := app.Config{DataDir: t.TempDir(), Lanes: 2, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if os.Getenv("AIDLEDGER_TEST_VERBOSE") != "" {
		cfg.Logger = slog.Default()
	}
	if pg := os.Getenv(testenv.EnvPostgres); pg != "" {
		cfg.DB = testenv.PostgresDB(t, pg)
	}
	for _, o := range opts {
		o(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	a, err := app.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(sctx)
	})
	seeded, err := demo.Seed(ctx, a, size, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &World{t: t, App: a, Seeded: seeded, tokens: map[string]string{}}
}

// On is a World over another running system with the same seed: a restart of this one on its
// data directory, or a copy of it (a restored backup). It is shut down when the test ends.
func (w *World) On(a *app.App) *World {
	w.t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.Shutdown(sctx)
	})
	return &World{t: w.t, App: a, Seeded: w.Seeded, tokens: map[string]string{}}
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test if it cannot.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Code is the error code of an error response.
func (r Response) Code() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Token logs in as email (demo password), once per world.
func (w *World) Token(email string) string {
	w.t.Helper()
	w.mu.Lock()
	tok, ok := w.tokens[email]
	w.mu.Unlock()
	if ok {
		return tok
	}
	r := w.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": demo.Password})
	if r.Status != 200 {
		w.t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	var s struct {
		AccessToken string `json:"access_token"`
	}
	r.JSON(w.t, &s)
	w.mu.Lock()
	w.tokens[email] = s.AccessToken
	w.mu.Unlock()
	return s.AccessToken
}

// Do sends a request as the user with that email ("" = anonymous). body is JSON-encoded unless
// it is a string; headers are name/value pairs.
func (w *World) Do(method, path, email string, body any, headers ...string) Response {
	w.t.Helper()
	return w.DoCtx(context.Background(), method, path, email, body, headers...)
}

// DoCtx is Do with a request context (a deadline ends streaming responses).
func (w *World) DoCtx(ctx context.Context, method, path, email string, body any, headers ...string) Response {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				w.t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	req := httptest.NewRequestWithContext(ctx, method, path, rd)
	req.RemoteAddr = "192.0.2.10:1234"
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if email != "" {
		req.Header.Set("Authorization", "Bearer "+w.Token(email))
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	w.App.API.Handler().ServeHTTP(rec, req)
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// Well-known demo users.
const (
	Admin     = "admin@demo.aidledger.org"
	AidWorker = "aidworker@demo.aidledger.org"
	Donor     = "donor@demo.aidledger.org"
	Vendor1   = "vendor1@demo.aidledger.org"
	Vendor2   = "vendor2@demo.aidledger.org"
)

// WaitIndexed waits until the indexer has stored the events of every block the chain has now.
// The seed returns once its transactions are confirmed; their events reach the reports a poll
// of the indexer later, so a test that compares two reads of them must wait first.
func (w *World) WaitIndexed() {
	w.t.Helper()
	head, err := w.App.Chain.Client.BlockNumber(context.Background())
	if err != nil {
		w.t.Fatalf("chain head: %v", err)
	}
	// go-ethereum stores a block's receipts a moment before it moves its head there, so a sale
	// already confirmed from its receipt can be in a block past the head read above: wait for
	// such a block too. Only one the node has: a restored database records blocks the restored
	// chain lost, until its lanes notice and send their transactions again.
	var beyond []struct {
		BlockNumber uint64
		BlockHash   string
	}
	if err := w.App.DB.Model(&pipeline.Tx{}).Where("status = ? AND block_number > ?", pipeline.TxMined, head).
		Distinct("block_number", "block_hash").Scan(&beyond).Error; err != nil {
		w.t.Fatalf("transactions mined past the head: %v", err)
	}
	for _, b := range beyond {
		if _, err := w.App.Chain.Client.HeaderByHash(context.Background(), common.HexToHash(b.BlockHash)); err == nil {
			head = max(head, b.BlockNumber)
		}
	}
	w.WaitFor(fmt.Sprintf("the indexer to reach block %d", head), 30*time.Second, func() bool {
		_, indexed := w.App.Indexer.Progress()
		return indexed >= head
	})
}

// WaitFor polls cond every 20ms until it holds or the deadline passes.
func (w *World) WaitFor(what string, within time.Duration, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TrackSources opens every source file under the repository root (Go, web assets, contract
// bindings), so that Go's test cache, which keys a result on the files the test process opens,
// reruns a test that builds the binary in a subprocess whenever the sources change. Without it
// `go test` could report a stale "(cached)" pass after an edit the subprocess would have seen.
func TrackSources(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "node_modules" || name == ".git" || name == "data" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".js", ".css", ".html", ".mod", ".sum":
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			return f.Close()
		}
		return nil
	})
}
