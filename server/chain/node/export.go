package node

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/types/bal"
	"github.com/ethereum/go-ethereum/eth"
	gethnode "github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/rlp"
)

// exportBlock is go-ethereum's export format (cmd/utils; `geth export` and `geth import`): a
// block's network encoding with its access list, if any, as an optional trailing field. Using
// it, and not a format of our own, lets anyone replay a backup's chain with a plain geth.
type exportBlock struct {
	Header      *types.Header
	Txs         []*types.Transaction
	Uncles      []*types.Header
	Withdrawals []*types.Withdrawal  `rlp:"optional"`
	AccessList  *bal.BlockAccessList `rlp:"optional"`
}

func (b exportBlock) block() *types.Block {
	block := types.NewBlockWithHeader(b.Header).WithBody(types.Body{
		Transactions: b.Txs, Uncles: b.Uncles, Withdrawals: b.Withdrawals,
	})
	return block.WithAccessListUnsafe(b.AccessList)
}

// Head returns the current head block's header.
func (n *Node) Head() *types.Header { return n.backend.BlockChain().CurrentBlock() }

// GenesisSpec returns the genesis the chain was created from, allocation included, as the
// chain's database keeps it: with the blocks, all a new node needs to rebuild the chain.
func (n *Node) GenesisSpec() (*core.Genesis, error) {
	g, err := core.ReadGenesis(n.backend.ChainDb())
	if err != nil {
		return nil, fmt.Errorf("read genesis: %w", err)
	}
	return g, nil
}

// Export writes the canonical blocks 0 through last to w in go-ethereum's export format, while
// the node runs. Blocks are final here (one sealer, no forks), so what it writes is a prefix of
// the chain as it will stay.
func (n *Node) Export(ctx context.Context, w io.Writer, last uint64) error {
	bc := n.backend.BlockChain()
	var parent types.Header
	for nr := uint64(0); nr <= last; nr++ {
		if nr%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		b := bc.GetBlockByNumber(nr)
		if b == nil {
			return fmt.Errorf("export block %d: not found", nr)
		}
		if nr > 0 && b.ParentHash() != parent.Hash() {
			return fmt.Errorf("export block %d: the chain changed while it was exported", nr)
		}
		parent = *b.Header()
		rec := exportBlock{Header: b.Header(), Txs: b.Transactions(), Uncles: b.Uncles(),
			Withdrawals: b.Withdrawals(), AccessList: b.AccessList()}
		if err := rlp.Encode(w, rec); err != nil {
			return fmt.Errorf("export block %d: %w", nr, err)
		}
	}
	return nil
}

// importBatch is how many blocks are inserted at a time (geth import's batch).
const importBatch = 2500

// Import creates a chain in cfg.DataDir from genesis and replays every block of r (go-ethereum's
// export format, starting at block 0, as Export writes it), executing each block again and
// checking it against its header. cfg.DataDir must not hold a chain yet. It returns the head.
// Start then opens the imported chain like any other.
func Import(ctx context.Context, cfg Config, genesis *core.Genesis, r io.Reader) (*types.Header, error) {
	cfg.HTTPAddr = ""
	cfg, stack, err := newStack(cfg)
	if err != nil {
		return nil, err
	}
	head, err := importInto(ctx, stack, cfg, genesis, r)
	return head, errors.Join(err, stack.Close())
}

func importInto(ctx context.Context, stack *gethnode.Node, cfg Config, genesis *core.Genesis, r io.Reader) (*types.Header, error) {
	exists, err := chainExists(stack)
	if err != nil {
		return nil, err
	}
	if exists {
		return nil, fmt.Errorf("import chain: %s already holds a chain", cfg.DataDir)
	}
	ethConf := cfg.ethConfig()
	ethConf.Genesis = genesis
	backend, err := eth.New(stack, ethConf)
	if err != nil {
		return nil, fmt.Errorf("create chain in %s: %w", cfg.DataDir, err)
	}
	// Started, so that closing the stack stops the chain's background work (its transaction
	// indexer) before closing the database under it.
	if err := stack.Start(); err != nil {
		return nil, fmt.Errorf("start chain node: %w", err)
	}
	bc := backend.BlockChain()
	stream := rlp.NewStream(r, 0)
	batch := make(types.Blocks, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if i, err := bc.InsertChain(batch); err != nil {
			return fmt.Errorf("import block %d: %w", batch[min(i, len(batch)-1)].NumberU64(), err)
		}
		batch = batch[:0]
		return ctx.Err()
	}
	for first := true; ; first = false {
		var rec exportBlock
		if err := stream.Decode(&rec); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("import: read block after %d: %w", bc.CurrentBlock().Number, err)
		}
		b := rec.block()
		if first {
			// The export starts at genesis: it must be the genesis given, or every block after
			// it would be refused, or worse, the chain would be another one.
			if b.NumberU64() != 0 || b.Hash() != bc.Genesis().Hash() {
				return nil, fmt.Errorf("import: the blocks start at %d (%s), not at this genesis (%s)",
					b.NumberU64(), b.Hash(), bc.Genesis().Hash())
			}
			continue
		}
		if batch = append(batch, b); len(batch) == importBatch {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return bc.CurrentBlock(), nil
}
