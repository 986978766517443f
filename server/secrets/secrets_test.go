package secrets_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aidledger/aidledger/server/secrets"
)

func TestLoadOrCreate_createsOwnerOnlyKeysOnceAndReadsTheSameAfterwards(t *testing.T) {
	dir := t.TempDir()
	first, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, secrets.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	again, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.Master, again.Master) || !bytes.Equal(first.JWT, again.JWT) {
		t.Error("a second load gave other keys")
	}
	if bytes.Equal(first.Master, first.Lookup) {
		t.Error("two purposes share one key")
	}
}

func TestRotation_replacesOnlyTheNamedKeysAndStopsServersUntilItFinishes(t *testing.T) {
	dir := t.TempDir()
	before, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, resumed, err := secrets.BeginRotation(dir, []string{"master", "jwt"})
	if err != nil || resumed {
		t.Fatalf("begin: resumed %v, %v", resumed, err)
	}
	if got := r.Changed(); !slices.Equal(got, []string{"jwt", "master"}) {
		t.Errorf("changed %v, want [jwt master]", got)
	}
	if !bytes.Equal(r.From.Master, before.Master) || bytes.Equal(r.To.Master, before.Master) {
		t.Error("the master key did not change from the current one")
	}
	if !bytes.Equal(r.To.Lookup, before.Lookup) || !bytes.Equal(r.To.PIN, before.PIN) {
		t.Error("a key that was not named changed")
	}
	if _, err := secrets.LoadOrCreate(dir); !errors.Is(err, secrets.ErrRotating) {
		t.Fatalf("load during a rotation: %v, want ErrRotating", err)
	}

	// A second run (after a crash) resumes with the same new keys, whatever it names.
	again, resumed, err := secrets.BeginRotation(dir, []string{"lookup"})
	if err != nil || !resumed {
		t.Fatalf("resume: resumed %v, %v", resumed, err)
	}
	if !bytes.Equal(again.To.Master, r.To.Master) || !bytes.Equal(again.To.Lookup, before.Lookup) {
		t.Error("a resumed rotation has other new keys")
	}

	if err := secrets.FinishRotation(dir, again); err != nil {
		t.Fatal(err)
	}
	after, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatalf("load after the rotation: %v", err)
	}
	if !bytes.Equal(after.Master, r.To.Master) || !bytes.Equal(after.JWT, r.To.JWT) || !bytes.Equal(after.PIN, before.PIN) {
		t.Error("the data directory does not hold the new keys")
	}
	st, err := os.Stat(filepath.Join(dir, secrets.FileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("secrets file after rotation: %v, %v", st, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "secrets*")); len(left) != 1 {
		t.Errorf("files left behind: %v", left)
	}
}

func TestBeginRotation_refusesThePINKeyAndUnknownNames(t *testing.T) {
	for _, name := range []string{"pin", "nope"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := secrets.LoadOrCreate(dir); err != nil {
				t.Fatal(err)
			}
			if _, _, err := secrets.BeginRotation(dir, []string{name}); err == nil {
				t.Fatal("began a rotation of a key that does not rotate")
			}
			if _, err := secrets.LoadOrCreate(dir); err != nil {
				t.Errorf("a refused rotation left the directory unusable: %v", err)
			}
		})
	}
}

func TestBeginRotation_refusesADirectoryWithoutKeys(t *testing.T) {
	if _, _, err := secrets.BeginRotation(t.TempDir(), []string{"master"}); err == nil {
		t.Fatal("began a rotation with no secrets.json")
	}
}
