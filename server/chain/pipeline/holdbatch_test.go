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
