package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A beneficiary checks, on their own phone and without an account, what is left on their card
// and what the shop charged: the way a holder finds an overcharge away from the shop.
func TestBalance_AHolderSeesWhatIsLeftAndWhatTheShopCharged(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "2468")
	redeemAPI(t, card, "2468", p, 3*unitOf(p)) // at vendor1, Abu Ali Grocery
	// Ten more small sales, so that the first one is on the second "page" of the list.
	vendor := login(t, vendorEmail)
	for range 10 {
		body := map[string]any{"card_number": card, "pin": "2468", "program_id": p.ID, "amount": unitOf(p), "category": "food"}
		if err := vendor.do("POST", "/api/v1/redemptions", body, nil, map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-%d", next())}); err != nil {
			t.Fatalf("POST /api/v1/redemptions: %v", err)
		}
	}
	ctx := browser(t, 360, 740)
	run(t, ctx, chromedp.Navigate(srv.base+"/"), chromedp.WaitVisible("#go-balance"), chromedp.Click("#go-balance"),
		chromedp.WaitVisible("#card-input"))

	// A wrong PIN is said so, without telling whether such a card exists; the PIN field empties.
	run(t, ctx, chromedp.SendKeys("#card-input", card), chromedp.SendKeys("#pin-input", "1111"), chromedp.Click("#balance-check"))
	waitJS(t, ctx, `document.querySelector('#balance-msg.error')?.textContent.includes('card number or the PIN')`, 15*time.Second)
	if v := eval[string](t, ctx, `document.querySelector('#pin-input').value`); v != "" {
		t.Errorf("the PIN field kept %q", v)
	}

	// Typed on an Arabic keyboard: the same PIN.
	run(t, ctx, chromedp.SendKeys("#pin-input", "٢٤٦٨"), chromedp.Click("#balance-check"), chromedp.WaitVisible("#balances"))
	cell := fmt.Sprintf(`#balances tr[data-program=%q] .available`, p.ID)
	if got := eval[string](t, ctx, `document.querySelector('`+cell+`')?.dataset.minor`); got != fmt.Sprint(37*unitOf(p)) {
		t.Errorf("left to spend %s, want %d", got, 37*unitOf(p))
	}
	screenshot(t, ctx, "balance")

	// Ten at a time, newest first: the first sale is the eleventh, behind "older".
	if n := eval[int](t, ctx, `document.querySelectorAll('#purchases li').length`); n != 10 {
		t.Errorf("%d purchases shown at first, want 10", n)
	}
	run(t, ctx, chromedp.Click("#purchases-more"))
	waitJS(t, ctx, `document.querySelectorAll('#purchases li').length === 11`, 5*time.Second)
	if eval[bool](t, ctx, `!document.querySelector('#purchases-more').hidden || !document.querySelector('#purchases-rest').hidden`) {
		t.Errorf("with every purchase shown, the page still offers older ones")
	}
	row := eval[string](t, ctx, `document.querySelector('#purchases li:last-child[data-status="confirmed"]')?.textContent || ''`)
	if !strings.Contains(row, "Abu Ali Grocery") || !strings.Contains(row, "3") || !strings.Contains(row, "0x") {
		t.Errorf("the oldest purchase %q: want the shop, the amount and its transaction", row)
	}

	// Done clears it: the next person with this phone sees an empty form.
	run(t, ctx, chromedp.Click("#balance-done"), chromedp.WaitVisible("#card-input"))
	if v := eval[string](t, ctx, `document.querySelector('#card-input').value + document.querySelector('#pin-input').value`); v != "" {
		t.Errorf("the form after Done holds %q", v)
	}
}
