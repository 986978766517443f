package e2e

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// unitOf is one major unit in minor units (10^decimals).
func unitOf(p program) int64 {
	u := int64(1)
	for i := 0; i < p.Decimals; i++ {
		u *= 10
	}
	return u
}

// redeemAPI makes a confirmed sale through the API as vendor1 (with its own Idempotency-Key).
func redeemAPI(t *testing.T, card, pin string, p program, amount int64) (id string) {
	t.Helper()
	body := map[string]any{"card_number": card, "pin": pin, "program_id": p.ID, "amount": amount, "category": "food"}
	var r struct{ ID, Status string }
	vendor := login(t, vendorEmail)
	if err := vendor.do("POST", "/api/v1/redemptions", body, &r, map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-%d", next())}); err != nil {
		t.Fatalf("POST /api/v1/redemptions: %v", err)
	}
	for deadline := time.Now().Add(90 * time.Second); r.Status != "confirmed"; time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("redemption %s still %q", r.ID, r.Status)
		}
		vendor.must(t, "GET", "/api/v1/redemptions/"+r.ID, nil, &r)
	}
	return r.ID
}

// owedToVendor1 makes a sale of two units as vendor1 in a funded program, so that there is
// something to settle, and returns the program and vendor1's vendor id.
func owedToVendor1(t *testing.T) (program, string) {
	t.Helper()
	card, p := fundedCard(t, "4821")
	redeemAPI(t, card, "4821", p, 2*unitOf(p))
	var me struct {
		VendorID string `json:"vendor_id"`
	}
	login(t, vendorEmail).must(t, "GET", "/api/v1/me", nil, &me)
	return p, me.VendorID
}

// chooseSettlement picks the vendor and the program in the admin's settlement form.
// settlementFormFilled opens the admin's Settlements tab on a desktop-sized page and fills in a
// payout of one unit to vendor 1, who is owed two, under a new reference starting with prefix;
// the form is not sent.
func settlementFormFilled(t *testing.T, prefix string) (context.Context, program, string, string) {
	t.Helper()
	needBrowser(t)
	p, vendorID := owedToVendor1(t)
	ref := fmt.Sprintf("%s-%d", prefix, next())
	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/admin", adminEmail)
	run(t, ctx, chromedp.Click("#tab-settlements"), chromedp.WaitVisible("#settle-form"))
	chooseSettlement(t, ctx, vendorID, p.ID)
	run(t, ctx, chromedp.SendKeys("#settle-amount", "1"), chromedp.SendKeys("#settle-reference", ref))
	return ctx, p, vendorID, ref
}

func chooseSettlement(t *testing.T, ctx context.Context, vendorID, programID string) {
	t.Helper()
	choose(t, ctx, "#settle-vendor", vendorID)
	choose(t, ctx, "#settle-program", programID)
}

// confirm clicks OK in the app's confirmation <dialog>.
func confirm(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, chromedp.WaitVisible(`dialog[open] button[value="ok"]`), chromedp.Click(`dialog[open] button[value="ok"]`))
	waitJS(t, ctx, `!document.querySelector('dialog[open]')`, 10*time.Second)
}

