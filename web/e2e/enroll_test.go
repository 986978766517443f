package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
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
	if v := eval[string](t, ctx, `document.querySelector('#f-location').value`); v != "Irbid" {
		t.Errorf("the location after an enrolment is %q, want Irbid kept for the next person", v)
	}
	eval[string](t, ctx, `document.querySelector('#f-location').value = ''`)
	enter()
	run(t, ctx, chromedp.Click("#enroll-submit"), chromedp.WaitVisible("#duplicate-card"))
	waitJS(t, ctx, `document.querySelector('#existing dl')`, 15*time.Second)
	if m := eval[string](t, ctx, `document.querySelector('#enroll-msg').textContent`); !strings.Contains(m, "national ID") {
		t.Errorf("the duplicate warning %q does not say what matched (the national ID)", m)
	}
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
	var rows []string
	for i := 0; i < 20; i++ {
		m := next()
		rows = append(rows, fmt.Sprintf("Imp,Row%d,1985-03-04,CSV%d,+96277%07d,3,Mafraq,1357", m, m, m%10_000_000))
	}
	rows = append(rows, "Bad,Row,not-a-date,,,0,,")
	run(t, ctx, chromedp.Click("#back"), chromedp.WaitVisible("#tab-import"))
	uploadCSV(t, ctx, rows)
	waitJS(t, ctx, `document.querySelector('#import-progress').value === 100 && document.querySelector('#import-msg.ok, #import-msg.error')`, 2*time.Minute)
	waitJS(t, ctx, `document.querySelector('#import-errors-csv') && document.querySelector('#imports tbody tr[data-import]')`, 15*time.Second)
	// The bad row has four bad fields: one row refused, not four.
	if st := eval[string](t, ctx, `document.querySelector('#import-status').textContent`); !strings.Contains(st, "20 enrolled") || !strings.Contains(st, "1 refused") {
		t.Errorf("import status %q, want 20 enrolled and 1 refused", st)
	}
	screenshot(t, ctx, "enroll-import")
	// Chromium has CompressionStream: the file went gzipped (the server logs how it came).
	if log, err := os.ReadFile(srv.log); err != nil || !strings.Contains(string(log), "gzipped=true") {
		t.Errorf("the server's log has no gzipped import (%v)", err)
	}

	// Print the import's 20 new cards at once: eight to an A4 page, so three pages, and nothing else.
	run(t, ctx, chromedp.Click("#import-print"))
	waitJS(t, ctx, `document.querySelectorAll('#card-sheet .sheet-page').length === 3 &&
		[...document.querySelectorAll('#card-sheet img')].filter((i) => i.naturalWidth > 0).length === 20`, 60*time.Second)
	if got := eval[string](t, ctx, `document.querySelector('#cards-status').textContent`); !strings.Contains(got, "1–20 of 20") {
		t.Errorf("batch status %q", got)
	}
	if !eval[bool](t, ctx, `document.querySelector('#cards-next').disabled && document.querySelector('#cards-prev').disabled`) {
		t.Error("one batch of 20 offers another")
	}
	screenshot(t, ctx, "enroll-import-cards")
	var pdf []byte
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		r, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69}) // A4
		pdf = r.Data
		return err
	}))
	if pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1); len(pages) != 3 {
		t.Errorf("the printed cards take %d A4 pages, want 3 (8 + 8 + 4)", len(pages))
	}
	// In print, only the cards show, at a bank card's size, each group of eight ending its page.
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	run(t, ctx, media("print"))
	printed := eval[string](t, ctx, `(() => {
		const css = (sel) => getComputedStyle(document.querySelector(sel));
		const shown = [...document.querySelectorAll('#panel > *')].filter((e) => getComputedStyle(e).display !== 'none').map((e) => e.id || e.tagName);
		const img = document.querySelector('#card-sheet img').getBoundingClientRect();
		return [shown.join(','), css('#card-sheet .sheet-page').breakAfter, Math.round(img.width), Math.round(img.height), css('nav.tabs').display].join(' ');
	})()`)
	run(t, ctx, media(""))
	// 85.6 × 53.5 mm at CSS's 96 px to the inch.
	if printed != "card-sheet page 324 202 none" {
		t.Errorf("in print: %q; want only the card sheet shown, a page break after every eight, 324 × 202 px cards, no tabs", printed)
	}
	eval[bool](t, ctx, `(window.print = () => { window.__printedCards = true }, true)`)
	run(t, ctx, chromedp.Click("#cards-print"))
	waitJS(t, ctx, `window.__printedCards === true`, 5*time.Second)

	// Days later: the import is the newest in the list, and its cards can be taken up at the 17th.
	run(t, ctx, chromedp.Click("#cards-back"))
	waitJS(t, ctx, `document.querySelector('#imports tbody tr[data-import] button[data-action="print"]')?.textContent.includes('20')`, 15*time.Second)
	run(t, ctx, chromedp.Click(`#imports tbody tr[data-import] button[data-action="print"]`))
	waitJS(t, ctx, `document.querySelectorAll('#card-sheet img').length === 20`, 60*time.Second)
	run(t, ctx, chromedp.SetValue("#cards-from", "17"), chromedp.Click("#cards-go"))
	waitJS(t, ctx, `document.querySelectorAll('#card-sheet img').length === 4 &&
		document.querySelector('#cards-status').textContent.includes('17–20 of 20') && !document.querySelector('#cards-prev').disabled`, 30*time.Second)
}

