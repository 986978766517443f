package ledger_test

import (
	"crypto/ecdsa"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/chain/chaintest"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

func TestProgram_CreateFundAndCloseEmitEventsAndKeepTotals(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		r := f.do(f.manager, abiL.PackCreateProgram(7))
		if e := one(t, r, abiL.UnpackProgramCreatedEvent); e.ProgramId != 7 {
			t.Errorf("ProgramCreated.programId = %d", e.ProgramId)
		}
		r = f.do(f.manager, abiL.PackFund(7, big.NewInt(500), ref("grant-A")))
		e := one(t, r, abiL.UnpackFundedEvent)
		if e.ProgramId != 7 || e.DonorRef != ref("grant-A") {
			t.Errorf("Funded = %+v", e)
		}
		eqInt(t, "Funded.amount", e.Amount, 500)
		f.do(f.manager, abiL.PackFund(7, big.NewInt(250), ref("grant-B")))

		p := f.totals(7)
		if !p.Exists || !p.Active {
			t.Errorf("program 7 exists=%v active=%v", p.Exists, p.Active)
		}
		eqInt(t, "funded", p.Funded, 750)

		r = f.do(f.manager, abiL.PackSetProgramActive(7, false))
		if s := one(t, r, abiL.UnpackProgramStatusChangedEvent); s.ProgramId != 7 || s.Active {
			t.Errorf("ProgramStatusChanged = %+v", s)
		}
		if f.totals(7).Active {
			t.Error("program still active after setProgramActive(false)")
		}
		// A closed program can still be funded, so that it can be wound down.
		f.do(f.manager, abiL.PackFund(7, big.NewInt(1), ref("late")))
		if p := f.totals(8); p.Exists {
			t.Error("unknown program reported as existing")
		}
	})
}

func TestAllocate_CreditsOncePerCycleAndRejectsZeroAndStaleItems(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		f.setupProgram(1, 1000)
		b0, b1 := beneficiary(0), beneficiary(1)
		data := abiL.PackAllocate(1, 1, [][32]byte{b0, b1}, bigs(100, 0))

		// Send once and keep the signed transaction to re-send it below.
		tx, err := f.SignTx(t, f.manager, f.addr, data, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Send(t, tx); err != nil {
			t.Fatal(err)
		}
		f.Mine(t)
		r := f.Receipt(t, tx.Hash())
		a := one(t, r, abiL.UnpackAllocatedEvent)
		if a.ProgramId != 1 || a.Beneficiary != b0 || a.Cycle != 1 {
			t.Errorf("Allocated = %+v", a)
		}
		eqInt(t, "Allocated.amount", a.Amount, 100)
		rej := one(t, r, abiL.UnpackAllocationRejectedEvent)
		if rej.Beneficiary != b1 || ledger.Reason(rej.Reason) != ledger.ReasonZeroAmount || rej.Cycle != 1 {
			t.Errorf("AllocationRejected = %+v (%s)", rej, ledger.Reason(rej.Reason))
		}

		// The exact same signed transaction again: the node refuses it (its nonce is used).
		if err := f.Send(t, tx); err == nil {
			f.Mine(t)
			t.Error("re-sent allocate transaction accepted")
		}
		// The same calldata re-signed: mined, but the cycle is stale, so nothing is credited.
		r = f.do(f.manager, data)
		evs := events(r, abiL.UnpackAllocationRejectedEvent)
		if len(evs) != 2 || ledger.Reason(evs[0].Reason) != ledger.ReasonStaleCycle || ledger.Reason(evs[1].Reason) != ledger.ReasonZeroAmount {
			t.Fatalf("re-signed allocate: rejections %+v", evs)
		}
		if n := len(events(r, abiL.UnpackAllocatedEvent)); n != 0 {
			t.Errorf("re-signed allocate credited %d items", n)
		}
		e := f.entitlement(1, b0)
		eqInt(t, "balance after re-send", e.Balance, 100)
		if e.LastCycle != 1 || e.Seq != 0 {
			t.Errorf("entitlement = %+v", e)
		}

		// The next cycle tops up.
		f.allocate(1, 2, [][32]byte{b0}, 50)
		e = f.entitlement(1, b0)
		eqInt(t, "balance after top-up", e.Balance, 150)
		if e.LastCycle != 2 {
			t.Errorf("lastCycle = %d, want 2", e.LastCycle)
		}
		p := f.totals(1)
		eqInt(t, "allocated", p.Allocated, 150)
		if p.Beneficiaries != 1 {
			t.Errorf("beneficiaries = %d, want 1 (a zero item creates nothing)", p.Beneficiaries)
		}
		out, err := abiL.UnpackOutstanding(f.call(abiL.PackOutstanding(1)))
		if err != nil {
			t.Fatal(err)
		}
		eqInt(t, "outstanding", out, 150)
	})
}

