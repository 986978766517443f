package pipeline

import (
	"testing"
	"time"
)

func TestHoldBatch_SmallBatchesWaitForTheLaneAndTheirLingerOnly(t *testing.T) {
	const max, linger = 200, 30 * time.Millisecond
	tests := []struct {
		name     string
		size     int
		inFlight int
		oldest   time.Duration
		want     bool
	}{
		{"a small batch waits while a transaction is in flight", 10, 1, time.Second, true},
		{"a small young batch waits with nothing in flight", 10, 0, 5 * time.Millisecond, true},
		{"a small batch leaves once its linger is over", 10, 0, linger, false},
		{"a quarter of the maximum leaves at once", max / smallBatchFraction, 1, 0, false},
		{"a full batch leaves at once", max, 3, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := holdBatch(tt.size, max, tt.inFlight, tt.oldest, linger); got != tt.want {
				t.Fatalf("holdBatch(%d, %d, %d, %s) = %v, want %v", tt.size, max, tt.inFlight, tt.oldest, got, tt.want)
			}
		})
	}
	if holdBatch(1, max, 0, 0, -1) {
		t.Fatal("a negative linger held a batch")
	}
}

func TestQuiet_HoldsUntilABlockADeadlineOrEnoughNewIntents(t *testing.T) {
	now := time.Now()
	q := quiet{valid: true, head: 7, until: now.Add(time.Second), enqueued: 100, room: 3}
	idle := q
	idle.anyBlock = true
	tests := []struct {
		name     string
		q        quiet
		head     uint64
		at       time.Time
		enqueued int64
		want     bool
	}{
		{"nothing changed", q, 7, now, 100, true},
		{"fewer new intents than the room", q, 7, now, 103, true},
		{"more new intents than the room", q, 7, now, 104, false},
		{"a new block while transactions are in flight", q, 8, now, 100, false},
		{"a new block with nothing in flight", idle, 8, now, 100, true},
		{"the deadline passed", q, 7, now.Add(time.Second), 100, false},
		{"no quiet recorded", quiet{}, 0, now, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.holds(tt.head, tt.at, tt.enqueued); got != tt.want {
				t.Fatalf("holds = %v, want %v", got, tt.want)
			}
		})
	}
}
