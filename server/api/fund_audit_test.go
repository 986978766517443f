package api_test

import (
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
)

// A funding typed with three zeros too many is public on chain at once: the Activity tab must
// say how much each one was, in the program's currency, so the mistake and who made it are found.
func TestAudit_AFundingSaysItsAmountInTheProgramsCurrencyButNotTheDonor(t *testing.T) {
	w := newAPIWorld(t)
	var p struct {
		ID string `json:"id"`
	}
	r := w.do("POST", "/api/v1/programs", auth.Admin, map[string]any{"name": "Audit fund test", "currency": "JOD", "decimals": 3})
	if r.JSON(t, &p); r.Status != 201 || p.ID == "" {
		t.Fatalf("create program: %d %s", r.Status, r.Body)
	}
	if r := w.do("POST", "/api/v1/programs/"+p.ID+"/fundings", auth.Admin, map[string]any{"amount": 5_000_000, "donor": "Jane Donor"}); r.Status != 201 {
		t.Fatalf("funding: %d %s", r.Status, r.Body)
	}
	r = w.do("GET", "/api/v1/admin/audit?action=program.fund&subject="+p.ID, auth.Admin, nil)
	var page audit.Page
	if r.JSON(t, &page); r.Status != 200 || len(page.Events) != 1 {
		t.Fatalf("audit: %d %s; want one program.fund event", r.Status, r.Body)
	}
	if got, want := page.Events[0].Detail, "5000.000 JOD"; got != want {
		t.Errorf("the funding's detail: %q; want %q", got, want)
	}
	if r := w.do("GET", "/api/v1/admin/audit?action=program.fund", auth.Admin, nil); strings.Contains(string(r.Body), "Jane Donor") {
		t.Error("the audit log names the donor; a donor may be a person")
	}
}