func TestRedeem_MovesValueToVendorAndAdvancesSeq(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		f.setupProgram(1, 1000)
		b0, v0 := beneficiary(0), vendorAddr(0)
		f.do(f.manager, abiL.PackApproveVendor(v0))
		f.allocate(1, 1, [][32]byte{b0}, 100)

		r := f.do(f.operator, abiL.PackRedeem(1, b0, v0, big.NewInt(30), 0, ref("sale-1")))
		e := one(t, r, abiL.UnpackRedeemedEvent)
		if e.ProgramId != 1 || e.Beneficiary != b0 || e.Vendor != v0 || e.Seq != 0 || e.Ref != ref("sale-1") {
			t.Errorf("Redeemed = %+v", e)
		}
		eqInt(t, "Redeemed.amount", e.Amount, 30)

		ent := f.entitlement(1, b0)
		eqInt(t, "balance", ent.Balance, 70)
		if ent.Seq != 1 || ent.LastCycle != 1 || ent.Suspended {
			t.Errorf("entitlement = %+v", ent)
		}
		pos := f.vendor(1, v0)
		if !pos.Approved {
			t.Error("vendor not approved")
		}
		eqInt(t, "vendor redeemed", pos.Redeemed, 30)
		eqInt(t, "vendor unsettled", pos.Unsettled, 30)
		eqInt(t, "program redeemed", f.totals(1).Redeemed, 30)
	})
}

// soldForty sets up program 1 with 1,000 funded, allocates 100 to beneficiary 0 and redeems 40
// of it at an approved vendor 0 (ref "sale").
func (f *fixture) soldForty() ([32]byte, common.Address) {
	f.t.Helper()
	f.setupProgram(1, 1000)
	b0, v0 := beneficiary(0), vendorAddr(0)
	f.do(f.manager, abiL.PackApproveVendor(v0))
	f.allocate(1, 1, [][32]byte{b0}, 100)
	f.do(f.operator, abiL.PackRedeem(1, b0, v0, big.NewInt(40), 0, ref("sale")))
	return b0, v0
}

func TestSettle_ReducesUnsettledAndEmits(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		_, v0 := f.soldForty()

		r := f.do(f.settler, abiL.PackSettle(1, v0, big.NewInt(25), ref("bank-1")))
		s := one(t, r, abiL.UnpackSettledEvent)
		if s.ProgramId != 1 || s.Vendor != v0 || s.Ref != ref("bank-1") {
			t.Errorf("Settled = %+v", s)
		}
		eqInt(t, "Settled.amount", s.Amount, 25)
		pos := f.vendor(1, v0)
		eqInt(t, "settled", pos.Settled, 25)
		eqInt(t, "unsettled", pos.Unsettled, 15)
		eqInt(t, "program settled", f.totals(1).Settled, 25)

		// Settling exactly the rest is allowed; one unit more is not.
		f.do(f.settler, abiL.PackSettle(1, v0, big.NewInt(15), ref("bank-2")))
		want := "ExceedsUnsettled(vendor=" + v0.Hex() + ", unsettled=0, requested=1)"
		if got := f.revert(f.settler, abiL.PackSettle(1, v0, big.NewInt(1), ref("bank-3"))); got != want {
			t.Errorf("revert = %s, want %s", got, want)
		}
	})
}

