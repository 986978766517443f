package auth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

func newService(t *testing.T, cfg auth.Config) *auth.Service {
	t.Helper()
	db, _ := testenv.DB(t, auth.Schema)
	return auth.New(db, []byte(testKey), cfg)
}

func mustUser(t *testing.T, s *auth.Service, email string, role auth.Role) auth.UserView {
	t.Helper()
	in := auth.NewUser{Email: email, Password: "correct horse battery", Role: role}
	if role == auth.Vendor {
		in.VendorID = "vendor-1"
	}
	u, err := s.CreateUser(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func code(err error) string {
	if e, ok := apierr.As(err); ok {
		return e.Code
	}
	return ""
}

func TestLogin_WithTheRightPasswordIssuesTokensThatVerify(t *testing.T) {
	s := newService(t, auth.Config{})
	u := mustUser(t, s, "Worker@Example.org", auth.AidWorker)
	sess, err := s.Login(context.Background(), "  worker@example.ORG ", "correct horse battery", "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if sess.User.ID != u.ID || sess.ExpiresIn != 900 || sess.RefreshToken == "" {
		t.Fatalf("session %+v", sess)
	}
	c, err := s.Verify(sess.AccessToken)
	if err != nil || c.Subject != u.ID || c.Role != auth.AidWorker {
		t.Fatalf("claims %+v, %v", c, err)
	}
}

func TestLogin_RefusesWrongPasswordsAndUnknownAccountsAlike(t *testing.T) {
	s := newService(t, auth.Config{})
	mustUser(t, s, "a@example.org", auth.Admin)
	for _, tc := range []struct{ email, password string }{
		{"a@example.org", "wrong password!"},
		{"nobody@example.org", "correct horse battery"},
	} {
		_, err := s.Login(context.Background(), tc.email, tc.password, "10.0.0.2")
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Errorf("%s: %v; want invalid_credentials", tc.email, err)
		}
	}
}

func TestLogin_SlowsThenLocksRepeatedFailures(t *testing.T) {
	var slept []time.Duration
	s := newService(t, auth.Config{SlowAfter: 2, MaxFailures: 4, Sleep: func(_ context.Context, d time.Duration) { slept = append(slept, d) }})
	mustUser(t, s, "v@example.org", auth.Vendor)
	ctx := context.Background()
	for i := 0; i < 4; i++ {
		if _, err := s.Login(ctx, "v@example.org", "nope nope nope", "10.0.0.3"); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if len(slept) != 1 {
		t.Errorf("slowed %d times (%v); want the attempt after the 2nd failure slowed once before locking", len(slept), slept)
	}
	_, err := s.Login(ctx, "v@example.org", "correct horse battery", "10.0.0.9")
	if e, ok := apierr.As(err); !ok || e.Status != http.StatusTooManyRequests || e.Code != "too_many_attempts" {
		t.Fatalf("after the limit, even the right password: %v; want 429 too_many_attempts", err)
	}
	// The address is locked too, for any account tried from it.
	if _, err := s.Login(ctx, "other@example.org", "whatever whatever", "10.0.0.3"); code(err) != "too_many_attempts" {
		t.Errorf("same address, other account: %v; want too_many_attempts", err)
	}
}

func TestRefresh_RotatesAndAReusedTokenRevokesTheFamily(t *testing.T) {
	s := newService(t, auth.Config{})
	mustUser(t, s, "d@example.org", auth.Donor)
	ctx := context.Background()
	first, err := s.Login(ctx, "d@example.org", "correct horse battery", "10.0.0.4")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if second.RefreshToken == first.RefreshToken {
		t.Fatal("refresh token did not rotate")
	}
	// The first token, replayed by whoever copied it: refused, and the family dies with it.
	if _, err := s.Refresh(ctx, first.RefreshToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("reused token: %v", err)
	}
	if _, err := s.Refresh(ctx, second.RefreshToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("token of a revoked family: %v", err)
	}
}

func TestLogout_RevokesTheRefreshToken(t *testing.T) {
	s := newService(t, auth.Config{})
	mustUser(t, s, "l@example.org", auth.Admin)
	ctx := context.Background()
	sess, err := s.Login(ctx, "l@example.org", "correct horse battery", "10.0.0.5")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Logout(ctx, sess.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Refresh(ctx, sess.RefreshToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("refresh after logout: %v", err)
	}
}

func TestVerify_RefusesExpiredForgedAndGarbageTokens(t *testing.T) {
	s := newService(t, auth.Config{AccessTTL: time.Nanosecond})
	mustUser(t, s, "x@example.org", auth.Admin)
	sess, err := s.Login(context.Background(), "x@example.org", "correct horse battery", "10.0.0.6")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // JWT times have one-second resolution
	other := auth.New(nil, []byte("another key, another key, another"), auth.Config{})
	for name, tok := range map[string]string{
		"expired": sess.AccessToken,
		"garbage": "not.a.token",
		"empty":   "",
	} {
		if _, err := s.Verify(tok); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s: %v", name, err)
		}
		if _, err := other.Verify(tok); err == nil {
			t.Errorf("%s verified under another key", name)
		}
	}
}

func TestCreateUser_ValidatesEveryField(t *testing.T) {
	s := newService(t, auth.Config{})
	mustUser(t, s, "taken@example.org", auth.Admin)
	tests := []struct {
		name  string
		in    auth.NewUser
		field string
		code  string
	}{
		{"bad email", auth.NewUser{Email: "nope", Password: "long enough pw", Role: auth.Admin}, "email", "invalid_field"},
		{"short password", auth.NewUser{Email: "a@b.org", Password: "short", Role: auth.Admin}, "password", "invalid_field"},
		{"unknown role", auth.NewUser{Email: "a@b.org", Password: "long enough pw", Role: "root"}, "role", "invalid_field"},
		{"vendor without vendor", auth.NewUser{Email: "a@b.org", Password: "long enough pw", Role: auth.Vendor}, "vendor_id", "invalid_field"},
		{"vendor id on a donor", auth.NewUser{Email: "a@b.org", Password: "long enough pw", Role: auth.Donor, VendorID: "v"}, "vendor_id", "invalid_field"},
		{"email taken", auth.NewUser{Email: "TAKEN@example.org", Password: "long enough pw", Role: auth.Donor}, "", "email_taken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateUser(context.Background(), tt.in)
			e, ok := apierr.As(err)
			if !ok || e.Code != tt.code || e.Field != tt.field {
				t.Fatalf("%v; want %s on %q", err, tt.code, tt.field)
			}
		})
	}
}

func TestHashPassword_NeverStoresThePassword(t *testing.T) {
	h, err := auth.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "correct") || !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hash %q", h)
	}
	if ok, _ := auth.CheckPassword(h, "correct horse battery"); !ok {
		t.Error("right password refused")
	}
	if ok, _ := auth.CheckPassword(h, "correct horse batterY"); ok {
		t.Error("wrong password accepted")
	}
}

