package node

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsTxIndexing(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "nil", err: nil, want: false},
		{name: "indexing", err: errors.New("transaction indexing is in progress"), want: true},
		{name: "wrapped indexing", err: fmt.Errorf("receipt: %w", rpcDataError{}), want: true},
		{name: "other", err: errors.New("not found"), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTxIndexing(tt.err); got != tt.want {
				t.Errorf("IsTxIndexing(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// rpcDataError mimics the JSON-RPC error go-ethereum's client returns: the message may be
// decorated, the data is what identifies it.
type rpcDataError struct{}

func (rpcDataError) Error() string  { return "server: transaction indexing is in progress" }
func (rpcDataError) ErrorCode() int { return -32000 }
func (rpcDataError) ErrorData() any { return "transaction indexing is in progress" }
