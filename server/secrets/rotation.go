package secrets

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aidledger/aidledger/server/internal/durable"
)

// RotatingFileName holds a key rotation that has begun and not finished: the keys before and
// after. Its presence stops a server from starting (ErrRotating), and running the rotation
// again finishes it with the same new keys.
const RotatingFileName = "secrets.rotating.json"

// ErrRotating: a key rotation has begun and not finished.
var ErrRotating = errors.New("a key rotation has not finished (" + RotatingFileName + "): run `aidledger rotate-keys` on this data directory again to finish it")

// Rotatable are the keys a rotation can replace. The PIN key is not among them: PIN hashes
// cannot be computed again without the PINs, so a new PIN key would be a new PIN for every card.
var Rotatable = []string{"jwt", "master", "lookup"}

// Rotation is a key rotation: the keys before and after it.
type Rotation struct {
	From Secrets `json:"from"`
	To   Secrets `json:"to"`
}

// Changed names the keys the rotation replaces, in the order of Rotatable.
func (r Rotation) Changed() []string {
	var out []string
	from, to := r.From.byName(), r.To.byName()
	for _, name := range Rotatable {
		if !slices.Equal(*from[name], *to[name]) {
			out = append(out, name)
		}
	}
	return out
}

// BeginRotation starts replacing the named keys of dataDir's secrets with fresh random ones, or
// resumes the rotation an earlier run began (resumed; names are then those of that run). The
// new keys are on disk before anything is sealed under them.
func BeginRotation(dataDir string, names []string) (r Rotation, resumed bool, err error) {
	rpath := filepath.Join(dataDir, RotatingFileName)
	b, err := os.ReadFile(rpath)
	if err == nil {
		if err := json.Unmarshal(b, &r); err != nil {
			return r, false, fmt.Errorf("parse %s: %w", rpath, err)
		}
		if err := errors.Join(r.From.check(), r.To.check()); err != nil {
			return r, false, fmt.Errorf("%s: %w", rpath, err)
		}
		return r, true, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return r, false, fmt.Errorf("read %s: %w", rpath, err)
	}
	if len(names) == 0 {
		return r, false, errors.New("no keys named to rotate")
	}
	if r.From, err = load(filepath.Join(dataDir, FileName)); err != nil {
		return r, false, fmt.Errorf("read the current keys: %w", err)
	}
	r.To = r.From.clone()
	to := r.To.byName()
	for _, name := range names {
		if !slices.Contains(Rotatable, name) {
			return r, false, fmt.Errorf("cannot rotate the %q key: the keys that rotate are %s", name, strings.Join(Rotatable, ", "))
		}
		*to[name] = newKey()
	}
	return r, false, writeAtomic(rpath, r)
}

// FinishRotation makes the rotation's new keys the data directory's keys and forgets the old
// ones. Call it once everything sealed under the old keys is sealed under the new.
func FinishRotation(dataDir string, r Rotation) error {
	if err := writeAtomic(filepath.Join(dataDir, FileName), r.To); err != nil {
		return err
	}
	if err := os.Remove(filepath.Join(dataDir, RotatingFileName)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return durable.SyncDir(dataDir)
}

func (s Secrets) clone() Secrets {
	return Secrets{JWT: slices.Clone(s.JWT), Master: slices.Clone(s.Master), Lookup: slices.Clone(s.Lookup), PIN: slices.Clone(s.PIN)}
}

// writeAtomic replaces path with v as owner-only JSON: a crash leaves the old file or the new,
// never a part of one.
func writeAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return durable.WriteFile(path, b)
}
