package pipeline_test

import (
	"context"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

// setMinimumTip raises the tip the node's pool and block builder require, as the operator of a
// permissioned network does with miner_setGasPrice: the pool drops what pays less.
func (w *world) setMinimumTip(tip *big.Int) {
	w.t.Helper()
	// The simulated client hides its ethclient behind an embedded field of the same name as
	// ethclient's RPC accessor; the field itself is exported.
	ec, ok := reflect.ValueOf(w.client).Field(0).Interface().(*ethclient.Client)
	if !ok {
		w.t.Fatal("the simulated client has no ethclient underneath")
	}
	var done bool
	if err := ec.Client().Call(&done, "miner_setGasPrice", (*hexutil.Big)(tip)); err != nil || !done {
		w.t.Fatalf("miner_setGasPrice: %v", err)
	}
}

// txsOf reads the stored transactions of the redemptions, by id.
func (w *world) txsOf(stored []pipeline.Intent) map[int64]pipeline.Tx {
	w.t.Helper()
	var in []pipeline.Intent
	if err := w.db.Where("id IN ?", ids(stored)).Find(&in).Error; err != nil {
		w.t.Fatal(err)
	}
	out := map[int64]pipeline.Tx{}
	for _, i := range in {
		if i.TxID == nil {
			w.t.Fatalf("intent %s has no transaction", i.Ref[:8])
		}
		var tx pipeline.Tx
		if err := w.db.First(&tx, *i.TxID).Error; err != nil {
			w.t.Fatal(err)
		}
		out[tx.ID] = tx
	}
	return out
}

func TestPipeline_ATransactionWhoseTipTheNodeNoLongerAcceptsIsRepricedAndConfirmedOnce(t *testing.T) {
	w := newWorld(t, 1)
	p, _ := w.pipeline(nil, pipeline.Config{MaxRedeem: 5})
	vendor := common.Address{0xfe}
	cards := w.beneficiaries(8)
	w.setupProgram(p, vendor, cards, 400)

	// The operator raises the minimum tip to three times what the pipeline was configured with:
	// every send at the old price is refused, and re-sending the same bytes would never succeed.
	minimum := big.NewInt(3_000_000_000)
	w.setMinimumTip(minimum)
	intents := redemptions(t, 1, vendor, cards, 1, 40)
	stored, err := p.Enqueue(context.Background(), nil, intents...)
	if err != nil {
		t.Fatal(err)
	}
	waitConfirmed(t, p, stored)
	w.assertAppliedOnce(intents, cards, 400, 40, 1)

	txs := w.txsOf(stored)
	for _, in := range waitFinal(t, p, ids(stored), time.Second) {
		tx := txs[*in.TxID]
		if tx.PriorHashes == "" {
			t.Errorf("transaction %s was mined without a re-priced version", tx.Hash)
		}
		if in.TxHash != tx.Hash {
			t.Errorf("redemption %s names transaction %s, its transaction is %s", in.Ref[:8], in.TxHash, tx.Hash)
		}
		var mined types.Transaction
		if err := mined.UnmarshalBinary(tx.Raw); err != nil {
			t.Fatal(err)
		}
		if mined.Hash().Hex() != tx.Hash || mined.GasTipCap().Cmp(minimum) < 0 {
			t.Errorf("mined version %s tips %s, want the stored one (%s) at %s at least", mined.Hash().Hex(), mined.GasTipCap(), tx.Hash, minimum)
		}
		rc, err := w.client.TransactionReceipt(context.Background(), common.HexToHash(in.TxHash))
		if err != nil || rc.BlockNumber.Uint64() != in.BlockNumber {
			t.Errorf("redemption %s: receipt of %s: %v (block %d, want %d)", in.Ref[:8], in.TxHash, err, rc.BlockNumber, in.BlockNumber)
		}
	}
	if n := w.countTxs(pipeline.TxDropped); n != 0 {
		t.Errorf("%d transactions dropped; a re-priced transaction keeps its nonce", n)
	}
}

func TestPipeline_AnEarlierVersionMinedAfterARepriceSettlesUnderItsOwnHash(t *testing.T) {
	w := newWorld(t, 1)
	vendor := common.Address{0xfd}
	cards := w.programBeforeTheFault(vendor, 6, 300)

	faulty := &faultyClient{Backend: w.client}
	p, _ := w.pipeline(faulty, pipeline.Config{})
	intents := redemptions(t, 1, vendor, cards, 1, 30)
	var stored []pipeline.Intent
	// With blocks paused: the first version reaches the node's pool, but the answer says its
	// price was refused; the re-priced version is stored and never reaches the node. Then the
	// chain mines the first version.
	err := w.Rewrite(func(*simulated.Backend) error {
		faulty.refusePriceAfterSend.Store(true)
		var err error
		if stored, err = p.Enqueue(context.Background(), nil, intents...); err != nil {
			return err
		}
		w.waitFor("the first version in the node's pool", 10*time.Second, func() bool { return len(faulty.reachedNode()) == 1 })
		faulty.dropSends.Store(true)
		w.waitFor("a re-priced version stored", 10*time.Second, func() bool {
			var n int64
			w.db.Model(&pipeline.Tx{}).Where("prior_hashes <> ''").Count(&n)
			return n == 1
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	first := faulty.reachedNode()[0].Hex()
	for _, in := range waitFinal(t, p, ids(stored), 30*time.Second) {
		if in.Status != pipeline.IntentConfirmed {
			t.Fatalf("redemption %s: %s %q", in.Ref[:8], in.Status, in.Reason)
		}
		if in.TxHash != first {
			t.Errorf("redemption %s names transaction %s, but the chain mined %s", in.Ref[:8], in.TxHash, first)
		}
	}
	w.assertAppliedOnce(intents, cards, 300, 30, 1)
	for _, tx := range w.txsOf(stored) {
		if tx.Hash != first || tx.PriorHashes == "" || tx.PriorHashes == first {
			t.Errorf("transaction recorded as %s (prior %q), want the mined %s with the replacement as prior", tx.Hash, tx.PriorHashes, first)
		}
		if _, err := w.client.TransactionReceipt(context.Background(), common.HexToHash(tx.PriorHashes)); err == nil {
			t.Errorf("the replacement %s has a receipt too", tx.PriorHashes)
		}
	}
}
