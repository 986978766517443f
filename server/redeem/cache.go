package redeem

import (
	"sync"
	"time"
)

// hotCacheTTL bounds how stale a cached hot-path fact may be. Only the chain backlog's age is
// cached (a refusal after ten minutes may come a second late). Program and vendor status are
// not: a redemption accepted in the second after a program closed could reach the chain before
// the closing transaction and be paid.
const hotCacheTTL = time.Second

// ttlCache remembers values for a short time. Errors are never cached. One load runs at a time:
// when an entry expires under load, the requests that find it stale wait for one read instead
// of each making its own (25,260 backlog reads in one PostgreSQL benchmark of the twenty-second
// session, where a read a second would have made about 2,400).
type ttlCache[V any] struct {
	loading sync.Mutex
	mu      sync.Mutex
	m       map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

func (c *ttlCache[V]) get(key string, load func() (V, error)) (V, error) {
	if v, ok := c.fresh(key); ok {
		return v, nil
	}
	c.loading.Lock()
	defer c.loading.Unlock()
	if v, ok := c.fresh(key); ok {
		return v, nil // loaded while this request waited
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) > 10_000 {
		c.m = map[string]ttlEntry[V]{} // programs and vendors are few; this only bounds a leak
	}
	c.m[key] = ttlEntry[V]{v: v, at: time.Now()}
	c.mu.Unlock()
	return v, nil
}

func (c *ttlCache[V]) fresh(key string) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	return e.v, ok && time.Since(e.at) < hotCacheTTL
}