// Many beneficiaries have no national ID or phone of their own: the form enrolls them without.
func TestEnroll_APersonWithNoPhoneOrNationalIDIsEnrolled(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 360, 740)
	uiLogin(t, ctx, "/enroll", workerEmail)
	run(t, ctx, chromedp.WaitVisible("#enroll-form"))
	values := map[string]string{"given_name": "Noor", "family_name": fmt.Sprintf("Saleh%d", next()), "date_of_birth": "03041979",
		"household_size": "2", "location": "Azraq", "pin": "1357"}
	for k, v := range values {
		run(t, ctx, chromedp.SendKeys("#f-"+k, v))
	}
	run(t, ctx, chromedp.Click("#enroll-submit"))
	waitJS(t, ctx, `document.querySelector('#enroll-msg.ok, #enroll-msg.error')`, 30*time.Second)
	if m := eval[string](t, ctx, `document.querySelector('#enroll-msg').className + ': ' + document.querySelector('#enroll-msg').textContent`); !strings.Contains(m, "ok") {
		t.Fatalf("enrolling without phone or national ID: %s", m)
	}
}

func TestEnroll_StopsAnImportOfTheWrongFile(t *testing.T) {
	needBrowser(t)
	base := int(next()) * 100_000
	rows := make([]string, 30_000)
	for i := range rows {
		rows[i] = fmt.Sprintf("Wrong,File%d,1975-02-03,WRONG%d,,1,Nowhere,1357", base+i, base+i)
	}
	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	uploadCSV(t, ctx, rows)
	run(t, ctx, chromedp.WaitVisible("#import-stop"), chromedp.Click("#import-stop"))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('#import-msg.error')?.textContent.includes('Stopped') && document.querySelector('#import-stop').hidden`, 60*time.Second)
	screenshot(t, ctx, "enroll-import-stopped")
	var ims struct {
		Imports []struct {
			ID, Status, Error string
			Total, Processed  int
		} `json:"imports"`
	}
	login(t, workerEmail).must(t, "GET", "/api/v1/beneficiaries/imports", nil, &ims)
	if im := ims.Imports[0]; im.Status != "failed" || !strings.Contains(im.Error, "Stopped") || im.Processed >= 30_000 {
		t.Fatalf("the stopped import: %+v; want it failed part-way", im)
	}
}

// uploadCSV writes rows under the import header to a file and imports it in /enroll's Import tab.
func uploadCSV(t *testing.T, ctx context.Context, rows []string) {
	t.Helper()
	body := "given_name,family_name,date_of_birth,national_id,phone,household_size,location,pin\n" + strings.Join(rows, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Click("#tab-import"), chromedp.WaitVisible("#csv-file"), chromedp.SetUploadFiles("#csv-file", []string{path}), chromedp.Click("#import-submit"))
}

// An aid worker sees why a shop refuses a card locked by wrong PINs, and corrects a person's
// record from their page: only what changed is sent, and the page shows what was stored.
func TestEnroll_AnAidWorkerSeesALockedCardAndCorrectsTheRecord(t *testing.T) {
	needBrowser(t)
	worker, shop := login(t, workerEmail), login(t, "vendor2@demo.aidledger.org")
	id, card, _ := newBeneficiary(t, worker, "2468")
	for range 5 {
		err := shop.do("POST", "/api/v1/cards/"+card+"/balance", map[string]string{"pin": "0000"}, nil, nil)
		if err == nil {
			t.Fatal("a wrong PIN was taken")
		}
	}
	ctx := browser(t, 360, 740)
	uiLogin(t, ctx, "/enroll", workerEmail)
	run(t, ctx, chromedp.Click("#tab-search"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", card+"\n"))
	waitJS(t, ctx, `document.querySelector('#results tbody [data-pin-locked]')`, 15*time.Second)
	run(t, ctx, chromedp.Click("#results tbody button"), chromedp.WaitVisible("#correct"))
	if !eval[bool](t, ctx, `!!document.querySelector('.kv [data-pin-locked]')`) {
		t.Error("the beneficiary's page does not say the PIN is locked")
	}

	run(t, ctx, chromedp.Click("#correct summary"), chromedp.WaitVisible("#c-family_name"))
	eval[string](t, ctx, `document.querySelector('#c-family_name').value = ''`)
	eval[string](t, ctx, `document.querySelector('#c-phone').value = ''`)
	run(t, ctx, chromedp.SendKeys("#c-family_name", "Corrected"), chromedp.Click("#correct-save"))
	waitJS(t, ctx, `document.querySelector('#detail-msg.ok')`, 15*time.Second)
	screenshot(t, ctx, "enroll-corrected")
	var b struct {
		FamilyName string `json:"family_name"`
		Phone      string `json:"phone"`
		NationalID string `json:"national_id"`
		Location   string `json:"location"`
	}
	worker.must(t, "GET", "/api/v1/beneficiaries/"+id, nil, &b)
	if b.FamilyName != "Corrected" || b.Phone != "" || b.NationalID == "" || b.Location != "Zaatari" {
		t.Errorf("stored %+v; want the family name corrected, the phone removed, the rest as enrolled", b)
	}
	if shown := eval[string](t, ctx, `document.querySelector('.kv').textContent`); !strings.Contains(shown, "Corrected") {
		t.Errorf("the page after saving shows %q", shown)
	}

	// Saving with nothing changed sends nothing.
	run(t, ctx, chromedp.Click("#correct summary"), chromedp.WaitVisible("#correct-save"), chromedp.Click("#correct-save"))
	waitJS(t, ctx, `document.querySelector('#correct-msg.warn')`, 5*time.Second)
}
