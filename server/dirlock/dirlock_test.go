package dirlock_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aidledger/aidledger/server/dirlock"
)

func TestAcquire_refusesADirectoryAlreadyHeldUntilItIsReleased(t *testing.T) {
	dir := t.TempDir()
	first, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dirlock.Acquire(dir); !errors.Is(err, dirlock.ErrLocked) {
		t.Fatalf("second Acquire: %v, want ErrLocked", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after Release: %v", err)
	}
	again.Release()
}

func TestAcquire_isRefusedWhileAnotherProcessHoldsTheDirectory(t *testing.T) {
	flock, err := exec.LookPath("flock")
	if err != nil {
		t.Skip("no flock(1) here to hold the lock from another process")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, dirlock.FileName)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// flock(1) holds the file while its child reads from our pipe; closing the pipe ends it.
	cmd := exec.Command(flock, "--exclusive", path, "sh", "-c", "echo held; read _; exit 0")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := stdout.Read(buf); err != nil {
		t.Fatal(err)
	}
	if _, err := dirlock.Acquire(dir); !errors.Is(err, dirlock.ErrLocked) {
		t.Errorf("Acquire while another process holds it: %v, want ErrLocked", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	l, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatalf("Acquire after the other process ended: %v", err)
	}
	l.Release()
}
