package ledger_test

import (
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/bindings/baselinetoken"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/node"
)

// The chain limit is what the go-ethereum node (the simulated backend runs the same transaction
// pool, block building and import as the embedded node) can confirm per second when it does
// nothing else: each op admits one block's worth of signed transactions through JSON-RPC (decode,
// sender recovery, pool validation) and seals them (build the block, execute, import, write
// state). Signing is the client's work and stays outside the timer. Both benchmarks fill blocks
// of about 40M gas (the genesis limit is 60M) with the load generator's shape: 200 vendors.
//
//	go test -run '^$' -bench ChainLimit -benchtime 20x ./server/chain/ledger

// BenchmarkChainLimit: blocks of redeemBatch transactions, 250 redemptions each.
func BenchmarkChainLimit(b *testing.B) {
	const (
		items       = 250
		vendors     = 200
		txsPerBlock = 8 // ~8 x 5.2M gas
	)
	g := newGasBench(b)
	lim := chainLimit{Chain: g.Chain}
	applied := func(r *types.Receipt) int { return len(events(r, abiL.UnpackRedeemedEvent)) }
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		nonce, err := g.Client.PendingNonceAt(t0(b), cryptoAddr(g.operator))
		if err != nil {
			b.Fatal(err)
		}
		var txs []*types.Transaction
		for k := range txsPerBlock {
			tx, err := g.SignTxNonce(b, g.operator, nonce+uint64(k), g.addr, abiL.PackRedeemBatch(1, g.batchFrom(items, vendors, i*7+k)), 12_000_000)
			if err != nil {
				b.Fatal(err)
			}
			txs = append(txs, tx)
		}
		b.StartTimer()
		lim.confirm(b, txs, applied)
	}
	lim.report(b)
}

// BenchmarkChainLimitERC20 is the naive design's limit on the same node: one OpenZeppelin ERC20
// transfer per redemption, from 200 payers (the load generator's phones) to 200 vendors that
// already hold tokens, ~1,200 transfers a block.
func BenchmarkChainLimitERC20(b *testing.B) {
	const (
		payers      = 200
		vendors     = 200
		perPayer    = 6 // under the pool's 16 executable transactions per account
		transferGas = 80_000
	)
	c := chaintest.Simulated(b, 1)
	tok := baselinetoken.NewBaselineToken()
	tip, err := c.Client.SuggestGasTipCap(t0(b)) // the simulated miner's minimum tip
	if err != nil {
		b.Fatal(err)
	}
	root := &payer{key: c.Keys[0], tip: tip}
	signer := types.LatestSignerForChainID(c.ChainID)
	token := crypto.CreateAddress(cryptoAddr(root.key), 0)
	setup := []*types.Transaction{root.sign(b, signer, c.ChainID, nil, nil,
		append(common.FromHex(baselinetoken.BaselineTokenMetaData.Bin), tok.PackConstructor(cryptoAddr(root.key), new(big.Int).Lsh(big.NewInt(1), 200))...), 3_000_000)}
	payerKeys := make([]*payer, payers)
	for i := range payerKeys {
		k, _ := crypto.GenerateKey()
		payerKeys[i] = &payer{key: k, tip: tip}
		to := cryptoAddr(k)
		setup = append(setup,
			root.sign(b, signer, c.ChainID, &to, big.NewInt(1e18), nil, 21_000),
			root.sign(b, signer, c.ChainID, &token, nil, tok.PackTransfer(to, new(big.Int).Lsh(big.NewInt(1), 100)), transferGas))
	}
	for v := range vendors {
		setup = append(setup, root.sign(b, signer, c.ChainID, &token, nil, tok.PackTransfer(vendorAddr(v), big.NewInt(1)), transferGas))
	}
	(&chainLimit{Chain: c}).confirm(b, setup, transferred)

	lim := chainLimit{Chain: c}
	next := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		var txs []*types.Transaction
		for range perPayer {
			for _, p := range payerKeys {
				txs = append(txs, p.sign(b, signer, c.ChainID, &token, nil, tok.PackTransfer(vendorAddr(next%vendors), big.NewInt(1_00)), transferGas))
				next++
			}
		}
		b.StartTimer()
		lim.confirm(b, txs, transferred)
	}
	lim.report(b)
}

// transferred counts a successful transfer as one redemption.
func transferred(*types.Receipt) int { return 1 }

// chainLimit adds up the chain's busy time and what it confirmed in it.
type chainLimit struct {
	*chaintest.Chain
	busy        time.Duration
	gas, events uint64
}

// confirm sends txs and mines until every one has a successful receipt, timing the sends and the
// mining (the caller's timer must be running; it is stopped while receipts are read), and counts
// the redemptions each receipt shows applied.
func (l *chainLimit) confirm(b *testing.B, txs []*types.Transaction, applied func(*types.Receipt) int) {
	b.Helper()
	start := time.Now()
	for _, tx := range txs {
		if err := l.Send(b, tx); err != nil {
			b.Fatal(err)
		}
	}
	waiting := txs
	for blocks := 0; len(waiting) > 0; blocks++ {
		if blocks == 10 {
			b.Fatalf("%d of %d transactions still unmined after %d blocks", len(waiting), len(txs), blocks)
		}
		l.Mine(b)
		b.StopTimer()
		l.busy += time.Since(start)
		var left []*types.Transaction
		for _, tx := range waiting {
			r, err := l.receipt(b, tx.Hash())
			switch {
			case errors.Is(err, ethereum.NotFound):
				left = append(left, tx) // the pool had not promoted it yet: the next block takes it
			case err != nil:
				b.Fatal(err)
			case r.Status != types.ReceiptStatusSuccessful:
				b.Fatalf("transaction %s failed", tx.Hash())
			default:
				l.gas += r.GasUsed
				l.events += uint64(applied(r))
			}
		}
		waiting = left
		b.StartTimer()
		start = time.Now()
	}
}

// receipt is the transaction's receipt, or ethereum.NotFound when no block holds it. A fresh
// chain's transaction index answers "indexing is in progress" for a while: that is waited out
// here, not mined through (every extra block would stay in the simulated chain's memory).
func (l *chainLimit) receipt(b *testing.B, h common.Hash) (*types.Receipt, error) {
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		r, err := l.Client.TransactionReceipt(t0(b), h)
		if !node.IsTxIndexing(err) || time.Now().After(deadline) {
			return r, err
		}
	}
}

func (l *chainLimit) report(b *testing.B) {
	b.StopTimer()
	b.ReportMetric(float64(l.gas)/1e6/l.busy.Seconds(), "Mgas/s")
	b.ReportMetric(float64(l.gas)/float64(l.events), "gas/redemption")
	b.ReportMetric(float64(l.events)/l.busy.Seconds(), "redemptions/s")
}

// payer signs with its own key and counts its own nonces, as a phone of the baseline does.
type payer struct {
	key   *ecdsa.PrivateKey
	tip   *big.Int
	nonce uint64
}

// feeCap is far above the simulated chain's base fee at any point of these benchmarks.
var feeCap = big.NewInt(100_000_000_000)

func (p *payer) sign(b *testing.B, signer types.Signer, chainID *big.Int, to *common.Address, value *big.Int, data []byte, gas uint64) *types.Transaction {
	b.Helper()
	tx, err := types.SignNewTx(p.key, signer, &types.DynamicFeeTx{ChainID: chainID, Nonce: p.nonce, GasTipCap: p.tip,
		GasFeeCap: feeCap, Gas: gas, To: to, Value: value, Data: data})
	if err != nil {
		b.Fatal(err)
	}
	p.nonce++
	return tx
}
