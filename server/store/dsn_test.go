package store

import (
	"net/url"
	"testing"
)

func TestWithSessionDefaults_BoundsPgxCachesParallelWorkersAndJITUnlessTheDSNSetsThem(t *testing.T) {
	for _, tc := range []struct {
		name, dsn                              string
		wantStmt, wantDescr, wantPara, wantJIT string
	}{
		{"a DSN without parameters gets every default", "postgres://u@h:5432/db", "64", "64", "0", "off"},
		{"other parameters are kept", "postgres://u@h/db?sslmode=disable&application_name=x", "64", "64", "0", "off"},
		{"the operator's own capacity wins", "postgresql://u@h/db?statement_cache_capacity=512", "512", "64", "0", "off"},
		{"zero (no cache) is the operator's to choose", "postgres://u@h/db?statement_cache_capacity=0&description_cache_capacity=0", "0", "0", "0", "off"},
		{"a Unix socket's directory and port are kept", "postgres://u@/db?host=/var/run/postgresql&port=5433", "64", "64", "0", "off"},
		{"the operator's parallel workers win", "postgres://u@h/db?max_parallel_workers_per_gather=2", "64", "64", "2", "off"},
		{"the operator's JIT wins", "postgres://u@h/db?jit=on", "64", "64", "0", "on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := withSessionDefaults(tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if q.Get("max_parallel_workers_per_gather") != tc.wantPara {
				t.Errorf("%s: parallel workers %q, want %q", got, q.Get("max_parallel_workers_per_gather"), tc.wantPara)
			}
			if q.Get("jit") != tc.wantJIT {
				t.Errorf("%s: jit %q, want %q", got, q.Get("jit"), tc.wantJIT)
			}
			if q.Get("statement_cache_capacity") != tc.wantStmt || q.Get("description_cache_capacity") != tc.wantDescr {
				t.Errorf("%s: statement cache %q, description cache %q; want %q and %q", got,
					q.Get("statement_cache_capacity"), q.Get("description_cache_capacity"), tc.wantStmt, tc.wantDescr)
			}
			orig, _ := url.Parse(tc.dsn)
			for k := range orig.Query() {
				if q.Get(k) != orig.Query().Get(k) {
					t.Errorf("parameter %s changed: %q, was %q", k, q.Get(k), orig.Query().Get(k))
				}
			}
			if u.Host != orig.Host || u.Path != orig.Path || u.User.String() != orig.User.String() {
				t.Errorf("%s: not the same server and database as %s", got, tc.dsn)
			}
		})
	}
}
