package enroll_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/store"
)

var errNotFound = apierr.ErrNotFound

// checkPIN runs CheckPIN the way the redemption service must: in its transaction, committed
// even when the PIN is wrong.
func checkPIN(t *testing.T, e *env, id, pin string) error {
	t.Helper()
	var verdict error
	err := store.InTx(ctx, e.db, func(tx *gorm.DB) error {
		verdict = e.svc.CheckPIN(ctx, tx, id, pin)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return verdict
}

func TestCheckPIN_CountsWrongPINsLocksAtFiveAndResetUnlocks(t *testing.T) {
	e := newEnv(t, nil)
	b := mustEnroll(t, e.svc, person(1)) // PIN 1234

	if err := checkPIN(t, e, b.ID, "1234"); err != nil {
		t.Fatalf("right PIN: %v", err)
	}
	for i, wantLeft := range []int{4, 3} {
		err := checkPIN(t, e, b.ID, "0000")
		if ae := wantAPIErr(t, err, "wrong_pin", ""); ae.Details["attempts_left"] != wantLeft || ae.Status != 422 {
			t.Fatalf("wrong PIN %d: %v", i+1, ae.Details)
		}
	}
	if err := checkPIN(t, e, b.ID, "1234"); err != nil {
		t.Fatalf("right PIN after two wrong: %v", err)
	}
	for i, wantLeft := range []int{4, 3, 2, 1} { // the right PIN reset the counter
		err := checkPIN(t, e, b.ID, "9999")
		if ae := wantAPIErr(t, err, "wrong_pin", ""); ae.Details["attempts_left"] != wantLeft {
			t.Fatalf("wrong PIN %d: %v", i+1, ae.Details)
		}
	}
	wantAPIErr(t, checkPIN(t, e, b.ID, "9999"), "card_locked", "")
	wantAPIErr(t, checkPIN(t, e, b.ID, "1234"), "card_locked", "") // even the right PIN
	if c, _ := e.svc.LookupCard(ctx, b.CardNumber); !c.PINLocked {
		t.Fatal("card lookup does not show the lock")
	}

	wantAPIErr(t, e.svc.ResetPIN(ctx, b.ID, "12"), "invalid_field", "pin")
	if err := e.svc.ResetPIN(ctx, b.ID, "24680"); err != nil {
		t.Fatal(err)
	}
	wantAPIErr(t, checkPIN(t, e, b.ID, "1234"), "wrong_pin", "") // the old PIN is gone
	if err := e.svc.VerifyPIN(ctx, b.ID, "24680"); err != nil {
		t.Fatalf("new PIN: %v", err)
	}
	err := e.svc.VerifyPIN(ctx, b.ID, "1111")
	if ae := wantAPIErr(t, err, "wrong_pin", ""); ae.Details["attempts_left"] != 4 {
		t.Fatalf("VerifyPIN did not commit the attempt: %v", ae.Details)
	}
}

// Arabic phone keyboards type Arabic-Indic or Persian digits: the same PIN, however typed, at
// enrolment, at a shop and in a reset.
func TestCheckPIN_TakesAPINInArabicOrPersianDigitsAsTheSameDigits(t *testing.T) {
	e := newEnv(t, nil)
	b := mustEnroll(t, e.svc, person(1)) // PIN 1234
	tests := []struct {
		name, pin string
		right     bool
	}{
		{"Latin digits", "1234", true},
		{"Arabic-Indic digits", "١٢٣٤", true},
		{"Persian digits", "۱۲۳۴", true},
		{"Arabic-Indic digits of another PIN", "٤٣٢١", false},
		{"digits mixed", "1٢۳4", true},
	}
	for _, tt := range tests {
		err := checkPIN(t, e, b.ID, tt.pin)
		if tt.right && err != nil {
			t.Errorf("%s: %v, want the PIN taken", tt.name, err)
		}
		if !tt.right {
			wantAPIErr(t, err, "wrong_pin", "")
		}
	}
	if err := e.svc.ResetPIN(ctx, b.ID, "٢٤٦٨٠"); err != nil {
		t.Fatalf("a reset to a PIN in Arabic digits: %v", err)
	}
	if err := e.svc.VerifyPIN(ctx, b.ID, "24680"); err != nil {
		t.Fatalf("the reset PIN typed in Latin digits: %v", err)
	}
	p := person(2)
	p.PIN = "٥٥٥٥"
	b2 := mustEnroll(t, e.svc, p)
	if err := e.svc.VerifyPIN(ctx, b2.ID, "5555"); err != nil {
		t.Fatalf("a PIN enrolled in Arabic digits, typed in Latin digits: %v", err)
	}
	wantAPIErr(t, e.svc.ResetPIN(ctx, b.ID, "١٢"), "invalid_field", "pin")
}

func TestCheckPINs_GivesEachAttemptTheVerdictCheckPINWouldInTurn(t *testing.T) {
	e := newEnv(t, nil)
	a := mustEnroll(t, e.svc, person(1)) // PIN 1234
	b := mustEnroll(t, e.svc, person(2))
	locked := mustEnroll(t, e.svc, person(3))
	counted := mustEnroll(t, e.svc, person(4))
	for range enroll.MaxPINFailures {
		_ = checkPIN(t, e, locked.ID, "0000")
	}
	_ = checkPIN(t, e, counted.ID, "0000")
	attempts := []enroll.PINAttempt{
		{BeneficiaryID: a.ID, PIN: "1234"},       // the common case
		{BeneficiaryID: b.ID, PIN: "0000"},       // wrong: counted
		{BeneficiaryID: b.ID, PIN: "0000"},       // wrong again, the same card: counted again
		{BeneficiaryID: b.ID, PIN: "1234"},       // right: resets b's count
		{BeneficiaryID: locked.ID, PIN: "1234"},  // locked: even the right PIN is refused
		{BeneficiaryID: counted.ID, PIN: "1234"}, // right: resets the earlier failure
	}
	var verdicts []error
	err := store.InTx(ctx, e.db, func(tx *gorm.DB) error {
		cards, err := e.svc.ReadCards(ctx, tx, []string{a.CardNumber, b.CardNumber, locked.CardNumber, counted.CardNumber})
		if err != nil {
			return err
		}
		verdicts, err = e.svc.CheckPINs(ctx, tx, cards, attempts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if verdicts[0] != nil || verdicts[3] != nil || verdicts[5] != nil {
		t.Errorf("right PINs: %v, %v, %v; want accepted", verdicts[0], verdicts[3], verdicts[5])
	}
	for i, left := range map[int]int{1: 4, 2: 3} {
		if ae := wantAPIErr(t, verdicts[i], "wrong_pin", ""); ae.Details["attempts_left"] != left {
			t.Errorf("attempt %d: %v left, want %d", i, ae.Details["attempts_left"], left)
		}
	}
	wantAPIErr(t, verdicts[4], "card_locked", "")
	for _, id := range []string{b.ID, counted.ID} { // both counts were reset: four left after one more
		if ae := wantAPIErr(t, checkPIN(t, e, id, "0000"), "wrong_pin", ""); ae.Details["attempts_left"] != 4 {
			t.Errorf("a wrong PIN after the group: %v left, want 4", ae.Details["attempts_left"])
		}
	}
	if _, err := e.svc.CheckPINs(ctx, e.db, enroll.Cards{}, []enroll.PINAttempt{{BeneficiaryID: "no-such-card", PIN: "1234"}}); err == nil {
		t.Error("an unknown beneficiary: no error")
	}
}

func TestList_FindsByCardNationalIDPhoneAndName(t *testing.T) {
	e := newEnv(t, nil)
	var all []enroll.Beneficiary
	for i := 0; i < 5; i++ {
		in := person(i)
		if i == 2 {
			in.GivenName, in.FamilyName = "Amina", "Khalil"
		}
		all = append(all, mustEnroll(t, e.svc, in))
	}
	target := all[2]
	cases := []struct{ name, q string }{
		{"grouped card", target.CardNumber},
		{"bare card", strings.ReplaceAll(target.CardNumber, "-", "")},
		{"national id", "id-000002"},
		{"phone", "+962 79 000 0002"},
		{"name", "Amina Khalil"},
		{"name other order and case", "  KHALIL  amína"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := e.svc.List(ctx, c.q, 1, 10)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 1 || len(res.Items) != 1 || res.Items[0].ID != target.ID || res.Items[0].GivenName != "Amina" {
				t.Fatalf("search %q: %+v", c.q, res)
			}
		})
	}
	for _, q := range []string{"Amina", "Nobody Here", "?"} {
		if res, err := e.svc.List(ctx, q, 1, 10); err != nil || res.Total != 0 || len(res.Items) != 0 {
			t.Fatalf("search %q matched %+v (%v)", q, res, err)
		}
	}
}

func TestList_PaginatesNewestFirst(t *testing.T) {
	e := newEnv(t, nil)
	var ids []string
	for i := 0; i < 7; i++ {
		ids = append(ids, mustEnroll(t, e.svc, person(i)).ID)
	}
	var got []string
	for page := 1; page <= 3; page++ {
		res, err := e.svc.List(ctx, "", page, 3)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 7 || res.Page != page || res.PageSize != 3 {
			t.Fatalf("page %d: %+v", page, res)
		}
		for _, b := range res.Items {
			got = append(got, b.ID)
		}
	}
	for i := range ids {
		if got[i] != ids[len(ids)-1-i] {
			t.Fatalf("order %v, want newest first of %v", got, ids)
		}
	}
	if res, _ := e.svc.List(ctx, "", 1, 0); res.PageSize != enroll.DefaultPageSize {
		t.Fatalf("default page size %d", res.PageSize)
	}
	_, err := e.svc.List(ctx, "", 1, 201)
	wantAPIErr(t, err, "invalid_field", "page_size")
	_, err = e.svc.List(ctx, "", -1, 10)
	wantAPIErr(t, err, "invalid_field", "page")
}

func TestRecipients_StreamsActiveAndNamesIneligible(t *testing.T) {
	e := newEnv(t, nil)
	var ids []string
	for i := 0; i < 8; i++ {
		ids = append(ids, mustEnroll(t, e.svc, person(i)).ID)
	}
	if _, err := e.svc.Suspend(ctx, ids[3]); err != nil {
		t.Fatal(err)
	}
	collect := func(ids []string, all bool) ([]enroll.Recipient, error) {
		var out []enroll.Recipient
		err := e.svc.Recipients(ctx, ids, all, "", "", func(rs []enroll.Recipient) error {
			out = append(out, rs...)
			return nil
		})
		return out, err
	}
	got, err := collect(nil, true)
	if err != nil || len(got) != 7 {
		t.Fatalf("all active: %d, %v", len(got), err)
	}
	for _, r := range got {
		if r.ID == ids[3] || r.HouseholdSize != 4 || r.ChainID == ([32]byte{}) {
			t.Fatalf("recipient %+v", r)
		}
	}
	got, err = collect([]string{ids[1], ids[0], ids[1]}, false)
	if err != nil || len(got) != 2 {
		t.Fatalf("chosen: %+v, %v", got, err)
	}
	called := false
	err = e.svc.Recipients(ctx, []string{ids[0], ids[3], "missing"}, false, "", "", func([]enroll.Recipient) error { called = true; return nil })
	ae := wantAPIErr(t, err, "ineligible_beneficiaries", "")
	if called || len(ae.Details["unknown"].([]string)) != 1 || ae.Details["suspended"].([]string)[0] != ids[3] {
		t.Fatalf("called %v, details %v", called, ae.Details)
	}
}

func TestSuspendAndReinstate_QueueOneIntentPerChangeInTheSameTransaction(t *testing.T) {
	e := newEnv(t, nil)
	b := mustEnroll(t, e.svc, person(1))
	for _, step := range []func() (enroll.Beneficiary, error){
		func() (enroll.Beneficiary, error) { return e.svc.Suspend(ctx, b.ID) },
		func() (enroll.Beneficiary, error) { return e.svc.Suspend(ctx, b.ID) }, // no-op
		func() (enroll.Beneficiary, error) { return e.svc.Reinstate(ctx, b.ID) },
		func() (enroll.Beneficiary, error) { return e.svc.Suspend(ctx, b.ID) },
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	var refs []string
	e.db.Model(&pipeline.Intent{}).Order("id").Pluck("ref", &refs)
	want := []string{"beneficiary:" + b.ID + ":suspend:1", "beneficiary:" + b.ID + ":reinstate:2", "beneficiary:" + b.ID + ":suspend:3"}
	if strings.Join(refs, " ") != strings.Join(want, " ") {
		t.Fatalf("intents %v, want %v", refs, want)
	}
	if _, err := e.svc.Suspend(ctx, "missing"); !isErr(err, errNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestSuspendAndReinstate_FlipTheLedgersView(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a simulated chain")
	}
	chain := testenv.NewChain(t, 1)
	db, _ := testenv.DB(t, enroll.Schema, pipeline.Schema)
	p, err := pipeline.New(db, chain.Client, pipeline.Config{
		Contract: chain.Contract, ChainID: chain.ChainID, Keys: chain.Keys,
		ResendAfter: 300 * time.Millisecond, LeaseFor: time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = p.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done })
	svc, err := enroll.New(db, p, enroll.Config{Keys: testKeys(), ImportDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)

	b := mustEnroll(t, svc, person(1))
	abi := aidledger.NewAidLedger()
	suspendedOnChain := func() bool {
		out, err := chain.Client.CallContract(ctx, ethereum.CallMsg{To: &chain.Contract, Data: abi.PackIsSuspended(common.HexToHash(b.ChainID))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		v, err := abi.UnpackIsSuspended(out)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	waitFor := func(want bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for suspendedOnChain() != want {
			if time.Now().After(deadline) {
				t.Fatalf("ledger's isSuspended did not become %v", want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if suspendedOnChain() {
		t.Fatal("suspended before anything happened")
	}
	if _, err := svc.Suspend(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(true)
	if _, err := svc.Reinstate(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(false)
}

func TestListAfter_WalksEveryBeneficiaryOnceNewestFirstWithoutATotal(t *testing.T) {
	e := newEnv(t, nil)
	var ids []string
	for i := 0; i < 7; i++ {
		ids = append(ids, mustEnroll(t, e.svc, person(i)).ID)
	}
	first, err := e.svc.List(ctx, "", 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	pages := 0
	for res := first; ; {
		pages++
		for _, b := range res.Items {
			got = append(got, b.ID)
		}
		if res.NextAfter == "" {
			break
		}
		if res, err = e.svc.ListAfter(ctx, "", res.NextAfter, 3); err != nil {
			t.Fatal(err)
		}
		if res.Total != 0 || res.Page != 0 {
			t.Fatalf("a page by cursor counted: %+v", res)
		}
	}
	if pages != 3 || len(got) != len(ids) {
		t.Fatalf("%d pages, %d beneficiaries; want 3 pages of all %d", pages, len(got), len(ids))
	}
	for i := range ids {
		if got[i] != ids[len(ids)-1-i] {
			t.Fatalf("order %v, want newest first of %v", got, ids)
		}
	}
	// A search keeps its condition across pages.
	res, err := e.svc.ListAfter(ctx, person(2).Phone, ids[6], 3)
	if err != nil || len(res.Items) != 1 || res.Items[0].ID != ids[2] || res.NextAfter != "" {
		t.Fatalf("search after the newest: %+v, %v; want only %s", res, err, ids[2])
	}
	if res, err := e.svc.ListAfter(ctx, person(6).Phone, ids[6], 3); err != nil || len(res.Items) != 0 {
		t.Fatalf("search after the only match: %+v, %v; want nothing", res, err)
	}
	_, err = e.svc.ListAfter(ctx, "", "page-2", 3)
	wantAPIErr(t, err, "invalid_field", "after")
	_, err = e.svc.ListAfter(ctx, "", ids[0], 201)
	wantAPIErr(t, err, "invalid_field", "page_size")
}

func TestRecipients_AtALocationStreamsOnlyItsActiveBeneficiaries(t *testing.T) {
	e := newEnv(t, nil)
	var azraq []string
	for i := 0; i < 6; i++ {
		in := person(i)
		if i%2 == 1 {
			in.Location = "Azraq camp"
		}
		b := mustEnroll(t, e.svc, in)
		if i%2 == 1 {
			azraq = append(azraq, b.ID)
		}
	}
	if _, err := e.svc.Suspend(ctx, azraq[0]); err != nil {
		t.Fatal(err)
	}
	for _, where := range []string{"Azraq camp", "  azraq   CAMP "} {
		var got []string
		err := e.svc.Recipients(ctx, nil, true, where, "", func(rs []enroll.Recipient) error {
			for _, r := range rs {
				got = append(got, r.ID)
			}
			return nil
		})
		if err != nil || strings.Join(got, ",") != strings.Join(azraq[1:], ",") {
			t.Fatalf("%q: %v, %v; want the two active in Azraq %v", where, got, err, azraq[1:])
		}
	}
	locs, err := e.svc.Locations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []enroll.LocationCount{{Location: "Zaatari camp, district 3", Active: 3}, {Location: "Azraq camp", Active: 2}}
	if len(locs) != 2 || locs[0] != want[0] || locs[1] != want[1] {
		t.Fatalf("locations %+v; want %+v", locs, want)
	}
}
