package backup_test

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/backup"
	"github.com/aidledger/aidledger/server/store"
)

func TestRestore_RefusesADirectoryInUseAndAnArchiveOfSomethingElse(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	busy := t.TempDir()
	if err := os.WriteFile(filepath.Join(busy, "secrets.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Restore(t.Context(), "no-such-file", busy, "", logger); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore into a directory with files: %v, want a refusal", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.tar.gz")
	if err := os.WriteFile(junk, []byte("not an archive"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "new")
	if _, err := backup.Restore(t.Context(), junk, dir, "", logger); err == nil || !strings.Contains(err.Error(), "not a backup archive") {
		t.Errorf("restore of junk: %v, want a refusal", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed restore left %d entries in the directory", len(entries))
	}
}

func TestRestore_OfASystemOnAnExternalChain_BringsBackItsDatabaseKeysAndSecrets(t *testing.T) {
	dataDir := t.TempDir()
	files := map[string]string{
		"secrets.json":            `{"master":"…"}`,
		"keys/passphrase":         "pass\n",
		"keys/lane-1/UTC--2026-a": `{"address":"…"}`,
	}
	for name, body := range files {
		p := filepath.Join(dataDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	db, err := store.Open("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	if err := db.Exec("CREATE TABLE items (n INTEGER)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO items (n) VALUES (42)").Error; err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "a.tar.gz")
	f, err := os.Create(archive)
	if err != nil {
		t.Fatal(err)
	}
	m, err := backup.Write(t.Context(), f, backup.Source{DataDir: dataDir, DB: db}, t.TempDir())
	if err := errors.Join(err, f.Close()); err != nil {
		t.Fatal(err)
	}
	if m.Chain != "external" || m.Database != "sqlite" || m.ChainHead != 0 {
		t.Fatalf("manifest %+v", m)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	if _, err := backup.Restore(t.Context(), archive, dir, "", slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || string(got) != body {
			t.Errorf("%s restored as %q, %v; want %q", name, got, err, body)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "chain")); !os.IsNotExist(err) {
		t.Errorf("a chain directory was restored for an external chain: %v", err)
	}
	copied, err := store.Open("", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(copied)
	var n int
	if err := copied.Raw("SELECT n FROM items").Row().Scan(&n); err != nil || n != 42 {
		t.Errorf("restored database: %d, %v; want the row 42", n, err)
	}
}

func TestCreate_ThatFails_LeavesNoFileAndIsReported_AndALaterOneInTheSameDirectorySucceeds(t *testing.T) {
	dataDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dataDir, "secrets.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s, err := backup.New(backup.Source{DataDir: dataDir, DB: db}, backup.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	store.Close(db) // the database copy will fail
	if info, err := s.Create(t.Context()); err == nil || info.Status != "failed" {
		t.Fatalf("backup of a closed database: %+v, %v; want it failed", info, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed backup left %d files in %s", len(entries), dir)
	}
	l := s.List()
	if l.LastFailure == nil || l.LastFailure.Error == "" || len(l.Backups) != 0 {
		t.Fatalf("list after a failure: %+v", l)
	}

	db, err = store.Open("", dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close(db)
	s, err = backup.New(backup.Source{DataDir: dataDir, DB: db}, backup.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l := s.List(); l.LastFailure != nil || len(l.Backups) != 1 {
		t.Errorf("list after a success: %+v", l)
	}
}
