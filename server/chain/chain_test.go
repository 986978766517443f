package chain_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

func open(t *testing.T, db *gorm.DB, dir string) (*chain.Chain, error) {
	t.Helper()
	c, err := chain.Open(context.Background(), db, chain.Config{DataDir: dir, Lanes: 2})
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestOpen_DeploysOnceAndReusesTheLedgerAfterRestart(t *testing.T) {
	dir := t.TempDir()
	db, _ := testenv.DB(t, chain.Schema)
	first, err := open(t, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	code, err := first.Client.CodeAt(context.Background(), first.Contract, nil)
	if err != nil || len(code) == 0 {
		t.Fatalf("no ledger code at %s: %v", first.Contract.Hex(), err)
	}
	contract, lane1 := first.Contract, first.Keys[1].D.String()
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	again, err := open(t, db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Contract != contract {
		t.Errorf("restart deployed anew: %s, first was %s", again.Contract.Hex(), contract.Hex())
	}
	if again.Keys[1].D.String() != lane1 {
		t.Error("restart generated new operator keys instead of loading them")
	}
	var n int64
	db.Model(&chain.Deployment{}).Count(&n)
	if n != 1 {
		t.Errorf("%d deployment records, want 1", n)
	}
	if st, err := os.Stat(filepath.Join(dir, "keys", "passphrase")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("generated passphrase file: %v, mode %v; want 0600", err, st)
	}
}

func TestOpen_RefusesARecordedLedgerWithoutCode(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(t *testing.T, db *gorm.DB, dir string)
	}{
		{"recorded address holds nothing", func(t *testing.T, db *gorm.DB, _ string) {
			if err := db.Model(&chain.Deployment{}).Where("1 = 1").Update("contract", common.Address{0x01}.Hex()).Error; err != nil {
				t.Fatal(err)
			}
		}},
		{"the chain was reset under the database", func(t *testing.T, _ *gorm.DB, dir string) {
			if err := os.RemoveAll(filepath.Join(dir, "chain")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db, _ := testenv.DB(t, chain.Schema)
			c, err := open(t, db, dir)
			if err != nil {
				t.Fatal(err)
			}
			c.Close()
			tt.spoil(t, db, dir)
			if _, err := open(t, db, dir); !errors.Is(err, chain.ErrNoCode) {
				t.Fatalf("open: %v; want ErrNoCode", err)
			}
		})
	}
}
