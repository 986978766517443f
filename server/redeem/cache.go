package redeem

import (
	"sync"
	"time"
)

// hotCacheTTL bounds how stale a cached hot-path fact may be: this long, or twice as long while
// a request reloads it. Only the chain backlog's age is cached (a refusal after ten minutes may
// come two seconds late). Program and vendor status are not: a redemption accepted in the
// second after a program closed could reach the chain before the closing transaction and be
// paid.
const hotCacheTTL = time.Second

// ttlCache remembers values for a short time. Errors are never cached. One load runs at a time:
// when an entry expires under load, the requests that find it stale wait for one read instead
// of each making its own (25,260 backlog reads in one PostgreSQL benchmark of the twenty-second
// session, where a read a second would have made about 2,400). Until it is twice the TTL old,
// a stale entry is still the answer for every request but the one that reloads it: the backlog
// read took 16 ms under load (thirty-fifth session), and every acceptance that arrived meanwhile
// waited for it, once a second.
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
	e, ok := c.entry(key)
	switch age := time.Since(e.at); {
	case ok && age < hotCacheTTL:
		return e.v, nil
	case ok && age < 2*hotCacheTTL:
		if !c.loading.TryLock() {
			return e.v, nil // another request is reloading it
		}
	default:
		c.loading.Lock()
	}
	defer c.loading.Unlock()
	if e, ok := c.entry(key); ok && time.Since(e.at) < hotCacheTTL {
		return e.v, nil // loaded while this request waited
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

func (c *ttlCache[V]) entry(key string) (ttlEntry[V], bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e, ok
}
