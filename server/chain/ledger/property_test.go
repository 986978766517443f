package ledger_test

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

const (
	propOps           = 500
	propOpsPerBlock   = 12
	propBeneficiaries = 20
	propVendors       = 4
	propGas           = 1_500_000 // fixed, so that predicted reverts are mined and checked too
)

var propPrograms = []uint64{1, 2}

// propOp is one generated call with the model's prediction of its outcome.
type propOp struct {
	desc    string
	data    []byte
	ok      bool            // predicted receipt status
	reasons []ledger.Reason // redeemBatch: predicted outcome per item
}

// TestLedger_MatchesAPlainModelOverRandomSequences drives the contract and a Go model with the
// same random operations (seed logged; AIDLEDGER_PROP_SEED replays one) and compares every
// view and the accounting invariants after each block.
func TestLedger_MatchesAPlainModelOverRandomSequences(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("AIDLEDGER_PROP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (rerun with AIDLEDGER_PROP_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	f := newFixture(t, chaintest.Simulated(t, 6))
	// One key holds every role so that nonce order is execution order within a block.
	actor := f.Keys[5]
	for _, role := range []common.Hash{ledger.RoleProgramManager, ledger.RoleOperator, ledger.RoleSettler} {
		f.do(f.admin, abiL.PackGrantRole(role, f.Addr(5)))
	}
	for _, pid := range propPrograms {
		f.do(actor, abiL.PackCreateProgram(pid))
	}
	m := newModel(propPrograms...)
	cycle := map[uint64]uint32{1: 0, 2: 0}

	g := &propGen{rng: rng, m: m, cycle: cycle}
	for done := 0; done < propOps; {
		n := min(propOpsPerBlock, propOps-done)
		ops := make([]propOp, n)
		for i := range ops {
			ops[i] = g.next()
		}
		f.runBlock(t, actor, ops, done)
		f.checkModel(t, m, done+n)
		done += n
	}
}

type propGen struct {
	rng   *rand.Rand
	m     *model
	cycle map[uint64]uint32
}

func (g *propGen) pid() uint64         { return propPrograms[g.rng.IntN(len(propPrograms))] }
func (g *propGen) ben() [32]byte       { return beneficiary(g.rng.IntN(propBeneficiaries)) }
func (g *propGen) vnd() common.Address { return vendorAddr(g.rng.IntN(propVendors)) }

// amount is mostly small and positive, sometimes zero, sometimes large enough to fail.
func (g *propGen) amount(max uint64) uint64 {
	switch g.rng.IntN(10) {
	case 0:
		return 0
	case 1:
		return max * 3
	}
	return 1 + g.rng.Uint64N(max)
}

// seq is usually the right one, sometimes stale or ahead.
func (g *propGen) seq(pid uint64, id [32]byte) uint64 {
	s := g.m.programs[pid].ent(id).seq
	switch g.rng.IntN(8) {
	case 0:
		if s > 0 {
			return s - 1
		}
	case 1:
		return s + 1
	}
	return s
}

func (g *propGen) next() propOp {
	pid := g.pid()
	p := g.m.programs[pid]
	switch k := g.rng.IntN(100); {
	case k < 10:
		a := g.amount(3000)
		if a != 0 {
			p.funded += a
		}
		return propOp{fmt.Sprintf("fund(%d,%d)", pid, a), abiL.PackFund(pid, new(big.Int).SetUint64(a), ref("donor")), a != 0, nil}
	case k < 25:
		c := g.cycle[pid] + uint32(g.rng.IntN(2)) // same cycle again (stale) or the next one
		if g.rng.IntN(20) == 0 {
			c = 0
		}
		n := 1 + g.rng.IntN(5)
		ids, amounts := make([][32]byte, n), make([]uint64, n)
		for i := range ids {
			ids[i], amounts[i] = g.ben(), g.amount(400)
		}
		ok := g.m.allocate(pid, c, ids, amounts)
		if ok && c > g.cycle[pid] {
			g.cycle[pid] = c
		}
		bigAmounts := make([]*big.Int, n)
		for i, a := range amounts {
			bigAmounts[i] = new(big.Int).SetUint64(a)
		}
		return propOp{fmt.Sprintf("allocate(%d,cycle %d,%v)", pid, c, amounts), abiL.PackAllocate(pid, c, ids, bigAmounts), ok, nil}
	case k < 45:
		b, v := g.ben(), g.vnd()
		a, s := g.amount(150), g.seq(pid, b)
		ok := g.m.redeem(pid, b, v, a, s)
		return propOp{fmt.Sprintf("redeem(%d,%x,%s,%d,seq %d)", pid, b[:4], v.Hex()[:8], a, s),
			abiL.PackRedeem(pid, b, v, new(big.Int).SetUint64(a), s, ref("r")), ok, nil}
	case k < 65:
		n := 1 + g.rng.IntN(6)
		items := make([]aidledger.AidLedgerRedeemItem, n)
		// Seqs are chosen against the model as it will be after the earlier items, so that
		// several redemptions of one beneficiary in one batch are exercised.
		shadow := map[[32]byte]uint64{}
		for i := range items {
			b := g.ben()
			s, seen := shadow[b]
			if !seen {
				s = g.seq(pid, b)
			}
			items[i] = item(b, g.vnd(), int64(g.amount(120)), s, fmt.Sprintf("b%d", i))
			shadow[b] = s + 1
		}
		reasons := g.m.redeemBatch(pid, items)
		return propOp{fmt.Sprintf("redeemBatch(%d,%d items)", pid, n), abiL.PackRedeemBatch(pid, items), true, reasons}
	case k < 70:
		ids := [][32]byte{g.ben(), g.ben()}
		g.m.expire(pid, ids)
		return propOp{fmt.Sprintf("expire(%d)", pid), abiL.PackExpire(pid, ids), true, nil}
	case k < 76:
		b, v := g.ben(), g.vnd()
		a := g.amount(60)
		ok := g.m.refund(pid, b, v, a)
		return propOp{fmt.Sprintf("refund(%d,%x,%s,%d)", pid, b[:4], v.Hex()[:8], a), abiL.PackRefund(pid, b, v, new(big.Int).SetUint64(a), ref("r")), ok, nil}
	case k < 78:
		v := g.vnd()
		a := g.amount(80)
		ok := g.m.reverseSettlement(pid, v, a)
		return propOp{fmt.Sprintf("reverseSettlement(%d,%s,%d)", pid, v.Hex()[:8], a), abiL.PackReverseSettlement(pid, v, new(big.Int).SetUint64(a), ref("pay")), ok, nil}
	case k < 80:
		v := g.vnd()
		a := g.amount(200)
		ok := g.m.settle(pid, v, a)
		return propOp{fmt.Sprintf("settle(%d,%s,%d)", pid, v.Hex()[:8], a), abiL.PackSettle(pid, v, new(big.Int).SetUint64(a), ref("pay")), ok, nil}
	case k < 85:
		b := g.ben()
		g.m.suspended[b] = true
		return propOp{"suspend", abiL.PackSuspendBeneficiary(b), true, nil}
	case k < 90:
		b := g.ben()
		g.m.suspended[b] = false
		return propOp{"reinstate", abiL.PackReinstateBeneficiary(b), true, nil}
	case k < 95:
		v := g.vnd()
		g.m.approved[v] = true
		return propOp{"approve", abiL.PackApproveVendor(v), true, nil}
	case k < 97:
		v := g.vnd()
		g.m.approved[v] = false
		return propOp{"revoke", abiL.PackRevokeVendor(v), true, nil}
	default:
		// Mostly reopen: a closed program makes most operations fail.
		active := g.rng.IntN(3) != 0
		p.active = active
		return propOp{fmt.Sprintf("setProgramActive(%d,%v)", pid, active), abiL.PackSetProgramActive(pid, active), true, nil}
	}
}

// runBlock sends ops with consecutive nonces, mines one block, and checks every receipt
// against the model's prediction.
func (f *fixture) runBlock(t *testing.T, key *ecdsa.PrivateKey, ops []propOp, base int) {
	t.Helper()
	nonce, err := f.Client.PendingNonceAt(t0(t), cryptoAddr(key))
	if err != nil {
		t.Fatal(err)
	}
	txs := make([]*types.Transaction, len(ops))
	for i, op := range ops {
		tx, err := f.SignTxNonce(t, key, nonce+uint64(i), f.addr, op.data, propGas)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Send(t, tx); err != nil {
			t.Fatalf("op %d %s: send: %v", base+i, op.desc, err)
		}
		txs[i] = tx
	}
	f.Mine(t)
	for i, op := range ops {
		r := f.Receipt(t, txs[i].Hash())
		if got := r.Status == types.ReceiptStatusSuccessful; got != op.ok {
			t.Fatalf("op %d %s: success = %v, model says %v", base+i, op.desc, got, op.ok)
		}
		if op.reasons == nil {
			continue
		}
		if len(r.Logs) != len(op.reasons) {
			t.Fatalf("op %d %s: %d logs, %d items", base+i, op.desc, len(r.Logs), len(op.reasons))
		}
		for j, want := range op.reasons {
			got := ledger.ReasonNone
			if e, err := abiL.UnpackRedemptionRejectedEvent(r.Logs[j]); err == nil {
				got = ledger.Reason(e.Reason)
			}
			if got != want {
				t.Fatalf("op %d %s item %d: reason %s, model says %s", base+i, op.desc, j, got, want)
			}
		}
	}
}

// checkModel compares every view with the model and checks the accounting invariants on the
// contract's own numbers.
func (f *fixture) checkModel(t *testing.T, m *model, after int) {
	t.Helper()
	u := func(x *big.Int) uint64 { return x.Uint64() }
	for _, pid := range propPrograms {
		p := m.programs[pid]
		got := f.totals(pid)
		if got.Active != p.active || u(got.Funded) != p.funded || u(got.Allocated) != p.allocated || u(got.Redeemed) != p.redeemed ||
			u(got.Settled) != p.settled || u(got.Expired) != p.expired || got.Beneficiaries != p.beneficiaries {
			t.Fatalf("after op %d program %d: contract %+v, model %+v", after, pid, got, *p)
		}
		out, err := abiL.UnpackOutstanding(f.call(abiL.PackOutstanding(pid)))
		if err != nil {
			t.Fatal(err)
		}
		if u(got.Funded) < u(got.Allocated) || u(got.Allocated) != u(out)+u(got.Redeemed)+u(got.Expired) {
			t.Fatalf("after op %d program %d: funded %s allocated %s outstanding %s redeemed %s expired %s",
				after, pid, got.Funded, got.Allocated, out, got.Redeemed, got.Expired)
		}
		var outstanding uint64
		for i := range propBeneficiaries {
			b := beneficiary(i)
			e, want := f.entitlement(pid, b), p.ent(b)
			if u(e.Balance) != want.balance || e.Seq != want.seq || e.LastCycle != want.cycle || e.Suspended != m.suspended[b] {
				t.Fatalf("after op %d program %d beneficiary %d: contract %+v, model %+v suspended %v", after, pid, i, e, *want, m.suspended[b])
			}
			outstanding += want.balance
		}
		if outstanding != u(out) {
			t.Fatalf("after op %d program %d: outstanding %d, sum of balances %d", after, pid, u(out), outstanding)
		}
		var redeemed, settled uint64
		for i := range propVendors {
			v := vendorAddr(i)
			pos, want := f.vendor(pid, v), p.pos(v)
			if pos.Approved != m.approved[v] || u(pos.Redeemed) != want.redeemed || u(pos.Settled) != want.settled ||
				u(pos.Redeemed) != u(pos.Settled)+u(pos.Unsettled) {
				t.Fatalf("after op %d program %d vendor %d: contract %+v, model %+v", after, pid, i, pos, *want)
			}
			redeemed += u(pos.Redeemed)
			settled += u(pos.Settled)
		}
		if redeemed != u(got.Redeemed) || settled != u(got.Settled) {
			t.Fatalf("after op %d program %d: vendors redeemed %d settled %d, program %s %s", after, pid, redeemed, settled, got.Redeemed, got.Settled)
		}
	}
}
