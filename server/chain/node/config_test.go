package node

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common/fdlimit"
)

func TestDatabaseHandles_TakeHalfTheFileLimitWithinBounds(t *testing.T) {
	tests := []struct {
		name  string
		limit int
		err   error
		want  int
	}{
		{"a common limit of 1,048,576 is capped", 1 << 20, nil, maxDatabaseHandles},
		{"a limit of 20,000 gives the cap", 20000, nil, maxDatabaseHandles},
		{"a limit of 4,096 gives half of it", 4096, nil, 2048},
		{"a small limit of 256 keeps the floor", 256, nil, minDatabaseHandles},
		{"an unknown limit keeps the floor", 0, errors.New("getrlimit failed"), minDatabaseHandles},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := databaseHandles(func() (int, error) { return tt.limit, tt.err })
			if got != tt.want {
				t.Errorf("databaseHandles(limit %d) = %d, want %d", tt.limit, got, tt.want)
			}
		})
	}
}

func TestEthConfig_LeavesHalfTheFileLimitToEverythingElse(t *testing.T) {
	limit, err := fdlimit.Current()
	if err != nil {
		t.Skipf("no file limit here: %v", err)
	}
	got := Config{ChainID: 1337}.ethConfig().DatabaseHandles
	if got < minDatabaseHandles || got > maxDatabaseHandles {
		t.Fatalf("DatabaseHandles = %d, outside [%d, %d]", got, minDatabaseHandles, maxDatabaseHandles)
	}
	if limit >= 2*minDatabaseHandles && got > limit/2 {
		t.Errorf("DatabaseHandles = %d, more than half the file limit %d", got, limit)
	}
}
