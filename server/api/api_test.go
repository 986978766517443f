package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/api"
	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/demo"
)

// apiWorld is the whole system (apptest), addressed by role.
type apiWorld struct {
	*apptest.World
	t   *testing.T
	srv *api.Server
}

var roleUser = map[auth.Role]string{
	auth.Admin: apptest.Admin, auth.AidWorker: apptest.AidWorker, auth.Vendor: apptest.Vendor1, auth.Donor: apptest.Donor,
}

func newAPIWorld(t *testing.T, opts ...apptest.Option) *apiWorld {
	t.Helper()
	w := apptest.New(t, apptest.Small, opts...)
	return &apiWorld{World: w, t: t, srv: w.App.API}
}

type response = apptest.Response

func errorCode(r response) string { return r.Code() }

// do sends a request as role ("" = no token).
func (w *apiWorld) do(method, path string, role auth.Role, body any, headers ...string) response {
	w.t.Helper()
	return w.Do(method, path, roleUser[role], body, headers...)
}

func TestErrors_EveryBadInputGetsItsStatusAndCode(t *testing.T) {
	w := newAPIWorld(t)
	tests := []struct {
		name    string
		method  string
		path    string
		role    auth.Role
		body    any
		headers []string
		status  int
		code    string
	}{
		{"malformed JSON", "POST", "/api/v1/users", auth.Admin, `{"email": `, nil, 400, "invalid_json"},
		{"syntax error", "POST", "/api/v1/users", auth.Admin, `{"email" "x"}`, nil, 400, "invalid_json"},
		{"unknown field", "POST", "/api/v1/users", auth.Admin, `{"email":"a@b.org","admin":true}`, nil, 400, "unknown_field"},
		{"wrong type", "POST", "/api/v1/users", auth.Admin, `{"email":42}`, nil, 400, "invalid_field"},
		{"two values", "POST", "/api/v1/users", auth.Admin, `{} {}`, nil, 400, "invalid_json"},
		{"not JSON", "POST", "/api/v1/auth/login", "", `email=a`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
		{"too large", "POST", "/api/v1/auth/login", "", `{"email":"` + strings.Repeat("a", 2<<20) + `"}`, nil, 413, "body_too_large"},
		{"no route", "GET", "/api/v1/nothing-here", "", nil, nil, 404, "not_found"},
		{"wrong method", "DELETE", "/api/v1/me", auth.Admin, nil, nil, 405, "method_not_allowed"},
		{"no token", "GET", "/api/v1/me", "", nil, nil, 401, "unauthorized"},
		{"bad token", "GET", "/api/v1/me", "", nil, []string{"Authorization", "Bearer nope"}, 401, "invalid_token"},
		{"wrong role", "GET", "/api/v1/users", auth.Vendor, nil, nil, 403, "forbidden"},
		{"wrong password", "POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.org", "password": "nope nope nope"}, nil, 401, "invalid_credentials"},
		{"bad list cursor", "GET", "/api/v1/beneficiaries?after=page-2", auth.Admin, nil, nil, 400, "invalid_field"},
		{"list cursor and page", "GET", "/api/v1/beneficiaries?page=2&after=01a21101-3c39-7c4e-bc3c-091516369641", auth.Admin, nil, nil, 400, "invalid_field"},
		{"bad transactions cursor", "GET", "/api/v1/reports/transactions?after=page-2", auth.Donor, nil, nil, 400, "invalid_field"},
		{"transactions cursor and page", "GET", "/api/v1/reports/transactions?page=1&after=7-0", auth.Donor, nil, nil, 400, "invalid_field"},
		{"transactions page 0", "GET", "/api/v1/reports/transactions?page=0", auth.Donor, nil, nil, 400, "invalid_field"},
		{"missing field", "POST", "/api/v1/auth/login", "", map[string]string{"email": apptest.Admin}, nil, 400, "invalid_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(tt.method, tt.path, tt.role, tt.body, tt.headers...)
			if r.Status != tt.status || errorCode(r) != tt.code {
				t.Fatalf("%d %s (%s); want %d %s", r.Status, errorCode(r), r.Body, tt.status, tt.code)
			}
		})
	}
}

