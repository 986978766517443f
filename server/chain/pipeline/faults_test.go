package pipeline_test

import (
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

func (w *world) countTxs(status string) int64 {
	var n int64
	w.db.Model(&pipeline.Tx{}).Where("status = ?", status).Count(&n)
	return n
}

func (w *world) waitFor(what string, within time.Duration, cond func() bool) {
	w.t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			w.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPipeline_CrashBetweenStoringAndSending_ResendsAndConfirmsOnce(t *testing.T) {
	w := newWorld(t, 1)
	vendor := common.Address{0xcc}
	cards := w.programBeforeTheFault(vendor, 10, 500)

	faulty := &faultyClient{Backend: w.client}
	faulty.dropSends.Store(true)
	p, stop := w.pipeline(faulty, pipeline.Config{MaxRedeem: 4})
	intents := redemptions(t, 1, vendor, cards, 2, 50)
	stored, err := p.Enqueue(context.Background(), nil, intents...)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("signed transactions stored", 10*time.Second, func() bool { return w.countTxs(pipeline.TxSent) >= 2 })
	stop() // the process dies with stored, never-delivered transactions

	p, _ = w.pipeline(nil, pipeline.Config{MaxRedeem: 4})
	waitConfirmed(t, p, stored)
	w.assertAppliedOnce(intents, cards, 500, 50, 2)
	if n := w.countTxs(pipeline.TxDropped); n != 0 {
		t.Errorf("%d transactions dropped; stored transactions must be re-sent as they were", n)
	}
}

func TestPipeline_CrashBetweenSendingAndReceipt_ConfirmsOnce(t *testing.T) {
	w := newWorld(t, 1)
	vendor := common.Address{0xdd}
	cards := w.programBeforeTheFault(vendor, 8, 500)

	ctx, crash := context.WithCancel(context.Background())
	faulty := &faultyClient{Backend: w.client, afterSend: crash}
	p2, err := pipeline.New(w.db, faulty, pipeline.Config{Contract: w.Contract, ChainID: w.ChainID, Keys: w.Keys, ResendAfter: 300 * time.Millisecond, LeaseFor: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	intents := redemptions(t, 1, vendor, cards, 1, 70)
	stored, err := p2.Enqueue(context.Background(), nil, intents...)
	if err != nil {
		t.Fatal(err)
	}
	_ = p2.Run(ctx) // returns once the first send reached the node: the "crash"
	if faulty.sends.Load() == 0 {
		t.Fatal("the pipeline never sent")
	}

	p, _ := w.pipeline(nil, pipeline.Config{})
	waitConfirmed(t, p, stored)
	w.assertAppliedOnce(intents, cards, 500, 70, 1)
}

func TestPipeline_SendErrorAfterTheNodeAccepted_IsMaybeSentNotFailed(t *testing.T) {
	w := newWorld(t, 1)
	faulty := &faultyClient{Backend: w.client}
	p, _ := w.pipeline(faulty, pipeline.Config{MaxRedeem: 5})
	vendor := common.Address{0xee}
	cards := w.beneficiaries(12)
	w.setupProgram(p, vendor, cards, 300)

	faulty.errorAfterSend.Store(true)
	intents := redemptions(t, 1, vendor, cards, 2, 25)
	stored, err := p.Enqueue(context.Background(), nil, intents...)
	if err != nil {
		t.Fatal(err)
	}
	waitConfirmed(t, p, stored)
	w.assertAppliedOnce(intents, cards, 300, 25, 2)
	// No transaction was rebuilt with a new nonce: nonces are contiguous and none was dropped.
	var txs []pipeline.Tx
	w.db.Order("nonce").Find(&txs)
	for i := 1; i < len(txs); i++ {
		if txs[i].Nonce != txs[i-1].Nonce+1 {
			t.Fatalf("nonces %d then %d: a transaction was rebuilt or skipped", txs[i-1].Nonce, txs[i].Nonce)
		}
	}
	if n := w.countTxs(pipeline.TxDropped); n != 0 {
		t.Errorf("%d transactions dropped", n)
	}
}

func TestPipeline_ChainGoingBackwards_ReminesAndKeepsEveryRedemptionOnce(t *testing.T) {
	w := newWorld(t, 1)
	p, _ := w.pipeline(nil, pipeline.Config{MaxRedeem: 5})
	vendor := common.Address{0xfa}
	cards := w.beneficiaries(10)
	w.setupProgram(p, vendor, cards, 400)
	ctx := context.Background()
	base, err := w.client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}

	intents := redemptions(t, 1, vendor, cards, 1, 40)
	stored, err := p.Enqueue(ctx, nil, intents...)
	if err != nil {
		t.Fatal(err)
	}
	waitFinal(t, p, ids(stored), 30*time.Second)

	// The node loses every block since `base` (what a kill -9 of a node without durable writes
	// does): the chain continues from there without our transactions.
	err = w.Rewrite(func(sim *simulated.Backend) error {
		sim.Rollback() // the pool forgets them too
		return sim.Fork(base.Hash())
	})
	if err != nil {
		t.Fatal(err)
	}

	w.waitFor("the pipeline to re-mine its transactions", 30*time.Second, func() bool {
		var txs []pipeline.Tx
		w.db.Where("kind = ?", pipeline.KindRedeem).Find(&txs)
		for _, tx := range txs {
			if tx.Status != pipeline.TxMined || tx.BlockNumber <= base.Number.Uint64() {
				return false
			}
			h, err := w.client.HeaderByNumber(ctx, new(big.Int).SetUint64(tx.BlockNumber))
			if err != nil || h.Hash().Hex() != tx.BlockHash {
				return false
			}
		}
		return len(txs) > 0
	})
	waitConfirmed(t, p, stored)
	w.assertAppliedOnce(intents, cards, 400, 40, 1)
}

func TestPipeline_RequeuesARedemptionThatReachedTheChainBeforeAnEarlierOne(t *testing.T) {
	w := newWorld(t, 1)
	p, _ := w.pipeline(nil, pipeline.Config{})
	vendor := common.Address{0xab}
	cards := w.beneficiaries(1)
	w.setupProgram(p, vendor, cards, 100)
	// seq 1 is enqueued before seq 0 (as after a change in the number of lanes): the ledger
	// rejects it as out of order without consuming anything, and the pipeline must retry it.
	later := pipeline.RedeemIntent(1, pipeline.Redemption{ProgramID: programID, Beneficiary: cards[0], Vendor: vendor, Amount: 10, Seq: 1, Ref: randomID(t)})
	stored, err := p.Enqueue(context.Background(), nil, later)
	if err != nil {
		t.Fatal(err)
	}
	w.waitFor("the out-of-order redemption to be tried", 10*time.Second, func() bool {
		in, _ := p.Get(context.Background(), stored[0].ID)
		return in.Attempts >= 1 && in.Status == pipeline.IntentPending
	})
	earlier := pipeline.RedeemIntent(1, pipeline.Redemption{ProgramID: programID, Beneficiary: cards[0], Vendor: vendor, Amount: 20, Seq: 0, Ref: randomID(t)})
	more, err := p.Enqueue(context.Background(), nil, earlier)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range waitFinal(t, p, []int64{more[0].ID, stored[0].ID}, 30*time.Second) {
		if in.Status != pipeline.IntentConfirmed {
			t.Fatalf("redemption %s: %s %q", in.Ref[:8], in.Status, in.Reason)
		}
	}
}

func TestPipeline_TakesOverTheLeaseOfAProcessThatIsGone(t *testing.T) {
	w := newWorld(t, 1)
	// A predecessor on this host, killed while holding a lease that has not expired yet.
	host, _ := os.Hostname()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	lane := pipeline.Lane{Lane: 0, Address: crypto.PubkeyToAddress(w.Keys[0].PublicKey).Hex(),
		LeaseOwner: fmt.Sprintf("%s:%d:1", host, dead.Process.Pid), LeaseUntil: time.Now().Add(time.Hour)}
	if err := w.db.Create(&lane).Error; err != nil {
		t.Fatal(err)
	}
	p, _ := w.pipeline(nil, pipeline.Config{LeaseFor: time.Hour})
	stored, err := p.Enqueue(context.Background(), nil, pipeline.CallIntent("create:5", ledgerABI.PackCreateProgram(5)))
	if err != nil {
		t.Fatal(err)
	}
	if in := waitFinal(t, p, ids(stored), 10*time.Second)[0]; in.Status != pipeline.IntentConfirmed {
		t.Fatalf("%s %q", in.Status, in.Reason)
	}
}