func TestRefund_GivesBackToTheBeneficiaryOutOfWhatTheVendorIsOwed(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		b0, v0 := f.soldForty()
		f.do(f.settler, abiL.PackSettle(1, v0, big.NewInt(25), ref("bank-1")))

		r := f.do(f.operator, abiL.PackRefund(1, b0, v0, big.NewInt(10), ref("sale")))
		e := one(t, r, abiL.UnpackRefundedEvent)
		if e.ProgramId != 1 || e.Beneficiary != b0 || e.Vendor != v0 || e.Ref != ref("sale") {
			t.Errorf("Refunded = %+v", e)
		}
		eqInt(t, "Refunded.amount", e.Amount, 10)
		ent := f.entitlement(1, b0)
		eqInt(t, "balance", ent.Balance, 70)
		if ent.Seq != 1 {
			t.Errorf("seq = %d, want 1: a refund is not a redemption", ent.Seq)
		}
		pos := f.vendor(1, v0)
		eqInt(t, "vendor redeemed", pos.Redeemed, 30)
		eqInt(t, "vendor settled", pos.Settled, 25)
		eqInt(t, "vendor unsettled", pos.Unsettled, 5)
		tot := f.totals(1)
		eqInt(t, "program redeemed", tot.Redeemed, 30)
		eqInt(t, "program settled", tot.Settled, 25)

		// What the vendor was already paid cannot be refunded on chain.
		want := "ExceedsUnsettled(vendor=" + v0.Hex() + ", unsettled=5, requested=6)"
		if got := f.revert(f.operator, abiL.PackRefund(1, b0, v0, big.NewInt(6), ref("sale"))); got != want {
			t.Errorf("revert = %s, want %s", got, want)
		}
		if got := f.revert(f.operator, abiL.PackRefund(1, b0, v0, big.NewInt(0), ref("sale"))); got != "ZeroAmount()" {
			t.Errorf("revert = %s, want ZeroAmount()", got)
		}
		// A suspended beneficiary still gets its money back.
		f.do(f.manager, abiL.PackSuspendBeneficiary(b0))
		f.do(f.operator, abiL.PackRefund(1, b0, v0, big.NewInt(5), ref("sale")))
		eqInt(t, "balance after a refund while suspended", f.entitlement(1, b0).Balance, 75)
		eqInt(t, "vendor unsettled at the end", f.vendor(1, v0).Unsettled, 0)
	})
}

func TestReverseSettlement_TheVendorIsOwedItAgain(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		b0, v0 := f.soldForty()
		f.do(f.settler, abiL.PackSettle(1, v0, big.NewInt(40), ref("bank-1"))) // typed 40 for 4

		r := f.do(f.settler, abiL.PackReverseSettlement(1, v0, big.NewInt(36), ref("bank-1")))
		e := one(t, r, abiL.UnpackSettlementReversedEvent)
		if e.ProgramId != 1 || e.Vendor != v0 || e.Ref != ref("bank-1") {
			t.Errorf("SettlementReversed = %+v", e)
		}
		eqInt(t, "SettlementReversed.amount", e.Amount, 36)
		pos := f.vendor(1, v0)
		eqInt(t, "settled", pos.Settled, 4)
		eqInt(t, "unsettled", pos.Unsettled, 36)
		eqInt(t, "program settled", f.totals(1).Settled, 4)
		// What is owed again can be refunded to the card.
		f.do(f.operator, abiL.PackRefund(1, b0, v0, big.NewInt(36), ref("sale")))
		eqInt(t, "balance after the refund", f.entitlement(1, b0).Balance, 96)
		want := "ExceedsSettled(vendor=" + v0.Hex() + ", settled=4, requested=5)"
		if got := f.revert(f.settler, abiL.PackReverseSettlement(1, v0, big.NewInt(5), ref("bank-1"))); got != want {
			t.Errorf("revert = %s, want %s", got, want)
		}
	})
}

