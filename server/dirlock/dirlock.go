// Package dirlock keeps two processes off one data directory: a server, and the commands that
// must run while no server does (rotate-keys re-seals the database under new keys, and a server
// still holding the old ones would write rows nobody could open afterwards).
package dirlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// FileName is the lock file in the data directory. It holds nothing; the lock is the kernel's,
// so a crashed process leaves no stale lock behind.
const FileName = "aidledger.lock"

// ErrLocked is returned when another process holds the directory.
var ErrLocked = errors.New("the data directory is in use by another aidledger process")

// Lock is a held data directory.
type Lock struct{ f *os.File }

// Acquire takes dir's lock without waiting: ErrLocked if another process (or another Acquire in
// this one) holds it.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, FileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := lock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f: f}, nil
}

// Release lets another process take the directory. Closing the file drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
