package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// txIndexingMessage is what go-ethereum answers (as a JSON-RPC error, code -32000) when asked
// for a receipt or transaction while its transaction indexer is still catching up — typically
// just after a start. It means "ask again", not "unknown transaction".
const txIndexingMessage = "transaction indexing is in progress"

// IsTxIndexing reports whether err is go-ethereum's transient "transaction indexing is in
// progress" answer, which callers polling for receipts must treat like ethereum.NotFound.
func IsTxIndexing(err error) bool {
	if err == nil {
		return false
	}
	var de rpc.DataError
	if errors.As(err, &de) {
		if s, ok := de.ErrorData().(string); ok && s == txIndexingMessage {
			return true
		}
	}
	return err.Error() == txIndexingMessage
}

// receiptPoll is how often WaitReceipt asks: blocks come within milliseconds on demand.
const receiptPoll = 10 * time.Millisecond

// WaitReceipt polls for the receipt of tx until it exists or ctx ends. Receipts are indexed
// asynchronously after a block is sealed, so "not found" and "indexing in progress" mean wait.
func WaitReceipt(ctx context.Context, c *ethclient.Client, tx common.Hash) (*types.Receipt, error) {
	t := time.NewTicker(receiptPoll)
	defer t.Stop()
	for {
		r, err := c.TransactionReceipt(ctx, tx)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, ethereum.NotFound) && !IsTxIndexing(err) {
			return nil, fmt.Errorf("receipt of %s: %w", tx, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("receipt of %s: %w", tx, ctx.Err())
		case <-t.C:
		}
	}
}
