package redeem

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestAcceptor_RefusesAtOnceBeyondItsQueueAndAcceptsAgainOnceItDrains(t *testing.T) {
	db, _ := testenv.DB(t)
	a := newAcceptor(db, 3)
	defer a.close()
	ctx := context.Background()
	release := make(chan struct{})
	results := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			results <- a.do(ctx, func(*gorm.DB) error { <-release; return nil })
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); a.queued.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d acceptances queued, want 3", a.queued.Load())
		}
	}
	ran := false
	if err := a.do(ctx, func(*gorm.DB) error { ran = true; return nil }); !errors.Is(err, ErrBusy) || ran {
		t.Fatalf("a fourth acceptance: %v (ran: %v); want server_busy without running", err, ran)
	}
	close(release)
	for i := 0; i < 3; i++ {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if err := a.do(ctx, func(*gorm.DB) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("after the queue drained: %v (ran: %v)", err, ran)
	}
}
