package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/demo"
)

// api is a small JSON client of the aidledger API.
type api struct {
	base string
	hc   *http.Client
}

func newAPI(base string) *api {
	tr := &http.Transport{MaxIdleConns: 200, MaxIdleConnsPerHost: 200, IdleConnTimeout: 30 * time.Second}
	return &api{base: base, hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}}
}

// do sends one request. err is a transport error (no answer); otherwise status and body.
func (a *api) do(ctx context.Context, method, path, token string, body any, header map[string]string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// get GETs path and decodes a 200 answer into out, retrying transport errors and 5xx for a while.
func (a *api) get(t *testing.T, token, path string, out any) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, b, err := a.do(context.Background(), http.MethodGet, path, token, nil, nil)
		if err == nil && status == http.StatusOK {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("GET %s: decode: %v\n%s", path, err, b)
			}
			return
		}
		if err == nil && status < 500 {
			t.Fatalf("GET %s: %d %s", path, status, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: no answer within 60s: %d %s %v", path, status, b, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// login logs in with the demo password, retrying while the server is unreachable.
func (a *api) login(t *testing.T, email string) string {
	t.Helper()
	tok, err := a.tryLogin(context.Background(), email, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (a *api) tryLogin(ctx context.Context, email string, within time.Duration) (string, error) {
	deadline := time.Now().Add(within)
	for {
		status, b, err := a.do(ctx, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": demo.Password}, nil)
		if err == nil && status == http.StatusOK {
			var s struct {
				AccessToken string `json:"access_token"`
			}
			if err := json.Unmarshal(b, &s); err != nil || s.AccessToken == "" {
				return "", fmt.Errorf("login %s: %v %s", email, err, b)
			}
			return s.AccessToken, nil
		}
		if err == nil && status < 500 {
			return "", fmt.Errorf("login %s: %d %s", email, status, b)
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return "", fmt.Errorf("login %s: no answer: %d %s %v", email, status, b, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// tokens keeps one access token per login, renewed when the server answers 401.
type tokens struct {
	a  *api
	mu sync.Mutex
	m  map[string]string
}

func (ts *tokens) get(ctx context.Context, email string) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tok, ok := ts.m[email]; ok {
		return tok, nil
	}
	tok, err := ts.a.tryLogin(ctx, email, 2*time.Minute)
	if err != nil {
		return "", err
	}
	ts.m[email] = tok
	return tok, nil
}

func (ts *tokens) drop(email, tok string) {
	ts.mu.Lock()
	if ts.m[email] == tok {
		delete(ts.m, email)
	}
	ts.mu.Unlock()
}

// API shapes (only the fields the tests read).
type (
	apiProgram struct {
		ID             string `json:"id"`
		Currency       string `json:"currency"`
		Status         string `json:"status"`
		ChainProgramID uint64 `json:"chain_program_id"`
		Totals         *struct {
			Funded    int64 `json:"funded"`
			Allocated int64 `json:"allocated"`
			Redeemed  int64 `json:"redeemed"`
			Expired   int64 `json:"expired"`
		} `json:"totals"`
	}
	apiVendor struct {
		ID         string   `json:"id"`
		Address    string   `json:"address"`
		Status     string   `json:"status"`
		Categories []string `json:"categories"`
	}
	apiBeneficiary struct {
		ID         string `json:"id"`
		CardNumber string `json:"card_number"`
		ChainID    string `json:"chain_id"`
		Status     string `json:"status"`
	}
	apiRedemption struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Amount    int64  `json:"amount"`
		ProgramID string `json:"program_id"`
		VendorID  string `json:"vendor_id"`
		Reason    string `json:"reason"`
		TxHash    string `json:"tx_hash"`
	}
	apiError struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	reconciliation struct {
		AsOfBlock            uint64   `json:"as_of_block"`
		ConfirmedRedemptions int64    `json:"confirmed_redemptions"`
		RedeemedEvents       int64    `json:"redeemed_events"`
		MissingEvents        []string `json:"missing_events"`
		UnknownEvents        []string `json:"unknown_events"`
		DuplicateEvents      []string `json:"duplicate_events"`
		OK                   bool     `json:"ok"`
	}
)

func (a *api) programs(t *testing.T, token string) []apiProgram {
	t.Helper()
	var all []apiProgram
	after := ""
	for {
		var page struct {
			Programs []apiProgram `json:"programs"`
			Next     string       `json:"next"`
		}
		a.get(t, token, "/api/v1/programs?limit=100&after="+url.QueryEscape(after), &page)
		all = append(all, page.Programs...)
		if page.Next == "" {
			return all
		}
		after = page.Next
	}
}

func (a *api) vendors(t *testing.T, token string) []apiVendor {
	t.Helper()
	var all []apiVendor
	after := ""
	for {
		var page struct {
			Vendors []apiVendor `json:"vendors"`
			Next    string      `json:"next"`
		}
		a.get(t, token, "/api/v1/vendors?limit=100&after="+url.QueryEscape(after), &page)
		all = append(all, page.Vendors...)
		if page.Next == "" {
			return all
		}
		after = page.Next
	}
}

func (a *api) beneficiaries(t *testing.T, token string) []apiBeneficiary {
	t.Helper()
	var all []apiBeneficiary
	for p := 1; ; p++ {
		var page struct {
			Beneficiaries []apiBeneficiary `json:"beneficiaries"`
			Total         int64            `json:"total"`
		}
		a.get(t, token, fmt.Sprintf("/api/v1/beneficiaries?page=%d&page_size=200", p), &page)
		all = append(all, page.Beneficiaries...)
		if len(page.Beneficiaries) == 0 || int64(len(all)) >= page.Total {
			return all
		}
	}
}

// redemptions lists every redemption (admin view).
func (a *api) redemptions(t *testing.T, token string) []apiRedemption {
	t.Helper()
	var all []apiRedemption
	for p := 1; ; p++ {
		var page struct {
			Redemptions []apiRedemption `json:"redemptions"`
			Total       int64           `json:"total"`
		}
		a.get(t, token, fmt.Sprintf("/api/v1/redemptions?page=%d&page_size=500", p), &page)
		all = append(all, page.Redemptions...)
		if len(page.Redemptions) == 0 || int64(len(all)) >= page.Total {
			return all
		}
	}
}

// decodeInto decodes a JSON answer, leaving out as it is if the body is not JSON.
func decodeInto(b []byte, out any) { _ = json.Unmarshal(b, out) }

// post POSTs body once and decodes the answer into out, failing unless the status is want.
func (a *api) post(t *testing.T, token, path string, body any, want int, out any) {
	t.Helper()
	status, b, err := a.do(context.Background(), http.MethodPost, path, token, body, nil)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	if status != want {
		t.Fatalf("POST %s: %d %s (want %d)", path, status, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("POST %s: decode: %v\n%s", path, err, b)
		}
	}
}
