package ledger_test

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/bindings/baselinetoken"
	"github.com/aidledger/aidledger/server/chain/chaintest"
)

// Gas figures are deterministic, so BenchmarkGas measures each operation once, on a chain in
// steady state (every measured entitlement and vendor position already non-zero), and reports
// gas per operation; ns/op is meaningless here. Per-item figures are receipt gasUsed / items,
// so they include the 21,000 intrinsic gas and calldata shared across the batch.
//
//	go test -bench Gas -run '^$' ./server/chain/ledger
const (
	gasVendors = 500  // enough for a batch of 500 with every item at a different vendor
	gasPool    = 1000 // beneficiaries in steady state, each redeemed once before measuring
)

// gasBench is the steady-state world the measurements run in.
type gasBench struct {
	*fixture
	seq  map[[32]byte]uint64
	next int // next pool beneficiary to use, round robin
}

// sendAll signs datas from key with consecutive nonces, mines them in as few blocks as the gas
// limit allows, and requires every receipt to succeed.
func (g *gasBench) sendAll(key *ecdsa.PrivateKey, gas uint64, datas [][]byte) []*types.Receipt {
	g.t.Helper()
	const perBlock = 40_000_000
	var out []*types.Receipt
	for len(datas) > 0 {
		n := min(len(datas), int(perBlock/gas))
		// Nonces are counted here: the pool's pending nonce lags behind transactions just sent.
		nonce, err := g.Client.PendingNonceAt(t0(g.t), cryptoAddr(key))
		if err != nil {
			g.t.Fatal(err)
		}
		var txs []*types.Transaction
		for i, d := range datas[:n] {
			tx, err := g.SignTxNonce(g.t, key, nonce+uint64(i), g.addr, d, gas)
			if err != nil {
				g.t.Fatal(err)
			}
			if err := g.Send(g.t, tx); err != nil {
				g.t.Fatal(err)
			}
			txs = append(txs, tx)
		}
		g.Mine(g.t)
		for _, tx := range txs {
			r := g.Receipt(g.t, tx.Hash())
			if r.Status != types.ReceiptStatusSuccessful {
				g.t.Fatalf("setup transaction failed")
			}
			out = append(out, r)
		}
		datas = datas[n:]
	}
	return out
}

// batch builds n redemption items over fresh pool beneficiaries, item i at vendor i%vendors.
func (g *gasBench) batch(n, vendors int) []aidledger.AidLedgerRedeemItem {
	return g.batchFrom(n, vendors, 0)
}

// batchFrom is batch with item i at vendor (offset+i)%vendors.
func (g *gasBench) batchFrom(n, vendors, offset int) []aidledger.AidLedgerRedeemItem {
	items := make([]aidledger.AidLedgerRedeemItem, n)
	for i := range items {
		b := beneficiary(g.next % gasPool)
		g.next++
		items[i] = item(b, vendorAddr((offset+i)%vendors), 1_00, g.seq[b], fmt.Sprintf("sale-%d", g.next))
		g.seq[b]++
	}
	return items
}

func (g *gasBench) redeemBatch(items []aidledger.AidLedgerRedeemItem) *types.Receipt {
	g.t.Helper()
	r := g.do(g.operator, abiL.PackRedeemBatch(1, items))
	if got := len(events(r, abiL.UnpackRedeemedEvent)); got != len(items) {
		g.t.Fatalf("batch applied %d of %d items", got, len(items))
	}
	return r
}

func newGasBench(b *testing.B) *gasBench {
	b.Helper()
	g := &gasBench{fixture: newFixture(b, chaintest.Simulated(b, 6)), seq: map[[32]byte]uint64{}}
	g.setupProgram(1, 1_000_000_000_000)

	var datas [][]byte
	for v := range gasVendors {
		datas = append(datas, abiL.PackApproveVendor(vendorAddr(v)))
	}
	g.sendAll(g.manager, 100_000, datas)

	datas = nil
	for start := 0; start < gasPool; start += 200 {
		ids := make([][32]byte, 200)
		amounts := make([]*big.Int, 200)
		for i := range ids {
			ids[i], amounts[i] = beneficiary(start+i), big.NewInt(1_000_000)
		}
		datas = append(datas, abiL.PackAllocate(1, 1, ids, amounts))
	}
	g.sendAll(g.manager, 8_000_000, datas)

	// Warm-up: every pool beneficiary redeems once and every vendor gets a non-zero position.
	datas = nil
	for k := range gasPool / 200 {
		datas = append(datas, abiL.PackRedeemBatch(1, g.batchFrom(200, gasVendors, 200*k)))
	}
	g.sendAll(g.operator, 12_000_000, datas)
	return g
}

