package redeem

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// keyed is a group of acceptances, one per vendor, each with a key of its own.
func keyed(vendors int) []*acceptance {
	group := make([]*acceptance, vendors)
	for i := range group {
		group[i] = &acceptance{row: &redemptionRow{VendorID: fmt.Sprintf("vendor-%d", i), IdempotencyKey: fmt.Sprintf("key-%d", i)}}
	}
	return group
}

// redeemedAt stores n redemptions at each vendor, under keys named from.
func redeemedAt(t *testing.T, db *gorm.DB, from string, vendors []string, n int) {
	t.Helper()
	now := time.Now().UTC()
	var rows []redemptionRow
	for _, v := range vendors {
		for i := range n {
			id := fmt.Sprintf("%s-%s-%d", from, v, i)
			rows = append(rows, redemptionRow{ID: id, VendorID: v, IdempotencyKey: id,
				RequestHash: "h", BeneficiaryID: "b", ProgramID: "p", Amount: 1, Category: "food", ChainRef: id,
				Status: StatusConfirmed, CreatedAt: now})
		}
	}
	if err := db.CreateInBatches(rows, 500).Error; err != nil {
		t.Fatal(err)
	}
}

// A group asks which of its Idempotency-Keys its vendors used before. PostgreSQL makes the plan
// of that read once per connection, often while the table is nearly empty, and keeps it until
// the table is next analysed, a minute or more on a fresh system. When the read named (vendor,
// key) pairs, such a plan read every redemption of the group's vendors to find the keys among
// them, through the vendor index by creation time or the whole unique index: ~600 rows a read
// a minute into a fresh system at 500/s, and a fifth of PostgreSQL's time (thirty-sixth
// session, docs/benchmarks-log.md). Whatever the group's size, up to maxGroup.
func TestKeysTaken_ReadsOnlyTheGroupsKeysWhateverPlanAnEmptyTableGave(t *testing.T) {
	for _, size := range []int{1, 8, maxGroup} {
		t.Run(fmt.Sprintf("%d keys", size), func(t *testing.T) {
			db, _ := testenv.DB(t, Schema)
			group := keyed(size)
			var vendors []string
			for _, a := range group {
				vendors = append(vendors, a.row.VendorID)
			}
			// The group's first key is taken, by its own vendor; its last by a different
			// vendor, which does not make it taken for the group's.
			last := group[size-1].row.IdempotencyKey
			redeemedAt(t, db, "key", []string{"vendor-0", "vendor-x"}, 1)
			for v, key := range map[string]string{"vendor-0": "key-0", "vendor-x": last} {
				if err := db.Model(&redemptionRow{}).Where("vendor_id = ?", v).Update("idempotency_key", key).Error; err != nil {
					t.Fatal(err)
				}
			}
			dry := db.Session(&gorm.Session{DryRun: true})
			read := keysTakenQuery(dry, group).Scan(&[]struct{}{}).Statement
			if store.DialectOf(db) == store.SQLite {
				plan := testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars)
				if strings.Contains(plan, "SCAN") || strings.Contains(plan, "ix_redemptions_vendor_created") {
					t.Errorf("the keys' plan %q does not look the keys up in the unique index", plan)
				}
			} else {
				plan := testenv.PostgresPlanMadeEarly(t, db, read.SQL.String(), read.Vars, true, func() { redeemedAt(t, db, "earlier", vendors[:min(size, 8)], 4000/min(size, 8)) })
				if strings.Contains(plan, "Rows Removed by Filter") || !strings.Contains(plan, "Index Cond") {
					t.Errorf("the keys' plan, made while the table was nearly empty, reads redemptions other than the keys': %s", plan)
				}
			}
			k := &keysRead{}
			if err := keysTakenQuery(db, group).Scan(&k.rows).Error; err != nil {
				t.Fatal(err)
			}
			taken := k.taken()
			for i, a := range group {
				if want := i == 0; taken[a.row.VendorID+"\x00"+a.row.IdempotencyKey] != want {
					t.Errorf("%s's %s taken: %v, want %v", a.row.VendorID, a.row.IdempotencyKey, !want, want)
				}
			}
		})
	}
}

// A retry refused before its group looked its key up (server busy) reads its redemption by
// vendor and key outside any group, where table scans are allowed. With the plan a nearly empty
// table gave, that read must still go straight to the one row through the unique index, not
// through the vendor's redemptions.
func TestByKey_ReadsOneRowWhateverPlanAnEmptyTableGave(t *testing.T) {
	db, _ := testenv.DB(t, Schema)
	redeemedAt(t, db, "key", []string{"vendor-0"}, 1)
	dry := db.Session(&gorm.Session{DryRun: true})
	read := byKeyQuery(dry, "vendor-0", "key-vendor-0-0").Take(&redemptionRow{}).Statement
	if store.DialectOf(db) == store.SQLite {
		plan := testenv.SQLitePlan(t, db, read.SQL.String(), read.Vars)
		if strings.Contains(plan, "SCAN") || strings.Contains(plan, "ix_redemptions_vendor_created") {
			t.Errorf("the key's plan %q does not look the key up in the unique index", plan)
		}
	} else {
		plan := testenv.PostgresPlanMadeEarly(t, db, read.SQL.String(), read.Vars, false, func() { redeemedAt(t, db, "earlier", []string{"vendor-0"}, 4000) })
		if strings.Contains(plan, "Rows Removed by Filter") || strings.Contains(plan, "Seq Scan") || !strings.Contains(plan, "ux_redemptions_key_vendor") {
			t.Errorf("the key's plan, made while the table was nearly empty, reads other redemptions: %s", plan)
		}
	}
	s := &Service{db: db}
	if r, found, err := s.byKey(context.Background(), "vendor-0", "key-vendor-0-0"); err != nil || !found || r.ID != "key-vendor-0-0" {
		t.Fatalf("byKey: %+v %v %v", r.ID, found, err)
	}
}
