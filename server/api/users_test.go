package api_test

import (
	"testing"

	"github.com/aidledger/aidledger/server/api"
	"github.com/aidledger/aidledger/server/app/apptest"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/demo"
)

func userID(t *testing.T, w *apiWorld, email string) string {
	t.Helper()
	list := getAs[struct {
		Users []auth.UserView `json:"users"`
	}](t, w, auth.Admin, "/api/v1/users")
	for _, u := range list.Users {
		if u.Email == email {
			return u.ID
		}
	}
	t.Fatalf("no user %s", email)
	return ""
}

func login(w *apiWorld, email, password string) response {
	w.t.Helper()
	return w.do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
}

func TestUsers_ADisabledVendorsPhoneIsRefusedAtOnceUntilAnAdminEnablesIt(t *testing.T) {
	w := newAPIWorld(t)
	if r := w.do("GET", "/api/v1/me", auth.Vendor, nil); r.Status != 200 {
		t.Fatalf("vendor before: %d %s", r.Status, r.Body)
	}
	vendor := userID(t, w, apptest.Vendor1)

	r := w.do("POST", "/api/v1/users/"+vendor+"/disable", auth.Admin, nil)
	var got auth.UserView
	if r.JSON(t, &got); r.Status != 200 || !got.Disabled || got.ID != vendor {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	if r := w.do("GET", "/api/v1/me", auth.Vendor, nil); r.Status != 401 || errorCode(r) != "invalid_token" {
		t.Fatalf("the phone's token after the disable: %d %s; want 401 invalid_token", r.Status, r.Body)
	}
	if r := login(w, apptest.Vendor1, demo.Password); r.Status != 401 {
		t.Fatalf("login while disabled: %d %s", r.Status, r.Body)
	}

	for _, tc := range []struct {
		name, path string
		body       any
		status     int
		code       string
	}{
		{"an admin disabling themselves", "/api/v1/users/" + userID(t, w, apptest.Admin) + "/disable", nil, 409, "own_account"},
		{"an admin setting their own password", "/api/v1/users/" + userID(t, w, apptest.Admin) + "/password", map[string]string{"password": "a brand new password"}, 409, "own_account"},
		{"a user that does not exist", "/api/v1/users/01a21101-3c39-7c4e-bc3c-091516369641/disable", nil, 404, "not_found"},
		{"a short password", "/api/v1/users/" + vendor + "/password", map[string]string{"password": "short"}, 400, "invalid_field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := w.do("POST", tc.path, auth.Admin, tc.body); r.Status != tc.status || errorCode(r) != tc.code {
				t.Fatalf("%d %s; want %d %s", r.Status, r.Body, tc.status, tc.code)
			}
		})
	}

	if r := w.do("POST", "/api/v1/users/"+vendor+"/enable", auth.Admin, nil); r.Status != 200 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
	if r := login(w, apptest.Vendor1, demo.Password); r.Status != 200 {
		t.Fatalf("login after the enable: %d %s", r.Status, r.Body)
	}
	if r := w.do("POST", "/api/v1/users/"+vendor+"/password", auth.Admin, map[string]string{"password": "the shop's new password"}); r.Status != 204 {
		t.Fatalf("set password: %d %s", r.Status, r.Body)
	}
	if r := login(w, apptest.Vendor1, demo.Password); r.Status != 401 {
		t.Fatalf("the old password after a reset: %d %s", r.Status, r.Body)
	}
	if r := login(w, apptest.Vendor1, "the shop's new password"); r.Status != 200 {
		t.Fatalf("the new password: %d %s", r.Status, r.Body)
	}
}

func TestMePassword_ChangesTheCallersPasswordAndHandsThemANewSession(t *testing.T) {
	w := newAPIWorld(t)
	wrong := w.do("POST", "/api/v1/me/password", auth.AidWorker, map[string]string{"current_password": "not my password", "new_password": "a brand new password"})
	if wrong.Status != 400 || errorCode(wrong) != "invalid_field" {
		t.Fatalf("wrong current password: %d %s", wrong.Status, wrong.Body)
	}
	r := w.do("POST", "/api/v1/me/password", auth.AidWorker, map[string]string{"current_password": demo.Password, "new_password": "a brand new password"})
	var sess auth.Session
	if r.JSON(t, &sess); r.Status != 200 || sess.AccessToken == "" || sess.RefreshToken == "" || sess.User.Email != apptest.AidWorker {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := w.do("GET", "/api/v1/me", auth.AidWorker, nil); r.Status != 401 {
		t.Fatalf("the token from before the change: %d %s; want 401", r.Status, r.Body)
	}
	if r := w.Do("GET", "/api/v1/me", "", nil, "Authorization", "Bearer "+sess.AccessToken); r.Status != 200 {
		t.Fatalf("the new session: %d %s", r.Status, r.Body)
	}
	if r := login(w, apptest.AidWorker, "a brand new password"); r.Status != 200 {
		t.Fatalf("login with the new password: %d %s", r.Status, r.Body)
	}
}

func TestIdempotencyKey_NeverKeepsAnAnswerThatCarriesTokens(t *testing.T) {
	w := newAPIWorld(t)
	for _, path := range []string{"/api/v1/auth/login", "/api/v1/me/password"} {
		body := map[string]string{"email": apptest.Donor, "password": demo.Password}
		role := auth.Role("")
		if path == "/api/v1/me/password" {
			body, role = map[string]string{"current_password": demo.Password, "new_password": "a brand new password"}, auth.Donor
		}
		if r := w.do("POST", path, role, body, "Idempotency-Key", "tokens-"+path); r.Status != 200 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
	}
	var kept int64
	if err := w.App.DB.Model(&api.IdempotencyRecord{}).Where("key LIKE ?", "tokens-%").Count(&kept).Error; err != nil {
		t.Fatal(err)
	}
	if kept != 0 {
		t.Fatalf("%d answers with tokens kept by the replay cache; want none", kept)
	}
}
