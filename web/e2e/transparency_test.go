package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

type summary struct {
	AsOfBlock int64            `json:"as_of_block"`
	Contract  string           `json:"contract"`
	Programs  []map[string]any `json:"programs"`
}

func TestTransparency_FiguresEqualSummary_AndUpdateLive(t *testing.T) {
	needBrowser(t)
	var s summary
	(&client{}).must(t, "GET", "/api/v1/reports/summary", nil, &s)
	ctx := browser(t, 1280, 800)
	run(t, ctx, chromedp.Navigate(srv.base+"/transparency"), chromedp.WaitVisible("#verify"))
	waitJS(t, ctx, `document.querySelector('#live:not(.off)')`, 20*time.Second)
	screenshot(t, ctx, "transparency")
	// The page may already be newer than our summary: compare against a fresh one at the page's block.
	(&client{}).must(t, "GET", "/api/v1/reports/summary", nil, &s)
	for _, p := range s.Programs {
		for _, k := range []string{"funded", "allocated", "redeemed", "settled"} {
			want := fmt.Sprint(int64(p[k].(float64)))
			sel := fmt.Sprintf(`document.querySelector('[data-program=%q] .val[data-key=%q]')?.dataset.minor`, fmt.Sprint(p["id"]), k)
			waitJS(t, ctx, sel+` === '`+want+`'`, 20*time.Second)
		}
	}
	if got := eval[string](t, ctx, `document.querySelector('#contract').textContent`); got != s.Contract {
		t.Fatalf("contract shown %q, summary %q", got, s.Contract)
	}
	if cmd := eval[string](t, ctx, `document.querySelector('#verify-cmd').textContent`); !containsAll(cmd, "aidledger verify --eth-rpc ", "--contract "+s.Contract, "--api "+srv.base) {
		t.Fatalf("verify command %q", cmd)
	}

	// A new redemption shows up without a reload.
	card, p := fundedCard(t, "4821")
	block := eval[string](t, ctx, `document.querySelector('#as-of').dataset.block`)
	before := eval[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-program=%q] .val[data-key="redeemed"]').dataset.minor`, p.ID))
	eval[bool](t, ctx, `(window.__noReload = true, true)`)
	body := map[string]any{"card_number": card, "pin": "4821", "program_id": p.ID, "amount": 1, "category": "food"}
	if err := login(t, vendorEmail).do("POST", "/api/v1/redemptions", body, nil, map[string]string{"Idempotency-Key": fmt.Sprintf("e2e-transparency-%d", next())}); err != nil {
		t.Fatalf("POST /api/v1/redemptions: %v", err)
	}
	waitJS(t, ctx, fmt.Sprintf(`window.__noReload && document.querySelector('#as-of').dataset.block !== %q && document.querySelector('[data-program=%q] .val[data-key="redeemed"]').dataset.minor !== %q`, block, p.ID, before), 90*time.Second)
}

