package redeem

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/aidledger/aidledger/server/apierr"
)

// Defaults of Config.ShopWrongPINs and Config.ShopPINWindow.
const (
	DefaultShopWrongPINs = 20
	DefaultShopPINWindow = 15 * time.Minute
)

// pinGuard stops one shop from guessing PINs across many cards. A card locks after five wrong
// PINs in a row, but a shop that tries four on each of many cards it has seen never locks one,
// and has a chance in 2,500 on each. So after max wrong PINs at one vendor within window, that
// vendor's PIN checks (sales and balance checks) are refused for a window, logged and counted.
// A busy shop's honest mistakes stay far below it: at a first day's 300 customers an hour,
// one in twenty mistyping, a window sees about four.
//
// It counts in memory, per server process: a restart forgets, and replicas each count their own
// (a shop spread over n replicas gets up to n×max). Either way far fewer than the guesses an
// unguarded shop could make.
type pinGuard struct {
	max    int
	window time.Duration
	now    func() time.Time
	paused prometheus.Counter
	where  string // in the refusal: "at this shop"

	active atomic.Int32 // shops with failures in memory: the common case (none) takes no lock
	mu     sync.Mutex
	shops  map[string]*shopPINs
}

type shopPINs struct {
	fails       []time.Time // within the window, oldest first
	pausedUntil time.Time
}

func newPINGuard(max int, window time.Duration) *pinGuard {
	return &pinGuard{
		max: max, window: window, now: time.Now, shops: map[string]*shopPINs{}, where: "at this shop",
		paused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "aidledger_shop_pin_pauses_total",
			Help: "Times a shop's PIN checks were paused after too many wrong PINs across cards.",
		}),
	}
}

// newHolderGuard is the same guard for the public balance page, per client address: there an
// unknown card counts as a wrong PIN too, so neither PINs nor card numbers can be guessed at
// speed from one address.
func newHolderGuard(max int, window time.Duration) *pinGuard {
	g := newPINGuard(max, window)
	g.where = "from this address"
	g.paused = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "aidledger_holder_pin_pauses_total",
		Help: "Times the balance page was paused for one client address after too many wrong card numbers or PINs.",
	})
	return g
}

// check refuses a paused shop's PIN checks.
func (g *pinGuard) check(vendorID string) error {
	if g.max <= 0 || g.active.Load() == 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.shops[vendorID]
	if !ok {
		return nil
	}
	now := g.now()
	if now.Before(s.pausedUntil) {
		return apierr.ErrTooManyAttempts.Withf("too many wrong PINs %s: PIN checks are paused for %d minutes",
			g.where, int(s.pausedUntil.Sub(now).Minutes())+1)
	}
	g.prune(vendorID, s, now)
	return nil
}

// failed counts a wrong PIN at a shop and reports whether it paused the shop.
func (g *pinGuard) failed(vendorID string) bool {
	if g.max <= 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	s, ok := g.shops[vendorID]
	if !ok {
		s = &shopPINs{}
		g.shops[vendorID] = s
		g.active.Add(1)
	}
	s.fails = append(s.fails, now)
	g.prune(vendorID, s, now)
	if len(s.fails) < g.max || now.Before(s.pausedUntil) {
		return false
	}
	s.fails, s.pausedUntil = nil, now.Add(g.window)
	g.paused.Inc()
	return true
}

// prune drops failures older than the window, and the shop once nothing about it is left.
func (g *pinGuard) prune(vendorID string, s *shopPINs, now time.Time) {
	i := 0
	for i < len(s.fails) && now.Sub(s.fails[i]) >= g.window {
		i++
	}
	s.fails = s.fails[i:]
	if len(s.fails) == 0 && !now.Before(s.pausedUntil) {
		delete(g.shops, vendorID)
		g.active.Add(-1)
	}
}
