package store_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

type counter struct {
	Name  string
	Count int64
}

func createCounters(t *testing.T, db *gorm.DB) {
	t.Helper()
	if err := db.Exec("CREATE TABLE counters (name VARCHAR(20) PRIMARY KEY, count BIGINT NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Exec("INSERT INTO counters (name, count) VALUES ('a', 1), ('b', 2)").Error; err != nil {
		t.Fatal(err)
	}
}

func countersIn(t *testing.T, db *gorm.DB) map[string]int64 {
	t.Helper()
	var rows []counter
	if err := db.Raw("SELECT name, count FROM counters").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Name] = r.Count
	}
	return out
}

// queueBumpAndRead queues an update of a and a read of both counters after it.
func queueBumpAndRead(b *store.Batch, db *gorm.DB, read *[]counter) {
	store.Query[struct{}](b, db.Raw("UPDATE counters SET count = count + ? WHERE name = ?", 10, "a"), nil)
	store.Query(b, db.Raw("SELECT name, count FROM counters WHERE name IN ? ORDER BY name", []string{"a", "b"}), read)
}

func TestBatch_RunsItsStatementsInOrderInGORMsTransaction(t *testing.T) {
	db, _ := testenv.DB(t)
	createCounters(t, db)
	var read []counter
	err := store.InTx(context.Background(), db, func(tx *gorm.DB) error {
		var b store.Batch
		queueBumpAndRead(&b, tx, &read)
		if err := b.Run(); err != nil {
			return err
		}
		if b.Len() != 0 {
			t.Errorf("a batch that ran still holds %d statements", b.Len())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 2 || read[0] != (counter{"a", 11}) || read[1] != (counter{"b", 2}) {
		t.Errorf("read %+v after the update; want a=11, b=2", read)
	}
}

func TestPipelined_SendsEachBatchInOneRoundTripAndCommitsWithTheLast(t *testing.T) {
	db := postgresOnly(t)
	createCounters(t, db)
	var read []counter
	err := store.WithPipelined(context.Background(), db, func(p *store.Pipelined) error {
		var b store.Batch
		queueBumpAndRead(&b, p.Dry(), &read)
		if err := p.Run(context.Background(), &b); err != nil {
			return err
		}
		store.Query[struct{}](&b, p.Dry().Raw("UPDATE counters SET count = count + ? WHERE name = ?", 100, "b"), nil)
		if err := p.Commit(context.Background(), &b); err != nil {
			return err
		}
		if p.RoundTrips() != 2 {
			t.Errorf("two batches took %d round trips", p.RoundTrips())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 2 || read[0] != (counter{"a", 11}) || read[1] != (counter{"b", 2}) {
		t.Errorf("read %+v after the update in the same batch; want a=11, b=2", read)
	}
	if got := countersIn(t, db); got["a"] != 11 || got["b"] != 102 {
		t.Errorf("committed %v; want a=11, b=102", got)
	}
}

func TestPipelined_KeepsNothingWhenAStatementFailsOrItDoesNotCommit(t *testing.T) {
	db := postgresOnly(t)
	createCounters(t, db)
	ctx := context.Background()
	for name, c := range map[string]struct {
		fn   func(p *store.Pipelined) error
		want func(error) bool
	}{
		"a statement before COMMIT fails": {
			fn: func(p *store.Pipelined) error {
				var b store.Batch
				store.Query[struct{}](&b, p.Dry().Raw("UPDATE counters SET count = count + 1 WHERE name = ?", "a"), nil)
				store.Query[struct{}](&b, p.Dry().Raw("INSERT INTO counters (name, count) VALUES (?, ?)", "b", 0), nil)
				return p.Commit(ctx, &b)
			},
			want: func(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) },
		},
		"it returns without committing": {
			fn: func(p *store.Pipelined) error {
				var b store.Batch
				store.Query[struct{}](&b, p.Dry().Raw("UPDATE counters SET count = count + 1 WHERE name = ?", "a"), nil)
				return p.Run(ctx, &b)
			},
			want: func(err error) bool { return err != nil },
		},
	} {
		err := store.WithPipelined(ctx, db, c.fn)
		if !c.want(err) {
			t.Errorf("%s: %v", name, err)
		}
		if got := countersIn(t, db); got["a"] != 1 || got["b"] != 2 {
			t.Errorf("%s: kept %v; want a=1, b=2 as before", name, got)
		}
	}
}

func TestWithPipelined_RefusesADatabaseOtherThanPostgreSQL(t *testing.T) {
	db, _ := testenv.DB(t)
	if store.DialectOf(db) == store.Postgres {
		t.Skip("SQLite only")
	}
	if err := store.WithPipelined(context.Background(), db, func(*store.Pipelined) error { return nil }); err == nil {
		t.Fatal("a pipelined transaction on SQLite: no error")
	}
}