func TestLogin_OverHTTPReturnsTheContractFields(t *testing.T) {
	w := newAPIWorld(t)
	r := w.do("POST", "/api/v1/auth/login", "", map[string]string{"email": apptest.AidWorker, "password": demo.Password})
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(r.Body, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"access_token", "refresh_token", "expires_in", "user"} {
		if _, ok := got[k]; !ok {
			t.Errorf("login response lacks %q: %s", k, r.Body)
		}
	}
	user, _ := got["user"].(map[string]any)
	for _, k := range []string{"id", "email", "role"} {
		if _, ok := user[k]; !ok {
			t.Errorf("login user lacks %q", k)
		}
	}
	if user["role"] != "aidworker" {
		t.Errorf("role %v", user["role"])
	}
}

func TestIdempotencyKey_ReplaysTheFirstResponseAndRefusesAnotherBody(t *testing.T) {
	w := newAPIWorld(t)
	body := map[string]string{"email": "new@example.org", "password": "correct horse battery", "role": "donor"}
	first := w.do("POST", "/api/v1/users", auth.Admin, body, "Idempotency-Key", "k-1")
	again := w.do("POST", "/api/v1/users", auth.Admin, body, "Idempotency-Key", "k-1")
	if first.Status != 201 || again.Status != 201 || !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("first %d %s, retry %d %s; want the same 201 twice", first.Status, first.Body, again.Status, again.Body)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("the retry was not marked as replayed")
	}
	body["email"] = "other@example.org"
	if r := w.do("POST", "/api/v1/users", auth.Admin, body, "Idempotency-Key", "k-1"); r.Status != 409 || errorCode(r) != "idempotency_conflict" {
		t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
	}
	// Without the key, the same body is a new request (and hits the duplicate email).
	if r := w.do("POST", "/api/v1/users", auth.Admin, map[string]string{"email": "new@example.org", "password": "correct horse battery", "role": "donor"}); r.Status != 409 || errorCode(r) != "email_taken" {
		t.Fatalf("no key: %d %s", r.Status, r.Body)
	}
}

func TestHealth_ReadyAndMetricsAnswer(t *testing.T) {
	w := newAPIWorld(t)
	if r := w.do("GET", "/healthz", "", nil); r.Status != 200 {
		t.Errorf("healthz %d", r.Status)
	}
	if r := w.do("GET", "/readyz", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), `"database":"ok"`) {
		t.Errorf("readyz %d %s", r.Status, r.Body)
	}
	w.do("GET", "/api/v1/me", auth.Donor, nil)
	r := w.do("GET", "/metrics", "", nil)
	if r.Status != 200 || !strings.Contains(string(r.Body), `aidledger_http_request_duration_seconds_count{method="GET",route="/api/v1/me",status="200"}`) {
		t.Errorf("metrics lack the /api/v1/me request:\n%.2000s", r.Body)
	}
	peak, rss := metricValue(t, r.Body, "aidledger_process_peak_resident_memory_bytes"), metricValue(t, r.Body, "process_resident_memory_bytes")
	if rss <= 0 || peak < rss {
		t.Errorf("peak resident memory %.0f, current %.0f: the peak is the highest since the start", peak, rss)
	}
}

// metricValue reads an unlabelled metric from a Prometheus text exposition.
func metricValue(t *testing.T, body []byte, name string) float64 {
	t.Helper()
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	t.Fatalf("no %s in the metrics", name)
	return 0
}

func TestSecurityHeaders_AreOnEveryResponse(t *testing.T) {
	w := newAPIWorld(t)
	r := w.do("GET", "/healthz", "", nil)
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
}

