package report

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// A partial day at a report's edge reads a program's redemptions in an id range. Whatever plan
// the database makes, before chain_events has statistics too, that read must touch the range
// alone, not every redemption of the program: on PostgreSQL it had read them all, 250 ms a read
// at 1,000,000 redemptions.
func TestEdgeRedemptions_ReadOnlyTheirIDRangeWhateverPlanAnUnanalysedTableGave(t *testing.T) {
	for _, c := range []struct {
		name        string
		planAtFirst bool
	}{
		{"with the plan made while the table was nearly empty", true},
		{"with the plan made once it had grown, before it was analysed", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := testenv.DB(t, index.Schema, Schema)
			if store.DialectOf(db) == store.Postgres {
				if err := db.Exec("ALTER TABLE chain_events SET (autovacuum_enabled = false)").Error; err != nil {
					t.Fatal(err)
				}
			}
			base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
			insertEvents(t, db, base, 1, 10)
			grow := func() { insertEvents(t, db, base, 11, 20_000) }
			if !c.planAtFirst {
				grow()
				grow = func() {}
			}
			dry := db.Session(&gorm.Session{DryRun: true})
			read := edgeRedemptions(dry, 1, 3000, 3100, base.Add(3000*time.Second), base.Add(3101*time.Second)).
				Select("vendor, SUM(amount) AS amount, COUNT(*) AS count").Group("vendor").Find(&[]cellRow{}).Statement
			if store.DialectOf(db) == store.SQLite {
				grow()
				if plan := testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars); !strings.Contains(plan, "rowid>") {
					t.Errorf("plan %q: want a search of the id range", plan)
				}
				return
			}
			plan := testenv.PostgresPlanMadeEarly(t, db, read.SQL.String(), read.Vars, false, grow)
			removed := 0
			for _, m := range regexp.MustCompile(`Rows Removed by Filter: (\d+)`).FindAllStringSubmatch(plan, -1) {
				n, _ := strconv.Atoi(m[1])
				removed += n
			}
			if removed > 101 { // the range holds 101 events, half of them the other program's
				t.Errorf("read %d events beyond the range:\n%s", removed, strings.ReplaceAll(plan, "; ", "\n"))
			}
		})
	}
}

// insertEvents stores n redemption events from id `from` on, one a second from base, alternating
// between programs 1 and 2.
func insertEvents(t *testing.T, db *gorm.DB, base time.Time, from, n int) {
	t.Helper()
	evs := make([]index.Event, n)
	for i := range evs {
		id := from + i
		h := fmt.Sprintf("0x%064x", id)
		evs[i] = index.Event{ID: int64(id), BlockNumber: uint64(id), BlockHash: h, TxHash: h, BlockTime: base.Add(time.Duration(id) * time.Second),
			Kind: index.KindRedeemed, ProgramID: 1 + uint64(id%2), Vendor: fmt.Sprintf("0x%040x", id%7), Amount: 100}
	}
	if err := db.CreateInBatches(evs, 500).Error; err != nil {
		t.Fatal(err)
	}
}
