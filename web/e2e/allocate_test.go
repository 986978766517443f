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

func TestEnroll_AllocatesACycleToOneLocation(t *testing.T) {
	needBrowser(t)
	admin, worker, vendor := login(t, adminEmail), login(t, workerEmail), login(t, vendorEmail)
	n := next()
	camp := fmt.Sprintf("E2E camp %d", n)
	id, card, _ := newBeneficiary(t, worker, "2468")
	worker.must(t, "PATCH", "/api/v1/beneficiaries/"+id, map[string]string{"location": camp}, nil)
	_, elsewhere, _ := newBeneficiary(t, worker, "2468")
	var ps struct{ Programs []program }
	admin.must(t, "GET", "/api/v1/programs", nil, &ps)
	var p program
	for _, x := range ps.Programs {
		if x.Status == "active" {
			p = x
			break
		}
	}
	if p.ID == "" {
		t.Fatal("the demo has no active program")
	}

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	run(t, ctx, chromedp.Click("#tab-allocate"), chromedp.WaitVisible("#alloc-location"))
	waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#alloc-location option')].some((o) => o.value === %q)`, camp), 30*time.Second)
	choose(t, ctx, "#alloc-program", p.ID)
	choose(t, ctx, "#alloc-location", camp)
	eval[bool](t, ctx, `(document.querySelector('#alloc-cycle').value = '', true)`)
	run(t, ctx, chromedp.SendKeys("#alloc-cycle", fmt.Sprint(next()%100000)), chromedp.SendKeys("#alloc-hh", "1"),
		chromedp.Click(`#panel form button[type="submit"]`))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('#alloc-msg.ok')`, 90*time.Second)
	if txt := eval[string](t, ctx, `document.querySelector('#alloc-msg').textContent`); !strings.Contains(txt, "1 of 1") {
		t.Fatalf("allocation said %q; want one beneficiary", txt)
	}
	screenshot(t, ctx, "enroll-allocate-location")

	unit := unitOf(p)
	deadline := time.Now().Add(60 * time.Second)
	for balance(t, vendor, card, "2468", p.ID) < unit {
		if time.Now().After(deadline) {
			t.Fatal("the beneficiary at the location never got the cycle")
		}
		time.Sleep(time.Second)
	}
	if b := balance(t, vendor, elsewhere, "2468", p.ID); b != 0 {
		t.Fatalf("a beneficiary elsewhere got %d", b)
	}
}

func TestEnroll_AllocatesACycleToThePeopleOfOneImport(t *testing.T) {
	needBrowser(t)
	admin, worker, vendor := login(t, adminEmail), login(t, workerEmail), login(t, vendorEmail)
	_, elsewhere, _ := newBeneficiary(t, worker, "2468")
	var ps struct{ Programs []program }
	admin.must(t, "GET", "/api/v1/programs", nil, &ps)
	var p program
	for _, x := range ps.Programs {
		if x.Status == "active" {
			p = x
			break
		}
	}
	var csv strings.Builder
	csv.WriteString("given_name,family_name,date_of_birth,national_id,phone,household_size,location,pin\n")
	for range 3 {
		m := next()
		fmt.Fprintf(&csv, "New,Arrival%d,1991-06-07,NEW%d,,2,Irbid,2468\n", m, m)
	}
	path := filepath.Join(t.TempDir(), "newcomers.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	run(t, ctx, chromedp.Click("#tab-import"), chromedp.WaitVisible("#csv-file"), chromedp.SetUploadFiles("#csv-file", []string{path}), chromedp.Click("#import-submit"))
	waitJS(t, ctx, `document.querySelector('#import-msg.ok')`, 60*time.Second)
	var ims struct {
		Imports []struct{ ID string } `json:"imports"`
	}
	worker.must(t, "GET", "/api/v1/beneficiaries/imports", nil, &ims)
	var cards struct {
		Cards []struct {
			CardNumber string `json:"card_number"`
		} `json:"cards"`
	}
	worker.must(t, "GET", "/api/v1/beneficiaries/imports/"+ims.Imports[0].ID+"/cards", nil, &cards)
	if len(cards.Cards) != 3 {
		t.Fatalf("the newest import has %d cards, want 3", len(cards.Cards))
	}

	run(t, ctx, chromedp.Click("#tab-allocate"), chromedp.WaitVisible("#alloc-import"))
	waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#alloc-import option')].some((o) => o.value === %q)`, ims.Imports[0].ID), 30*time.Second)
	choose(t, ctx, "#alloc-program", p.ID)
	choose(t, ctx, "#alloc-import", ims.Imports[0].ID)
	eval[bool](t, ctx, `(document.querySelector('#alloc-cycle').value = '', true)`)
	run(t, ctx, chromedp.SendKeys("#alloc-cycle", fmt.Sprint(next()%100000)), chromedp.SendKeys("#alloc-hh", "1"),
		chromedp.Click(`#panel form button[type="submit"]`))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('#alloc-msg.ok')`, 90*time.Second)
	if txt := eval[string](t, ctx, `document.querySelector('#alloc-msg').textContent`); !strings.Contains(txt, "3 of 3") {
		t.Fatalf("allocation said %q; want the import's three", txt)
	}
	screenshot(t, ctx, "enroll-allocate-import")
	unit := unitOf(p)
	for _, c := range cards.Cards {
		deadline := time.Now().Add(60 * time.Second)
		for balance(t, vendor, c.CardNumber, "2468", p.ID) < unit {
			if time.Now().After(deadline) {
				t.Fatalf("%s, of the import, never got the cycle", c.CardNumber)
			}
			time.Sleep(time.Second)
		}
	}
	if b := balance(t, vendor, elsewhere, "2468", p.ID); b != 0 {
		t.Fatalf("a beneficiary of no import got %d", b)
	}
}
