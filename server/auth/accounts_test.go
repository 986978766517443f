package auth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

const testKey = "0123456789abcdef0123456789abcdef"

func mustLogin(t *testing.T, s *auth.Service, email, password string) auth.Session {
	t.Helper()
	sess, err := s.Login(context.Background(), email, password, "10.1.0.1")
	if err != nil {
		t.Fatalf("login %s: %v", email, err)
	}
	if _, err := s.Verify(sess.AccessToken); err != nil {
		t.Fatalf("fresh access token: %v", err)
	}
	return sess
}

// requireEnded fails unless both tokens of sess are refused.
func requireEnded(t *testing.T, s *auth.Service, sess auth.Session) {
	t.Helper()
	if _, err := s.Verify(sess.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("access token of an ended session: %v; want invalid_token", err)
	}
	if _, err := s.Refresh(context.Background(), sess.RefreshToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("refresh token of an ended session: %v; want invalid_token", err)
	}
}

func TestDisable_EndsEverySessionAtOnceAndRefusesLoginUntilEnabled(t *testing.T) {
	s := newService(t, auth.Config{})
	ctx := context.Background()
	admin := mustUser(t, s, "admin@example.org", auth.Admin)
	v := mustUser(t, s, "shop@example.org", auth.Vendor)
	phone := mustLogin(t, s, "shop@example.org", "correct horse battery")

	got, err := s.SetDisabled(ctx, admin.ID, v.ID, true)
	if err != nil || !got.Disabled {
		t.Fatalf("disable: %+v, %v", got, err)
	}
	requireEnded(t, s, phone)
	if _, err := s.Login(ctx, "shop@example.org", "correct horse battery", "10.1.0.2"); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Fatalf("login of a disabled user: %v; want invalid_credentials", err)
	}
	if again, err := s.SetDisabled(ctx, admin.ID, v.ID, true); err != nil || !again.Disabled {
		t.Fatalf("disabling twice: %+v, %v; want the same answer", again, err)
	}

	got, err = s.SetDisabled(ctx, admin.ID, v.ID, false)
	if err != nil || got.Disabled {
		t.Fatalf("enable: %+v, %v", got, err)
	}
	mustLogin(t, s, "shop@example.org", "correct horse battery")
	if _, err := s.Verify(phone.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("a token ended by the disable works again after the enable: %v", err)
	}
}

func TestAccountActions_RefuseWhatWouldLockAnAdminOutOrSkipTheirPassword(t *testing.T) {
	s := newService(t, auth.Config{})
	ctx := context.Background()
	admin := mustUser(t, s, "admin@example.org", auth.Admin)
	for _, tc := range []struct {
		name   string
		do     func() error
		status int
		code   string
	}{
		{"disabling oneself", func() error { _, err := s.SetDisabled(ctx, admin.ID, admin.ID, true); return err }, http.StatusConflict, "own_account"},
		{"setting one's own password", func() error { return s.SetPassword(ctx, admin.ID, admin.ID, "a new password!") }, http.StatusConflict, "own_account"},
		{"disabling nobody", func() error { _, err := s.SetDisabled(ctx, admin.ID, "no-such-id", true); return err }, http.StatusNotFound, "not_found"},
		{"setting nobody's password", func() error { return s.SetPassword(ctx, admin.ID, "no-such-id", "a new password!") }, http.StatusNotFound, "not_found"},
		{"a short password", func() error { return s.SetPassword(ctx, "", admin.ID, "short") }, http.StatusBadRequest, "invalid_field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := apierr.As(tc.do())
			if !ok || e.Status != tc.status || e.Code != tc.code {
				t.Fatalf("got %v; want %d %s", e, tc.status, tc.code)
			}
		})
	}
	mustLogin(t, s, "admin@example.org", "correct horse battery")
}

