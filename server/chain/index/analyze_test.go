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
		t.Fatalf("keeping up, the statistics moved from %v to %v rows", stored, got)
	}

	// A catch-up that one step reads whole (under MaxRange blocks) counts too.
	for i := range 3 {
		c.Transact(t, ledgerABI.PackFund(1, big.NewInt(int64(30+i)), [32]byte{}))
	}
	again := index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock, AnalyzeAfter: 3})
	catchUp(t, again)
	if got, want := reltuples(), float64(len(events(t, db, ""))); got != want {
		t.Errorf("after one step of %v events the statistics say %v rows, want %v", want-stored-6, got, want)
	}
}
