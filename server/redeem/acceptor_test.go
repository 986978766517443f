package redeem

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestAcceptor_RefusesAtOnceBeyondItsQueueAndAcceptsAgainOnceItDrains(t *testing.T) {
	db, _ := testenv.DB(t)
	a := newAcceptor(db, 1, 3)
	defer a.close()
	ctx := context.Background()
	release := make(chan struct{})
	results := make(chan error, 3)
	for i := 0; i < 3; i++ {
		go func() {
			results <- a.do(ctx, "card", func(*gorm.DB) error { <-release; return nil })
		}()
	}
	for deadline := time.Now().Add(10 * time.Second); a.queued.Load() < 3; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d acceptances queued, want 3", a.queued.Load())
		}
	}
	ran := false
	if err := a.do(ctx, "card", func(*gorm.DB) error { ran = true; return nil }); !errors.Is(err, ErrBusy) || ran {
		t.Fatalf("a fourth acceptance: %v (ran: %v); want server_busy without running", err, ran)
	}
	close(release)
	for i := 0; i < 3; i++ {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if err := a.do(ctx, "card", func(*gorm.DB) error { ran = true; return nil }); err != nil || !ran {
		t.Fatalf("after the queue drained: %v (ran: %v)", err, ran)
	}
}

func TestAcceptor_OnPostgresACardWaitingInOneGroupHoldsUpNoOtherGroup(t *testing.T) {
	db, _ := testenv.DB(t)
	groups := groupsFor(db)
	if groups == 1 {
		t.Skip("SQLite has one writer: its acceptances share one group at a time")
	}
	a := newAcceptor(db, groups, 100)
	defer a.close()
	ctx := context.Background()
	blocked := "card-0"
	other := ""
	for i := 1; other == ""; i++ {
		if k := fmt.Sprintf("card-%d", i); a.queueOf(k) != a.queueOf(blocked) {
			other = k
		}
	}
	release := make(chan struct{})
	started := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- a.do(ctx, blocked, func(*gorm.DB) error { close(started); <-release; return nil })
	}()
	<-started
	sameCard := make(chan error, 1)
	sameRan := false
	go func() {
		sameCard <- a.do(ctx, blocked, func(*gorm.DB) error { sameRan = true; return nil })
	}()
	if err := a.do(ctx, other, func(*gorm.DB) error { return nil }); err != nil {
		t.Fatalf("another card while the first waits: %v", err)
	}
	select {
	case err := <-sameCard:
		t.Fatalf("the same card ran beside its own group (%v): its account could be locked twice", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-sameCard; err != nil || !sameRan {
		t.Fatalf("the same card after its group: %v (ran: %v)", err, sameRan)
	}
}