func BenchmarkGas(b *testing.B) {
	g := newGasBench(b)
	type metric struct {
		name string
		gas  float64
	}
	var results []metric
	report := func(name string, gas uint64, n int) {
		results = append(results, metric{name, float64(gas) / float64(n)})
	}

	// Allocation: to new beneficiaries, then a top-up of the same ones in the next cycle.
	fresh := func(n, from int) ([][32]byte, []*big.Int) {
		ids, amounts := make([][32]byte, n), make([]*big.Int, n)
		for i := range ids {
			ids[i], amounts[i] = beneficiary(100_000+from+i), big.NewInt(5_000)
		}
		return ids, amounts
	}
	ids, amounts := fresh(1, 0)
	report("allocate_new_single_tx", g.do(g.manager, abiL.PackAllocate(1, 1, ids, amounts)).GasUsed, 1)
	ids, amounts = fresh(100, 1)
	report("allocate_new_per_item_batch100", g.do(g.manager, abiL.PackAllocate(1, 1, ids, amounts)).GasUsed, 100)
	report("allocate_topup_per_item_batch100", g.do(g.manager, abiL.PackAllocate(1, 2, ids, amounts)).GasUsed, 100)

	// A lone redemption in its own transaction.
	it := g.batch(1, 10)[0]
	report("redeem_single_tx", g.do(g.operator, abiL.PackRedeem(1, it.Beneficiary, it.Vendor, it.Amount, it.Seq, it.Ref)).GasUsed, 1)

	for _, n := range []int{10, 100, 500} {
		report(fmt.Sprintf("redeem_per_item_batch%d_10vendors", n), g.redeemBatch(g.batch(n, 10)).GasUsed, n)
		report(fmt.Sprintf("redeem_per_item_batch%d_distinct_vendors", n), g.redeemBatch(g.batch(n, n)).GasUsed, n)
	}

	// Settlement of a vendor that has been settled before.
	g.do(g.settler, abiL.PackSettle(1, vendorAddr(0), big.NewInt(1), ref("payout-0")))
	report("settle_tx", g.do(g.settler, abiL.PackSettle(1, vendorAddr(0), big.NewInt(1), ref("payout-1"))).GasUsed, 1)

	// Part of that settlement taken back.
	report("reverse_settlement_tx", g.do(g.settler, abiL.PackReverseSettlement(1, vendorAddr(0), big.NewInt(1), ref("payout-1"))).GasUsed, 1)

	// A refund of a warm-up sale: the card and the vendor have been written before.
	report("refund_tx", g.do(g.operator, abiL.PackRefund(1, beneficiary(0), vendorAddr(0), big.NewInt(1), ref("sale-0"))).GasUsed, 1)

	// The naive baseline: one OpenZeppelin ERC20 transfer per redemption.
	tok := baselinetoken.NewBaselineToken()
	holder := g.Addr(0)
	tokAddr, tx, err := bind.DeployContract(bind.NewKeyedTransactor(g.admin, g.ChainID),
		common.FromHex(baselinetoken.BaselineTokenMetaData.Bin), g.Client, tok.PackConstructor(holder, big.NewInt(1e18)))
	if err != nil {
		b.Fatal(err)
	}
	g.Mine(b)
	g.Receipt(b, tx.Hash())
	transfer := func(to common.Address) uint64 {
		return g.MustTransact(b, g.admin, tokAddr, tok.PackTransfer(to, big.NewInt(100))).GasUsed
	}
	report("erc20_transfer_new_recipient_tx", transfer(vendorAddr(1)), 1)
	report("erc20_transfer_tx", transfer(vendorAddr(1)), 1)

	for _, m := range results {
		b.Run(m.name, func(b *testing.B) { b.ReportMetric(m.gas, "gas/op") })
	}
}
