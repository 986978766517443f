package e2e

import (
	"context"
	"fmt"
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
	p := activeProgram(t, admin)

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	// One person at the camp, one unit each: the confirmation says the total.
	allocateInUI(t, ctx, p, "#alloc-location", camp, "1 of 1", "the active beneficiaries in "+camp+" (1)", "That is "+moneyText(p, 1)+" in all")
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
	p := activeProgram(t, admin)
	var rows []string
	for range 3 {
		m := next()
		rows = append(rows, fmt.Sprintf("New,Arrival%d,1991-06-07,NEW%d,,2,Irbid,2468", m, m))
	}

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	uploadCSV(t, ctx, rows)
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

	allocateInUI(t, ctx, p, "#alloc-import", ims.Imports[0].ID, "3 of 3", "the active people enrolled by the import of", "(at most 3)")
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

// activeProgram is one of the demo's active programs.
func activeProgram(t *testing.T, admin *client) program {
	t.Helper()
	var ps struct{ Programs []program }
	admin.must(t, "GET", "/api/v1/programs", nil, &ps)
	for _, x := range ps.Programs {
		if x.Status == "active" {
			return x
		}
	}
	t.Fatal("the demo has no active program")
	return program{}
}

// allocateInUI allocates the cycle the form offers, of one unit per household of p in /enroll's
// Allocate tab, to those that the select narrowing picks with value, checks that the
// confirmation says the program, the cycle, the amount and asks (who, how much in all), and
// waits until the message counts want ("3 of 3").
func allocateInUI(t *testing.T, ctx context.Context, p program, narrowing, value, want string, asks ...string) {
	t.Helper()
	run(t, ctx, chromedp.Click("#tab-allocate"), chromedp.WaitVisible(narrowing))
	waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('%s option')].some((o) => o.value === %q)`, narrowing, value), 30*time.Second)
	choose(t, ctx, "#alloc-program", p.ID)
	choose(t, ctx, narrowing, value)
	// The form offers the cycle after the program's last, and says the last: typing a cycle the
	// server refuses as stale is no longer the first thing a worker does.
	last := lastCycle(t, login(t, workerEmail), p.ID)
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#alloc-cycle').dataset.program === %q`, p.ID), 15*time.Second)
	if got := eval[string](t, ctx, `document.querySelector('#alloc-cycle').value`); got != fmt.Sprint(last+1) {
		t.Fatalf("the cycle offered: %q; want %d, after the last one, %d", got, last+1, last)
	}
	if hint := eval[string](t, ctx, `document.querySelector('#alloc-cycle-hint').textContent`); last > 0 && !strings.Contains(hint, grouped(last)) {
		t.Errorf("the cycle's hint %q does not say the last cycle, %d", hint, last)
	}
	run(t, ctx, chromedp.SendKeys("#alloc-hh", "1"), chromedp.Click(`#panel form button[type="submit"]`))
	ask := confirmText(t, ctx)
	for _, s := range append([]string{"cycle " + grouped(last+1) + " of " + p.Name, moneyText(p, 1) + " per household"}, asks...) {
		if !strings.Contains(ask, s) {
			t.Errorf("the confirmation %q does not say %q", ask, s)
		}
	}
	screenshot(t, ctx, "enroll-allocate-confirm")
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('#alloc-msg.ok')`, 90*time.Second)
	if txt := eval[string](t, ctx, `document.querySelector('#alloc-msg').textContent`); !strings.Contains(txt, want) {
		t.Fatalf("allocation said %q; want %s", txt, want)
	}
}
