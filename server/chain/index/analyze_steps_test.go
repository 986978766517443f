package index

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// How a catch-up's events fall into steps depends on the empty blocks between them: a CI run
// stored 11 events in steps of 5, 5 and 1 and left the last one out of the statistics.
func TestAfterStep_AnalysesTheFewEventsOfACatchUpsLastStep(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	if store.DialectOf(db) != store.Postgres {
		t.Skip("only PostgreSQL: SQLite keeps no statistics unless asked")
	}
	if err := db.Exec("ALTER TABLE chain_events SET (autovacuum_enabled = false)").Error; err != nil {
		t.Fatal(err)
	}
	ix := New(db, nil, Config{AnalyzeAfter: 5})
	stored := 0
	for _, step := range []struct {
		events int
		behind bool
	}{{5, true}, {5, true}, {1, false}} {
		for range step.events {
			e := Event{BlockNumber: uint64(stored), BlockHash: fmt.Sprintf("0x%064x", stored), BlockTime: time.Now(), TxHash: "0x1", Kind: "Funded"}
			if err := db.Create(&e).Error; err != nil {
				t.Fatal(err)
			}
			stored++
		}
		ix.afterStep(context.Background(), step.events, step.behind)
	}
	var rows float64
	if err := db.Raw("SELECT reltuples FROM pg_class WHERE oid = 'chain_events'::regclass").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if rows != float64(stored) {
		t.Fatalf("after a catch-up of %d events in steps of 5, 5 and 1 the statistics say %v rows", stored, rows)
	}
}
