package app_test

import (
	"context"
	"testing"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/enroll"
)

// `serve --phone-country-code` reaches enrolment: a phone typed in national form is stored in
// international form, and found by either.
func TestPhoneCountryCode_MakesANationalNumberTheInternationalOne(t *testing.T) {
	w := apptest.New(t, apptest.Small, func(c *app.Config) { c.PhoneCountryCode = "962" })
	ctx := context.Background()
	b, err := w.App.Enroll.Enroll(ctx, enroll.Input{GivenName: "Rania", FamilyName: "Odeh", DateOfBirth: "1991-05-06",
		Phone: "079 444 0202", HouseholdSize: 3, Location: "Zarqa", PIN: "2580"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Phone != "+962794440202" {
		t.Errorf("stored phone %q, want +962794440202", b.Phone)
	}
	for _, q := range []string{"0794440202", "+962 79 444 0202"} {
		page, err := w.App.Enroll.List(ctx, q, 1, 20)
		if err != nil || len(page.Items) != 1 || page.Items[0].ID != b.ID {
			t.Errorf("search %q: %+v %v, want the one enrolled", q, page.Items, err)
		}
	}
}
