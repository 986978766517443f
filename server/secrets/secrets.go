// Package secrets keeps the server's own keys: the JWT signing key, the master key that wraps
// beneficiaries' data keys, and the HMAC keys for PINs and duplicate detection. They live in one
// owner-only file outside the database, so a stolen database alone reveals no personal data and
// allows no offline PIN guessing.
package secrets

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Secrets are 32-byte keys, each for one purpose only.
type Secrets struct {
	JWT    []byte `json:"jwt"`    // signs access tokens (HMAC-SHA256)
	Master []byte `json:"master"` // wraps per-beneficiary data keys (AES-256-GCM)
	Lookup []byte `json:"lookup"` // HMAC of normalised identifiers, for duplicate detection and search
	PIN    []byte `json:"pin"`    // HMAC of PINs
}

// FileName is where the secrets live in the data directory. Replicas sharing one database must
// share this file too.
const FileName = "secrets.json"

// LoadOrCreate reads dataDir/secrets.json, creating it (0600) with fresh random keys on first use.
// It refuses while a key rotation is unfinished (ErrRotating): the database is then sealed
// partly under the old keys and partly under the new.
func LoadOrCreate(dataDir string) (Secrets, error) {
	if _, err := os.Stat(filepath.Join(dataDir, RotatingFileName)); err == nil {
		return Secrets{}, fmt.Errorf("%s: %w", dataDir, ErrRotating)
	}
	path := filepath.Join(dataDir, FileName)
	s, err := load(path)
	if errors.Is(err, os.ErrNotExist) {
		return create(path)
	}
	return s, err
}

// load reads and checks one secrets file.
func load(path string) (Secrets, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Secrets{}, err
	}
	if err != nil {
		return Secrets{}, fmt.Errorf("read %s: %w", path, err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return Secrets{}, fmt.Errorf("%s is readable by other users (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	var s Secrets
	if err := json.Unmarshal(b, &s); err != nil {
		return Secrets{}, fmt.Errorf("parse %s: %w", path, err)
	}
	if err := s.check(); err != nil {
		return Secrets{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

func (s Secrets) check() error {
	for name, k := range s.byName() {
		if len(*k) != 32 {
			return fmt.Errorf("key %q is %d bytes, want 32", name, len(*k))
		}
	}
	return nil
}

// byName is each key by the name it has in the file.
func (s *Secrets) byName() map[string]*[]byte {
	return map[string]*[]byte{"jwt": &s.JWT, "master": &s.Master, "lookup": &s.Lookup, "pin": &s.PIN}
}

func create(path string) (Secrets, error) {
	var s Secrets
	for _, k := range s.byName() {
		*k = newKey()
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return s, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return s, err
	}
	// O_EXCL: two processes starting at once must not each write different keys.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadOrCreate(filepath.Dir(path))
	}
	if err != nil {
		return s, fmt.Errorf("create %s: %w", path, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return s, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return s, err
	}
	return s, f.Close()
}

func newKey() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k
}
