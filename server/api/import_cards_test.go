package api_test

import (
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/auth"
)

func TestImportCards_areForStaffAndAnswerNotFoundForAnUnknownImport(t *testing.T) {
	w := newAPIWorld(t)
	const path = "/api/v1/beneficiaries/imports/01a21101-3c39-7c4e-bc3c-091516369641/cards"
	for _, tc := range []struct {
		role   auth.Role
		query  string
		status int
		code   string
	}{
		{auth.AidWorker, "", 404, "not_found"},
		{auth.Admin, "", 404, "not_found"},
		{auth.AidWorker, "?limit=x", 400, "invalid_field"},
		{auth.AidWorker, "?from=0", 400, "invalid_field"},
		{auth.AidWorker, "?from=2&after=01a21101-3c39-7c4e-bc3c-091516369641", 400, "invalid_field"},
		{auth.Vendor, "", 403, "forbidden"},
		{auth.Donor, "", 403, "forbidden"},
	} {
		if r := w.do("GET", path+tc.query, tc.role, nil); r.Status != tc.status || errorCode(r) != tc.code {
			t.Errorf("%s %s: %d %s; want %d %s", tc.role, tc.query, r.Status, r.Body, tc.status, tc.code)
		}
	}
	if r := w.do("GET", "/api/v1/beneficiaries/imports", auth.AidWorker, nil); r.Status != 200 || !strings.HasPrefix(string(r.Body), `{"imports":[`) {
		t.Errorf("list of imports: %d %s", r.Status, r.Body)
	}
	if r := w.do("GET", "/api/v1/beneficiaries/imports", auth.Vendor, nil); r.Status != 403 {
		t.Errorf("list of imports for a vendor: %d, want 403", r.Status)
	}
	const stop = "/api/v1/beneficiaries/imports/01a21101-3c39-7c4e-bc3c-091516369641/stop"
	if r := w.do("POST", stop, auth.AidWorker, nil); r.Status != 404 || errorCode(r) != "not_found" {
		t.Errorf("stop an unknown import: %d %s", r.Status, r.Body)
	}
	if r := w.do("POST", stop, auth.Vendor, nil); r.Status != 403 {
		t.Errorf("stop an import as a vendor: %d, want 403", r.Status)
	}
}