func TestAdmin_ProgramFundingVendorUserSettlementReconciliation(t *testing.T) {
	needBrowser(t)
	p, vendorID := owedToVendor1(t) // arranged first: it needs the chain

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/admin", adminEmail)
	run(t, ctx, chromedp.WaitVisible("#program-form"))
	waitJS(t, ctx, `document.querySelector('section[data-program] .stat[data-key="funded"]')`, 30*time.Second)

	// Create a program, then fund it: the funded total updates and the tx hash is shown.
	n := next()
	name := fmt.Sprintf("E2E kits %d", n)
	run(t, ctx, chromedp.SendKeys("#program-name", name), chromedp.SendKeys("#program-currency", "usd"),
		chromedp.Click(`#program-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#program-form .msg.ok')`, 60*time.Second)
	find := fmt.Sprintf(`[...document.querySelectorAll('section[data-program]')].find((s) => s.querySelector('h2').textContent.startsWith(%q))`, name)
	waitJS(t, ctx, find, 30*time.Second)
	pid := eval[string](t, ctx, find+`.dataset.program`)
	sec := fmt.Sprintf(`section[data-program=%q]`, pid)
	run(t, ctx, chromedp.SendKeys(sec+" .fund-amount", "1250.50"), chromedp.SendKeys(sec+" .fund-donor", "E2E donor"),
		chromedp.Click(sec+` form button[type="submit"]`))
	// A funding is public on chain at once: the admin first reads the amount as it will be
	// recorded, for which program and donor, and backing out records nothing.
	ask := confirmText(t, ctx)
	for _, s := range []string{"$1,250.50", name, "E2E donor"} {
		if !strings.Contains(ask, s) {
			t.Errorf("the funding's confirmation %q does not say %q", ask, s)
		}
	}
	screenshot(t, ctx, "admin-funding-confirm")
	run(t, ctx, chromedp.Click(`dialog[open] button[value="cancel"]`))
	waitJS(t, ctx, `!document.querySelector('dialog[open]')`, 10*time.Second)
	var fundings struct{ Fundings []struct{ ID string } }
	login(t, adminEmail).must(t, "GET", "/api/v1/programs/"+pid+"/fundings", nil, &fundings)
	if len(fundings.Fundings) != 0 || eval[bool](t, ctx, `!!document.querySelector('`+sec+` form .msg.ok')`) {
		t.Fatalf("a funding backed out of was recorded: %+v", fundings.Fundings)
	}
	run(t, ctx, chromedp.Click(sec+` form button[type="submit"]`))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('`+sec+` form .msg.ok code.tx')?.textContent.startsWith('0x')`, 60*time.Second)
	waitJS(t, ctx, `document.querySelector('`+sec+` .stat[data-key="funded"]').dataset.minor === '125050'`, 60*time.Second)
	if txt := eval[string](t, ctx, `document.querySelector('`+sec+` .stat[data-key="funded"] .v').textContent`); !strings.Contains(txt, "1,250.50") {
		t.Fatalf("funded shown as %q", txt)
	}
	eval[bool](t, ctx, `(document.querySelector('`+sec+`').scrollIntoView(), true)`)
	if over := eval[[]string](t, ctx, overflowing(".stat")); len(over) > 0 {
		t.Errorf("figures wider than their boxes: %q", over)
	}
	screenshot(t, ctx, "admin-programs")

	// Correct a typo in its name: the section shows the new one.
	run(t, ctx, chromedp.Click(sec+" .program-rename"))
	fillDialog(t, ctx, "program-rename-name", name+" (winter)")
	waitJS(t, ctx, fmt.Sprintf(`!document.querySelector('dialog[open]') && document.querySelector('%s h2')?.textContent.startsWith(%q)`, sec, name+" (winter)"), 30*time.Second)

	// Approve a vendor (on chain).
	vname := fmt.Sprintf("E2E Grocer %d", n)
	run(t, ctx, chromedp.Click("#tab-vendors"), chromedp.WaitVisible("#vendor-form"), chromedp.SendKeys("#vendor-name", vname),
		chromedp.SendKeys("#vendor-location", "Azraq"))
	eval[bool](t, ctx, `(document.querySelector('#vendor-categories option[value="food"]').selected = true, true)`)
	run(t, ctx, chromedp.Click(`#vendor-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#vendor-form .msg.ok')`, 60*time.Second)
	waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#panel tbody td')].some((td) => td.textContent === %q)`, vname), 30*time.Second)
	screenshot(t, ctx, "admin-vendors")

	// Correct its record: a new name and one more category.
	vrow := fmt.Sprintf(`[...document.querySelectorAll('#panel tbody tr')].find((tr) => tr.firstChild.textContent === %q)`, vname)
	eval[bool](t, ctx, `(`+vrow+`.querySelector('.vendor-edit').click(), true)`)
	run(t, ctx, chromedp.WaitVisible(`dialog[open] #vendor-edit-name`))
	eval[bool](t, ctx, `(document.querySelector('#vendor-edit-categories option[value="hygiene"]').selected = true, true)`)
	fillDialog(t, ctx, "vendor-edit-name", vname+" Market")
	waitJS(t, ctx, fmt.Sprintf(`!document.querySelector('dialog[open]') && [...document.querySelectorAll('#panel tbody td')].some((td) => td.textContent === %q)`, vname+" Market"), 30*time.Second)
	var vendors struct {
		Vendors []struct {
			Name       string   `json:"name"`
			Categories []string `json:"categories"`
		} `json:"vendors"`
	}
	login(t, adminEmail).must(t, "GET", "/api/v1/vendors?limit=500", nil, &vendors)
	corrected := false
	for _, v := range vendors.Vendors {
		corrected = corrected || (v.Name == vname+" Market" && strings.Join(v.Categories, ",") == "food,hygiene")
	}
	if !corrected {
		t.Fatalf("the corrected vendor is not in the list: %+v", vendors.Vendors)
	}

	// Create a donor user.
	email := fmt.Sprintf("e2e-donor-%d@example.org", n)
	run(t, ctx, chromedp.Click("#tab-users"), chromedp.WaitVisible("#user-form"), chromedp.SendKeys("#user-email", email),
		chromedp.SendKeys("#user-password", "e2e-password-123"))
	// No role is given by default: a form sent without one asks for it and creates nobody.
	if role := eval[string](t, ctx, `document.querySelector('#user-role').value`); role != "" {
		t.Fatalf("the role starts as %q; want none chosen", role)
	}
	run(t, ctx, chromedp.Click(`#user-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#user-role-err')?.textContent !== ''`, 10*time.Second)
	if eval[bool](t, ctx, `!!document.querySelector('#user-form .msg.ok')`) {
		t.Fatal("a user was created without a role chosen")
	}
	choose(t, ctx, "#user-role", "donor")
	run(t, ctx, chromedp.Click(`#user-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#user-form .msg.ok')`, 30*time.Second)
	waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#panel tbody td')].some((td) => td.textContent === %q)`, email), 30*time.Second)
	screenshot(t, ctx, "admin-users")
	if err := (&client{}).do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "e2e-password-123"}, nil, nil); err != nil {
		t.Fatalf("the new user cannot log in: %v", err)
	}

	// Settle one unit of vendor1's unsettled amount in the program of the sale above.
	run(t, ctx, chromedp.Click("#tab-settlements"), chromedp.WaitVisible("#settle-form"))
	choose(t, ctx, "#settle-vendor", vendorID)
	row := fmt.Sprintf(`#statement tr[data-program=%q] .unsettled`, p.ID)
	waitJS(t, ctx, `Number(document.querySelector('`+row+`')?.dataset.minor) >= `+fmt.Sprint(unitOf(p)), 30*time.Second)
	before := eval[string](t, ctx, `document.querySelector('`+row+`').dataset.minor`)
	choose(t, ctx, "#settle-program", p.ID)
	run(t, ctx, chromedp.SendKeys("#settle-amount", "1"), chromedp.SendKeys("#settle-reference", fmt.Sprintf("E2E-PAY-%d", n)),
		chromedp.Click(`#settle-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#settle-form .msg.ok code.tx')?.textContent.startsWith('0x')`, 60*time.Second)
	var st struct {
		Programs []struct {
			ProgramID string `json:"program_id"`
			Unsettled int64  `json:"unsettled"`
		} `json:"programs"`
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		login(t, adminEmail).must(t, "GET", "/api/v1/vendors/"+vendorID+"/statement", nil, &st)
		ok := false
		for _, x := range st.Programs {
			ok = ok || (x.ProgramID == p.ID && fmt.Sprint(x.Unsettled+unitOf(p)) == before)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unsettled did not drop by one unit from %s: %+v", before, st.Programs)
		}
		time.Sleep(time.Second)
	}
	eval[bool](t, ctx, `(() => { const s = document.querySelector('#settle-vendor'); s.dispatchEvent(new Event('change')); return true })()`)
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#statement td')?.closest('table') && [...document.querySelectorAll('#statement td')].some((td) => td.textContent === 'E2E-PAY-%d')`, n), 30*time.Second)
	screenshot(t, ctx, "admin-settlements")

	run(t, ctx, chromedp.Click("#tab-reconciliation"))
	waitJS(t, ctx, `document.querySelector('#recon-result')`, 60*time.Second)
	if ok := eval[string](t, ctx, `document.querySelector('#recon-result').dataset.ok`); ok != "true" {
		t.Errorf("reconciliation reports a mismatch: %s", eval[string](t, ctx, `document.querySelector('#reconciliation').innerText`))
	}
	// Settlements (this test's and the demo's) are on chain as recorded: as many on each side.
	if got := eval[string](t, ctx, `document.querySelector('#recon-settlements').textContent`); !regexp.MustCompile(`^([1-9][0-9]*) / ([1-9][0-9]*)$`).MatchString(got) ||
		strings.Split(got, " / ")[0] != strings.Split(got, " / ")[1] {
		t.Errorf("settlements in the reconciliation: %q; want as many confirmed as on chain", got)
	}
	screenshot(t, ctx, "admin-reconciliation")
}

// findBeneficiary searches /enroll for a card number until its one holder is listed.
func findBeneficiary(t *testing.T, ctx context.Context, card string) {
	t.Helper()
	run(t, ctx, chromedp.Click("#tab-search"), chromedp.WaitVisible("#q"), chromedp.SendKeys("#q", card+"\n"))
	waitJS(t, ctx, `document.querySelectorAll('#results tbody tr').length === 1`, 30*time.Second)
}

func TestEnroll_BeneficiaryPage_BalanceSuspendReinstateResetPINErase(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "1357")
	redeemAPI(t, card, "1357", p, 2*unitOf(p)) // at vendor1, Abu Ali Grocery
	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", workerEmail)
	findBeneficiary(t, ctx, card)
	run(t, ctx, chromedp.Click("#results tbody button"), chromedp.WaitVisible("#suspend"))
	cell := fmt.Sprintf(`#balances tr[data-program=%q] .available`, p.ID)
	waitJS(t, ctx, `document.querySelector('`+cell+`')?.dataset.minor === '`+fmt.Sprint(48*unitOf(p))+`'`, 15*time.Second)
	if txt := eval[string](t, ctx, `document.querySelector('`+cell+`').textContent`); !strings.Contains(txt, "48") {
		t.Fatalf("balance shown as %q", txt)
	}
	// The purchase is listed with its shop, the balance left after it and its transaction.
	waitJS(t, ctx, `document.querySelectorAll('#purchases tr[data-status="confirmed"]').length === 1`, 15*time.Second)
	if row := eval[string](t, ctx, `document.querySelector('#purchases tr[data-status="confirmed"]').textContent`); !strings.Contains(row, "Abu Ali Grocery") ||
		!strings.Contains(row, "48") || !strings.Contains(row, "0x") {
		t.Fatalf("purchase row %q: want the shop, the balance left (48) and the transaction", row)
	}
	if eval[bool](t, ctx, `!document.querySelector('#purchases-more').hidden`) {
		t.Error("'show older purchases' offered with one purchase")
	}
	if eval[bool](t, ctx, `!!document.querySelector('#purchases button.refund')`) {
		t.Error("an aid worker is offered a refund; only admins may give a sale back")
	}
	screenshot(t, ctx, "enroll-beneficiary-funded")

	run(t, ctx, chromedp.Click("#suspend"))
	confirm(t, ctx)
	run(t, ctx, chromedp.WaitVisible("#reinstate"))
	waitJS(t, ctx, `document.querySelector('.kv .badge.suspended') && document.querySelector('#detail-msg.ok')`, 15*time.Second)
	run(t, ctx, chromedp.Click("#reinstate"), chromedp.WaitVisible("#suspend"))
	waitJS(t, ctx, `document.querySelector('.kv .badge.active')`, 15*time.Second)

	// A PIN that is not one is said at its field, before any confirmation is asked.
	for _, bad := range []string{"", "12", "12ab"} {
		eval[bool](t, ctx, `(document.querySelector('#new-pin').value = '', true)`)
		if bad != "" {
			run(t, ctx, chromedp.SendKeys("#new-pin", bad))
		}
		run(t, ctx, chromedp.Click("#reset-pin"))
		waitJS(t, ctx, `document.querySelector('#new-pin-err').textContent !== '' && document.querySelector('#new-pin').getAttribute('aria-invalid') === 'true'`, 10*time.Second)
		if eval[bool](t, ctx, `!!document.querySelector('dialog[open]') || !!document.querySelector('#detail-msg.error')`) {
			t.Fatalf("the PIN %q: a confirmation was asked, or the error went to the top of the page", bad)
		}
	}
	eval[bool](t, ctx, `(document.querySelector('#new-pin').value = '', true)`)
	run(t, ctx, chromedp.SendKeys("#new-pin", "9753"), chromedp.Click("#reset-pin"))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('#detail-msg.ok') && document.querySelector('#suspend')`, 30*time.Second)
	vendor := login(t, vendorEmail)
	deadline := time.Now().Add(60 * time.Second)
	for balance(t, vendor, card, "9753", p.ID) <= 0 {
		if time.Now().After(deadline) {
			t.Fatal("the new PIN does not open the card")
		}
		time.Sleep(time.Second)
	}

	// The card is lost: a new number, and the old one is refused at the shop at once.
	run(t, ctx, chromedp.Click("#replace-card"))
	confirm(t, ctx)
	// The new page's record, not the moment between the old page cleared and the new one drawn
	// (no card number at all then).
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#detail-msg.ok') && document.querySelector('.cardno') && document.querySelector('.cardno').textContent.replaceAll('-', '') !== %q`, strings.ReplaceAll(card, "-", "")), 30*time.Second)
	lost := card
	card = eval[string](t, ctx, `document.querySelector('.cardno').textContent`)
	requireStatus(t, vendor.do("GET", "/api/v1/cards/"+lost, nil, nil, nil), 410, "the lost card at a shop")
	if got := balance(t, vendor, card, "9753", p.ID); got <= 0 {
		t.Fatalf("the new card's balance: %d", got)
	}

	run(t, ctx, chromedp.Click("#erase"))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('#detail-msg.ok') && document.querySelector('#erase')`, 30*time.Second)
	// The record's history says who did each of it, also after the erasure.
	for _, action := range []string{"beneficiary.erase", "beneficiary.card_replace", "beneficiary.pin_reset", "beneficiary.reinstate", "beneficiary.suspend", "beneficiary.view", "beneficiary.search"} {
		waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#history tr[data-action=%q]')].some((tr) => tr.textContent.includes(%q))`, action, workerEmail), 15*time.Second)
	}
	screenshot(t, ctx, "enroll-erased")
	var b struct {
		Erased    bool   `json:"erased"`
		GivenName string `json:"given_name"`
	}
	var list struct {
		Beneficiaries []struct{ ID string } `json:"beneficiaries"`
	}
	worker := login(t, workerEmail)
	worker.must(t, "GET", "/api/v1/beneficiaries?q="+card, nil, &list)
	if len(list.Beneficiaries) != 1 {
		t.Fatalf("search by card finds %d beneficiaries after erasure", len(list.Beneficiaries))
	}
	worker.must(t, "GET", "/api/v1/beneficiaries/"+list.Beneficiaries[0].ID, nil, &b)
	if !b.Erased || b.GivenName != "" {
		t.Fatalf("after erasure: erased=%v given_name=%q", b.Erased, b.GivenName)
	}
}

