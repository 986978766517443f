package pipeline_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/chain/pipeline"
)

const programID = 7

func randomID(t testing.TB) [32]byte {
	t.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return b
}

// setupProgram creates, funds and opens a program to one vendor through the pipeline itself,
// and allocates each beneficiary `amount` in cycle 1.
func (w *world) setupProgram(p *pipeline.Pipeline, vendor common.Address, beneficiaries [][32]byte, amount uint64) {
	w.t.Helper()
	ctx := context.Background()
	intents := []pipeline.NewIntent{
		pipeline.CallIntent("create:7", ledgerABI.PackCreateProgram(programID)),
		pipeline.CallIntent("fund:7:1", ledgerABI.PackFund(programID, new(big.Int).SetUint64(amount*uint64(len(beneficiaries))), [32]byte{1})),
		pipeline.CallIntent("vendor:"+vendor.Hex(), ledgerABI.PackApproveVendor(vendor)),
	}
	for _, b := range beneficiaries {
		intents = append(intents, pipeline.AllocateIntent(pipeline.Allocation{ProgramID: programID, Cycle: 1, Beneficiary: b, Amount: amount}))
	}
	w.confirm(ctx, p, intents)
}

// approveVendors approves more vendors through the pipeline.
func (w *world) approveVendors(p *pipeline.Pipeline, vendors []common.Address) {
	w.t.Helper()
	var intents []pipeline.NewIntent
	for _, v := range vendors {
		intents = append(intents, pipeline.CallIntent("vendor:"+v.Hex(), ledgerABI.PackApproveVendor(v)))
	}
	w.confirm(context.Background(), p, intents)
}

// confirm enqueues setup intents and fails the test unless every one is confirmed.
func (w *world) confirm(ctx context.Context, p *pipeline.Pipeline, intents []pipeline.NewIntent) {
	w.t.Helper()
	stored, err := p.Enqueue(ctx, nil, intents...)
	if err != nil {
		w.t.Fatal(err)
	}
	waitConfirmed(w.t, p, stored)
}

func ids(in []pipeline.Intent) []int64 {
	out := make([]int64, len(in))
	for i := range in {
		out[i] = in[i].ID
	}
	return out
}

// redemptions makes n redemptions of `amount` for each beneficiary, seq 0..n-1.
func redemptions(t testing.TB, lanes int, vendor common.Address, beneficiaries [][32]byte, n int, amount uint64) []pipeline.NewIntent {
	t.Helper()
	var out []pipeline.NewIntent
	for s := 0; s < n; s++ {
		for _, b := range beneficiaries {
			out = append(out, pipeline.RedeemIntent(lanes, pipeline.Redemption{
				ProgramID: programID, Beneficiary: b, Vendor: vendor, Amount: amount, Seq: uint64(s), Ref: randomID(t),
			}))
		}
	}
	return out
}

// assertAppliedOnce checks the chain itself: every redemption ref has exactly one Redeemed event
// on the canonical chain, and every entitlement's balance and counter match `perCard`
// redemptions of `amount` each.
func (w *world) assertAppliedOnce(intents []pipeline.NewIntent, beneficiaries [][32]byte, start, amount uint64, perCard int) {
	w.t.Helper()
	ctx := context.Background()
	logs, err := w.client.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{w.Contract},
		Topics: [][]common.Hash{{ledgerABI.GetABI().Events["Redeemed"].ID}}})
	if err != nil {
		w.t.Fatal(err)
	}
	seen := map[[32]byte]int{}
	for i := range logs {
		ev, err := ledgerABI.UnpackRedeemedEvent(&logs[i])
		if err != nil {
			w.t.Fatal(err)
		}
		seen[ev.Ref]++
	}
	for _, in := range intents {
		var ref [32]byte
		copy(ref[:], common.FromHex(in.Ref))
		if seen[ref] != 1 {
			w.t.Errorf("redemption %s applied %d times on chain, want exactly once", in.Ref[:8], seen[ref])
		}
	}
	if len(logs) != len(intents) {
		w.t.Errorf("%d Redeemed events on chain, want %d", len(logs), len(intents))
	}
	for _, b := range beneficiaries {
		out, err := w.client.CallContract(ctx, ethereum.CallMsg{To: &w.Contract, Data: ledgerABI.PackEntitlement(programID, b)}, nil)
		if err != nil {
			w.t.Fatal(err)
		}
		ent, err := ledgerABI.UnpackEntitlement(out)
		if err != nil {
			w.t.Fatal(err)
		}
		wantBal := start - amount*uint64(perCard)
		if ent.Balance.Uint64() != wantBal || ent.Seq != uint64(perCard) {
			w.t.Errorf("entitlement %x: balance %s seq %d, want %d and %d", b[:4], ent.Balance, ent.Seq, wantBal, perCard)
		}
	}
}