func TestExpire_ReturnsRemainingBalanceToTheProgram(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		f.setupProgram(1, 1000)
		b0, b1, b2, v0 := beneficiary(0), beneficiary(1), beneficiary(2), vendorAddr(0)
		f.do(f.manager, abiL.PackApproveVendor(v0))
		f.allocate(1, 1, [][32]byte{b0, b1}, 100, 60)
		f.do(f.operator, abiL.PackRedeem(1, b0, v0, big.NewInt(30), 0, ref("sale")))

		// b2 never had an entitlement: skipped without an event.
		r := f.do(f.manager, abiL.PackExpire(1, [][32]byte{b0, b1, b2}))
		evs := events(r, abiL.UnpackExpiredEvent)
		if len(evs) != 2 || evs[0].Beneficiary != b0 || evs[1].Beneficiary != b1 {
			t.Fatalf("Expired events = %+v", evs)
		}
		eqInt(t, "expired b0", evs[0].Amount, 70)
		eqInt(t, "expired b1", evs[1].Amount, 60)
		e := f.entitlement(1, b0)
		eqInt(t, "b0 balance", e.Balance, 0)
		if e.Seq != 1 || e.LastCycle != 1 {
			t.Errorf("expire touched seq or cycle: %+v", e)
		}
		p := f.totals(1)
		eqInt(t, "expired", p.Expired, 130)
		eqInt(t, "redeemed", p.Redeemed, 30)
		eqInt(t, "allocated", p.Allocated, 160)
		// Expiring again changes nothing and emits nothing.
		if r := f.do(f.manager, abiL.PackExpire(1, [][32]byte{b0, b1})); len(r.Logs) != 0 {
			t.Errorf("second expire emitted %d logs", len(r.Logs))
		}
	})
}

func TestVendorsAndBeneficiaries_StatusChangesEmitOncePerChange(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		v0, b0 := vendorAddr(0), beneficiary(0)
		approved := func() bool {
			ok, err := abiL.UnpackIsVendorApproved(f.call(abiL.PackIsVendorApproved(v0)))
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		suspended := func() bool {
			ok, err := abiL.UnpackIsSuspended(f.call(abiL.PackIsSuspended(b0)))
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if e := one(t, f.do(f.manager, abiL.PackApproveVendor(v0)), abiL.UnpackVendorApprovedEvent); e.Vendor != v0 {
			t.Errorf("VendorApproved = %+v", e)
		}
		if r := f.do(f.manager, abiL.PackApproveVendor(v0)); len(r.Logs) != 0 {
			t.Error("approving an approved vendor emitted an event")
		}
		if !approved() {
			t.Error("vendor not approved")
		}
		if e := one(t, f.do(f.manager, abiL.PackRevokeVendor(v0)), abiL.UnpackVendorRevokedEvent); e.Vendor != v0 {
			t.Errorf("VendorRevoked = %+v", e)
		}
		if r := f.do(f.manager, abiL.PackRevokeVendor(v0)); len(r.Logs) != 0 || approved() {
			t.Error("second revoke emitted or vendor still approved")
		}

		if e := one(t, f.do(f.manager, abiL.PackSuspendBeneficiary(b0)), abiL.UnpackBeneficiarySuspendedEvent); e.Beneficiary != b0 {
			t.Errorf("BeneficiarySuspended = %+v", e)
		}
		if r := f.do(f.manager, abiL.PackSuspendBeneficiary(b0)); len(r.Logs) != 0 || !suspended() {
			t.Error("second suspend emitted or beneficiary not suspended")
		}
		if !f.entitlement(1, b0).Suspended {
			t.Error("entitlement view does not show the suspension")
		}
		if e := one(t, f.do(f.manager, abiL.PackReinstateBeneficiary(b0)), abiL.UnpackBeneficiaryReinstatedEvent); e.Beneficiary != b0 {
			t.Errorf("BeneficiaryReinstated = %+v", e)
		}
		if r := f.do(f.manager, abiL.PackReinstateBeneficiary(b0)); len(r.Logs) != 0 || suspended() {
			t.Error("second reinstate emitted or beneficiary still suspended")
		}
	})
}

