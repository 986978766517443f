package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// refundText is the amount typed into the refund dialog for four tenths of a unit, and that
// amount in minor units; a currency without decimals refunds the whole unit.
func refundText(p program) (string, int64) {
	unit := int64(1)
	for i := 0; i < p.Decimals; i++ {
		unit *= 10
	}
	if p.Decimals == 0 {
		return "1", unit
	}
	return "0.4", unit * 4 / 10
}

// soldOnThePhone sells one unit from a new card (PIN 4821) in the vendor app on a phone-sized
// page, which then shows the receipt.
func soldOnThePhone(t *testing.T) (context.Context, *client, string, program) {
	t.Helper()
	needBrowser(t)
	card, p := fundedCard(t, "4821")
	vendor := login(t, vendorEmail)
	ctx := browser(t, 360, 740)
	saleUpTo(t, ctx, card, "4821", p)
	run(t, ctx, chromedp.Click("#confirm"), chromedp.WaitVisible("#receipt"), chromedp.WaitVisible("#receipt-refund"))
	return ctx, vendor, card, p
}

// The shop typed the wrong amount: from the receipt it gives part of the sale back, and the card
// has it again, once, even when the first answer to the refund is lost on the way.
func TestVendor_RefundsPartOfASaleFromTheReceiptOnceEvenWhenTheAnswerIsLost(t *testing.T) {
	ctx, vendor, card, p := soldOnThePhone(t)
	afterSale := balance(t, vendor, card, "4821", p.ID)
	typed, minor := refundText(p)

	dropped := dropFirstAnswer(t, ctx, "*/refunds")
	run(t, ctx, chromedp.Click("#receipt-refund"), chromedp.WaitVisible("#refund-amount"),
		chromedp.SetValue("#refund-amount", typed), chromedp.SendKeys("#refund-note", "typed the wrong amount"))
	screenshot(t, ctx, "vendor-refund")
	run(t, ctx, chromedp.Click("dialog button[type=submit]"))
	waitJS(t, ctx, `document.querySelector('#refund-amount')?.readOnly === true && !!document.querySelector('dialog .msg.error')`, 30*time.Second)
	if !dropped.Load() {
		t.Fatal("the first refund's answer was not intercepted")
	}
	// The server gave it back already; the retry re-sends the same key and gets that refund.
	run(t, ctx, chromedp.Click("dialog button[type=submit]"))
	waitJS(t, ctx, `!document.querySelector('dialog') && !!document.querySelector('#receipt .refunded')`, 30*time.Second)
	screenshot(t, ctx, "vendor-refunded")
	if got := balance(t, vendor, card, "4821", p.ID); got-afterSale != minor {
		t.Fatalf("balance went from %d to %d after the refund: %d given back, want exactly %d once", afterSale, got, got-afterSale, minor)
	}
}

// Today's sales lists each sale with what was given back of it, and a refund button while any
// of it is left.
func TestVendor_TodaysSalesGiveASaleBackWhole(t *testing.T) {
	ctx, vendor, card, p := soldOnThePhone(t)
	var newest struct {
		Redemptions []struct {
			ID     string `json:"id"`
			Amount int64  `json:"amount"`
		} `json:"redemptions"`
	}
	vendor.must(t, "GET", "/api/v1/redemptions?page=1&page_size=1", nil, &newest)
	if len(newest.Redemptions) != 1 {
		t.Fatal("the vendor has no redemption")
	}
	sale := newest.Redemptions[0]
	afterSale := balance(t, vendor, card, "4821", p.ID)
	row := `#sales tr[data-redemption="` + sale.ID + `"]`
	run(t, ctx, chromedp.Click("#receipt-home"), chromedp.WaitVisible("#today"), chromedp.Click("#today"),
		chromedp.WaitVisible(row+" button.refund"), chromedp.Click(row+" button.refund"), chromedp.WaitVisible("#refund-amount"))
	// The whole sale is offered; it all goes back.
	run(t, ctx, chromedp.Click("dialog button[type=submit]"))
	waitJS(t, ctx, `!document.querySelector('dialog') && !!document.querySelector('`+row+` .refunded') && !document.querySelector('`+row+` button.refund')`, 30*time.Second)
	screenshot(t, ctx, "vendor-sales-refunded")
	if got := balance(t, vendor, card, "4821", p.ID); got-afterSale != sale.Amount {
		t.Fatalf("balance went from %d to %d, want the whole sale of %d back", afterSale, got, sale.Amount)
	}
}

