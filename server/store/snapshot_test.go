package store

import (
	"context"
	"path/filepath"
	"testing"

	"gorm.io/gorm"
)

func TestSnapshot_CopiesWhatIsCommittedWhileAWriterHoldsItsTransaction(t *testing.T) {
	db, _ := openTestSQLite(t)
	for i := 0; i < 3; i++ {
		if err := db.Exec("INSERT INTO items (n) VALUES (?)", i).Error; err != nil {
			t.Fatal(err)
		}
	}
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	// A writer is in the middle of its transaction while the copy is taken: the copy must not
	// wait for it, and must not hold its row.
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO items (n) VALUES (99)").Error; err != nil {
			return err
		}
		return Snapshot(context.Background(), db, copyPath)
	})
	if err != nil {
		t.Fatal(err)
	}
	copied, err := Open(copyPath, "")
	if err != nil {
		t.Fatal(err)
	}
	defer Close(copied)
	var n int64
	if err := copied.Raw("SELECT count(*) FROM items").Row().Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("copy holds %d rows, want the 3 committed before it", n)
	}
	if err := Snapshot(context.Background(), db, copyPath); err == nil {
		t.Error("a snapshot over an existing file succeeded")
	}
}