func TestVerify_RefusesATokenVerifiedBeforeOnceItHasExpired(t *testing.T) {
	s := newService(t, auth.Config{AccessTTL: 2 * time.Second})
	mustUser(t, s, "y@example.org", auth.Admin)
	sess, err := s.Login(context.Background(), "y@example.org", "correct horse battery", "10.0.0.7")
	if err != nil {
		t.Fatal(err)
	}
	// Expiry has one-second resolution, so a 2 s token has at least a second left here.
	c, err := s.Verify(sess.AccessToken)
	if err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	if again, err := s.Verify(sess.AccessToken); err != nil || again.Subject != c.Subject {
		t.Fatalf("fresh token again: %+v, %v", again, err)
	}
	time.Sleep(time.Until(c.ExpiresAt.Time) + 10*time.Millisecond)
	if _, err := s.Verify(sess.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("expired token verified: %v", err)
	}
}

func TestVerify_RefusesAVerifiedTokenWithAnyPartAltered(t *testing.T) {
	s := newService(t, auth.Config{})
	mustUser(t, s, "z@example.org", auth.Vendor)
	sess, err := s.Login(context.Background(), "z@example.org", "correct horse battery", "10.0.0.8")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(sess.AccessToken); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(sess.AccessToken, ".")
	flip := func(p string) string { // change one base64url character, keeping the length
		if p[0] == 'A' {
			return "B" + p[1:]
		}
		return "A" + p[1:]
	}
	for i, name := range []string{"header", "claims", "signature"} {
		altered := append([]string(nil), parts...)
		altered[i] = flip(altered[i])
		if _, err := s.Verify(strings.Join(altered, ".")); !errors.Is(err, auth.ErrInvalidToken) {
			t.Errorf("%s altered: %v", name, err)
		}
	}
	if _, err := s.Verify(sess.AccessToken + " "); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("trailing space: %v", err)
	}
}
