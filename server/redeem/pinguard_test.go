package redeem

import (
	"testing"
	"time"
)

func TestPINGuard_pausesAShopAfterTooManyWrongPINsWithinTheWindowAndOnlyThatShop(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	g := newPINGuard(3, 15*time.Minute)
	g.now = func() time.Time { return now }
	step := func(d time.Duration) { now = now.Add(d) }

	// Two wrong, then the window passes: they no longer count.
	g.failed("shop-a")
	g.failed("shop-a")
	step(15 * time.Minute)
	if g.failed("shop-a") {
		t.Fatal("paused by failures older than the window")
	}
	if err := g.check("shop-a"); err != nil {
		t.Fatalf("check after one recent failure: %v", err)
	}
	step(time.Minute)
	g.failed("shop-a")
	if !g.failed("shop-a") {
		t.Fatal("the third wrong PIN within the window did not pause the shop")
	}
	if err := g.check("shop-a"); err == nil {
		t.Fatal("a paused shop's PIN check was allowed")
	}
	if err := g.check("shop-b"); err != nil {
		t.Fatalf("another shop is paused too: %v", err)
	}
	step(14 * time.Minute)
	if err := g.check("shop-a"); err == nil {
		t.Fatal("the pause ended early")
	}
	step(time.Minute)
	if err := g.check("shop-a"); err != nil {
		t.Fatalf("the pause did not end: %v", err)
	}
	if len(g.shops) != 0 || g.active.Load() != 0 {
		t.Errorf("a shop with nothing left to remember is still held: %d shops, %d active", len(g.shops), g.active.Load())
	}
}

func TestPINGuard_aNegativeLimitNeverPauses(t *testing.T) {
	g := newPINGuard(-1, time.Minute)
	for range 100 {
		if g.failed("shop") {
			t.Fatal("paused with the guard off")
		}
	}
	if err := g.check("shop"); err != nil {
		t.Fatal(err)
	}
}
