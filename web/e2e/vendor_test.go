package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// saleUpTo drives /vendor from login to the confirm screen: typed card, PIN, program, category, amount "1".
func saleUpTo(t *testing.T, ctx context.Context, card, pin string, p program) {
	t.Helper()
	uiLogin(t, ctx, "/vendor", vendorEmail)
	screenshot(t, ctx, "vendor-home")
	run(t, ctx, chromedp.Click("#new-sale"), chromedp.WaitVisible("#card-input"), chromedp.SendKeys("#card-input", card),
		chromedp.WaitEnabled("#card-next"))
	screenshot(t, ctx, "vendor-card")
	run(t, ctx, chromedp.Click("#card-next"), chromedp.WaitVisible("#pin"), chromedp.SendKeys("#pin", pin))
	run(t, ctx, chromedp.Click("#pin-next"), chromedp.WaitVisible(`button[data-category="food"]`))
	if eval[string](t, ctx, `document.querySelector('button[data-program][aria-pressed="true"]')?.dataset.program || ''`) != p.ID {
		run(t, ctx, chromedp.Click(fmt.Sprintf(`button[data-program=%q]`, p.ID)), chromedp.WaitVisible(`button[data-category="food"]`))
	}
	run(t, ctx, chromedp.Click(`button[data-category="food"]`), chromedp.SendKeys("#amount", "1"))
	screenshot(t, ctx, "vendor-sale")
	run(t, ctx, chromedp.Click("#sale-next"), chromedp.WaitVisible("#confirm"))
}

// vendorRedemptionsWithHash counts the vendor's redemptions carrying txHash and confirmed.
func confirmedWithHash(t *testing.T, vendor *client, txHash string) int {
	var r struct {
		Redemptions []struct {
			Status      string `json:"status"`
			TxHash      string `json:"tx_hash"`
			BlockNumber int64  `json:"block_number"`
		} `json:"redemptions"`
	}
	vendor.must(t, "GET", "/api/v1/redemptions?page=1", nil, &r)
	n := 0
	for _, x := range r.Redemptions {
		if strings.EqualFold(x.TxHash, txHash) && x.Status == "confirmed" && x.BlockNumber > 0 {
			n++
		}
	}
	return n
}

func TestVendor_ManualCardEntry_PaysAndShowsOnChainReceipt(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "4821")
	ctx := browser(t, 360, 740)
	saleUpTo(t, ctx, card, "4821", p)
	run(t, ctx, chromedp.Click("#confirm"), chromedp.WaitVisible("#receipt"))
	screenshot(t, ctx, "vendor-receipt")
	hash := eval[string](t, ctx, `document.querySelector('#receipt-tx code')?.textContent || ''`)
	if !strings.HasPrefix(hash, "0x") || len(hash) != 66 {
		t.Fatalf("receipt shows tx hash %q", hash)
	}
	if n := confirmedWithHash(t, login(t, vendorEmail), hash); n != 1 {
		t.Fatalf("the API lists %d confirmed redemptions with the receipt's tx hash %s, want 1", n, hash)
	}
}

