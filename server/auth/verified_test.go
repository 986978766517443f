package auth

import (
	"strconv"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerified_FullCacheForgetsExpiredTokensFirstAndNeverGrowsPastItsBound(t *testing.T) {
	now := time.Now()
	claims := func(sub string, ttl time.Duration) Claims {
		return Claims{Role: Vendor, RegisteredClaims: jwt.RegisteredClaims{Subject: sub, ExpiresAt: jwt.NewNumericDate(now.Add(ttl))}}
	}
	var v verified
	v.put("live", claims("live", time.Hour), now)
	for i := range maxVerified - 1 {
		v.put("old"+strconv.Itoa(i), claims("old", time.Minute), now)
	}
	later := now.Add(2 * time.Minute)
	v.put("new", claims("new", time.Hour), later)
	if len(v.tokens) != 2 {
		t.Fatalf("after the expired were forgotten the cache holds %d tokens, want 2", len(v.tokens))
	}
	for _, tok := range []string{"live", "new"} {
		if c, ok := v.get(tok, later); !ok || c.Subject != tok {
			t.Errorf("%s: %+v, %v", tok, c, ok)
		}
	}
	for i := range 2 * maxVerified {
		v.put("more"+strconv.Itoa(i), claims("more", time.Hour), later)
		if len(v.tokens) > maxVerified {
			t.Fatalf("cache grew to %d tokens, bound %d", len(v.tokens), maxVerified)
		}
	}
}

// BenchmarkVerify is a phone's request after its first: the same access token again.
//
//	go test -run '^$' -bench Verify ./server/auth
func BenchmarkVerify(b *testing.B) {
	s := New(nil, []byte("0123456789abcdef0123456789abcdef"), Config{})
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{Role: Vendor, VendorID: "v1", RegisteredClaims: jwt.RegisteredClaims{
		Subject: "u1", Issuer: "aidledger", ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)), IssuedAt: jwt.NewNumericDate(time.Now()),
	}}).SignedString(s.key)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := s.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