func TestRoles_GrantAndRevokeEmitAndAreVisible(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		who := f.Addr(4)
		has := func(role common.Hash) bool {
			ok, err := abiL.UnpackHasRole(f.call(abiL.PackHasRole(role, who)))
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		g := one(t, f.do(f.admin, abiL.PackGrantRole(ledger.RoleSettler, who)), abiL.UnpackRoleGrantedEvent)
		if g.Role != ledger.RoleSettler || g.Account != who || g.Sender != f.Addr(0) || !has(ledger.RoleSettler) {
			t.Errorf("RoleGranted = %+v", g)
		}
		rv := one(t, f.do(f.admin, abiL.PackRevokeRole(ledger.RoleSettler, who)), abiL.UnpackRoleRevokedEvent)
		if rv.Role != ledger.RoleSettler || rv.Account != who || has(ledger.RoleSettler) {
			t.Errorf("RoleRevoked = %+v", rv)
		}
		// A role holder may drop its own role.
		f.do(f.operator, abiL.PackRenounceRole(ledger.RoleOperator, f.Addr(2)))
		if ok, _ := abiL.UnpackHasRole(f.call(abiL.PackHasRole(ledger.RoleOperator, f.Addr(2)))); ok {
			t.Error("operator still holds its role after renouncing")
		}
		for _, role := range []common.Hash{ledger.RoleProgramManager, ledger.RoleOperator, ledger.RoleSettler} {
			admin, err := abiL.UnpackGetRoleAdmin(f.call(abiL.PackGetRoleAdmin(role)))
			if err != nil || admin != ledger.RoleAdmin {
				t.Errorf("admin of %s = %x, %v", ledger.RoleName(role), admin, err)
			}
		}
	})
}

func TestPause_BlocksEveryWriteUntilUnpaused(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := errorWorld(t, c)
		b0, v0 := beneficiary(0), vendorAddr(0)
		if e := one(t, f.do(f.admin, abiL.PackPause()), abiL.UnpackPausedEvent); e.Account != f.Addr(0) {
			t.Errorf("Paused = %+v", e)
		}
		writes := []struct {
			key  *ecdsa.PrivateKey
			data []byte
		}{
			{f.manager, abiL.PackCreateProgram(3)},
			{f.manager, abiL.PackSetProgramActive(1, false)},
			{f.manager, abiL.PackFund(1, big.NewInt(1), ref("d"))},
			{f.manager, abiL.PackAllocate(1, 2, [][32]byte{b0}, bigs(1))},
			{f.manager, abiL.PackExpire(1, [][32]byte{b0})},
			{f.manager, abiL.PackSuspendBeneficiary(b0)},
			{f.manager, abiL.PackReinstateBeneficiary(beneficiary(1))},
			{f.manager, abiL.PackApproveVendor(vendorAddr(5))},
			{f.manager, abiL.PackRevokeVendor(v0)},
			{f.operator, abiL.PackRedeem(1, b0, v0, big.NewInt(1), 1, ref("x"))},
			{f.operator, abiL.PackRedeemBatch(1, nil)},
			{f.settler, abiL.PackSettle(1, v0, big.NewInt(1), ref("s"))},
			{f.admin, abiL.PackPause()},
		}
		for i, w := range writes {
			if got := f.revert(w.key, w.data); got != "EnforcedPause()" {
				t.Errorf("write %d while paused: %s", i, got)
			}
		}
		if paused, _ := abiL.UnpackPaused(f.call(abiL.PackPaused())); !paused {
			t.Error("paused() = false")
		}
		eqInt(t, "views still answer: balance", f.entitlement(1, b0).Balance, 90)

		if e := one(t, f.do(f.admin, abiL.PackUnpause()), abiL.UnpackUnpausedEvent); e.Account != f.Addr(0) {
			t.Errorf("Unpaused = %+v", e)
		}
		f.do(f.operator, abiL.PackRedeem(1, b0, v0, big.NewInt(1), 1, ref("x")))
		eqInt(t, "balance after unpause", f.entitlement(1, b0).Balance, 89)
	})
}

