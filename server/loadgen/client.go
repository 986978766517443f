package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// client speaks the aidledger HTTP API with one user's JWT.
type client struct {
	base            string
	hc              *http.Client
	email, password string // to log in again when the access token expires (15 minutes)

	mu    sync.Mutex
	token string
}

func newHTTPClient(conns int) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// apiError is a non-2xx answer: its HTTP status and the API's error code.
type apiError struct {
	Status int
	Code   string
	Msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Msg) }

// errCode names an error for the "errors by code" table.
func errCode(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.Code != "" {
			return ae.Code
		}
		return fmt.Sprintf("http_%d", ae.Status)
	}
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout") {
		return "timeout"
	}
	return "transport"
}

// do sends a JSON request (body may be nil) and decodes a JSON answer into out (may be nil).
// It returns the HTTP status. An expired access token is renewed by logging in again, once.
func (c *client) do(ctx context.Context, method, path string, body any, out any, hdr map[string]string) (int, error) {
	status, err := c.doOnce(ctx, method, path, body, out, hdr)
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && ae.Code == "invalid_token" && c.password != "" {
		if lerr := c.login(ctx); lerr != nil {
			return status, err
		}
		return c.doOnce(ctx, method, path, body, out, hdr)
	}
	return status, err
}

func (c *client) doOnce(ctx context.Context, method, path string, body any, out any, hdr map[string]string) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out, hdr)
}

func (c *client) send(req *http.Request, out any, hdr map[string]string) (int, error) {
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		return resp.StatusCode, &apiError{Status: resp.StatusCode, Code: e.Error.Code, Msg: e.Error.Message}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s %s: %w", req.Method, req.URL.Path, err)
		}
	}
	return resp.StatusCode, nil
}

// login returns a client holding the user's access token.
func login(ctx context.Context, base string, hc *http.Client, email, password string) (*client, error) {
	c := &client{base: strings.TrimRight(base, "/"), hc: hc, email: email, password: password}
	if err := c.login(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *client) login(ctx context.Context) error {
	var s struct {
		AccessToken string `json:"access_token"`
	}
	anon := &client{base: c.base, hc: c.hc}
	if _, err := anon.doOnce(ctx, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": c.email, "password": c.password}, &s, nil); err != nil {
		return fmt.Errorf("log in as %s: %w", c.email, err)
	}
	c.mu.Lock()
	c.token = s.AccessToken
	c.mu.Unlock()
	return nil
}

// upload posts a file as multipart field "file".
func (c *client) upload(ctx context.Context, path, name string, content []byte, out any) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	if _, err := fw.Write(content); err != nil {
		return err
	}
	if err := mw.Close(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	_, err = c.send(req, out, nil)
	return err
}
