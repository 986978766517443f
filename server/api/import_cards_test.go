package api_test

import (
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
		{auth.Vendor, "", 403, "forbidden"},
		{auth.Donor, "", 403, "forbidden"},
	} {
		if r := w.do("GET", path+tc.query, tc.role, nil); r.Status != tc.status || errorCode(r) != tc.code {
			t.Errorf("%s %s: %d %s; want %d %s", tc.role, tc.query, r.Status, r.Body, tc.status, tc.code)
		}
	}
}
