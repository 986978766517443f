package auth

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// cuts holds, per user whose sessions were ever ended, the session version an access token must
// carry: tokens from before a password change or a disable are refused at once, not when they
// expire. Every request reads it, so reads take no lock (a copy-on-write map); writes are rare
// (an admin's action, a reload). Versions only rise, so a reload that read the table before a
// change made here cannot lower one.
type cuts struct {
	mu sync.Mutex
	m  atomic.Pointer[map[string]int]
}

func (c *cuts) of(id string) int {
	if m := c.m.Load(); m != nil {
		return (*m)[id]
	}
	return 0
}

// merge raises the versions in add; lower or equal ones change nothing.
func (c *cuts) merge(add map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	next := make(map[string]int, len(add))
	if old != nil {
		for id, v := range *old {
			next[id] = v
		}
	}
	changed := false
	for id, v := range add {
		if v > next[id] {
			next[id], changed = v, true
		}
	}
	if changed || old == nil {
		c.m.Store(&next)
	}
}

func (c *cuts) raise(id string, v int) {
	if v > 0 {
		c.merge(map[string]int{id: v})
	}
}

// LoadSessions reads every user's session version. The server calls it before it serves, so a
// token ended before a restart stays ended, and then every ReloadEvery, so an account disabled or
// a password set from the command line while the server runs takes effect within that time.
func (s *Service) LoadSessions(ctx context.Context) error {
	var rows []struct {
		ID             string
		SessionVersion int
	}
	if err := s.db.WithContext(ctx).Model(&User{}).Select("id, session_version").Where("session_version > 0").Scan(&rows).Error; err != nil {
		return fmt.Errorf("load session versions: %w", err)
	}
	m := make(map[string]int, len(rows))
	for _, r := range rows {
		m[r.ID] = r.SessionVersion
	}
	s.cuts.merge(m)
	return nil
}

// ReloadEvery is how often Run reads the session versions again.
const ReloadEvery = 30 * time.Second

// Run reloads the session versions until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(ReloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.LoadSessions(ctx); err != nil && ctx.Err() == nil {
				s.cfg.Logger.Warn("reload session versions", "err", err)
			}
		}
	}
}
