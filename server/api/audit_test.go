package api_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
)

func TestAudit_SaysWhoDidWhatToABeneficiaryWithoutTheirPersonalData(t *testing.T) {
	w := newAPIWorld(t)
	worker := userID(t, w, apptest.AidWorker)
	const phone, newPhone = "+962790001234", "+962790005678"
	r := w.do("POST", "/api/v1/beneficiaries", auth.AidWorker, map[string]any{"given_name": "Audit", "family_name": "Subject",
		"date_of_birth": "1980-02-03", "national_id": "9870001234", "phone": phone, "household_size": 3, "location": "Zaatari", "pin": "2468"})
	var b struct {
		ID string `json:"id"`
	}
	if r.JSON(t, &b); r.Status != 201 || b.ID == "" {
		t.Fatalf("enroll: %d %s", r.Status, r.Body)
	}
	steps := []struct {
		method, path string
		body         any
		status       int
	}{
		{"PATCH", "/api/v1/beneficiaries/" + b.ID, map[string]any{"phone": newPhone, "location": "Azraq"}, 200},
		{"PATCH", "/api/v1/beneficiaries/" + b.ID, map[string]any{"household_size": 0}, 400}, // refused: not recorded
		{"GET", "/api/v1/beneficiaries/" + b.ID, nil, 200},
		{"POST", "/api/v1/beneficiaries/" + b.ID + "/pin", map[string]string{"pin": "1357"}, 204},
	}
	for _, s := range steps {
		if r := w.do(s.method, s.path, auth.AidWorker, s.body); r.Status != s.status {
			t.Fatalf("%s %s: %d %s; want %d", s.method, s.path, r.Status, r.Body, s.status)
		}
	}

	r = w.do("GET", "/api/v1/admin/audit?subject="+b.ID, auth.Admin, nil)
	var page audit.Page
	if r.JSON(t, &page); r.Status != 200 {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
	var got []string
	for _, e := range page.Events {
		if e.Actor != worker || e.Subject != b.ID {
			t.Errorf("event %+v; want the worker %s on %s", e, worker, b.ID)
		}
		got = append(got, e.Action+" "+e.Detail)
	}
	want := []string{"beneficiary.pin_reset ", "beneficiary.view ", "beneficiary.update fields: location, phone", "beneficiary.enroll "}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events, newest first:\n%q\nwant\n%q", got, want)
	}
	for _, secret := range []string{phone, newPhone, "Zaatari", "Azraq", "1357", "9870001234"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the audit log holds personal data or a PIN: %q", secret)
		}
	}

	// Staff see the same history on the record itself, with people by login; not the admin's
	// list of users.
	r = w.do("GET", "/api/v1/beneficiaries/"+b.ID+"/history", auth.AidWorker, nil)
	var hist struct {
		Events []struct {
			Action     string `json:"action"`
			ActorEmail string `json:"actor_email"`
		} `json:"events"`
	}
	if r.JSON(t, &hist); r.Status != 200 || len(hist.Events) != len(want) || hist.Events[0].Action != "beneficiary.pin_reset" || hist.Events[0].ActorEmail != apptest.AidWorker {
		t.Fatalf("history: %d %s", r.Status, r.Body)
	}
	if r := w.do("GET", "/api/v1/beneficiaries/01a21101-3c39-7c4e-bc3c-091516369641/history", auth.AidWorker, nil); r.Status != 404 {
		t.Fatalf("history of nobody: %d %s; want 404", r.Status, r.Body)
	}

	// The worker's own account, and the admin's action on it, by actor.
	if r := w.do("POST", "/api/v1/users/"+worker+"/disable", auth.Admin, nil); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	r = w.do("GET", "/api/v1/admin/audit?action=user.disable&subject="+worker, auth.Admin, nil)
	page = audit.Page{}
	if r.JSON(t, &page); len(page.Events) != 1 || page.Events[0].Actor != userID(t, w, apptest.Admin) {
		t.Fatalf("the disable: %s", r.Body)
	}
}

