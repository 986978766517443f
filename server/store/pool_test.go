package store_test

import (
	"sync"
	"testing"

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

func postgresOnly(t *testing.T) *gorm.DB {
	t.Helper()
	db, _ := testenv.DB(t)
	if store.DialectOf(db) != store.Postgres {
		t.Skip("PostgreSQL only: set " + testenv.EnvPostgres)
	}
	return db
}
