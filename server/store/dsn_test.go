package store

import (
	"net/url"
	"testing"
)

func TestWithStatementCache_BoundsPgxCachesUnlessTheDSNSetsThem(t *testing.T) {
	for _, tc := range []struct {
		name, dsn           string
		wantStmt, wantDescr string
	}{
		{"a DSN without parameters gets both bounds", "postgres://u@h:5432/db", "64", "64"},
		{"other parameters are kept", "postgres://u@h/db?sslmode=disable&application_name=x", "64", "64"},
		{"the operator's own capacity wins", "postgresql://u@h/db?statement_cache_capacity=512", "512", "64"},
		{"zero (no cache) is the operator's to choose", "postgres://u@h/db?statement_cache_capacity=0&description_cache_capacity=0", "0", "0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := withStatementCache(tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(got)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
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
