package node

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// Client is the embedded node's in-process client with the reads that the submission pipeline
// and the indexer make many times a second (the head, headers, receipts) answered from the
// node's own chain instead of through JSON-RPC. In process, JSON-RPC still encodes every answer
// to JSON and decodes it again: a receipt of a 60-redemption batch is 60 logs of hex strings.
// Under redemption load that was 7% of the server's CPU (eighth session's profile). Everything
// else goes through JSON-RPC as before. The answers are go-ethereum's own API answers: the
// same chain reads, the same "not found" and "indexing in progress" cases.
//
// Receipts and logs may be the chain's cached values, shared with the node: callers must not
// modify them (JSON-RPC gave each caller its own copy).
type Client struct {
	*ethclient.Client
	chain *core.BlockChain
}

// Backend returns the node's Client. It is closed by Close.
func (n *Node) Backend() *Client {
	return &Client{Client: n.client, chain: n.backend.BlockChain()}
}

// BlockNumber returns the head's number, as eth_blockNumber does.
func (c *Client) BlockNumber(ctx context.Context) (uint64, error) {
	return c.chain.CurrentBlock().Number.Uint64(), nil
}

// HeaderByNumber returns the canonical header at number (nil: the head), or ethereum.NotFound.
// Negative numbers (pending, safe, finalized) go through JSON-RPC.
func (c *Client) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	if number == nil {
		return types.CopyHeader(c.chain.CurrentBlock()), nil
	}
	if number.Sign() < 0 || !number.IsUint64() {
		return c.Client.HeaderByNumber(ctx, number)
	}
	h := c.chain.GetHeaderByNumber(number.Uint64())
	if h == nil {
		return nil, ethereum.NotFound
	}
	return types.CopyHeader(h), nil
}

// TransactionReceipt returns the receipt of a canonical transaction, ethereum.NotFound for one
// the chain does not hold, or the "indexing in progress" error (IsTxIndexing) while the node
// is still indexing transactions and cannot tell.
func (c *Client) TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	lookup, tx := c.chain.GetCanonicalTransaction(hash)
	if lookup == nil || tx == nil {
		if !c.chain.TxIndexDone() {
			return nil, errors.New(txIndexingMessage)
		}
		return nil, ethereum.NotFound
	}
	return c.chain.GetCanonicalReceipt(tx, lookup.BlockHash, lookup.BlockIndex, lookup.Index)
}

// BlockReceipts returns the receipts of a block given by hash (canonical if the argument says
// so) or number, or ethereum.NotFound. Named blocks (latest, pending…) go through JSON-RPC.
func (c *Client) BlockReceipts(ctx context.Context, at rpc.BlockNumberOrHash) ([]*types.Receipt, error) {
	var block *types.Block
	if hash, ok := at.Hash(); ok {
		block = c.chain.GetBlockByHash(hash)
		if block != nil && at.RequireCanonical && c.chain.GetCanonicalHash(block.NumberU64()) != hash {
			return nil, errors.New("hash is not currently canonical")
		}
	} else if n, ok := at.Number(); ok && n >= 0 {
		block = c.chain.GetBlockByNumber(uint64(n))
	} else {
		return c.Client.BlockReceipts(ctx, at)
	}
	if block == nil {
		return nil, ethereum.NotFound
	}
	receipts := c.chain.GetReceiptsByHash(block.Hash())
	if len(receipts) != len(block.Transactions()) {
		return nil, fmt.Errorf("block %d: %d receipts for %d transactions", block.NumberU64(), len(receipts), len(block.Transactions()))
	}
	return receipts, nil
}