func TestAudit_RecordsWhoFoundWhichBeneficiaryInASearchButNotTheSearch(t *testing.T) {
	w := newAPIWorld(t)
	worker := userID(t, w, apptest.AidWorker)
	var ids []string
	for _, p := range []struct{ nid, phone, born string }{{"5550001111", "+962791110001", "1990-04-05"}, {"5550002222", "+962791110002", "1971-09-30"}} {
		r := w.do("POST", "/api/v1/beneficiaries", auth.AidWorker, map[string]any{"given_name": "Samira", "family_name": "Haddad",
			"date_of_birth": p.born, "national_id": p.nid, "phone": p.phone, "household_size": 2, "location": "Mafraq", "pin": "2468"})
		var b struct {
			ID string `json:"id"`
		}
		if r.JSON(t, &b); r.Status != 201 {
			t.Fatalf("enroll: %d %s", r.Status, r.Body)
		}
		ids = append(ids, b.ID)
	}
	searches := []struct {
		query string
		found int
	}{
		{"q=Samira%20Haddad", 2},        // one name, two people
		{"q=%2B962791110002", 1},        // a phone
		{"q=%2B962799999999", 0},        // nobody: nothing shown, nothing recorded
		{"page=1&page_size=2", 2},       // the registry, no search
		{"q=5550001111&page_size=1", 1}, // a national id
	}
	for _, s := range searches {
		r := w.do("GET", "/api/v1/beneficiaries?"+s.query, auth.AidWorker, nil)
		var l struct {
			Beneficiaries []struct{ ID string } `json:"beneficiaries"`
		}
		if r.JSON(t, &l); r.Status != 200 || len(l.Beneficiaries) != s.found {
			t.Fatalf("GET ?%s: %d %s; want %d found", s.query, r.Status, r.Body, s.found)
		}
	}

	r := w.do("GET", "/api/v1/admin/audit?actor="+worker, auth.Admin, nil)
	var page audit.Page
	if r.JSON(t, &page); r.Status != 200 {
		t.Fatalf("audit: %d %s", r.Status, r.Body)
	}
	var got []string
	for _, e := range page.Events {
		if e.Action == "beneficiary.enroll" {
			continue
		}
		subject := map[string]string{ids[0]: "first", ids[1]: "second", worker: "the worker"}[e.Subject]
		got = append(got, e.Action+" "+subject+" "+e.Detail)
	}
	// Newest first. The name search found both, recorded in either order.
	if len(got) == 5 && got[3] > got[4] {
		got[3], got[4] = got[4], got[3]
	}
	want := []string{
		"beneficiary.search first one of 1 found",
		"beneficiary.list the worker 2 records",
		"beneficiary.search second one of 1 found",
		"beneficiary.search first one of 2 found",
		"beneficiary.search second one of 2 found",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("events, newest first:\n%q\nwant\n%q", got, want)
	}
	for _, secret := range []string{"Samira", "Haddad", "962791110002", "962799999999", "5550001111", "Mafraq"} {
		if strings.Contains(string(r.Body), secret) {
			t.Errorf("the audit log holds what was searched for or personal data: %q", secret)
		}
	}
}

func TestAudit_ARecordThatCannotBeWrittenDoesNotFailTheActionAndIsCounted(t *testing.T) {
	var failing atomic.Bool
	w := newAPIWorld(t, apptest.WithDB(func(db *gorm.DB) error {
		return db.Callback().Create().Before("gorm:create").Register("test:fail-audit", func(db *gorm.DB) {
			if failing.Load() && db.Statement.Table == "audit_events" {
				db.AddError(errors.New("injected: the disk is full"))
			}
		})
	}))
	failing.Store(true)
	worker := userID(t, w, apptest.AidWorker)
	if r := w.do("POST", "/api/v1/users/"+worker+"/disable", auth.Admin, nil); r.Status != 200 {
		t.Fatalf("the disable with its audit record failing: %d %s; want it done", r.Status, r.Body)
	}
	r := w.do("GET", "/metrics", "", nil)
	if lost := metricValue(t, r.Body, "aidledger_audit_records_lost_total"); lost != 1 {
		t.Fatalf("aidledger_audit_records_lost_total = %v; want 1", lost)
	}
}

func TestAuditCSV_HoldsEveryMatchingEventWithEachActorsLogin(t *testing.T) {
	w := newAPIWorld(t)
	worker := userID(t, w, apptest.AidWorker)
	for i := 0; i < 3; i++ {
		if r := w.do("POST", "/api/v1/users/"+worker+"/disable", auth.Admin, nil); r.Status != 200 {
			t.Fatalf("disable: %d %s", r.Status, r.Body)
		}
		if r := w.do("POST", "/api/v1/users/"+worker+"/enable", auth.Admin, nil); r.Status != 200 {
			t.Fatalf("enable: %d %s", r.Status, r.Body)
		}
	}
	r := w.do("GET", "/api/v1/admin/audit?format=csv&subject="+worker, auth.Admin, nil)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || strings.Join(rows[0], ",") != "time,actor,actor_email,action,subject,detail" {
		t.Fatalf("%d rows (header %v); want a header and six events", len(rows), rows[0])
	}
	for _, row := range rows[1:] {
		if row[2] != apptest.Admin || row[4] != worker || (row[3] != "user.disable" && row[3] != "user.enable") {
			t.Fatalf("row %v", row)
		}
	}
	if rows[1][3] != "user.enable" {
		t.Errorf("first row %v; want the newest, the last enable", rows[1])
	}
}
