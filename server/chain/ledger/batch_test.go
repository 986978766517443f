package ledger_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

func TestRedeemBatch_RejectsInvalidItemsAndAppliesTheRest(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := errorWorld(t, c) // b0: 90 left, seq 1; b1: 100, suspended; v0 approved, v1 not
		b0, b1, b2, b3 := beneficiary(0), beneficiary(1), beneficiary(2), beneficiary(3)
		v0, v1 := vendorAddr(0), vendorAddr(1)
		f.allocate(1, 1, [][32]byte{b2, b3}, 50, 50)

		items := []aidledger.AidLedgerRedeemItem{
			item(b0, v0, 20, 1, "ok-1"),     // applied
			item(b0, v0, 5, 1, "dup"),       // seq already consumed by ok-1
			item(b0, v1, 5, 2, "vendor"),    // vendor not approved, seq 2 consumed
			item(b1, v0, 5, 0, "suspended"), // suspended, seq 0 consumed
			item(b2, v0, 51, 0, "too-much"), // balance 50
			item(b3, v0, 0, 0, "zero"),      // zero amount
			item(b0, v0, 10, 3, "ok-2"),     // applied: keeps its place after the rejected seq 2
			item(b2, v0, 50, 1, "ok-3"),     // applied: seq 1 after the rejected seq 0
		}
		want := []struct {
			ref    string
			reason ledger.Reason
		}{
			{"ok-1", 0}, {"dup", ledger.ReasonSequenceMismatch}, {"vendor", ledger.ReasonVendorNotApproved},
			{"suspended", ledger.ReasonBeneficiarySuspended}, {"too-much", ledger.ReasonInsufficientBalance},
			{"zero", ledger.ReasonZeroAmount}, {"ok-2", 0}, {"ok-3", 0},
		}
		r := f.do(f.operator, abiL.PackRedeemBatch(1, items))
		if len(r.Logs) != len(items) {
			t.Fatalf("%d logs for %d items", len(r.Logs), len(items))
		}
		for i, w := range want {
			l := r.Logs[i]
			if w.reason == 0 {
				e, err := abiL.UnpackRedeemedEvent(l)
				if err != nil || e.Ref != ref(w.ref) || e.Seq != items[i].Seq || e.Amount.Cmp(items[i].Amount) != 0 || e.Vendor != items[i].Vendor {
					t.Errorf("item %s: want Redeemed, got %+v (%v)", w.ref, e, err)
				}
				continue
			}
			e, err := abiL.UnpackRedemptionRejectedEvent(l)
			if err != nil || e.Ref != ref(w.ref) || ledger.Reason(e.Reason) != w.reason || e.Beneficiary != items[i].Beneficiary || e.Seq != items[i].Seq {
				t.Errorf("item %s: want RedemptionRejected(%s), got %+v (%v)", w.ref, w.reason, e, err)
			}
		}
		check := func(id [32]byte, balance int64, seq uint64) {
			t.Helper()
			e := f.entitlement(1, id)
			eqInt(t, "balance", e.Balance, balance)
			if e.Seq != seq {
				t.Errorf("seq = %d, want %d", e.Seq, seq)
			}
		}
		check(b0, 60, 4)
		check(b1, 100, 1)
		check(b2, 0, 2)
		check(b3, 50, 1)
		eqInt(t, "vendor 0 redeemed", f.vendor(1, v0).Redeemed, 10+80)
		eqInt(t, "vendor 1 redeemed", f.vendor(1, v1).Redeemed, 0)
		eqInt(t, "program redeemed", f.totals(1).Redeemed, 90)

		// A closed program rejects every item with program_inactive (and consumes matching seqs).
		f.do(f.manager, abiL.PackSetProgramActive(1, false))
		r = f.do(f.operator, abiL.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{item(b3, v0, 1, 1, "closed")}))
		if e := one(t, r, abiL.UnpackRedemptionRejectedEvent); ledger.Reason(e.Reason) != ledger.ReasonProgramInactive {
			t.Errorf("closed program: reason %s", ledger.Reason(e.Reason))
		}
		check(b3, 50, 2)
	})
}

func TestRedeem_ReplayNeverAppliesTwice(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := errorWorld(t, c) // b0: 90 left at seq 1
		b0, v0 := beneficiary(0), vendorAddr(0)
		single := abiL.PackRedeem(1, b0, v0, big.NewInt(7), 1, ref("once"))
		batch := abiL.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{item(b0, v0, 3, 2, "once-batch")})

		for _, step := range []struct {
			name string
			data []byte
		}{{"redeem", single}, {"redeemBatch", batch}} {
			tx, err := f.SignTx(t, f.operator, f.addr, step.data, 0)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Send(t, tx); err != nil {
				t.Fatal(err)
			}
			f.Mine(t)
			if r := f.Receipt(t, tx.Hash()); r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("%s: first send failed", step.name)
			}

			// 1. The exact same signed transaction re-sent: refused by the node.
			if err := f.Send(t, tx); err == nil {
				t.Errorf("%s: re-sent transaction accepted by the node", step.name)
			}
			// 2. The same calldata re-signed with a fresh nonce, as a submitter does after a
			// crash: gas estimation already sees the mismatch, and if sent anyway (fixed gas) the
			// single redeem reverts and the batch item is rejected.
			r, err := f.TransactGas(t, f.operator, f.addr, step.data, 300_000)
			if err != nil {
				t.Fatalf("%s: re-signed send: %v", step.name, err)
			}
			if step.name == "redeem" {
				if r.Status != types.ReceiptStatusFailed {
					t.Errorf("re-signed redeem succeeded")
				}
			} else {
				e := one(t, r, abiL.UnpackRedemptionRejectedEvent)
				if ledger.Reason(e.Reason) != ledger.ReasonSequenceMismatch || len(events(r, abiL.UnpackRedeemedEvent)) != 0 {
					t.Errorf("re-signed batch: %+v", e)
				}
			}
		}
		e := f.entitlement(1, b0)
		eqInt(t, "balance", e.Balance, 90-7-3)
		if e.Seq != 3 {
			t.Errorf("seq = %d, want 3", e.Seq)
		}
		eqInt(t, "vendor redeemed", f.vendor(1, v0).Redeemed, 10+7+3)
		eqInt(t, "program redeemed", f.totals(1).Redeemed, 10+7+3)
	})
}