// The next customer's sale starts with an empty amount (one left from the last sale could be
// confirmed unread), each step's field focused; a PIN typed in Arabic digits is the PIN; an amount typed before choosing the
// program survives the choice; and a card that was given nothing says so instead of asking for
// a program; the back gesture returns to the home screen, not out of the app.
func TestVendor_ANewSaleStartsEmptyAndACardWithNothingOnItSaysSo(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "4821")
	_, empty, _ := newBeneficiary(t, login(t, workerEmail), "4821")
	ctx := browser(t, 360, 740)
	saleUpTo(t, ctx, card, "4821", p)
	run(t, ctx, chromedp.Click("#confirm"), chromedp.WaitVisible("#receipt"))

	// Each step's field has the focus, so that a phone opens its keyboard without a tap.
	run(t, ctx, chromedp.Click("#next-sale"), chromedp.WaitVisible("#card-input"))
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "card-input" {
		t.Errorf("the card step's focus is on %q, want the card number", id)
	}
	run(t, ctx, chromedp.SendKeys("#card-input", card), chromedp.WaitEnabled("#card-next"), chromedp.Click("#card-next"), chromedp.WaitVisible("#pin"))
	if id := eval[string](t, ctx, `document.activeElement.id`); id != "pin" {
		t.Errorf("the PIN step's focus is on %q, want the PIN", id)
	}
	run(t, ctx, chromedp.SendKeys("#pin", "٤٨٢١"),
		chromedp.Click("#pin-next"), chromedp.WaitVisible("#amount")) // the PIN typed on an Arabic keyboard
	if v := eval[string](t, ctx, `document.querySelector('#amount').value`); v != "" {
		t.Errorf("the next sale's amount starts as %q, want empty", v)
	}
	run(t, ctx, chromedp.SendKeys("#amount", "2"), chromedp.Click(fmt.Sprintf(`button[data-program=%q]`, p.ID)),
		chromedp.WaitVisible(fmt.Sprintf(`button[data-program=%q][aria-pressed="true"]`, p.ID)))
	if v := eval[string](t, ctx, `document.querySelector('#amount').value`); v != "2" {
		t.Errorf("after choosing the program the amount is %q, want the 2 typed before", v)
	}

	run(t, ctx, chromedp.Click("#back"), chromedp.WaitVisible("#card-input"))
	run(t, ctx, chromedp.SetValue("#card-input", ""), chromedp.SendKeys("#card-input", empty), chromedp.WaitEnabled("#card-next"),
		chromedp.Click("#card-next"), chromedp.WaitVisible("#pin"), chromedp.SendKeys("#pin", "4821"), chromedp.Click("#pin-next"),
		chromedp.WaitVisible("#no-balance"))
	if eval[bool](t, ctx, `!!document.querySelector('#sale-next')`) {
		t.Error("a card with nothing on it is offered a sale")
	}

	// The phone's back gesture returns to the shop's home screen, not out of the app; back there,
	// the app's own Back buttons have taken their history entry off again.
	run(t, ctx, chromedp.NavigateBack(), chromedp.WaitVisible("#new-sale"))
	if path := eval[string](t, ctx, `location.pathname`); path != "/vendor" && path != "/vendor/" {
		t.Errorf("Back took the shop to %s", path)
	}
	run(t, ctx, chromedp.Click("#new-sale"), chromedp.WaitVisible("#card-input"), chromedp.Click("#back"), chromedp.WaitVisible("#new-sale"))
	if n := eval[int](t, ctx, `history.length`); n > 3 {
		t.Errorf("history holds %d entries after a step out and back in the app; each step added one", n)
	}
}

func TestVendor_WrongPIN_SaysAttemptsLeft(t *testing.T) {
	needBrowser(t)
	card, _ := fundedCard(t, "4821")
	ctx := browser(t, 360, 740)
	uiLogin(t, ctx, "/vendor", vendorEmail)
	run(t, ctx, chromedp.Click("#new-sale"), chromedp.WaitVisible("#card-input"), chromedp.SendKeys("#card-input", card),
		chromedp.WaitEnabled("#card-next"), chromedp.Click("#card-next"), chromedp.WaitVisible("#pin"),
		chromedp.SendKeys("#pin", "0000"), chromedp.Click("#pin-next"))
	waitJS(t, ctx, `document.querySelector('#pin-msg.error')?.textContent.includes('attempt')`, 30*time.Second)
	screenshot(t, ctx, "vendor-wrong-pin")
}

// A shop is offered only the categories it is registered for (the server refuses any other): the
// demo's grocery food and household, its bakery food alone, chosen already.
func TestVendor_TheSaleScreenOffersOnlyTheShopsOwnCategories(t *testing.T) {
	needBrowser(t)
	card, _ := fundedCard(t, "4821")
	for _, tc := range []struct{ name, email, offered, chosen string }{
		{"the grocery offers food and household, neither chosen", vendorEmail, "food,household", ""},
		{"the bakery offers food alone, chosen", "vendor5@demo.aidledger.org", "food", "food"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := browser(t, 360, 740)
			uiLogin(t, ctx, "/vendor", tc.email)
			run(t, ctx, chromedp.Click("#new-sale"), chromedp.WaitVisible("#card-input"), chromedp.SendKeys("#card-input", card),
				chromedp.WaitEnabled("#card-next"), chromedp.Click("#card-next"), chromedp.WaitVisible("#pin"),
				chromedp.SendKeys("#pin", "4821"), chromedp.Click("#pin-next"), chromedp.WaitVisible("#sale-next"))
			list := `[...document.querySelectorAll('button[data-category]%s')].map((b) => b.dataset.category).join(',')`
			if got := eval[string](t, ctx, fmt.Sprintf(list, "")); got != tc.offered {
				t.Errorf("offered %q; want %q", got, tc.offered)
			}
			if got := eval[string](t, ctx, fmt.Sprintf(list, `[aria-pressed="true"]`)); got != tc.chosen {
				t.Errorf("chosen %q; want %q", got, tc.chosen)
			}
		})
	}
}

