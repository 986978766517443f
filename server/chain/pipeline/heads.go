package pipeline

import (
	"context"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
)

// headSubscriber is a client that tells of new blocks as they come: the embedded node's client
// (in process) and an ethclient over WebSocket or IPC. Over HTTP subscribing fails, and lanes
// find new blocks by polling alone.
type headSubscriber interface {
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (ethereum.Subscription, error)
}

// wakeOnNewHeads wakes every lane when a block arrives, the only way a receipt appears. A lane
// waiting for its transactions otherwise found the block on its next poll, up to 25 ms later
// (10 ms at the median, of the ~190 ms a closed-loop redemption took; fifteenth session, docs/benchmarks-log.md).
func (p *Pipeline) wakeOnNewHeads(ctx context.Context) {
	hs, ok := p.chain.Client.(headSubscriber)
	if !ok {
		return
	}
	heads := make(chan *types.Header, 16)
	for {
		sub, err := hs.SubscribeNewHead(ctx, heads)
		if err != nil {
			p.log.Debug("no new-head subscription; lanes poll for blocks", "err", err)
			return
		}
		lost := p.pokeOnHeads(ctx, sub, heads)
		sub.Unsubscribe()
		if !lost {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// pokeOnHeads pokes the lanes on each head until ctx ends (false) or the subscription fails
// (true).
func (p *Pipeline) pokeOnHeads(ctx context.Context, sub ethereum.Subscription, heads <-chan *types.Header) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case err := <-sub.Err():
			p.log.Warn("new-head subscription lost; lanes poll for blocks until it is back", "err", err)
			return true
		case <-heads:
			for l := range p.wake {
				p.poke(l)
			}
		}
	}
}
