package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
)

func TestAllocation_ToOneImportCreditsOnlyThePeopleItEnrolled(t *testing.T) {
	w := newAPIWorld(t)
	ctx := context.Background()
	var csv strings.Builder
	csv.WriteString("given_name,family_name,date_of_birth,national_id,phone,household_size,location,pin\n")
	for i := range 4 {
		fmt.Fprintf(&csv, "New,Arrival%d,1990-05-0%d,ARR%d,,2,Azraq,2468\n", i, i+1, i)
	}
	im, err := w.App.Enroll.StartImport(ctx, "test", strings.NewReader(csv.String()))
	if err != nil {
		t.Fatal(err)
	}
	w.WaitFor("the import", 30*time.Second, func() bool {
		got, err := w.App.Enroll.GetImport(ctx, im.ID)
		return err == nil && got.Status == enroll.ImportDone
	})
	prog := w.Seeded.Programs[0].ID
	if r := w.do("POST", "/api/v1/programs/"+prog+"/fundings", auth.Admin, map[string]any{"amount": 1_000_000, "donor": "Import test"}); r.Status != 201 {
		t.Fatalf("funding: %d %s", r.Status, r.Body)
	}
	for _, bad := range []map[string]any{
		{"cycle": 2, "amount_per_household": 100, "beneficiary_ids": []string{w.Seeded.Beneficiaries[0].ID}, "import_id": im.ID},
		{"cycle": 2, "amount_per_household": 100, "all_active": true, "import_id": "01a21101-3c39-7c4e-bc3c-091516369641"},
	} {
		if r := w.do("POST", "/api/v1/programs/"+prog+"/allocations", auth.AidWorker, bad); r.Status != 400 || errorCode(r) != "invalid_field" {
			t.Errorf("allocation %v: %d %s; want 400 invalid_field", bad, r.Status, r.Body)
		}
	}
	r := w.do("POST", "/api/v1/programs/"+prog+"/allocations", auth.AidWorker, map[string]any{"cycle": 2, "amount_per_household": 100,
		"all_active": true, "import_id": im.ID})
	var job programs.Job
	if r.JSON(t, &job); r.Status != 202 || job.Total != 4 {
		t.Fatalf("allocation to the import: %d %s; want 202 for its 4 people", r.Status, r.Body)
	}
	w.WaitFor("the allocation", 60*time.Second, func() bool {
		got, err := w.App.Programs.Job(ctx, job.ID)
		return err == nil && got.Status == "done"
	})
	cards, err := w.App.Enroll.ImportCards(ctx, im.ID, "", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cards.Cards {
		if bal, err := w.App.Redeem.BalancesOf(ctx, c.ID); err != nil || len(bal) != 1 || bal[0].Available != 100 {
			t.Errorf("%s's balances after the allocation: %+v, %v; want 100 in one program", c.CardNumber, bal, err)
		}
	}
	// Nobody the import did not enroll got the cycle.
	for _, b := range w.Seeded.Beneficiaries {
		ents, err := w.App.Programs.Entitlements(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.ProgramID == prog && e.LastCycle == 2 {
				t.Errorf("%s, enrolled by the seed, got the import's cycle", b.ID)
			}
		}
	}
}