func TestVendor_MistypedCard_IsCaughtByCheckDigit(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 360, 740)
	uiLogin(t, ctx, "/vendor", vendorEmail)
	run(t, ctx, chromedp.Click("#new-sale"), chromedp.WaitVisible("#card-input"), chromedp.SendKeys("#card-input", "12345678901"))
	waitJS(t, ctx, `document.querySelector('#card-input').getAttribute('aria-invalid') === 'true' && document.querySelector('#card-next').disabled`, 10*time.Second)
}

// The first response is dropped after the server has processed the redemption, then the
// browser goes offline; when it comes back the app retries with the same Idempotency-Key and
// shows the original result. The card must be charged exactly once.
// dropFirstAnswer lets the first request to urlPattern reach the server and then fails it with a
// reset connection, as a phone that loses its signal before the answer arrives: the server did
// the work, the page never hears of it. Later requests pass. It reports whether one was dropped.
func dropFirstAnswer(t *testing.T, ctx context.Context, urlPattern string) *atomic.Bool {
	t.Helper()
	var dropped atomic.Bool
	lctx, stopListen := context.WithCancel(ctx)
	t.Cleanup(stopListen)
	events := chromedp.Events(lctx, fetch.RequestPaused)
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: urlPattern, RequestStage: fetch.RequestStageResponse}}})
		return err
	}))
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			id := ev.RequestID
			chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				if dropped.CompareAndSwap(false, true) { // the server answered; the phone never hears it
					_, err := cdp.Call(ctx, tg, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonConnectionReset})
					return err
				}
				_, err := cdp.Call(ctx, tg, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
				return err
			}))
		}
	}()
	return &dropped
}

// setOffline cuts the page off the network, or gives it back, as a phone losing its signal.
func setOffline(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
		if err != nil {
			return err
		}
		conds := []*network.Conditions{}
		if off {
			conds = append(conds, &network.Conditions{URLPattern: "", Latency: 0, DownloadThroughput: 0, UploadThroughput: 0})
		}
		_, err = cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: conds})
		return err
	})
}

func TestVendor_DroppedResponseThenOffline_RetriesWithoutDoubleCharge(t *testing.T) {
	needBrowser(t)
	card, p := fundedCard(t, "4821")
	vendor := login(t, vendorEmail)
	before := balance(t, vendor, card, "4821", p.ID)
	ctx := browser(t, 360, 740)
	saleUpTo(t, ctx, card, "4821", p)

	dropped := dropFirstAnswer(t, ctx, "*/api/v1/redemptions")
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{})
		return err
	}))
	run(t, ctx, chromedp.Click("#confirm"))
	waitJS(t, ctx, `document.querySelector('#send-state')?.dataset.state === 'retrying'`, 30*time.Second)
	if !dropped.Load() {
		t.Fatal("the first redemption response was not intercepted")
	}
	run(t, ctx, setOffline(true))
	screenshot(t, ctx, "vendor-retrying")
	// The back gesture does not take the sale off the screen while its outcome is unknown.
	run(t, ctx, chromedp.NavigateBack())
	time.Sleep(500 * time.Millisecond) // a popstate handler runs at once; give a wrong one time to draw
	if state := eval[string](t, ctx, `document.querySelector('#send-state')?.dataset.state || 'gone'`); state != "retrying" {
		t.Errorf("after Back the sale being sent shows %q, want it still retrying on screen", state)
	}
	time.Sleep(3 * time.Second) // at least one retry fails while offline
	run(t, ctx, setOffline(false))
	waitJS(t, ctx, `!!document.querySelector('#receipt')`, 90*time.Second)

	unit := int64(1)
	for i := 0; i < p.Decimals; i++ {
		unit *= 10
	}
	if after := balance(t, vendor, card, "4821", p.ID); before-after != unit {
		t.Fatalf("balance went from %d to %d: charged %d, want exactly one charge of %d", before, after, before-after, unit)
	}
}

