package audit_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestList_FiltersAndWalksNewestFirstByCursor(t *testing.T) {
	db, _ := testenv.DB(t, audit.Schema)
	log := audit.New(db)
	ctx := context.Background()
	for i := 0; i < 7; i++ {
		e := audit.Event{Actor: "worker", Action: "beneficiary.view", Subject: fmt.Sprintf("b%d", i%2)}
		if i%3 == 0 {
			e.Actor, e.Action = "admin", "beneficiary.erase"
		}
		if err := log.Record(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		f    audit.Filter
		want int
	}{
		{"everything", audit.Filter{}, 7},
		{"one actor", audit.Filter{Actor: "admin"}, 3},
		{"one record", audit.Filter{Subject: "b1"}, 3},
		{"one action on one record", audit.Filter{Subject: "b0", Action: "beneficiary.erase"}, 2},
		{"nobody", audit.Filter{Actor: "someone else"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var seen []audit.Event
			f := tc.f
			f.Limit = 2
			for pages := 0; pages < 10; pages++ {
				p, err := log.List(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				seen = append(seen, p.Events...)
				if p.NextAfter == "" {
					break
				}
				f.After = p.NextAfter
			}
			if len(seen) != tc.want {
				t.Fatalf("%d events; want %d", len(seen), tc.want)
			}
			for i := 1; i < len(seen); i++ {
				if seen[i].ID >= seen[i-1].ID || seen[i].At.After(seen[i-1].At) {
					t.Fatalf("not newest first at %d: %+v after %+v", i, seen[i], seen[i-1])
				}
			}
			for _, e := range seen {
				if (tc.f.Actor != "" && e.Actor != tc.f.Actor) || (tc.f.Subject != "" && e.Subject != tc.f.Subject) || (tc.f.Action != "" && e.Action != tc.f.Action) {
					t.Fatalf("%+v does not match %+v", e, tc.f)
				}
			}
		})
	}
}

func TestList_RefusesABadCursorOrLimit(t *testing.T) {
	db, _ := testenv.DB(t, audit.Schema)
	log := audit.New(db)
	for _, f := range []audit.Filter{{After: "page-2"}, {Limit: -1}, {Limit: 501}} {
		if _, err := log.List(context.Background(), f); err == nil {
			t.Errorf("%+v: no error", f)
		} else if e, ok := apierr.As(err); !ok || e.Code != "invalid_field" {
			t.Errorf("%+v: %v; want invalid_field", f, err)
		}
	}
}
