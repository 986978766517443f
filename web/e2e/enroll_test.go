package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestEnroll_EnrollWarnDuplicateImportAndPrint(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	n := next()
	values := map[string]string{"given_name": "Amal", "family_name": fmt.Sprintf("Haddad%d", n), "date_of_birth": "01021988",
		"national_id": fmt.Sprintf("UI%d", n), "phone": fmt.Sprintf("+96279%07d", n%10_000_000), "household_size": "5", "location": "Irbid", "pin": "2468"}
	enter := func() {
		for _, k := range []string{"given_name", "family_name", "date_of_birth", "national_id", "phone", "household_size", "location", "pin"} {
			run(t, ctx, chromedp.SendKeys("#f-"+k, values[k]))
		}
	}
	run(t, ctx, chromedp.WaitVisible("#enroll-form"))
	enter()
	screenshot(t, ctx, "enroll-form")
	run(t, ctx, chromedp.Click("#enroll-submit"))
	waitJS(t, ctx, `document.querySelector('#enroll-msg.ok') && document.querySelector('#open-created')`, 30*time.Second)
	enter()
	run(t, ctx, chromedp.Click("#enroll-submit"), chromedp.WaitVisible("#duplicate-card"))
	waitJS(t, ctx, `document.querySelector('#existing dl')`, 15*time.Second)
	screenshot(t, ctx, "enroll-duplicate")

	// Print the first person's card: the PNG is fetched with the token and window.print is called.
	run(t, ctx, chromedp.Click("#tab-search"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", values["national_id"]+"\n"))
	waitJS(t, ctx, `document.querySelector('#results tbody button')`, 15*time.Second)
	run(t, ctx, chromedp.Click("#results tbody button"), chromedp.WaitVisible("#print-card"))
	eval[bool](t, ctx, `(window.print = () => { window.__printed = true }, true)`)
	run(t, ctx, chromedp.Click("#print-card"))
	waitJS(t, ctx, `window.__printed && document.querySelector('#print-area img')?.naturalWidth > 0`, 15*time.Second)
	screenshot(t, ctx, "enroll-beneficiary")

	// CSV import: watch the progress bar reach 100 %.
	var csv strings.Builder
	csv.WriteString("given_name,family_name,date_of_birth,national_id,phone,household_size,location,pin\n")
	for i := 0; i < 20; i++ {
		m := next()
		fmt.Fprintf(&csv, "Imp,Row%d,1985-03-04,CSV%d,+96277%07d,3,Mafraq,1357\n", m, m, m%10_000_000)
	}
	csv.WriteString("Bad,Row,not-a-date,,,0,,\n")
	path := filepath.Join(t.TempDir(), "people.csv")
	os.WriteFile(path, []byte(csv.String()), 0o600)
	run(t, ctx, chromedp.Click("#back"), chromedp.WaitVisible("#tab-import"), chromedp.Click("#tab-import"), chromedp.WaitVisible("#csv-file"), chromedp.SetUploadFiles("#csv-file", []string{path}),
		chromedp.Click("#import-submit"))
	waitJS(t, ctx, `document.querySelector('#import-progress').value === 100 && document.querySelector('#import-msg.ok, #import-msg.error')`, 2*time.Minute)
	waitJS(t, ctx, `document.querySelector('#import-errors-csv')`, 5*time.Second)
	screenshot(t, ctx, "enroll-import")
	// Chromium has CompressionStream: the file went gzipped (the server logs how it came).
	if log, err := os.ReadFile(srv.log); err != nil || !strings.Contains(string(log), "gzipped=true") {
		t.Errorf("the server's log has no gzipped import (%v)", err)
	}
}
