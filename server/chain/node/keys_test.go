package node

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// One test walks the key's life: create, reload, wrong passphrase, file modes.
func TestLoadOrCreateKey_CreatesThenReloadsAndRefusesWrongPassphrase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keystore")
	const pass = "correct horse battery staple"

	key, addr, err := LoadOrCreateKey(dir, pass)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if crypto.PubkeyToAddress(key.PublicKey) != addr {
		t.Fatalf("address %s does not belong to the key", addr)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) != 1 {
		t.Fatalf("key files %v (%v), want exactly one", files, err)
	}
	assertMode(t, dir, 0o700)
	assertMode(t, files[0], 0o600)
	if !strings.HasSuffix(strings.ToLower(files[0]), strings.ToLower(addr.Hex()[2:])) {
		t.Errorf("key file %s is not named after %s", files[0], addr)
	}
	blob, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(blob), pass) || !strings.Contains(string(blob), `"kdf":"scrypt"`) {
		t.Errorf("key file is not a scrypt keystore file hiding the passphrase: %s", blob)
	}

	key2, addr2, err := LoadOrCreateKey(dir, pass)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if addr2 != addr || !key2.Equal(key) {
		t.Errorf("reload gave %s, want the key of %s", addr2, addr)
	}

	_, _, err = LoadOrCreateKey(dir, "wrong")
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: error %v, want ErrWrongPassphrase", err)
	}
	if err != nil && strings.Contains(err.Error(), pass) {
		t.Errorf("error %q leaks the passphrase", err)
	}
}

func TestLoadOrCreateKey_RefusesToGuessBetweenKeys(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"UTC--a--1", "UTC--b--2"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := LoadOrCreateKey(dir, "x"); err == nil || !strings.Contains(err.Error(), "expected one") {
		t.Errorf("error %v, want a refusal to pick between two key files", err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s has mode %o, want %o", path, got, want)
	}
}