func TestTransparency_DonorSeesTransactions(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 1280, 800)
	run(t, ctx, chromedp.Navigate(srv.base+"/transparency"), chromedp.WaitVisible("#donor-login"), chromedp.Click("#donor-login"),
		chromedp.WaitVisible("#email"), chromedp.SendKeys("#email", donorEmail), chromedp.SendKeys("#password", demoPassword),
		chromedp.Click("#login-submit"), chromedp.WaitVisible("#transactions table"))
	screenshot(t, ctx, "transparency-donor")

	// "Older transactions" appends the next page: the table then lists what the API lists in one
	// page of 100, in order, with no row twice.
	rows := `[...document.querySelectorAll('#transactions tbody tr')].map((r) => r.dataset.pos)`
	if n := eval[int](t, ctx, rows+`.length`); n != 50 {
		t.Fatalf("%d transactions listed at first, want 50 (the demo has hundreds)", n)
	}
	run(t, ctx, chromedp.Click("#tx-older"))
	waitJS(t, ctx, rows+`.length === 100`, 20*time.Second)
	screenshot(t, ctx, "transparency-donor-older")
	var page struct {
		Transactions []struct {
			Block uint64 `json:"block_number"`
			Log   uint   `json:"log_index"`
		} `json:"transactions"`
	}
	program := eval[string](t, ctx, `document.querySelector('#program-select').value`)
	login(t, donorEmail).must(t, "GET", "/api/v1/reports/transactions?page_size=100&program_id="+program, nil, &page)
	shown := eval[[]string](t, ctx, rows)
	if len(page.Transactions) != len(shown) {
		t.Fatalf("the API lists %d, the page %d", len(page.Transactions), len(shown))
	}
	for i, tx := range page.Transactions {
		if want := fmt.Sprintf("%d-%d", tx.Block, tx.Log); shown[i] != want {
			t.Fatalf("row %d is at %s; the API's transaction %d at %s", i, shown[i], i, want)
		}
	}

	// "Download CSV" saves every transaction of the program: catch the file the page hands over.
	eval[bool](t, ctx, `(() => { const o = URL.createObjectURL; URL.createObjectURL = (b) => { b.text().then((x) => { window.__csv = x; }); return o(b); }; return true; })()`)
	run(t, ctx, chromedp.Click("#tx-csv"))
	waitJS(t, ctx, `typeof window.__csv === 'string'`, 20*time.Second)
	lines := eval[[]string](t, ctx, `window.__csv.trim().split('\n')`)
	var total struct {
		Total int `json:"total"`
	}
	login(t, donorEmail).must(t, "GET", "/api/v1/reports/transactions?page_size=1&program_id="+program, nil, &total)
	if !strings.HasPrefix(lines[0], "time,block_number,log_index,") || len(lines)-1 != total.Total {
		t.Fatalf("csv: header %q and %d rows; the API's total is %d", lines[0], len(lines)-1, total.Total)
	}
	if want := strings.Replace(shown[0], "-", ",", 1); !strings.Contains(lines[1], ","+want+",") {
		t.Fatalf("csv's first row %q is not the newest transaction, at %s", lines[1], shown[0])
	}
}

func TestArabic_RendersRightToLeft(t *testing.T) {
	needBrowser(t)
	ctx := browser(t, 360, 740)
	run(t, ctx, chromedp.Navigate(srv.base+"/"), chromedp.WaitVisible("a.button"))
	screenshot(t, ctx, "landing")
	run(t, ctx, chromedp.Navigate(srv.base+"/vendor"), chromedp.WaitVisible("#lang"), chromedp.WaitVisible("#login-submit"))
	screenshot(t, ctx, "vendor-login")
	choose(t, ctx, "#lang", "ar")
	waitJS(t, ctx, `document.documentElement.dir === 'rtl' && document.documentElement.lang === 'ar'`, 5*time.Second)
	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector('main')).direction`); d != "rtl" {
		t.Fatalf("main direction %q", d)
	}
	// The brand sits at the right edge in RTL.
	waitJS(t, ctx, `document.querySelector('.brand').getBoundingClientRect().left > innerWidth / 2`, 5*time.Second)
	waitJS(t, ctx, `document.querySelector('#login-submit').textContent === 'دخول'`, 5*time.Second)
	screenshot(t, ctx, "vendor-login-ar")
	run(t, ctx, chromedp.Navigate(srv.base+"/transparency"), chromedp.WaitVisible("#verify"))
	screenshot(t, ctx, "transparency-ar")
}

// overflowing is a script listing the text of the elements matching sel whose content is wider
// than their box (cut off, or hidden behind a sideways scroll).
func overflowing(sel string) string {
	return fmt.Sprintf(`[...document.querySelectorAll(%q)].filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent)`, sel)
}

// Money figures of six and more digits fit their boxes on a desktop, and a report's three
// columns fit a phone: before, "JOD 400,000.000" was cut at its box's edge and a phone showed
// "2" of 27 transactions.
func TestTransparency_FiguresAndTablesFitTheirBoxes(t *testing.T) {
	needBrowser(t)
	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1280, 800}, {"phone", 360, 740}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser(t, size.w, size.h)
			run(t, ctx, chromedp.Navigate(srv.base+"/transparency"), chromedp.WaitVisible("#verify"))
			waitJS(t, ctx, `document.querySelector('.stat .v') && document.querySelector('#report-vendor tbody tr')`, 30*time.Second)
			for _, sel := range []string{".stat", ".stat .v", ".funnel .track", ".table-wrap"} {
				if over := eval[[]string](t, ctx, overflowing(sel)); len(over) > 0 {
					t.Errorf("%s wider than its box at %d px: %q", sel, size.w, over)
				}
			}
		})
	}
}
