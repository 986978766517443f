package redeem

import (
	"context"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/testenv"
)

// How an acceptor forms its groups: who waits for whom, and who goes together.

func TestAcceptor_ASmallGroupWaitsForMoreUntilItHasEnoughOrItsGatherTimeIsUp(t *testing.T) {
	db, _ := testenv.DB(t)
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		gather time.Duration
		jobs   int
		want   []int // group sizes
	}{
		{"three acceptances 20 ms apart, with a minute to gather up to three", time.Minute, 3, []int{3}},
		{"one acceptance, with 50 ms to gather up to three", 50 * time.Millisecond, 1, []int{1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var mu sync.Mutex
			var sizes []int
			a := newAcceptor(db, groupShape{groups: 1, gather: c.gather, gatherUpTo: 3}, 10, func(_ context.Context, _ *gorm.DB, jobs []int) ([]error, error) {
				mu.Lock()
				sizes = append(sizes, len(jobs))
				mu.Unlock()
				return make([]error, len(jobs)), nil
			}, nil, slog.New(slog.DiscardHandler))
			defer a.close()
			done := make(chan error, c.jobs)
			for i := range c.jobs {
				if i > 0 {
					time.Sleep(20 * time.Millisecond)
				}
				go func() { done <- a.do(ctx, "card", i) }()
			}
			for range c.jobs {
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if !slices.Equal(sizes, c.want) {
				t.Errorf("groups of %v, want %v", sizes, c.want)
			}
		})
	}
}

func TestAcceptor_HoldsAnAcceptanceForALaterGroupWhenItsCardIsAlreadyInTheGroupIfTheShapeSaysOneEach(t *testing.T) {
	db, _ := testenv.DB(t)
	for _, c := range []struct {
		name    string
		oneEach bool
		want    []int // sizes of the groups after the held one
	}{
		{"one each: a, b and c, then each further a in a group of its own", true, []int{3, 1, 1}},
		{"keys may repeat: all five in one group", false, []int{5}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var groups [][]string // the keys of each group applied
			started, release := make(chan struct{}), make(chan struct{})
			a := newAcceptor(db, groupShape{groups: 1, oneEach: c.oneEach}, 10, func(_ context.Context, _ *gorm.DB, jobs []string) ([]error, error) {
				if jobs[0] == "held" {
					close(started)
					<-release
				}
				groups = append(groups, jobs)
				return make([]error, len(jobs)), nil
			}, nil, slog.New(slog.DiscardHandler))
			defer a.close()
			ctx := context.Background()
			first := make(chan error, 1)
			go func() { first <- a.do(ctx, "x", "held") }()
			<-started
			keys := []string{"a", "b", "a", "c", "a"}
			results := make(chan error, len(keys))
			for _, key := range keys {
				go func() { results <- a.do(ctx, key, key) }()
			}
			for waitingToBeTaken() < len(keys) {
				runtime.Gosched()
			}
			close(release)
			if err := <-first; err != nil {
				t.Fatal(err)
			}
			for range keys {
				if err := <-results; err != nil {
					t.Fatal(err)
				}
			}
			var sizes []int
			for _, g := range groups[1:] {
				sizes = append(sizes, len(g))
				if sorted := slices.Sorted(slices.Values(g)); c.oneEach && len(slices.Compact(sorted)) != len(g) {
					t.Errorf("group %v names a card twice", g)
				}
			}
			if !slices.Equal(sizes, c.want) {
				t.Errorf("groups %v after the held one, want sizes %v", groups[1:], c.want)
			}
		})
	}
}

// waitingToBeTaken is how many goroutines wait in acceptor.do for their group's loop to take
// their acceptance: parked there, they are in the channel's queue, in the order they came.
func waitingToBeTaken() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.HasPrefix(g, "goroutine ") && strings.Contains(g, "[select") && strings.Contains(g, "(*acceptor[...]).do(") {
			n++
		}
	}
	return n
}
