package node

import (
	"time"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
)

// sealer seals a block whenever the transaction pool holds executable transactions, and only
// then: the on-demand block production of a node with period 0.
//
// go-ethereum's own on-demand loop (started by catalyst.RegisterSimulatedBeaconAPIs) seals once
// more after every transaction that arrived while it was sealing, even when the block it was
// sealing took that transaction: under redemption load 37% of the blocks were empty (1,099 of
// 3,000, seventh session's data set). Each empty block is built, imported, stored for good (the
// node keeps every state) and read by the indexer. Here a block is sealed only while the pool,
// synced after the last block, still holds executable transactions.
type sealer struct {
	eth    *eth.Ethereum
	beacon *catalyst.SimulatedBeacon
	stop   chan struct{}
	done   chan struct{}
}

func startSealer(backend *eth.Ethereum, beacon *catalyst.SimulatedBeacon) *sealer {
	s := &sealer{eth: backend, beacon: beacon, stop: make(chan struct{}), done: make(chan struct{})}
	txs := make(chan core.NewTxsEvent, 64)
	sub := backend.TxPool().SubscribeTransactions(txs, true)
	go func() {
		defer close(s.done)
		defer sub.Unsubscribe()
		// A block that failed to seal is retried on the next transaction, or at the latest on
		// the next tick (an idle chain may get no next transaction).
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-sub.Err():
				return
			case <-txs:
			case <-tick.C:
			}
			s.sealWhileExecutable(txs)
		}
	}()
	return s
}

func (s *sealer) sealWhileExecutable(txs <-chan core.NewTxsEvent) {
	pool := s.eth.TxPool()
	for {
		// Events of transactions the last block already took are stale; the pool's count,
		// once it has caught up with that block, is what counts.
		for drained := false; !drained; {
			select {
			case <-txs:
			default:
				drained = true
			}
		}
		if err := pool.Sync(); err != nil {
			return // the pool is shutting down
		}
		if executable, _ := pool.Stats(); executable == 0 {
			return
		}
		select {
		case <-s.stop:
			return
		default:
		}
		before := s.eth.BlockChain().CurrentBlock().Number.Uint64()
		s.beacon.Commit()
		head := s.eth.BlockChain().CurrentBlock()
		if head.Number.Uint64() == before || head.TxHash == types.EmptyTxsHash {
			// Nothing the miner would take (MinTip keeps the pool and the miner agreeing, see
			// config.go): wait for the next transaction instead of sealing empty blocks.
			return
		}
	}
}

// close stops sealing and waits for a block being sealed.
func (s *sealer) close() {
	close(s.stop)
	<-s.done
}
