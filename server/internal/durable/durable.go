// Package durable makes changes to files survive a crash or a power cut: a file replaced whole
// or not at all, and a directory's new entries on disk, not only in the page cache.
package durable

import (
	"fmt"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data, owner-only (0600): written to a temporary file beside it,
// synced, renamed over path, and the directory synced. A crash leaves the old file or the new.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp") // created 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone after the rename; left only by a failure
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return SyncDir(filepath.Dir(path))
}

// SyncDir makes dir's entries (files created, renamed or removed in it) durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