// programBeforeTheFault sets up a program for n new cards through a pipeline that then stops,
// so that a test's faulty pipeline starts on a funded, allocated ledger.
func (w *world) programBeforeTheFault(vendor common.Address, n int, amount uint64) [][32]byte {
	w.t.Helper()
	p, stop := w.pipeline(nil, pipeline.Config{})
	cards := w.beneficiaries(n)
	w.setupProgram(p, vendor, cards, amount)
	stop()
	return cards
}

func (w *world) beneficiaries(n int) [][32]byte {
	out := make([][32]byte, n)
	for i := range out {
		out[i] = randomID(w.t)
	}
	return out
}

func TestPipeline_ConfirmsEveryIntentOnceInBatchesAcrossLanes(t *testing.T) {
	w := newWorld(t, 2)
	p, _ := w.pipeline(nil, pipeline.Config{MaxRedeem: 40})
	vendor := common.Address{0xbe, 0xef}
	cards := w.beneficiaries(30)
	w.setupProgram(p, vendor, cards, 1000)

	intents := redemptions(t, p.Lanes(), vendor, cards, 3, 100)
	stored, err := p.Enqueue(context.Background(), nil, intents...)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range waitFinal(t, p, ids(stored), 30*time.Second) {
		if in.Status != pipeline.IntentConfirmed || in.TxHash == "" || in.BlockNumber == 0 {
			t.Fatalf("redemption %s: status %s reason %q tx %q block %d", in.Ref[:8], in.Status, in.Reason, in.TxHash, in.BlockNumber)
		}
	}
	w.assertAppliedOnce(intents, cards, 1000, 100, 3)

	var txs int64
	w.db.Model(&pipeline.Tx{}).Where("kind = ?", pipeline.KindRedeem).Count(&txs)
	if txs >= int64(len(intents)) {
		t.Errorf("%d transactions for %d redemptions: nothing was batched", txs, len(intents))
	}
	var lanes []int
	w.db.Model(&pipeline.Tx{}).Where("kind = ?", pipeline.KindRedeem).Distinct().Pluck("lane", &lanes)
	if len(lanes) != 2 {
		t.Errorf("redemptions went through lanes %v, want both lanes", lanes)
	}
}

func TestPipeline_AwaitingAnIntentMadeFinalBeforeTheCallReturnsAtOnce(t *testing.T) {
	// A caller reads its redemption as pending, then awaits it; the lane may finish it in
	// between. Such a caller must not sleep until the once-a-second poll.
	w := newWorld(t, 1)
	p, _ := w.pipeline(nil, pipeline.Config{})
	stored, err := p.Enqueue(context.Background(), nil, pipeline.CallIntent("create:5", ledgerABI.PackCreateProgram(5)))
	if err != nil {
		t.Fatal(err)
	}
	waitFinal(t, p, ids(stored), 20*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond) // under the poll
	defer cancel()
	if err := p.AwaitFinal(ctx, stored[0].ID); err != nil {
		t.Fatalf("AwaitFinal on an intent already final: %v", err)
	}
}

