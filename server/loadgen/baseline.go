package loadgen

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/bindings/baselinetoken"
)

// The naive design a team would build first: every redemption is one ERC20 transfer, one
// transaction, from the payer's account to the shop's address. To be generous to it, the phones
// here skip everything aidledger does off chain (no database, no PIN, no HTTP): each phone holds
// its own funded key, signs a transfer, sends it to the node and polls for the receipt. Accepted
// = the node took the transaction; confirmed = its receipt.

var tokenABI = baselinetoken.NewBaselineToken()

const baselineGas = 80_000

type sender struct {
	key   *ecdsa.PrivateKey
	addr  common.Address
	nonce uint64
}

func (w *chainWatch) signer(ctx context.Context) (types.Signer, *big.Int, error) {
	id, err := w.c.ChainID(ctx)
	if err != nil {
		return nil, nil, err
	}
	return types.LatestSignerForChainID(id), id, nil
}

// feeCap pays any base fee this chain is likely to reach during the run.
var (
	feeCap = big.NewInt(100_000_000_000) // 100 gwei: far above the dev chain's base fee, under the node's 1-ether fee cap
	tipCap = big.NewInt(1)
)

func (s *sender) sign(signer types.Signer, chainID *big.Int, to *common.Address, value *big.Int, data []byte, gas uint64) (*types.Transaction, error) {
	tx, err := types.SignNewTx(s.key, signer, &types.DynamicFeeTx{ChainID: chainID, Nonce: s.nonce, GasTipCap: tipCap,
		GasFeeCap: feeCap, Gas: gas, To: to, Value: value, Data: data})
	if err == nil {
		s.nonce++
	}
	return tx, err
}

func (w *chainWatch) waitReceipt(ctx context.Context, h common.Hash, timeout time.Duration) (*types.Receipt, error) {
	until := time.Now().Add(timeout)
	for {
		r, err := w.c.TransactionReceipt(ctx, h)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, ethereum.NotFound) || time.Now().After(until) {
			return nil, fmt.Errorf("receipt %s: %w", h.Hex(), err)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return nil, err
		}
	}
}

// runBaseline deploys BaselineToken, gives phones keys with ether and tokens, warms every vendor
// address (so transfers are the "recipient already holds tokens" case), then runs the load.
func runBaseline(ctx context.Context, cfg Config, w *chainWatch, st State, phones int, hc *http.Client) (Phase, error) {
	signer, chainID, err := w.signer(ctx)
	if err != nil {
		return Phase{}, err
	}
	root := &sender{key: cfg.BaselineKey, addr: crypto.PubkeyToAddress(cfg.BaselineKey.PublicKey)}
	if root.nonce, err = w.c.PendingNonceAt(ctx, root.addr); err != nil {
		return Phase{}, err
	}
	supply := new(big.Int).Lsh(big.NewInt(1), 200)
	deploy, err := root.sign(signer, chainID, nil, nil, append(common.FromHex(baselinetoken.BaselineTokenMetaData.Bin), tokenABI.PackConstructor(root.addr, supply)...), 3_000_000)
	if err != nil {
		return Phase{}, err
	}
	if err := w.c.SendTransaction(ctx, deploy); err != nil {
		return Phase{}, fmt.Errorf("deploy BaselineToken: %w", err)
	}
	token := crypto.CreateAddress(root.addr, deploy.Nonce())
	cfg.logf("baseline: BaselineToken at %s; funding %d phone keys", token.Hex(), phones)

	keys := make([]*sender, phones)
	var setup []*types.Transaction
	ether := new(big.Int).Mul(big.NewInt(10), big.NewInt(1e18))
	tokens := new(big.Int).Lsh(big.NewInt(1), 100)
	send := func(tx *types.Transaction, err error) error {
		if err != nil {
			return err
		}
		setup = append(setup, tx)
		return w.c.SendTransaction(ctx, tx)
	}
	for i := range keys {
		k, _ := crypto.GenerateKey()
		keys[i] = &sender{key: k, addr: crypto.PubkeyToAddress(k.PublicKey)}
		to := keys[i].addr
		if err := send(root.sign(signer, chainID, &to, ether, nil, 21_000)); err != nil {
			return Phase{}, err
		}
		if err := send(root.sign(signer, chainID, &token, nil, tokenABI.PackTransfer(keys[i].addr, tokens), baselineGas)); err != nil {
			return Phase{}, err
		}
	}
	vendors := make([]common.Address, len(st.Vendors))
	for i, v := range st.Vendors {
		vendors[i] = common.HexToAddress(v.Address)
		if err := send(root.sign(signer, chainID, &token, nil, tokenABI.PackTransfer(vendors[i], big.NewInt(1)), baselineGas)); err != nil {
			return Phase{}, err
		}
	}
	for _, tx := range append([]*types.Transaction{deploy}, setup...) {
		r, err := w.waitReceipt(ctx, tx.Hash(), 2*time.Minute)
		if err != nil {
			return Phase{}, err
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return Phase{}, fmt.Errorf("baseline setup transaction %s failed", tx.Hash().Hex())
		}
	}

	cfg.logf("baseline: transferring for %s", cfg.Duration)
	chainStart, _ := w.head(ctx)
	// The server's CPU and memory during the transfers: with the embedded chain, what the node
	// costs the server process for the naive design.
	mctx, stopMetrics := context.WithCancel(ctx)
	metrics := startMetrics(mctx, hc, cfg.API)
	meter := startMeter()
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	rec := newRecorder(start)
	stop := cfg.progressLoop(rec, start, "baseline ")
	var wg sync.WaitGroup
	for i, s := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 99))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				tx, err := s.sign(signer, chainID, &token, nil, tokenABI.PackTransfer(vendors[rng.IntN(len(vendors))], big.NewInt(cfg.Amount)), baselineGas)
				if err != nil {
					rec.fail(time.Now(), "sign")
					return
				}
				sent := time.Now()
				if err := w.c.SendTransaction(ctx, tx); err != nil {
					rec.fail(time.Now(), "send")
					s.nonce-- // not taken: reuse the nonce
					continue
				}
				rec.accept(sent, time.Now())
				r, err := w.waitReceipt(ctx, tx.Hash(), cfg.ConfirmTimeout)
				switch {
				case err != nil:
					rec.fail(time.Now(), "no_receipt")
					return // the nonce sequence is now uncertain
				case r.Status != types.ReceiptStatusSuccessful:
					rec.failed.Add(1)
				default:
					rec.confirm(sent, time.Now())
				}
			}
		}()
	}
	wg.Wait()
	stop()
	stopMetrics()
	window := max(time.Since(start), cfg.Duration)
	p := rec.phase("baseline-erc20", window)
	meter.finish(&p)
	metrics.wait().apply(&p, start)
	end, _ := w.head(ctx)
	if cs, err := w.stats(ctx, chainStart+1, end, window); err == nil {
		p.Chain = &cs
	}
	return p, nil
}