// wireCost is what the browser's Resource Timing says each file of the page cost over the wire
// (headers included) and its size after decoding. The tab's icon is left out: the browser fetches
// and keeps it on its own terms (on the first visit only, here).
func wireCost(t *testing.T, ctx context.Context) map[string]struct{ Transferred, Decoded int } {
	t.Helper()
	return eval[map[string]struct{ Transferred, Decoded int }](t, ctx, `Object.fromEntries(
		[...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
			.map(e => [new URL(e.name), e])
			.filter(([u]) => u.origin === location.origin && !u.pathname.startsWith('/api/') && !['/favicon.ico', '/static/img/icon.svg'].includes(u.pathname))
			.map(([u, e]) => [u.pathname, {Transferred: e.transferSize, Decoded: e.decodedBodySize}]))`)
}

// On a metered, slow link every byte of the app is a wait: the first visit comes gzipped, and a
// reload (pages revalidate: no-cache) only asks whether each file changed, a 304 of headers
// alone, smaller than the headers and body the first visit took.
func TestVendor_TheAppComesGzippedAndAReloadOnlyRevalidatesIt(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 360, 740)
	run(t, ctx, chromedp.Navigate(srv.base+"/vendor"), chromedp.WaitVisible("#email"))
	first := wireCost(t, ctx)
	var sent, size int
	for _, f := range first {
		sent, size = sent+f.Transferred, size+f.Decoded
	}
	if len(first) < 5 || sent*2 > size {
		t.Errorf("first visit: %d files, %d bytes sent for %d of files; want under half", len(first), sent, size)
	}
	run(t, ctx, chromedp.Reload(), chromedp.WaitVisible("#email"))
	again := wireCost(t, ctx)
	if len(again) != len(first) {
		t.Errorf("reload loaded %d files, the first visit %d", len(again), len(first))
	}
	resent := 0
	for path, f := range again {
		resent += f.Transferred
		if was, ok := first[path]; !ok || f.Transferred >= was.Transferred {
			t.Errorf("%s on reload: %d bytes, on the first visit %d: want a revalidation, smaller", path, f.Transferred, was.Transferred)
		}
	}
	t.Logf("first visit %d bytes for %d of files (%d files); reload %d bytes", sent, size, len(first), resent)
}

// cuttableLink stands between the browser and the server like a phone's network: while cut,
// every connection is dropped without an answer, whoever makes the request (the page or its
// service worker, which the browser's own offline emulation does not reach).
type cuttableLink struct {
	cut     atomic.Bool
	dropped atomic.Int64
	url     string
}

func newCuttableLink(t *testing.T) *cuttableLink {
	t.Helper()
	target, err := url.Parse(srv.base)
	if err != nil {
		t.Fatal(err)
	}
	l := &cuttableLink{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.cut.Load() {
			l.dropped.Add(1)
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	l.url = s.URL
	return l
}

// A cheap phone drops a background tab to free memory; if the signal is gone too, the vendor
// must still be able to open the app, see that it waits for the connection, and go on when it
// is back, still logged in. The apps' service worker keeps their files on the phone.
func TestVendor_OpensWithoutAConnectionAndGoesOnWhenItIsBack(t *testing.T) {
	needBrowser(t)
	link := newCuttableLink(t)
	ctx := browser(t, 360, 740)
	run(t, ctx, chromedp.Navigate(link.url+"/vendor"), chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", vendorEmail), chromedp.SendKeys("#password", demoPassword), chromedp.Click("#login-submit"),
		chromedp.WaitVisible("#new-sale"))
	waitJS(t, ctx, `navigator.serviceWorker?.controller?.state === 'activated'`, 60*time.Second)

	link.cut.Store(true)
	run(t, ctx, chromedp.Reload(), chromedp.WaitVisible("#offline"))
	screenshot(t, ctx, "vendor-offline")
	if link.dropped.Load() == 0 {
		t.Fatal("the reload made no request through the cut link: the test did not test anything")
	}
	if got := eval[string](t, ctx, `document.querySelector('#offline')?.innerText || ''`); !strings.Contains(got, "No connection") {
		t.Errorf("offline panel says %q", got)
	}
	// Switching the language while waiting redraws the wait, not a login.
	choose(t, ctx, "#lang", "ar")
	waitJS(t, ctx, `document.querySelector('#offline')?.innerText.includes('لا يوجد اتصال') && !document.querySelector('#email')`, 5*time.Second)

	link.cut.Store(false)
	run(t, ctx, chromedp.Click("#offline-retry"), chromedp.WaitVisible("#new-sale"))
	if eval[bool](t, ctx, `!!document.querySelector('#email')`) {
		t.Error("back online, the app asks to log in again: the tab's session was lost")
	}
}
