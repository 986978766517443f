package pipeline

import (
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// PostgreSQL updates a row in place (HOT), writing no index entry, only if no index names a
// column whose value the update changes, in its keys or its predicate (migration 7).
func TestConfirming_ChangesNoColumnThatAnIndexOfIntentsNames(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	for _, def := range testenv.IndexDefinitions(t, db, "chain_intents") {
		// What settling an intent, re-pricing its transaction or un-mining it changes.
		for _, col := range []string{"status", "reason", "tx_hash", "block_number", "log_index", "not_before", "updated_at"} {
			if strings.Contains(def, col) {
				t.Errorf("confirming an intent changes %s, which this index names: %s", col, def)
			}
		}
	}
	if store.DialectOf(db) != store.Postgres {
		return
	}
	// The proof on PostgreSQL: its own count of the HOT updates in this transaction.
	_, sent := storeTxs(t, db)
	now := time.Now().UTC()
	in := Intent{Kind: "redeem", Ref: "r", Lane: 0, Status: IntentSubmitted, TxID: &sent[0], BatchKey: "p", CreatedAt: now, UpdatedAt: now}
	if err := db.Create(&in).Error; err != nil {
		t.Fatal(err)
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		in.Status, in.TxHash, in.BlockNumber, in.LogIndex = IntentConfirmed, "0xabc", 9, 3
		if err := updateOutcomes(tx, []Intent{in}); err != nil {
			return err
		}
		if updated, hot := testenv.UpdatesInTx(t, tx, "chain_intents"); updated != 1 || hot != 1 {
			t.Errorf("confirming updated %d intents, %d of them HOT; want 1 and 1", updated, hot)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if opts := testenv.TableOptions(t, db, "chain_intents"); !strings.Contains(opts, "fillfactor=50") {
		t.Errorf("chain_intents' options %q: want room on each page for signing's and confirming's new versions", opts)
	}
}