func TestRedeem_PreferRespondAsyncAnswersPendingAtOnceAndConfirmsLater(t *testing.T) {
	w := newAPIWorld(t)
	body := map[string]any{"card_number": w.Seeded.Beneficiaries[0].CardNumber, "pin": demo.PIN,
		"program_id": w.Seeded.Programs[0].ID, "amount": 1, "category": "food"}
	r := w.do("POST", "/api/v1/redemptions", auth.Vendor, body, "Idempotency-Key", "async-1", "Prefer", "respond-async")
	var got struct{ ID, Status string }
	if err := json.Unmarshal(r.Body, &got); err != nil || r.Status != 202 || got.Status != "pending" {
		t.Fatalf("%d %s (%v); want 202 pending", r.Status, r.Body, err)
	}
	if r.Header.Get("Preference-Applied") != "respond-async" {
		t.Errorf("Preference-Applied %q", r.Header.Get("Preference-Applied"))
	}
	w.WaitFor("the redemption to be confirmed", 20*time.Second, func() bool {
		g := w.do("GET", "/api/v1/redemptions/"+got.ID, auth.Vendor, nil)
		return g.Status == 200 && strings.Contains(string(g.Body), `"status":"confirmed"`)
	})
	// Without the preference, a retry waits for the chain as usual and finds it confirmed.
	again := w.do("POST", "/api/v1/redemptions", auth.Vendor, body, "Idempotency-Key", "async-1")
	if again.Status != 201 || !strings.Contains(string(again.Body), got.ID) {
		t.Fatalf("retry: %d %s; want 201 with the same redemption", again.Status, again.Body)
	}
}

// getAs GETs path as role and decodes its 200 answer.
func getAs[T any](t *testing.T, w *apiWorld, role auth.Role, path string) T {
	t.Helper()
	r := w.do("GET", path, role, nil)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var v T
	r.JSON(t, &v)
	return v
}

func TestTransactions_ByCursorAndAsCSVGiveWhatOnePageGives(t *testing.T) {
	w := newAPIWorld(t)
	w.WaitIndexed() // the three reads below must see the same events
	type list struct {
		Transactions []struct {
			Block uint64 `json:"block_number"`
			Log   uint   `json:"log_index"`
		} `json:"transactions"`
		Total     int64  `json:"total"`
		NextAfter string `json:"next_after"`
	}
	get := func(path string) list { t.Helper(); return getAs[list](t, w, auth.Donor, path) }
	all := get("/api/v1/reports/transactions?page_size=500")
	if all.Total < 3 || int(all.Total) != len(all.Transactions) {
		t.Fatalf("the small world lists %d of %d transactions; the test wants 3 to 500", len(all.Transactions), all.Total)
	}
	var walked []string
	for l := get("/api/v1/reports/transactions?page_size=2"); ; l = get("/api/v1/reports/transactions?page_size=2&after=" + l.NextAfter) {
		for _, tx := range l.Transactions {
			walked = append(walked, fmt.Sprintf("%d-%d", tx.Block, tx.Log))
		}
		if l.NextAfter == "" {
			break
		}
	}
	if len(walked) != len(all.Transactions) {
		t.Fatalf("by cursor %d transactions, in one page %d", len(walked), len(all.Transactions))
	}
	for i, tx := range all.Transactions {
		if got := fmt.Sprintf("%d-%d", tx.Block, tx.Log); walked[i] != got {
			t.Fatalf("transaction %d: by cursor %s, in one page %s", i, walked[i], got)
		}
	}

	// The same list as one CSV download, whatever paging parameters come with it.
	r := w.do("GET", "/api/v1/reports/transactions?format=csv&page_size=2&page=3", auth.Donor, nil)
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || r.Header.Get("Content-Disposition") != `attachment; filename="transactions.csv"` || err != nil {
		t.Fatalf("csv: %d %v %v", r.Status, r.Header, err)
	}
	if len(rows) != len(walked)+1 {
		t.Fatalf("csv: %d rows, want a header and %d transactions", len(rows), len(walked))
	}
	for i, pos := range walked {
		if got := rows[i+1][1] + "-" + rows[i+1][2]; got != pos {
			t.Fatalf("csv row %d at %s, want %s", i+1, got, pos)
		}
	}
	if r := w.do("GET", "/api/v1/reports/transactions?format=csv&program_id=nope", auth.Donor, nil); r.Status != 404 || errorCode(r) != "not_found" {
		t.Errorf("csv of an unknown program: %d %s", r.Status, r.Body)
	}
}

