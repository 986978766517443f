package index_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

func TestIndexer_AnalysesTheEventsAfterACatchUpNotWhileKeepingUp(t *testing.T) {
	c := testenv.NewChain(t, 1)
	db, _ := testenv.DB(t, index.Schema)
	if store.DialectOf(db) != store.Postgres {
		t.Skip("only PostgreSQL: SQLite keeps no statistics unless asked")
	}
	// Only the indexer may analyse here; -1 is a table never analysed nor vacuumed.
	if err := db.Exec("ALTER TABLE chain_events SET (autovacuum_enabled = false)").Error; err != nil {
		t.Fatal(err)
	}
	reltuples := func() float64 {
		t.Helper()
		var n float64
		if err := db.Raw("SELECT reltuples FROM pg_class WHERE oid = 'chain_events'::regclass").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	c.Transact(t, ledgerABI.PackCreateProgram(1))
	for i := range 6 {
		c.Transact(t, ledgerABI.PackFund(1, big.NewInt(int64(10+i)), [32]byte{}))
	}
	ix := index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock, MaxRange: 2, AnalyzeAfter: 5})
	catchUp(t, ix) // four steps of two blocks behind the head, then the last
	stored := float64(len(events(t, db, "")))
	if got := reltuples(); got != stored {
		t.Fatalf("after a catch-up of %v events the statistics say %v rows, want them analysed", stored, got)
	}

	// Keeping up, a block at a time, leaves the statistics to autovacuum, however many blocks.
	for i := range 6 {
		c.Transact(t, ledgerABI.PackFund(1, big.NewInt(int64(20+i)), [32]byte{}))
		if _, err := ix.Step(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := reltuples(); got != stored {
		t.Errorf("keeping up, the statistics moved from %v to %v rows", stored, got)
	}
}
