package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

// A connection closed because too many were idle is one PostgreSQL opens again for the next burst:
// a fork, authentication and every statement prepared again. Under load that churn (thousands of
// sessions a minute) cost more than the statements themselves.
func TestOpen_PostgresKeepsEveryConnectionOfABurstForTheNext(t *testing.T) {
	db := postgresOnly(t)
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	burst := sqlDB.Stats().MaxOpenConnections
	for round := 0; round < 2; round++ {
		var wg sync.WaitGroup
		for i := 0; i < burst; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := db.Exec("SELECT pg_sleep(0.05)").Error; err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	st := sqlDB.Stats()
	if st.MaxIdleClosed != 0 || st.OpenConnections != burst {
		t.Fatalf("after two bursts of %d: %d open, %d closed for being idle; want all %d kept", burst, st.OpenConnections, st.MaxIdleClosed, burst)
	}
}

func TestIsLockConflict_TellsADeadlockFromOtherErrors(t *testing.T) {
	db := postgresOnly(t)
	if err := db.Exec("CREATE TABLE rows_ (id INTEGER PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO rows_ VALUES (1, 0), (2, 0)").Error; err != nil {
		t.Fatal(err)
	}
	// Two transactions lock the rows in opposite orders; PostgreSQL cancels one of them.
	ctx := context.Background()
	locked := make(chan struct{}, 2)
	errs := make(chan error, 2)
	for _, order := range [][2]int{{1, 2}, {2, 1}} {
		go func() {
			errs <- store.InTx(ctx, db, func(tx *gorm.DB) error {
				if err := tx.Exec("UPDATE rows_ SET n = n + 1 WHERE id = ?", order[0]).Error; err != nil {
					return err
				}
				locked <- struct{}{}
				for len(locked) < 2 { // both hold their first row
					time.Sleep(time.Millisecond)
				}
				return tx.Exec("UPDATE rows_ SET n = n + 1 WHERE id = ?", order[1]).Error
			})
		}()
	}
	var conflicts int
	for i := 0; i < 2; i++ {
		if err := <-errs; store.IsLockConflict(err) {
			conflicts++
		} else if err != nil {
			t.Errorf("the other error: %v", err)
		}
	}
	if conflicts != 1 {
		t.Fatalf("%d lock conflicts; want the one deadlock PostgreSQL broke", conflicts)
	}
	for _, err := range []error{
		nil,
		errors.New("plain"),
		db.Exec("INSERT INTO rows_ VALUES (1, 0)").Error, // a unique violation
		db.Exec("SELECT no_such_column FROM rows_").Error,
	} {
		if store.IsLockConflict(err) {
			t.Errorf("IsLockConflict(%v) = true", err)
		}
	}
}

func postgresOnly(t *testing.T) *gorm.DB {
	t.Helper()
	db, _ := testenv.DB(t)
	if store.DialectOf(db) != store.Postgres {
		t.Skip("PostgreSQL only: set " + testenv.EnvPostgres)
	}
	return db
}