func TestPipeline_EnqueueingTheSameRefTwiceKeepsOneIntent(t *testing.T) {
	w := newWorld(t, 1)
	p, stop := w.pipeline(nil, pipeline.Config{})
	stop() // nothing needs to be mined here
	in := pipeline.CallIntent("create:9", ledgerABI.PackCreateProgram(9))
	first, err := p.Enqueue(context.Background(), nil, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := p.Enqueue(context.Background(), nil, in)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	w.db.Model(&pipeline.Intent{}).Count(&n)
	if n != 1 || first[0].ID != again[0].ID {
		t.Fatalf("%d intents stored, ids %d and %d; want one intent returned twice", n, first[0].ID, again[0].ID)
	}
}

func TestPipeline_EnqueueingSomeRefsThatExistReturnsEachIntentUnderItsOwnRef(t *testing.T) {
	w := newWorld(t, 1)
	p, stop := w.pipeline(nil, pipeline.Config{})
	stop()
	ctx := context.Background()
	middle := pipeline.CallIntent("create:2", ledgerABI.PackCreateProgram(2))
	if _, err := p.Enqueue(ctx, nil, middle); err != nil {
		t.Fatal(err)
	}
	stored, err := p.Enqueue(ctx, nil, pipeline.CallIntent("create:1", ledgerABI.PackCreateProgram(1)), middle,
		pipeline.CallIntent("create:3", ledgerABI.PackCreateProgram(3)))
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range stored {
		var got pipeline.Intent
		if err := w.db.First(&got, in.ID).Error; err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("create:%d", i+1); in.Ref != want || got.Ref != want {
			t.Errorf("intent %d: returned for %q with id %d, which is %q's", i, in.Ref, in.ID, got.Ref)
		}
	}
}

func TestPipeline_FailsACallThatRevertsWithTheDecodedReason(t *testing.T) {
	w := newWorld(t, 1)
	p, _ := w.pipeline(nil, pipeline.Config{})
	stored, err := p.Enqueue(context.Background(), nil, pipeline.CallIntent("fund:unknown", ledgerABI.PackFund(99, big.NewInt(5), [32]byte{})))
	if err != nil {
		t.Fatal(err)
	}
	in := waitFinal(t, p, ids(stored), 20*time.Second)[0]
	if in.Status != pipeline.IntentFailed || in.Reason == "" {
		t.Fatalf("status %s reason %q; want failed with a reason", in.Status, in.Reason)
	}
	if want := "UnknownProgram"; !strings.Contains(in.Reason, want) {
		t.Errorf("reason %q does not name %s", in.Reason, want)
	}
}

func TestPipeline_RejectedRedemptionFailsWithTheLedgerReason(t *testing.T) {
	w := newWorld(t, 1)
	p, _ := w.pipeline(nil, pipeline.Config{})
	vendor := common.Address{0xaa}
	cards := w.beneficiaries(1)
	w.setupProgram(p, vendor, cards, 100)
	over := pipeline.RedeemIntent(1, pipeline.Redemption{ProgramID: programID, Beneficiary: cards[0], Vendor: vendor, Amount: 101, Seq: 0, Ref: randomID(t)})
	next := pipeline.RedeemIntent(1, pipeline.Redemption{ProgramID: programID, Beneficiary: cards[0], Vendor: vendor, Amount: 60, Seq: 1, Ref: randomID(t)})
	stored, err := p.Enqueue(context.Background(), nil, over, next)
	if err != nil {
		t.Fatal(err)
	}
	got := waitFinal(t, p, ids(stored), 20*time.Second)
	if got[0].Status != pipeline.IntentFailed || got[0].Reason != "insufficient_balance" {
		t.Errorf("overspend: %s %q; want failed insufficient_balance", got[0].Status, got[0].Reason)
	}
	// The rejected item consumed its sequence number, so the next one still applies.
	if got[1].Status != pipeline.IntentConfirmed {
		t.Errorf("next redemption: %s %q; want confirmed", got[1].Status, got[1].Reason)
	}
}
