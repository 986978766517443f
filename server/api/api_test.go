package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/api"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// apiWorld is the API over a real SQLite database, with one logged-in user per role.
type apiWorld struct {
	t      *testing.T
	srv    *api.Server
	auth   *auth.Service
	tokens map[auth.Role]string
}

func newAPIWorld(t *testing.T) *apiWorld {
	t.Helper()
	db, _ := testenv.DB(t, auth.Schema, api.Schema)
	a := auth.New(db, []byte("0123456789abcdef0123456789abcdef"), auth.Config{})
	srv := api.New(api.Deps{DB: db, Auth: a, Checks: map[string]func(context.Context) error{
		"database": func(ctx context.Context) error { return store.Ping(ctx, db) },
	}})
	w := &apiWorld{t: t, srv: srv, auth: a, tokens: map[auth.Role]string{}}
	for _, r := range auth.Roles {
		in := auth.NewUser{Email: string(r) + "@example.org", Password: "correct horse battery", Role: r}
		if r == auth.Vendor {
			in.VendorID = "vendor-1"
		}
		if _, err := a.CreateUser(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		sess, err := a.Login(context.Background(), in.Email, in.Password, "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		w.tokens[r] = sess.AccessToken
	}
	return w
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) errorCode() string {
	var e struct {
		Error struct {
			Code  string `json:"code"`
			Field string `json:"field"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// do sends a request as role ("" = no token) with an optional JSON body and extra headers.
func (w *apiWorld) do(method, path string, role auth.Role, body any, headers ...string) response {
	w.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			buf, err := json.Marshal(b)
			if err != nil {
				w.t.Fatal(err)
			}
			rd = bytes.NewReader(buf)
		}
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+w.tokens[role])
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	w.srv.Handler().ServeHTTP(rec, req)
	return response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
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
		{"wrong password", "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@example.org", "password": "nope nope nope"}, nil, 401, "invalid_credentials"},
		{"missing field", "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@example.org"}, nil, 400, "invalid_field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := w.do(tt.method, tt.path, tt.role, tt.body, tt.headers...)
			if r.Status != tt.status || r.errorCode() != tt.code {
				t.Fatalf("%d %s (%s); want %d %s", r.Status, r.errorCode(), r.Body, tt.status, tt.code)
			}
		})
	}
}

func TestLogin_OverHTTPReturnsTheContractFields(t *testing.T) {
	w := newAPIWorld(t)
	r := w.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "aidworker@example.org", "password": "correct horse battery"})
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
	if r := w.do("POST", "/api/v1/users", auth.Admin, body, "Idempotency-Key", "k-1"); r.Status != 409 || r.errorCode() != "idempotency_conflict" {
		t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
	}
	// Without the key, the same body is a new request (and hits the duplicate email).
	if r := w.do("POST", "/api/v1/users", auth.Admin, map[string]string{"email": "new@example.org", "password": "correct horse battery", "role": "donor"}); r.Status != 409 || r.errorCode() != "email_taken" {
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
