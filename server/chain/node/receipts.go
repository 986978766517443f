package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
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

// ReceiptReader is what WaitReceipt asks: an ethclient, or the simulated backend's client.
type ReceiptReader interface {
	TransactionReceipt(ctx context.Context, tx common.Hash) (*types.Receipt, error)
	BlockNumber(ctx context.Context) (uint64, error)
}

// WaitReceipt polls for the receipt of tx until it exists, its block is the node's head or
// below, or ctx ends. Receipts are indexed asynchronously after a block is sealed, so "not found"
// and "indexing in progress" mean wait. go-ethereum stores a block's receipts and transaction
// lookups a moment before it moves the head to that block: in between, a call or gas estimate
// at "latest" runs on the block before, and the head a reader sees is behind a receipt it was
// given. A test that indexed up to the head right after a receipt missed that block's events.
func WaitReceipt(ctx context.Context, c ReceiptReader, tx common.Hash) (*types.Receipt, error) {
	t := time.NewTicker(receiptPoll)
	defer t.Stop()
	for {
		r, err := c.TransactionReceipt(ctx, tx)
		if err == nil {
			head, herr := c.BlockNumber(ctx)
			if herr != nil {
				return nil, fmt.Errorf("head after the receipt of %s: %w", tx, herr)
			}
			if r.BlockNumber != nil && head >= r.BlockNumber.Uint64() {
				return r, nil
			}
		} else if !errors.Is(err, ethereum.NotFound) && !IsTxIndexing(err) {
			return nil, fmt.Errorf("receipt of %s: %w", tx, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("receipt of %s: %w", tx, ctx.Err())
		case <-t.C:
		}
	}
}
