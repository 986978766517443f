package redeem_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aidledger/aidledger/server/redeem"
	"github.com/aidledger/aidledger/server/store"
)

// A pipelined group locks the accounts of every card and program its acceptances name before it
// knows which it will refuse (earlyLock), and gives back the numbers of those it refused.
func TestAcceptPipelined_GivesBackTheNumbersOfWhatItRefusedSoThoseCardsNextRedemptionsConfirm(t *testing.T) {
	f := newFixture(t)
	if store.DialectOf(f.App.DB) != store.Postgres {
		t.Skip("pipelined transactions are PostgreSQL's")
	}
	ctx := context.Background()
	suspended := f.Seeded.Beneficiaries[1]
	if _, err := f.App.Enroll.Suspend(ctx, suspended.ID); err != nil {
		t.Fatal(err)
	}
	onSuspended := f.cardReq(1, 1)
	unknownProgram := f.cardReq(2, 1)
	unknownProgram.ProgramID = "00000000-0000-0000-0000-000000000000"
	overspend := f.cardReq(3, f.availableOn(t, 3)+1)
	unknownCard := f.cardReq(0, 1)
	unknownCard.CardNumber = unenrolled(t, f)
	cases := []struct {
		req  redeem.Request
		code string // "" = accepted
	}{
		{onSuspended, "beneficiary_suspended"},
		{unknownProgram, "not_found"},
		{overspend, "insufficient_balance"},
		{unknownCard, "not_found"},
		{f.cardReq(0, 2), ""},
	}
	for _, all := range []bool{true, false} { // every acceptance refused; then one accepted among them
		var reqs []redeem.Request
		var keys []string
		for i, c := range cases {
			if all && c.code == "" {
				continue
			}
			reqs = append(reqs, c.req)
			keys = append(keys, fmt.Sprintf("early-%v-%d", all, i))
		}
		verdicts, run, err := f.App.Redeem.AcceptPipelined(ctx, f.vendors[0], keys, reqs)
		if err != nil {
			t.Fatalf("all refused %v: %v", all, err)
		}
		for i, v := range verdicts {
			if want := cases[i].code; code(v) != want || (want == "" && v != nil) {
				t.Errorf("all refused %v, redemption %d: %v; want %q", all, i, v, want)
			}
		}
		if run.Trips != 2 {
			t.Errorf("all refused %v: %d round trips, want 2", all, run.Trips)
		}
	}
	var accounts int64
	if err := f.App.DB.Table("redemption_accounts").Where("program_id = ?", unknownProgram.ProgramID).Count(&accounts).Error; err != nil {
		t.Fatal(err)
	}
	if accounts != 0 {
		t.Errorf("%d accounts of a program that does not exist", accounts)
	}
	if _, err := f.App.Enroll.Reinstate(ctx, suspended.ID); err != nil {
		t.Fatal(err)
	}
	// The ledger takes an entitlement's numbers only in order: each of these is confirmed only
	// if every number a refusal took was given back.
	for _, i := range []int{0, 1, 2, 3} {
		if r, err := f.App.Redeem.Redeem(ctx, f.vendors[0], fmt.Sprintf("early-after-%d", i), f.cardReq(i, 1)); err != nil || r.Status != redeem.StatusConfirmed {
			t.Errorf("card %d after the groups: %+v %v; want confirmed on chain", i, r, err)
		}
	}
	for i, want := range []uint64{2, 1, 1, 1} {
		if _, seq := f.chainBalanceOf(t, i); seq != want {
			t.Errorf("card %d's next number on chain: %d, want %d", i, seq, want)
		}
	}
}