func TestVendor_TodaysSalesAndStatement(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "4821")
	redeemAPI(t, card, "4821", p, unitOf(p))
	refundSomething(t, card, "4821", p)
	ctx := browser(t, 360, 740)
	uiLogin(t, ctx, "/vendor", vendorEmail)
	run(t, ctx, chromedp.Click("#today"), chromedp.WaitVisible("#sales-count"))
	waitJS(t, ctx, `document.querySelectorAll('#sales tbody tr').length > 0`, 15*time.Second)
	stat := fmt.Sprintf(`#sales .stat[data-program=%q] .v`, p.ID)
	waitJS(t, ctx, `document.querySelector('`+stat+`')`, 15*time.Second)
	if txt := eval[string](t, ctx, `document.querySelector('`+stat+`').textContent`); !strings.ContainsAny(txt, ".,") || !strings.ContainsAny(txt, "$JOD") {
		t.Fatalf("today's total for %s shown as %q (want a money amount)", p.Currency, txt)
	}
	screenshot(t, ctx, "vendor-today")
	run(t, ctx, chromedp.Click("#back"), chromedp.WaitVisible("#statement"), chromedp.Click("#statement"))
	waitJS(t, ctx, fmt.Sprintf(`document.querySelector('#statement-box section[data-program=%q] .stat[data-key="redeemed"] .v')?.textContent.match(/[0-9]/)`, p.ID), 15*time.Second)
	screenshot(t, ctx, "vendor-statement")
	// Read top to bottom, the figures add up (the first less the middle ones is the last), with a
	// refund among the sales: a "given back" figure listed beside a redeemed total that is already
	// net of it did not.
	sums := eval[[]int64](t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#statement-box section[data-program=%q] .stat .v')].map((v) => Number(v.dataset.minor))`, p.ID))
	label := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('#statement-box section[data-program=%q] .stat[data-key="redeemed"] .muted').textContent`, p.ID))
	if len(sums) < 3 || sums[0]-sum(sums[1:len(sums)-1]) != sums[len(sums)-1] || !strings.Contains(label, "given back") {
		t.Errorf("statement figures %v under %q: want them to add up, and the first to say what was given back", sums, label)
	}
	// The CSV statement the button downloads.
	var me struct {
		VendorID string `json:"vendor_id"`
	}
	vendor := login(t, vendorEmail)
	vendor.must(t, "GET", "/api/v1/me", nil, &me)
	req, _ := http.NewRequest("GET", srv.base+"/api/v1/vendors/"+me.VendorID+"/statement?format=csv", nil)
	req.Header.Set("Authorization", "Bearer "+vendor.token)
	res, err := httpClient.Do(req)
	if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("statement CSV: %v %v", err, res)
	}
	res.Body.Close()
}

func TestTransparency_ChartsSortableTablesAndCSV(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 1280, 800)
	run(t, ctx, chromedp.Navigate(srv.base+"/transparency"), chromedp.WaitVisible("#verify"))
	// Charts: every report with rows has a Chart.js canvas that has been drawn.
	waitJS(t, ctx, `window.Chart && document.querySelectorAll('.chart-box canvas').length > 0 &&
		[...document.querySelectorAll('.chart-box canvas')].every((c) => window.Chart.getChart(c) && c.width > 0)`, 30*time.Second)
	// Sorting the vendor table by amount, both ways.
	amounts := `[...document.querySelectorAll('#report-vendor tbody tr')].map((tr) => tr.children[1].textContent)`
	waitJS(t, ctx, amounts+`.length > 1`, 10*time.Second)
	col := `#report-vendor thead th:nth-child(2) button`
	run(t, ctx, chromedp.Click(col))
	waitJS(t, ctx, `document.querySelector('#report-vendor thead th:nth-child(2)').getAttribute('aria-sort') === 'ascending'`, 10*time.Second)
	asc := eval[[]string](t, ctx, amounts)
	run(t, ctx, chromedp.Click(col))
	waitJS(t, ctx, `document.querySelector('#report-vendor thead th:nth-child(2)').getAttribute('aria-sort') === 'descending'`, 10*time.Second)
	desc := eval[[]string](t, ctx, amounts)
	if len(asc) != len(desc) || asc[0] != desc[len(desc)-1] {
		t.Fatalf("sorting: ascending %v, descending %v", asc, desc)
	}
	// The CSV links work without a login.
	links := eval[[]string](t, ctx, `[...document.querySelectorAll('a[download][href*="format=csv"]')].map((a) => a.href)`)
	if len(links) < 4 {
		t.Fatalf("CSV links: %v", links)
	}
	for _, l := range links {
		res, err := httpClient.Get(l)
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET %s: %v %v", l, err, res)
		}
		res.Body.Close()
	}
	eval[bool](t, ctx, `(document.querySelector('#report-day').scrollIntoView(), true)`)
	screenshot(t, ctx, "transparency-charts")
}

