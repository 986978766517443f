package api

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
)

type fuzzTarget struct {
	Name  string   `json:"name"`
	Count int64    `json:"count"`
	Tags  []string `json:"tags"`
	Inner struct {
		Flag bool `json:"flag"`
	} `json:"inner"`
}

// FuzzBind: whatever bytes arrive, bind never panics, and either decodes or answers with a
// client error (400/413/415) — never a server error, never a silent partial success.
func FuzzBind(f *testing.F) {
	for _, seed := range []string{
		`{"name":"a","count":1,"tags":["x"],"inner":{"flag":true}}`, `{}`, `{"unknown":1}`, `{"count":"1"}`,
		`{"count":1e400}`, `[1,2]`, `null`, `{"name":"\ud800"}`, `{} {}`, `{"name":`, "", "\x00", `{"count":-9223372036854775809}`,
	} {
		f.Add([]byte(seed))
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		c := e.NewContext(req, httptest.NewRecorder())
		var v fuzzTarget
		err := bind(c, &v)
		if err == nil {
			return
		}
		ae, ok := apierr.As(err)
		if !ok {
			t.Fatalf("bind returned a non-API error %T: %v", err, err)
		}
		if ae.Status != 400 && ae.Status != 413 && ae.Status != 415 {
			t.Fatalf("status %d for a bad body", ae.Status)
		}
		if ae.Code == "" || ae.Message == "" {
			t.Fatalf("error without code or message: %+v", ae)
		}
	})
}
