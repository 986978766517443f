package app_test

import (
	"bytes"
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/dirlock"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/secrets"
)

type session struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func login(t *testing.T, w *apptest.World, email string) session {
	t.Helper()
	r := w.Do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": demo.Password})
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	var s session
	r.JSON(t, &s)
	return s
}

// stop shuts a world's system down so that another may open its data directory.
func stop(t *testing.T, a *app.App) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shut down: %v", err)
	}
}

func TestRotateKeys_theSystemComesBackUnderNewKeysWithEveryoneReadableAndEveryPINGood(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	old := login(t, w, apptest.Admin)
	cfg := w.App.Cfg
	if _, err := app.RotateKeys(t.Context(), cfg, nil); !errors.Is(err, dirlock.ErrLocked) {
		t.Fatalf("rotation beside a running server: %v, want ErrLocked", err)
	}
	before, err := secrets.LoadOrCreate(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	stop(t, w.App)

	r, err := app.RotateKeys(t.Context(), cfg, secrets.Rotatable)
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if !slices.Equal(r.Keys, secrets.Rotatable) || r.Resumed || r.Sealed.Resealed != len(w.Seeded.Beneficiaries) {
		t.Errorf("rotation %+v, want all three keys and %d beneficiaries sealed again", r, len(w.Seeded.Beneficiaries))
	}
	after, err := secrets.LoadOrCreate(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(after.Master, before.Master) || bytes.Equal(after.Lookup, before.Lookup) || bytes.Equal(after.JWT, before.JWT) || !bytes.Equal(after.PIN, before.PIN) {
		t.Error("secrets.json does not hold new master, lookup and jwt keys and the old PIN key")
	}

	a, err := app.Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("start after the rotation: %v", err)
	}
	w2 := w.On(a)

	// A token signed with the old key no longer works; its refresh token gets a new one.
	if resp := w2.Do("GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+old.AccessToken); resp.Status != 401 {
		t.Errorf("old access token: %d, want 401", resp.Status)
	}
	resp := w2.Do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": old.RefreshToken})
	if resp.Status != 200 {
		t.Fatalf("refresh after the rotation: %d %s", resp.Status, resp.Body)
	}
	var renewed session
	resp.JSON(t, &renewed)
	if resp := w2.Do("GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+renewed.AccessToken); resp.Status != 200 {
		t.Errorf("renewed access token: %d %s", resp.Status, resp.Body)
	}

	for _, b := range w.Seeded.Beneficiaries {
		var got enroll.Beneficiary
		if resp := w2.Do("GET", "/api/v1/beneficiaries/"+b.ID, apptest.Admin, nil); resp.Status != 200 {
			t.Fatalf("beneficiary %s: %d %s", b.ID, resp.Status, resp.Body)
		} else if resp.JSON(t, &got); got.GivenName != b.GivenName || got.FamilyName != b.FamilyName {
			t.Errorf("beneficiary %s reads %q %q, want %q %q", b.ID, got.GivenName, got.FamilyName, b.GivenName, b.FamilyName)
		}
		if resp := w2.Do("POST", "/api/v1/cards/"+b.CardNumber+"/balance", apptest.Vendor1, map[string]string{"pin": demo.PIN}); resp.Status != 200 {
			t.Errorf("balance with the PIN of %s: %d %s", b.ID, resp.Status, resp.Body)
		}
	}
	b := w.Seeded.Beneficiaries[0]
	var page struct {
		Items []enroll.Beneficiary `json:"beneficiaries"`
	}
	if resp := w2.Do("GET", "/api/v1/beneficiaries?q="+url.QueryEscape(b.GivenName+" "+b.FamilyName), apptest.Admin, nil); resp.Status != 200 {
		t.Fatalf("search: %d %s", resp.Status, resp.Body)
	} else if resp.JSON(t, &page); !slices.ContainsFunc(page.Items, func(x enroll.Beneficiary) bool { return x.ID == b.ID }) {
		t.Errorf("a search by name (%q) after the rotation found %+v, want %s", b.GivenName+" "+b.FamilyName, page.Items, b.ID)
	}
	in := map[string]any{"given_name": b.GivenName, "family_name": b.FamilyName, "date_of_birth": b.DateOfBirth,
		"household_size": 2, "location": "Zaatari D3", "pin": "4321"}
	if resp := w2.Do("POST", "/api/v1/beneficiaries", apptest.Admin, in); resp.Status != 409 || resp.Code() != "duplicate_beneficiary" {
		t.Errorf("enrolling someone again after the rotation: %d %s, want 409 duplicate_beneficiary", resp.Status, resp.Body)
	}
	if resp := w2.Do("GET", "/api/v1/admin/audit?action=keys.rotate", apptest.Admin, nil); resp.Status != 200 || !strings.Contains(string(resp.Body), `"actor":"cli"`) {
		t.Errorf("audit of the rotation: %d %s", resp.Status, resp.Body)
	}
}

func TestRotateKeys_aRotationCutShortKeepsServersOffUntilItIsRunAgain(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	cfg := w.App.Cfg
	stop(t, w.App)
	// As if the command died right after writing the new keys.
	if _, _, err := secrets.BeginRotation(cfg.DataDir, []string{"master"}); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Start(t.Context(), cfg); !errors.Is(err, secrets.ErrRotating) {
		t.Fatalf("start during a rotation: %v, want ErrRotating", err)
	}
	r, err := app.RotateKeys(t.Context(), cfg, []string{"jwt"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Resumed || !slices.Equal(r.Keys, []string{"master"}) {
		t.Errorf("rotation %+v, want the earlier run's master rotation finished", r)
	}
	if _, err := os.Stat(filepath.Join(cfg.DataDir, secrets.RotatingFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the rotation file is still there: %v", err)
	}
	a, err := app.Start(t.Context(), cfg)
	if err != nil {
		t.Fatalf("start after the rotation finished: %v", err)
	}
	w2 := w.On(a)
	b := w.Seeded.Beneficiaries[1]
	if resp := w2.Do("GET", "/api/v1/beneficiaries/"+b.ID, apptest.Admin, nil); resp.Status != 200 {
		t.Errorf("beneficiary after the finished rotation: %d %s", resp.Status, resp.Body)
	}
}

func TestStart_refusesADatabaseSealedUnderOtherKeys(t *testing.T) {
	w := apptest.New(t, apptest.Small)
	cfg := w.App.Cfg
	stop(t, w.App)
	// Another data directory's secrets.json: what a second server given the wrong file has.
	other := t.TempDir()
	if _, err := secrets.LoadOrCreate(other); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(other, secrets.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg.DataDir, secrets.FileName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Start(t.Context(), cfg); !errors.Is(err, enroll.ErrKeysMismatch) {
		t.Fatalf("start with another secrets.json: %v, want ErrKeysMismatch", err)
	}
}
