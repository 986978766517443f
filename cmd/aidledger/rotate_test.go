package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aidledger/aidledger/server/dirlock"
	"github.com/aidledger/aidledger/server/secrets"
)

func TestRotateKeysCommand_rotatesTheNamedKeysAndRefusesWhileTheDirectoryIsInUse(t *testing.T) {
	dir := t.TempDir()
	before, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		cmd := rotateKeysCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(append([]string{"--data-dir", dir}, args...))
		err := cmd.Execute()
		return out.String(), err
	}

	held, err := dirlock.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run(); err == nil || !strings.Contains(err.Error(), "stop the server first") {
		t.Fatalf("rotate-keys beside a server: %v", err)
	}
	held.Release()

	if _, err := run("--keys", "pin"); err == nil || !strings.Contains(err.Error(), "jwt, master, lookup") {
		t.Fatalf("rotate-keys --keys pin: %v, want the keys that rotate named", err)
	}
	out, err := run("--keys", "jwt,lookup")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "rotated the jwt and lookup keys") {
		t.Errorf("output %q", out)
	}
	after, err := secrets.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(after.JWT, before.JWT) || bytes.Equal(after.Lookup, before.Lookup) || !bytes.Equal(after.Master, before.Master) {
		t.Error("secrets.json does not have new jwt and lookup keys and the same master key")
	}
}
