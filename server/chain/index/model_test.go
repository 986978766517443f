package index_test

import (
	"testing"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestSchema_KeepsOnlyTheEventIndexesQueriesUse(t *testing.T) {
	db, _ := testenv.DB(t, index.Schema)
	m := db.Migrator()
	for name, want := range map[string]bool{
		"ux_chain_events_log":           true, // ingest is idempotent per log
		"idx_chain_events_block_number": true, // reorgs, reconciliation
		"idx_chain_events_block_time":   true, // partial days of grouped reports
		"idx_chain_events_ref":          true, // reconciliation
		"ix_chain_events_program_kind":  true, // program totals, last cycle
		"ix_chain_events_program_id":    true, // a program's newest events
		"idx_chain_events_tx_hash":      false,
		"idx_chain_events_beneficiary":  false,
		"idx_chain_events_vendor":       false,
	} {
		if got := m.HasIndex(&index.Event{}, name); got != want {
			t.Errorf("index %s exists = %v, want %v", name, got, want)
		}
	}
}
