package index

import (
	"context"

	"github.com/aidledger/aidledger/server/store"
)

// defaultAnalyzeAfter is Config.AnalyzeAfter's default.
const defaultAnalyzeAfter = 50_000

// afterStep analyses chain_events on PostgreSQL once a catch-up has stored many events (n in
// the step just committed; behind: the step ended below the head). PostgreSQL plans a read by
// the table's statistics, and autovacuum renews them only at its next round: a catch-up stores
// a million events in about a minute, and until then the reports read them with an empty
// table's statistics (a page of the transparency page took 274–564 ms instead of 2 ms,
// thirty-ninth session). A server that keeps up stores a block's events at a time and leaves
// the statistics to autovacuum. SQLite keeps none unless asked, and plans well without.
func (ix *Indexer) afterStep(ctx context.Context, n int, behind bool) {
	if ix.cfg.AnalyzeAfter < 0 || store.DialectOf(ix.db) != store.Postgres {
		return
	}
	// A catch-up's steps, its last included; or one step of as many events as a catch-up stores
	// before analysing (2,000 blocks of ours, MaxRange, can hold half a million).
	if behind || ix.wasBehind || n >= ix.cfg.AnalyzeAfter {
		ix.catchUpEvents += n
		ix.catchUpTotal += n
	}
	// A catch-up's last step analyses what is left since the last analysis, however few, when
	// the catch-up as a whole stored enough: how its events fall into steps depends on how many
	// empty blocks lie between them, and the reports read the table as it is after the catch-up.
	ended := ix.wasBehind && !behind
	leftover := ended && ix.catchUpTotal >= ix.cfg.AnalyzeAfter && ix.catchUpEvents > 0
	if !behind {
		ix.catchUpTotal = 0
	}
	ix.wasBehind = behind
	if (ix.catchUpEvents < ix.cfg.AnalyzeAfter && !leftover) || int64(ix.catchUpEvents)*10 < ix.analysedRows {
		return // too few yet, or under a tenth of the table as last analysed: autovacuum's own rule
	}
	table := Event{}.TableName()
	if err := ix.db.WithContext(ctx).Exec("ANALYZE " + table).Error; err != nil {
		ix.log.Warn("analyse chain_events after a catch-up", "err", err)
		return
	}
	var rows float64
	if err := ix.db.WithContext(ctx).Raw("SELECT reltuples FROM pg_class WHERE oid = ?::regclass", table).Scan(&rows).Error; err == nil {
		ix.analysedRows = int64(rows)
	}
	ix.log.Info("analysed chain_events after a catch-up", "events", ix.catchUpEvents, "rows", ix.analysedRows)
	ix.catchUpEvents = 0
}
