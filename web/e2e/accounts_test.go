package e2e

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// loginWith logs in over the API with a password, or says why it could not.
func loginWith(email, password string) (*client, error) {
	var s struct {
		AccessToken string `json:"access_token"`
	}
	err := (&client{}).do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &s, nil)
	return &client{token: s.AccessToken}, err
}

func requireStatus(t *testing.T, err error, status int, what string) {
	t.Helper()
	var e *apiErr
	if !errors.As(err, &e) || e.Status != status {
		t.Fatalf("%s: %v; want HTTP %d", what, err, status)
	}
}

// fillDialog types into the open <dialog>'s inputs, by id, and submits it.
func fillDialog(t *testing.T, ctx context.Context, values ...string) {
	t.Helper()
	run(t, ctx, chromedp.WaitVisible(`dialog[open] form`))
	for i := 0; i+1 < len(values); i += 2 {
		eval[bool](t, ctx, fmt.Sprintf(`(document.querySelector('dialog[open] #%s').value = '', true)`, values[i]))
		run(t, ctx, chromedp.SendKeys("dialog[open] #"+values[i], values[i+1]))
	}
	run(t, ctx, chromedp.Click(`dialog[open] button[type="submit"]`))
}

func TestAdmin_DisablingAUserEndsTheirOpenAppAtOnce_AndPasswordsAreSetAndChanged(t *testing.T) {
	needBrowser(t)
	admin := login(t, adminEmail)
	email := fmt.Sprintf("e2e-worker-%d@example.org", next())
	var u struct {
		ID string `json:"id"`
	}
	admin.must(t, "POST", "/api/v1/users", map[string]string{"email": email, "password": demoPassword, "role": "aidworker"}, &u)
	worker := login(t, email)

	// The worker's app is open on their laptop.
	laptop := browser(t, 1280, 800)
	uiLogin(t, laptop, "/enroll", email)

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/admin", adminEmail)
	row := fmt.Sprintf(`#panel tr[data-user=%q]`, u.ID)
	run(t, ctx, chromedp.Click("#tab-users"), chromedp.WaitVisible(row+" .user-toggle"))
	var me struct {
		ID string `json:"id"`
	}
	admin.must(t, "GET", "/api/v1/me", nil, &me)
	if eval[bool](t, ctx, fmt.Sprintf(`!!document.querySelector('#panel tr[data-user=%q] button')`, me.ID)) {
		t.Error("the admin's own row offers to disable them or set their password")
	}
	run(t, ctx, chromedp.Click(row+" .user-toggle"))
	confirm(t, ctx)
	waitJS(t, ctx, `document.querySelector('`+row+` .badge.disabled')`, 30*time.Second)
	screenshot(t, ctx, "admin-users-disabled")

	// Its access token is refused now, not when it expires: the open app's next call finds the
	// session ended and asks for a login in place, and so does a reload.
	requireStatus(t, worker.do("GET", "/api/v1/me", nil, nil, nil), 401, "the worker's token after the disable")
	run(t, laptop, chromedp.Click("#tab-search"), chromedp.WaitVisible("#login-form"))
	waitJS(t, laptop, `document.querySelector('#login-form .msg.warn')?.textContent !== ''`, 10*time.Second)
	run(t, laptop, chromedp.Reload(), chromedp.WaitVisible("#login-form"))
	if _, err := loginWith(email, demoPassword); err == nil {
		t.Fatal("a disabled user logged in")
	}

	// Enabled again, with a new password set by the admin.
	run(t, ctx, chromedp.Click(row+" .user-toggle"))
	waitJS(t, ctx, `document.querySelector('`+row+` .badge.active')`, 30*time.Second)
	run(t, ctx, chromedp.Click(row+" .user-password"))
	fillDialog(t, ctx, "user-new-password", "set-by-admin-123", "user-new-password-again", "set-by-admin-12")
	waitJS(t, ctx, `document.querySelector('#user-new-password-again-err')?.textContent !== ''`, 10*time.Second)
	fillDialog(t, ctx, "user-new-password-again", "set-by-admin-123")
	run(t, ctx, chromedp.WaitVisible("#user-password-set"))
	if _, err := loginWith(email, "set-by-admin-123"); err != nil {
		t.Fatalf("the password the admin set: %v", err)
	}

	// The worker changes it themselves: a wrong current password is said so on its field; the
	// right one keeps this tab logged in, across a reload, and ends their other sessions.
	run(t, laptop, chromedp.SendKeys("#email", email), chromedp.SendKeys("#password", "set-by-admin-123"),
		chromedp.Click("#login-submit"), chromedp.WaitVisible("#change-password"))
	other, err := loginWith(email, "set-by-admin-123")
	if err != nil {
		t.Fatal(err)
	}
	run(t, laptop, chromedp.Click("#change-password"))
	fillDialog(t, laptop, "password-current", "not my password", "password-new", "chosen-by-me-123", "password-again", "chosen-by-me-123")
	waitJS(t, laptop, `document.querySelector('#password-current-err')?.textContent !== ''`, 10*time.Second)
	screenshot(t, laptop, "account-password")
	fillDialog(t, laptop, "password-current", "set-by-admin-123")
	waitJS(t, laptop, `!document.querySelector('dialog[open]') && document.querySelector('#password-changed')?.textContent !== ''`, 30*time.Second)
	requireStatus(t, other.do("GET", "/api/v1/me", nil, nil, nil), 401, "the worker's other session after the change")
	run(t, laptop, chromedp.Reload(), chromedp.WaitVisible("#change-password"))
	if _, err := loginWith(email, "chosen-by-me-123"); err != nil {
		t.Fatalf("the password the worker chose: %v", err)
	}

	// The activity log says who did each of it, to whom: the admin's disable, enable and new
	// password, and the worker's own change; filtered to the worker, only the change (besides the
	// pages of the registry their search tab listed).
	run(t, ctx, chromedp.Click("#tab-audit"), chromedp.WaitVisible("#audit-actor"))
	for _, action := range []string{"user.create", "user.disable", "user.enable", "user.password_set", "user.password_change"} {
		waitJS(t, ctx, fmt.Sprintf(`[...document.querySelectorAll('#audit tr[data-action=%q]')].some((tr) => tr.dataset.subject === %q)`, action, u.ID), 30*time.Second)
	}
	screenshot(t, ctx, "admin-activity")
	choose(t, ctx, "#audit-actor", u.ID)
	waitJS(t, ctx, `(() => { const rs = [...document.querySelectorAll('#audit tbody tr')].filter((tr) => tr.dataset.action !== 'beneficiary.list'); return rs.length === 1 && rs[0].dataset.action === 'user.password_change' && document.querySelector('#audit-more').offsetParent === null })()`, 30*time.Second)
}