// At the help desk: a shop charged a card twice for one basket. An admin finds the beneficiary,
// gives the second sale back from its purchases, and the balance shows it.
func TestEnroll_AnAdminGivesASaleBackFromTheBeneficiarysPurchases(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "1357")
	redeemAPI(t, card, "1357", p, 2*unitOf(p))
	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/enroll", adminEmail)
	findBeneficiary(t, ctx, card)
	run(t, ctx, chromedp.Click("#results tbody button"), chromedp.WaitVisible("#purchases button.refund"))
	cell := fmt.Sprintf(`#balances tr[data-program=%q] .available`, p.ID)
	waitJS(t, ctx, `document.querySelector('`+cell+`')?.dataset.minor === '`+fmt.Sprint(48*unitOf(p))+`'`, 15*time.Second)
	run(t, ctx, chromedp.Click("#purchases button.refund"), chromedp.WaitVisible("#refund-amount"),
		chromedp.SendKeys("#refund-note", "charged twice for one basket"), chromedp.Click("dialog button[type=submit]"))
	waitJS(t, ctx, `document.querySelector('`+cell+`')?.dataset.minor === '`+fmt.Sprint(50*unitOf(p))+`' && !!document.querySelector('#purchases .refunded')`, 30*time.Second)
	screenshot(t, ctx, "enroll-purchase-refunded")
	if eval[bool](t, ctx, `!!document.querySelector('#purchases button.refund')`) {
		t.Error("a refund is still offered for a sale given back whole")
	}
}

// A finance officer typed a payout's amount wrong: the settlement is taken back from the
// vendor's statement, and the shop is owed it again.
func TestAdmin_TakesBackASettlementRecordedByMistake(t *testing.T) {
	ctx, p, vendorID, ref := settlementFormFilled(t, "E2E-WRONG")
	run(t, ctx, chromedp.Click(`#settle-form button[type="submit"]`))
	waitJS(t, ctx, `document.querySelector('#settle-form .msg.ok code.tx')?.textContent.startsWith('0x')`, 60*time.Second)

	admin := login(t, adminEmail)
	var st struct {
		Unsettled   int64 `json:"unsettled"`
		Settlements []struct {
			ID         string `json:"id"`
			Reference  string `json:"reference"`
			ReversesID string `json:"reverses_id"`
		} `json:"settlements"`
	}
	admin.must(t, "GET", "/api/v1/vendors/"+vendorID+"/statement", nil, &st)
	before, id := st.Unsettled, ""
	for _, s := range st.Settlements {
		if s.Reference == ref {
			id = s.ID
		}
	}
	if id == "" {
		t.Fatalf("no settlement %s in the statement", ref)
	}
	row := `#statement tr[data-settlement="` + id + `"]`
	run(t, ctx, chromedp.WaitVisible(row+" button.reverse"), chromedp.Click(row+" button.reverse"), chromedp.WaitVisible("#reverse-amount"),
		chromedp.SendKeys("#reverse-note", "typed 1 for 0"), chromedp.Click("dialog button[type=submit]"))
	waitJS(t, ctx, `!document.querySelector('dialog') && !!document.querySelector('`+row+`') && !document.querySelector('`+row+` button.reverse')`, 60*time.Second)
	screenshot(t, ctx, "admin-settlement-reversed")
	admin.must(t, "GET", "/api/v1/vendors/"+vendorID+"/statement", nil, &st)
	if st.Unsettled-before != unitOf(p) {
		t.Fatalf("unsettled went from %d to %d; want the unit taken back (%d) owed again", before, st.Unsettled, unitOf(p))
	}
}
