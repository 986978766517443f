package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestAdmin_BacksUpTheRunningSystemAndSeesTheArchiveListed(t *testing.T) {
	needBrowser(t)
	admin := login(t, adminEmail)
	var before struct {
		Backups []struct {
			Name string `json:"name"`
		} `json:"backups"`
	}
	admin.must(t, "GET", "/api/v1/admin/backups", nil, &before)

	ctx := browser(t, 1280, 800)
	uiLogin(t, ctx, "/admin", adminEmail)
	run(t, ctx, chromedp.Click("#tab-backups"), chromedp.WaitVisible("#backup-now"))
	run(t, ctx, chromedp.Click("#backup-now"))
	waitJS(t, ctx, `document.querySelector('#backup-msg.ok') !== null`, 10*time.Second)
	// The list refreshes itself until the archive is written.
	waitJS(t, ctx, fmt.Sprintf(`document.querySelectorAll('#backups tr[data-status="done"]').length === %d`, len(before.Backups)+1), 60*time.Second)
	screenshot(t, ctx, "admin-backups")

	var after struct {
		Backups []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"backups"`
	}
	admin.must(t, "GET", "/api/v1/admin/backups", nil, &after)
	if len(after.Backups) != len(before.Backups)+1 || after.Backups[0].Status != "done" {
		t.Fatalf("backups after the click: %+v; want one more, done", after.Backups)
	}
	if shown := eval[string](t, ctx, `document.querySelector('#backups tr[data-status="done"]').dataset.backup`); shown != after.Backups[0].Name {
		t.Errorf("the newest row shows %q, the server has %q", shown, after.Backups[0].Name)
	}
}
