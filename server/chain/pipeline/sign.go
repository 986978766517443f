package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// signAndStore assigns the lane's next nonce, signs, and stores the transaction with its intents
// marked submitted, all in one database transaction. Only after that commit is the transaction
// sent, so a crash at any point leaves either nothing (intents still pending, nonce unused) or
// a stored transaction that recovery re-sends. A nil result means another process changed the
// lane or the intents first; nothing was stored.
func (l *lane) signAndStore(ctx context.Context, batch []Intent) (*Tx, error) {
	kind := l.p.kinds[batch[0].Kind]
	head, err := l.p.chain.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	batch, data, gas, err := l.fit(ctx, kind, batch, head.GasLimit)
	if err != nil {
		return nil, err
	}
	feeCap := FeeCap(l.p.cfg.TipCap, head)
	to := l.p.cfg.Contract
	var stored *Tx
	err = l.p.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		if err := store.CustomPlans(db); err != nil {
			return err
		}
		var ln Lane
		if err := db.First(&ln, "lane = ?", l.idx).Error; err != nil {
			return err
		}
		tx, err := types.SignNewTx(l.key, l.signer, &types.DynamicFeeTx{
			ChainID: l.p.cfg.ChainID, Nonce: ln.NextNonce, GasTipCap: l.p.cfg.TipCap, GasFeeCap: feeCap,
			Gas: gas, To: &to, Data: data,
		})
		if err != nil {
			return fmt.Errorf("sign: %w", err)
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			return err
		}
		res := db.Model(&Lane{}).Where("lane = ? AND next_nonce = ? AND lease_owner = ?", l.idx, ln.NextNonce, l.p.cfg.Owner).
			Update("next_nonce", ln.NextNonce+1)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return errLostRace
		}
		t := Tx{Lane: l.idx, Nonce: ln.NextNonce, Hash: tx.Hash().Hex(), Raw: raw, Kind: kind.Name(), Items: len(batch), Status: TxSigned}
		if err := db.Create(&t).Error; err != nil {
			return err
		}
		res = db.Model(&Intent{}).Where("id IN ? AND status = ?", intentIDs(batch), IntentPending).
			Updates(map[string]any{"status": IntentSubmitted, "tx_id": t.ID, "tx_hash": t.Hash, "attempts": gorm.Expr("attempts + 1")})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(len(batch)) {
			return errLostRace
		}
		stored = &t
		return nil
	})
	if err == errLostRace {
		l.leaseUntil = l.leaseUntil.Add(-l.p.cfg.LeaseFor) // re-check the lease on the next step
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store %s transaction: %w", kind.Name(), err)
	}
	return stored, nil
}

var errLostRace = fmt.Errorf("lane or intents changed by another process")

// gasChecks decides which batches are checked against the node on a chain whose gas schedule is
// the one the kinds' bounds were made for (Config.KnownGasSchedule: the embedded node). Checking
// executes the batch in the node once more: doing it for every batch was 5% of the server's CPU
// under redemption load, and there the bounds always won. So a kind is checked once every
// gasCheckEvery (one execution in four fifths of the bound, see withinBound), and every batch
// is estimated from the first time an estimate (with its margin) exceeds the bound. Other chains
// (geth --dev runs unreleased forks with other storage costs) estimate every batch.
type gasChecks struct {
	mu     sync.Mutex
	last   map[string]time.Time
	always map[string]bool
}

const gasCheckEvery = 10 * time.Second

func (g *gasChecks) due(kind string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.always[kind] || time.Since(g.last[kind]) >= gasCheckEvery {
		if g.last == nil {
			g.last = map[string]time.Time{}
		}
		g.last[kind] = time.Now()
		return true
	}
	return false
}

// estimating says whether every batch of kind is estimated: an estimate once exceeded its bound.
func (g *gasChecks) estimating(kind string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.always[kind]
}

func (g *gasChecks) saw(kind string, exceeded bool) {
	if !exceeded {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.always == nil {
		g.always = map[string]bool{}
	}
	g.always[kind] = true
}

// maxTxGas is Osaka's cap on one transaction's gas (EIP-7825).
const maxTxGas = 1 << 24

// fit packs the batch and chooses its gas limit: the kind's own bound, or the node's estimate
// with a 25% margin when that is higher (see gasChecks for which batches are estimated). The
// estimate matters on networks whose storage costs differ from mainnet's (geth --dev runs
// unreleased forks); the bound covers an estimate taken against a state that in-flight
// transactions are about to change. A batch whose gas would not fit in one transaction is
// halved until it does.
func (l *lane) fit(ctx context.Context, kind Kind, batch []Intent, blockLimit uint64) ([]Intent, []byte, uint64, error) {
	limit := uint64(maxTxGas)
	if blockLimit > 0 && blockLimit < limit {
		limit = blockLimit
	}
	for {
		payloads := make([][]byte, len(batch))
		for i, in := range batch {
			payloads[i] = in.Payload
		}
		data, err := kind.Calldata(batch[0].BatchKey, payloads)
		if err != nil {
			return nil, nil, 0, fmt.Errorf("pack %s batch of %d: %w", kind.Name(), len(batch), err)
		}
		gas := kind.Gas(len(batch))
		switch {
		case !l.p.cfg.KnownGasSchedule || l.p.gasChecks.estimating(kind.Name()):
			gas = max(gas, l.estimate(ctx, data)) // no check first: it would only fail again
		case l.p.gasChecks.due(kind.Name()) && !l.withinBound(ctx, data, gas):
			est := l.estimate(ctx, data)
			l.p.gasChecks.saw(kind.Name(), est > gas)
			gas = max(gas, est)
		}
		if gas <= limit || len(batch) == 1 {
			return batch, data, min(gas, limit), nil
		}
		batch = batch[:len(batch)/2]
	}
}

// estimate is the node's gas estimate for data with a 25% margin, or 0 if the node gave none.
func (l *lane) estimate(ctx context.Context, data []byte) uint64 {
	to := l.p.cfg.Contract
	est, err := l.p.chain.Client.EstimateGas(ctx, ethereum.CallMsg{From: l.addr, To: &to, Data: data})
	if err != nil {
		return 0
	}
	return est + est/4
}

// withinBound says whether data runs in four fifths of gas, so that gas leaves the estimate's
// 25% margin. It executes the batch once; the node's estimator searches for the least gas that
// suffices, executing it a dozen times: at one check per kind every 10 s that search was 6% of
// the server's CPU under redemption load (eighth session's profile).
//
// A batch that reverts there (an allocation whose program's funding is still in flight) says
// nothing about its gas, and its estimate would revert too: it keeps its bound, and its
// receipt tells the lane what happened.
func (l *lane) withinBound(ctx context.Context, data []byte, gas uint64) bool {
	to := l.p.cfg.Contract
	_, err := l.p.chain.Client.CallContract(ctx, ethereum.CallMsg{From: l.addr, To: &to, Data: data, Gas: gas * 4 / 5}, nil)
	var rpcErr rpc.Error
	return err == nil || errors.As(err, &rpcErr) && rpcErr.ErrorCode() == errCodeReverted
}

// errCodeReverted is JSON-RPC's error code for a call that reverted (out of gas is another).
const errCodeReverted = 3

// FeeCap is the most a transaction offers per gas: the tip plus twice the current base fee,
// which survives six full blocks in a row of base-fee growth before the transaction stops being
// minable.
func FeeCap(tip *big.Int, head *types.Header) *big.Int {
	c := new(big.Int).Set(tip)
	if head.BaseFee != nil {
		c.Add(c, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	}
	return c
}