func TestConstants_MatchTheGoValues(t *testing.T) {
	chaintest.Run(t, func(t *testing.T, c *chaintest.Chain) {
		f := newFixture(t, c)
		roles := []struct {
			data   []byte
			unpack func([]byte) ([32]byte, error)
			want   common.Hash
		}{
			{abiL.PackDEFAULTADMINROLE(), abiL.UnpackDEFAULTADMINROLE, ledger.RoleAdmin},
			{abiL.PackPROGRAMMANAGERROLE(), abiL.UnpackPROGRAMMANAGERROLE, ledger.RoleProgramManager},
			{abiL.PackOPERATORROLE(), abiL.UnpackOPERATORROLE, ledger.RoleOperator},
			{abiL.PackSETTLERROLE(), abiL.UnpackSETTLERROLE, ledger.RoleSettler},
		}
		for _, r := range roles {
			if got, err := r.unpack(f.call(r.data)); err != nil || got != r.want {
				t.Errorf("role %s: contract has %x (%v)", ledger.RoleName(r.want), got, err)
			}
		}
		reasons := []struct {
			data   []byte
			unpack func([]byte) (uint8, error)
			want   ledger.Reason
		}{
			{abiL.PackREASONPROGRAMINACTIVE(), abiL.UnpackREASONPROGRAMINACTIVE, ledger.ReasonProgramInactive},
			{abiL.PackREASONVENDORNOTAPPROVED(), abiL.UnpackREASONVENDORNOTAPPROVED, ledger.ReasonVendorNotApproved},
			{abiL.PackREASONBENEFICIARYSUSPENDED(), abiL.UnpackREASONBENEFICIARYSUSPENDED, ledger.ReasonBeneficiarySuspended},
			{abiL.PackREASONSEQUENCEMISMATCH(), abiL.UnpackREASONSEQUENCEMISMATCH, ledger.ReasonSequenceMismatch},
			{abiL.PackREASONINSUFFICIENTBALANCE(), abiL.UnpackREASONINSUFFICIENTBALANCE, ledger.ReasonInsufficientBalance},
			{abiL.PackREASONZEROAMOUNT(), abiL.UnpackREASONZEROAMOUNT, ledger.ReasonZeroAmount},
			{abiL.PackREASONSTALECYCLE(), abiL.UnpackREASONSTALECYCLE, ledger.ReasonStaleCycle},
		}
		for _, r := range reasons {
			if got, err := r.unpack(f.call(r.data)); err != nil || ledger.Reason(got) != r.want {
				t.Errorf("reason %s: contract has %d (%v)", r.want, got, err)
			}
		}
		// AccessControl advertises IAccessControl (0x7965db0b) via ERC-165.
		ok, err := abiL.UnpackSupportsInterface(f.call(abiL.PackSupportsInterface([4]byte{0x79, 0x65, 0xdb, 0x0b})))
		if err != nil || !ok {
			t.Errorf("supportsInterface(IAccessControl) = %v, %v", ok, err)
		}
	})
}
