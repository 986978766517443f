package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

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
