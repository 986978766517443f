package pipeline

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

func TestMinedSince_ReadsOnlyTheReorgWindowThroughAnIndex(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	m := db.Migrator()
	if !m.HasIndex(&Tx{}, "ix_chain_txs_lane_status_block") || m.HasIndex(&Tx{}, "ix_chain_txs_lane_status") {
		t.Fatal("chain_txs should be indexed by (lane, status, block_number) and no longer by (lane, status)")
	}
	if store.DialectOf(db) != store.SQLite {
		return // PostgreSQL's plan depends on its statistics; the index is what matters
	}
	stmt := minedSince(db.Session(&gorm.Session{DryRun: true}), 1, 1000).Find(&[]Tx{}).Statement
	var plan []struct{ Detail string }
	if err := db.Raw("EXPLAIN QUERY PLAN "+stmt.SQL.String(), stmt.Vars...).Scan(&plan).Error; err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, p := range plan {
		details = append(details, p.Detail)
	}
	got := strings.Join(details, "; ")
	if !strings.Contains(got, "ix_chain_txs_lane_status_block (lane=? AND status=? AND block_number>?)") {
		t.Fatalf("plan %q does not seek the block range by the index", got)
	}
}