// An admin on a bad link settles a vendor; the server pays on chain but the answer never
// arrives, so the admin submits the same form again. The settlement must be paid once.
func TestAdmin_ASettlementWhoseAnswerIsLostIsPaidOnce(t *testing.T) {
	ctx, _, vendorID, ref := settlementFormFilled(t, "E2E-LOST")

	dropped := dropFirstAnswer(t, ctx, "*/api/v1/settlements")
	run(t, ctx, chromedp.Click(`#settle-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#settle-form .msg.error')`, 60*time.Second)
	if !dropped.Load() {
		t.Fatal("the settlement's answer was not intercepted")
	}
	run(t, ctx, chromedp.Click(`#settle-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#settle-form .msg.ok code.tx')?.textContent.startsWith('0x')`, 60*time.Second)

	var st struct {
		Settlements []struct {
			Reference string `json:"reference"`
			Amount    int64  `json:"amount"`
		} `json:"settlements"`
	}
	login(t, adminEmail).must(t, "GET", "/api/v1/vendors/"+vendorID+"/statement", nil, &st)
	n := 0
	for _, s := range st.Settlements {
		if s.Reference == ref {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d settlements with reference %s after one lost answer and a second submit; want 1", n, ref)
	}
}

// refundSomething sells two units on card at vendor1 and gives one back, both confirmed.
func refundSomething(t *testing.T, card, pin string, p program) {
	t.Helper()
	vendor := login(t, vendorEmail)
	id := redeemAPI(t, card, pin, p, 2*unitOf(p))
	var f struct{ ID, Status string }
	err := vendor.do("POST", "/api/v1/redemptions/"+id+"/refunds", map[string]any{"amount": unitOf(p), "note": "goods returned"}, &f,
		map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-%d", next())})
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(90 * time.Second); f.Status != "confirmed"; time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			t.Fatalf("refund %s still %q", f.ID, f.Status)
		}
		var list struct{ Refunds []struct{ ID, Status string } }
		vendor.must(t, "GET", "/api/v1/redemptions/"+id+"/refunds", nil, &list)
		for _, x := range list.Refunds {
			if x.ID == f.ID {
				f.Status = x.Status
			}
		}
	}
}

func sum(xs []int64) (n int64) {
	for _, x := range xs {
		n += x
	}
	return n
}
