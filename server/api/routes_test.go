package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/auth"
)

var param = regexp.MustCompile(`:[a-z_]+`)

// TestRouteTable walks every route Echo serves, with no token and with every role, and checks the
// answer against the route table: a route missing from the table fails.
func TestRouteTable_EveryRouteAnswersEveryRoleAsTheTableSays(t *testing.T) {
	w := newAPIWorld(t)
	table := map[string][]auth.Role{}
	public := map[string]bool{}
	for _, r := range w.srv.Routes() {
		table[r.Method+" "+r.Path] = r.Roles
		public[r.Method+" "+r.Path] = r.Roles == nil
	}
	routes := w.srv.Echo().Routes()
	if len(routes) == 0 {
		t.Fatal("no routes registered")
	}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		roles, ok := table[key]
		if !ok {
			t.Errorf("%s is served but not in the route table", key)
			continue
		}
		path := strings.ReplaceAll(param.ReplaceAllString(rt.Path, "00000000-0000-0000-0000-000000000000"), "*", "x")
		var body any
		if rt.Method == http.MethodPost || rt.Method == http.MethodPatch || rt.Method == http.MethodPut {
			body = map[string]any{}
		}
		if r := w.walk(rt.Method, path, "", body); public[key] {
			if r.Status == 401 || r.Status == 403 {
				t.Errorf("%s is public but refused an anonymous caller: %d", key, r.Status)
			}
		} else if r.Status != 401 {
			t.Errorf("%s without a token: %d, want 401", key, r.Status)
		}
		if public[key] {
			continue
		}
		for _, role := range auth.Roles {
			r := w.walk(rt.Method, path, role, body)
			allowed := slices.Contains(roles, role)
			switch {
			case allowed && (r.Status == 401 || r.Status == 403):
				t.Errorf("%s as %s: %d %s; the table allows it", key, role, r.Status, r.Body)
			case !allowed && r.Status != 403:
				t.Errorf("%s as %s: %d; want 403", key, role, r.Status)
			}
		}
	}
}

// TestOpenAPI_DocumentsExactlyTheServedRoutes: the document is generated from the table, and
// here compared with what the router really serves, in both directions.
func TestOpenAPI_DocumentsExactlyTheServedRoutes(t *testing.T) {
	w := newAPIWorld(t)
	r := w.do("GET", "/api/v1/openapi.json", "", nil)
	if r.Status != 200 {
		t.Fatalf("%d", r.Status)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range w.srv.Echo().Routes() {
		served[rt.Method+" "+param.ReplaceAllStringFunc(rt.Path, func(s string) string { return "{" + s[1:] + "}" })] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("served but not documented: %s", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("documented but not served: %s", k)
		}
	}
	if doc.OpenAPI == "" {
		t.Error("no openapi version")
	}
}

// walk sends one request with a deadline, so that streaming routes (server-sent events) end.
func (w *apiWorld) walk(method, path string, role auth.Role, body any) response {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	return w.DoCtx(ctx, method, path, roleUser[role], body)
}
