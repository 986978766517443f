package auth

import (
	"sync"
	"time"
)

// maxVerified bounds the verified-token cache: a country programme's phones and staff hold a few
// hundred live access tokens at a time, each renewed every AccessTTL.
const maxVerified = 4096

// verified remembers the access tokens Verify accepted, by their exact text, until they expire.
// Every request of a vendor's phone carries the same token for its 15 minutes, and parsing and
// MACing it again each time (base64, JSON, HMAC-SHA256) was 2 % of the server's CPU at 500
// redemptions/s (thirty-third session's profile). Only a token that passed the full check is
// remembered, and only its exact text finds it, so a forged or altered token is never taken from
// here. Ending a user's sessions is checked after the cache (Service.current), so remembering a
// token changes no answer.
type verified struct {
	mu     sync.Mutex
	tokens map[string]Claims
}

// get returns the claims of token if it was verified and has not expired since.
func (v *verified) get(token string, now time.Time) (*Claims, bool) {
	v.mu.Lock()
	c, ok := v.tokens[token]
	if ok && !now.Before(c.ExpiresAt.Time) {
		delete(v.tokens, token)
		ok = false
	}
	v.mu.Unlock()
	if !ok {
		return nil, false
	}
	return &c, true
}

// put remembers a token that passed the full check. A full cache first forgets what has
// expired, and forgets everything if that was not enough: a bound, not a policy.
func (v *verified) put(token string, c Claims, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.tokens == nil {
		v.tokens = make(map[string]Claims)
	}
	if len(v.tokens) >= maxVerified {
		for t, held := range v.tokens {
			if !now.Before(held.ExpiresAt.Time) {
				delete(v.tokens, t)
			}
		}
		if len(v.tokens) >= maxVerified {
			clear(v.tokens)
		}
	}
	v.tokens[token] = c
}