func TestBeneficiaries_ListByCursorReturnsWhatPagesByNumberReturn(t *testing.T) {
	w := newAPIWorld(t)
	type list struct {
		Beneficiaries []struct {
			ID string `json:"id"`
		} `json:"beneficiaries"`
		Total     int64  `json:"total"`
		NextAfter string `json:"next_after"`
	}
	get := func(path string) list { t.Helper(); return getAs[list](t, w, auth.AidWorker, path) }
	all := get("/api/v1/beneficiaries?page_size=200")
	if all.Total < 5 || all.Total > 200 {
		t.Fatalf("the small world has %d beneficiaries; the test wants 5 to 200", all.Total)
	}
	var walked []string
	for l := get("/api/v1/beneficiaries?page_size=2"); ; l = get("/api/v1/beneficiaries?page_size=2&after=" + l.NextAfter) {
		for _, b := range l.Beneficiaries {
			walked = append(walked, b.ID)
		}
		if l.NextAfter == "" {
			break
		}
	}
	if len(walked) != len(all.Beneficiaries) {
		t.Fatalf("by cursor %d beneficiaries, by page %d", len(walked), len(all.Beneficiaries))
	}
	for i, b := range all.Beneficiaries {
		if walked[i] != b.ID {
			t.Fatalf("item %d: by cursor %s, by page %s", i, walked[i], b.ID)
		}
	}
}

func TestReads_ComeGzippedToClientsThatTakeIt_StreamsAndImagesDoNot(t *testing.T) {
	w := newAPIWorld(t)
	w.WaitIndexed() // each case compares two reads of the transactions
	bens := getAs[struct {
		Beneficiaries []struct {
			ID string `json:"id"`
		} `json:"beneficiaries"`
	}](t, w, auth.AidWorker, "/api/v1/beneficiaries")
	if len(bens.Beneficiaries) == 0 {
		t.Fatal("no beneficiaries in the small world")
	}
	tests := []struct {
		name, path     string
		role           auth.Role
		acceptEncoding string
		wantGzip       bool
	}{
		{"a page of transactions", "/api/v1/reports/transactions?page_size=500", auth.Donor, "gzip, deflate, br", true},
		{"the transactions as CSV", "/api/v1/reports/transactions?format=csv", auth.Donor, "gzip", true},
		{"a list of beneficiaries", "/api/v1/beneficiaries", auth.AidWorker, "gzip", true},
		{"the same page, to a client that refuses gzip", "/api/v1/reports/transactions?page_size=500", auth.Donor, "gzip;q=0, identity", false},
		{"an answer smaller than a packet", "/api/v1/me", auth.Donor, "gzip", false},
		{"a card's PNG, compressed already", "/api/v1/beneficiaries/" + bens.Beneficiaries[0].ID + "/card", auth.AidWorker, "gzip", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plain := w.do("GET", tc.path, tc.role, nil)
			r := w.do("GET", tc.path, tc.role, nil, "Accept-Encoding", tc.acceptEncoding)
			if plain.Status != 200 || r.Status != 200 {
				t.Fatalf("status %d plain, %d with Accept-Encoding", plain.Status, r.Status)
			}
			if plain.Header.Get("Content-Encoding") != "" {
				t.Fatalf("gzipped to a client that did not ask: %v", plain.Header)
			}
			body := r.Body
			if gz := r.Header.Get("Content-Encoding") == "gzip"; gz != tc.wantGzip {
				t.Fatalf("gzipped: %v, want %v (%d bytes plain)", gz, tc.wantGzip, len(plain.Body))
			} else if gz {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if len(r.Body)*2 > len(body) {
					t.Errorf("%d bytes gzipped into %d", len(body), len(r.Body))
				}
			}
			if !bytes.Equal(body, plain.Body) {
				t.Errorf("the answer differs from the plain one (%d bytes, want %d)", len(body), len(plain.Body))
			}
			if got, want := r.Header.Get("Content-Type"), plain.Header.Get("Content-Type"); got != want {
				t.Errorf("Content-Type %q, plain %q", got, want)
			}
		})
	}
	t.Run("the live stream, whose events must not wait in a buffer", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		r := w.DoCtx(ctx, "GET", "/api/v1/reports/stream", "", nil, "Accept-Encoding", "gzip")
		if r.Status != 200 || r.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
			t.Errorf("%d %v", r.Status, r.Header)
		}
	})
}
