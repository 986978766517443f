package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

func TestSnapshot_SendsPostgreSQLToItsOwnTools(t *testing.T) {
	server := os.Getenv(testenv.EnvPostgres)
	if server == "" {
		t.Skip("PostgreSQL test: set " + testenv.EnvPostgres)
	}
	db := testenv.OpenDB(t, testenv.PostgresDB(t, server))
	if err := store.Snapshot(context.Background(), db, filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, store.ErrNoSnapshot) {
		t.Errorf("Snapshot on PostgreSQL: %v, want ErrNoSnapshot", err)
	}
}