func TestSetPassword_EndsTheUsersSessionsAndOnlyTheNewPasswordLogsIn(t *testing.T) {
	s := newService(t, auth.Config{})
	ctx := context.Background()
	admin := mustUser(t, s, "admin@example.org", auth.Admin)
	w := mustUser(t, s, "worker@example.org", auth.AidWorker)
	old := mustLogin(t, s, "worker@example.org", "correct horse battery")
	mine := mustLogin(t, s, "admin@example.org", "correct horse battery")

	if err := s.SetPassword(ctx, admin.ID, w.ID, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	requireEnded(t, s, old)
	if _, err := s.Login(ctx, "worker@example.org", "correct horse battery", "10.1.0.3"); !errors.Is(err, auth.ErrInvalidCredentials) {
		t.Errorf("old password: %v; want invalid_credentials", err)
	}
	mustLogin(t, s, "worker@example.org", "a brand new password")
	if _, err := s.Verify(mine.AccessToken); err != nil {
		t.Errorf("the admin's own session ended with another user's: %v", err)
	}
}

func TestChangePassword_NeedsTheCurrentOneAndEndsEveryOtherSession(t *testing.T) {
	s := newService(t, auth.Config{})
	ctx := context.Background()
	u := mustUser(t, s, "donor@example.org", auth.Donor)
	laptop := mustLogin(t, s, "donor@example.org", "correct horse battery")
	phone := mustLogin(t, s, "donor@example.org", "correct horse battery")

	_, err := s.ChangePassword(ctx, u.ID, "not my password", "a brand new password", "10.1.0.4")
	if e, ok := apierr.As(err); !ok || e.Code != "invalid_field" || e.Field != "current_password" {
		t.Fatalf("wrong current password: %v; want invalid_field on current_password", err)
	}
	if _, err := s.ChangePassword(ctx, u.ID, "correct horse battery", "short", "10.1.0.4"); code(err) != "invalid_field" {
		t.Fatalf("short new password: %v; want invalid_field", err)
	}
	if _, err := s.Verify(phone.AccessToken); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}

	sess, err := s.ChangePassword(ctx, u.ID, "correct horse battery", "a brand new password", "10.1.0.4")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Verify(sess.AccessToken); err != nil || c.Subject != u.ID {
		t.Fatalf("the new session: %+v, %v", c, err)
	}
	if _, err := s.Refresh(ctx, sess.RefreshToken); err != nil {
		t.Fatalf("the new session's refresh: %v", err)
	}
	requireEnded(t, s, laptop)
	requireEnded(t, s, phone)
	mustLogin(t, s, "donor@example.org", "a brand new password")
}

func TestChangePassword_WrongGuessesCountTowardTheLoginLock(t *testing.T) {
	s := newService(t, auth.Config{MaxFailures: 3, Sleep: func(context.Context, time.Duration) {}})
	ctx := context.Background()
	u := mustUser(t, s, "stolen@example.org", auth.Vendor)
	for i := 0; i < 3; i++ {
		if _, err := s.ChangePassword(ctx, u.ID, "guess number "+string(rune('a'+i)), "a brand new password", "10.1.0.5"); code(err) != "invalid_field" {
			t.Fatalf("guess %d: %v", i+1, err)
		}
	}
	_, err := s.ChangePassword(ctx, u.ID, "correct horse battery", "a brand new password", "10.1.0.5")
	if code(err) != "too_many_attempts" {
		t.Fatalf("after the limit: %v; want too_many_attempts", err)
	}
	if _, err := s.Login(ctx, "stolen@example.org", "correct horse battery", "10.1.0.6"); code(err) != "too_many_attempts" {
		t.Fatalf("login after the guesses: %v; want the account locked", err)
	}
}

// A second Service over the same database stands for a restarted server, or for the command line
// changing an account while the server runs.
func TestLoadSessions_KeepsSessionsEndedElsewhereOrBeforeARestartEnded(t *testing.T) {
	db, _ := testenv.DB(t, auth.Schema)
	running := auth.New(db, []byte(testKey), auth.Config{})
	ctx := context.Background()
	u := mustUser(t, running, "worker@example.org", auth.AidWorker)
	sess := mustLogin(t, running, "worker@example.org", "correct horse battery")

	cli := auth.New(db, nil, auth.Config{})
	if _, err := cli.SetDisabled(ctx, "", u.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := running.LoadSessions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := running.Verify(sess.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("running server after reloading: %v; want invalid_token", err)
	}

	restarted := auth.New(db, []byte(testKey), auth.Config{})
	if err := restarted.LoadSessions(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := restarted.Verify(sess.AccessToken); !errors.Is(err, auth.ErrInvalidToken) {
		t.Errorf("restarted server: %v; want invalid_token", err)
	}
}
