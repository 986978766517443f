package node

import (
	"sync"
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
// 3,000 in the eighth session's profile run). Each empty block is built, imported, stored for
// good (the node keeps every state) and read by the indexer. Here a block is sealed only while
// the pool, synced after the last block, still holds executable transactions.
type sealer struct {
	eth    *eth.Ethereum
	beacon *catalyst.SimulatedBeacon
	stop   chan struct{}
	done   sync.WaitGroup
}

func startSealer(backend *eth.Ethereum, beacon *catalyst.SimulatedBeacon) *sealer {
	s := &sealer{eth: backend, beacon: beacon, stop: make(chan struct{})}
	txs := make(chan core.NewTxsEvent, 64)
	sub := backend.TxPool().SubscribeTransactions(txs, true)
	wake := make(chan struct{}, 1)
	// The pool's event feed waits for every subscriber, and sealing waits for the pool (Sync):
	// events are taken here, never by the goroutine that seals, or the two would wait for each
	// other once a burst of transactions filled the channel.
	s.done.Add(2)
	go func() {
		defer s.done.Done()
		defer sub.Unsubscribe()
		for {
			select {
			case <-s.stop:
				return
			case <-sub.Err():
				return
			case <-txs:
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}
	}()
	go func() {
		defer s.done.Done()
		// A block that failed to seal is retried on the next transaction, or at the latest on
		// the next tick (an idle chain may get no next transaction).
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-wake:
			case <-tick.C:
			}
			s.sealWhileExecutable()
		}
	}()
	return s
}

// sealWhileExecutable seals blocks until the pool, synced after the last one, holds no
// executable transaction. A wake-up for transactions a block already took finds none, and
// seals nothing.
func (s *sealer) sealWhileExecutable() {
	pool := s.eth.TxPool()
	for {
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
			// config.go): wait for the next transaction or tick instead of sealing empty blocks.
			return
		}
	}
}

// close stops sealing and waits for a block being sealed.
func (s *sealer) close() {
	close(s.stop)
	s.done.Wait()
}
