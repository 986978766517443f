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

var planBase = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// A partial day at a report's edge reads a program's redemptions in an id range. Whatever plan
// the database makes, before chain_events has statistics too, that read must touch the range
// alone, not every redemption of the program: on PostgreSQL it had read them all, 250 ms a read
// at 1,000,000 redemptions.
func TestEdgeRedemptions_ReadOnlyTheirIDRangeWhateverPlanAnUnanalysedTableGave(t *testing.T) {
	forPlans(t, false, func(dry *gorm.DB) *gorm.Statement {
		return edgeRedemptions(dry, 1, 3000, 3100, planBase.Add(3000*time.Second), planBase.Add(3101*time.Second)).
			Select("vendor, SUM(amount) AS amount, COUNT(*) AS count").Group("vendor").Find(&[]cellRow{}).Statement
	}, func(t *testing.T, plan string, sqlite bool) {
		if sqlite {
			if !strings.Contains(plan, "rowid>") {
				t.Errorf("plan %q: want a search of the id range", plan)
			}
			return
		}
		if removed := sumOf(plan, `Rows Removed by Filter: (\d+)`); removed > 101 { // the range holds 101 events
			t.Errorf("read %d events beyond the range:\n%s", removed, strings.ReplaceAll(plan, "; ", "\n"))
		}
	})
}

// The transparency page lists a program's newest events a page at a time. With the plan a nearly
// empty table gave, or with statistics, a page must come from an index walked back from the
// newest event, not from sorting every event of the program: that had read all of them, 2 s a
// page at 1,000,000 redemptions. (PostgreSQL without statistics of a grown table sorts the
// program's events from the right index: it guesses them few.)
func TestNewestEvents_ReadAPageNotTheProgram(t *testing.T) {
	forPlans(t, true, func(dry *gorm.DB) *gorm.Statement {
		return newestEvents(dry, true, 1, 20_010).Limit(50).Find(&[]index.Event{}).Statement
	}, func(t *testing.T, plan string, sqlite bool) {
		if sqlite {
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan %q: want no sort", plan)
			}
			return
		}
		for _, m := range regexp.MustCompile(`actual rows=(\d+)`).FindAllStringSubmatch(plan, -1) {
			if n, _ := strconv.Atoi(m[1]); n > 200 { // a page is 50; half the events are the other program's
				t.Errorf("a step read %d rows for a page of 50:\n%s", n, strings.ReplaceAll(plan, "; ", "\n"))
			}
		}
	})
}

// forPlans checks the plan of the read stmt builds over 20,010 redemption events of two
// programs, made while the table held 10 and made once it had grown, before any statistics or,
// with analysed, after them (PostgreSQL keeps a connection's generic plan; SQLite plans each
// time, and has statistics only once analysed).
func forPlans(t *testing.T, analysed bool, stmt func(dry *gorm.DB) *gorm.Statement, check func(t *testing.T, plan string, sqlite bool)) {
	grown := "with the plan made once it had grown, before it was analysed"
	if analysed {
		grown = "with the plan made once it had grown and was analysed"
	}
	for _, c := range []struct {
		name        string
		planAtFirst bool
	}{
		{"with the plan made while the table was nearly empty", true},
		{grown, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, _ := testenv.DB(t, index.Schema, Schema)
			sqlite := store.DialectOf(db) == store.SQLite
			if !sqlite {
				if err := db.Exec("ALTER TABLE chain_events SET (autovacuum_enabled = false)").Error; err != nil {
					t.Fatal(err)
				}
			}
			insertEvents(t, db, 1, 10)
			grow := func() { insertEvents(t, db, 11, 20_000) }
			if !c.planAtFirst {
				grow()
				grow = func() {}
				if analysed {
					if err := db.Exec("ANALYZE chain_events").Error; err != nil {
						t.Fatal(err)
					}
				}
			}
			read := stmt(db.Session(&gorm.Session{DryRun: true}))
			if sqlite {
				grow()
				check(t, testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars), true)
				return
			}
			check(t, testenv.PostgresPlanMadeEarly(t, db, read.SQL.String(), read.Vars, false, grow), false)
		})
	}
}

func sumOf(plan, pattern string) int {
	sum := 0
	for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(plan, -1) {
		n, _ := strconv.Atoi(m[1])
		sum += n
	}
	return sum
}

// insertEvents stores n redemption events from id `from` on, one a second from planBase,
// alternating between programs 1 and 2.
func insertEvents(t *testing.T, db *gorm.DB, from, n int) {
	t.Helper()
	evs := make([]index.Event, n)
	for i := range evs {
		id := from + i
		h := fmt.Sprintf("0x%064x", id)
		evs[i] = index.Event{ID: int64(id), BlockNumber: uint64(id), BlockHash: h, TxHash: h, BlockTime: planBase.Add(time.Duration(id) * time.Second),
			Kind: index.KindRedeemed, ProgramID: 1 + uint64(id%2), Vendor: fmt.Sprintf("0x%040x", id%7), Amount: 100}
	}
	if err := db.CreateInBatches(evs, 500).Error; err != nil {
		t.Fatal(err)
	}
}
