package programs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/programs"
)

func TestCreateProgram_PendingUntilTheChainConfirmsThenActive(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.svc.CreateProgram(ctx, "admin", programs.ProgramRequest{Name: " Winter cash ", Currency: "UAH", Decimals: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != programs.ProgramPending || a.Name != "Winter cash" || a.ChainProgramID == 0 {
		t.Fatalf("created = %+v, want pending with a chain id", a)
	}
	b, err := w.svc.CreateProgram(ctx, "admin", programs.ProgramRequest{Name: "Food", Currency: "USD", Decimals: 0})
	if err != nil {
		t.Fatal(err)
	}
	if b.ChainProgramID != a.ChainProgramID+1 {
		t.Fatalf("chain ids %d then %d, want consecutive", a.ChainProgramID, b.ChainProgramID)
	}
	for _, p := range []programs.Program{a, b} {
		w.waitFor("program "+p.Name+" active", 10*time.Second, func() bool {
			got, err := w.svc.Program(ctx, p.ID)
			return err == nil && got.Status == programs.ProgramActive
		})
		if on := w.programTotals(p.ChainProgramID); !on.Exists || !on.Active {
			t.Fatalf("program %d on chain: exists=%t active=%t", p.ChainProgramID, on.Exists, on.Active)
		}
	}

	got, err := w.svc.ProgramByChainID(ctx, b.ChainProgramID)
	if err != nil || got.ID != b.ID {
		t.Fatalf("ProgramByChainID = %+v, %v", got, err)
	}
	list, nextPage, err := w.svc.Programs(ctx, programs.Page{Limit: 1})
	if err != nil || len(list) != 1 || list[0].ID != a.ID || nextPage != a.ID || list[0].Totals == nil {
		t.Fatalf("first page = %+v, next %q, %v", list, nextPage, err)
	}
	list, nextPage, err = w.svc.Programs(ctx, programs.Page{Limit: 1, After: nextPage})
	if err != nil || len(list) != 1 || list[0].ID != b.ID {
		t.Fatalf("second page = %+v, next %q, %v", list, nextPage, err)
	}
	if _, err := w.svc.Program(ctx, "no-such-program"); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("unknown program: %v", err)
	}
}

func TestFund_TotalsComeFromIndexedChainEvents(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	prog, err := w.svc.CreateProgram(ctx, "admin", programs.ProgramRequest{Name: "Cash", Currency: "USD", Decimals: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Funding a pending program is fine: its creation is ahead of the funding in the pipeline.
	var fundings []programs.Funding
	for _, f := range []programs.FundRequest{{Amount: 1_000, Donor: "ECHO"}, {Amount: 500, Donor: "Big Foundation"}, {Amount: 250, Donor: " echo "}} {
		got, err := w.svc.Fund(ctx, "admin", prog.ID, f)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != programs.FundingConfirmed || got.TxHash == "" || got.Amount != f.Amount || got.ProgramID != prog.ID {
			t.Fatalf("funding = %+v, want confirmed with a tx hash", got)
		}
		fundings = append(fundings, got)
	}

	before, err := w.svc.Program(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if before.Totals.Funded != 0 {
		t.Fatalf("funded before indexing = %d: totals must come from indexed events only", before.Totals.Funded)
	}
	w.catchUp()
	after, err := w.svc.Program(ctx, prog.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (programs.Totals{Funded: 1_750}); *after.Totals != want {
		t.Fatalf("totals = %+v, want %+v", *after.Totals, want)
	}
	if on := w.programTotals(prog.ChainProgramID); on.Funded.Int64() != 1_750 {
		t.Fatalf("chain funded = %s", on.Funded)
	}

	// Donor references: stable per donor, distinct between donors, and not a hash of the name.
	var events []index.Event
	if err := w.db.Where("kind = ? AND program_id = ?", index.KindFunded, prog.ChainProgramID).Order("block_number, log_index").
		Find(&events).Error; err != nil || len(events) != 3 {
		t.Fatalf("funded events = %d, %v", len(events), err)
	}
	if events[0].Ref != events[2].Ref || events[0].Ref == events[1].Ref {
		t.Fatalf("donor refs %s %s %s: want the same donor's equal and the others' different", events[0].Ref, events[1].Ref, events[2].Ref)
	}
	for _, name := range []string{"ECHO", "echo"} {
		if events[0].Ref == crypto.Keccak256Hash([]byte(name)).Hex() {
			t.Fatal("donor ref is the hash of the donor's name")
		}
	}

	got, err := w.svc.Funding(ctx, fundings[1].ID)
	if err != nil || got != fundings[1] {
		t.Fatalf("Funding = %+v, %v; want %+v", got, err, fundings[1])
	}
	list, _, err := w.svc.Fundings(ctx, prog.ID, programs.Page{})
	if err != nil || len(list) != 3 || list[2].Donor != "echo" {
		t.Fatalf("Fundings = %+v, %v", list, err)
	}
}

func TestFund_ClosedProgramIsRefusedUntilReopened(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	prog := w.activeProgram("Cash", 0)

	closed, err := w.svc.SetProgramActive(ctx, "admin", prog.ID, false)
	if err != nil || closed.Status != programs.ProgramClosed {
		t.Fatalf("close = %+v, %v", closed, err)
	}
	_, err = w.svc.Fund(ctx, "admin", prog.ID, programs.FundRequest{Amount: 100, Donor: "ECHO"})
	wantAPIError(t, err, programs.ErrProgramInactive)
	w.waitFor("closed on chain", 10*time.Second, func() bool { return !w.programTotals(prog.ChainProgramID).Active })

	reopened, err := w.svc.SetProgramActive(ctx, "admin", prog.ID, true)
	if err != nil || reopened.Status != programs.ProgramActive {
		t.Fatalf("reopen = %+v, %v", reopened, err)
	}
	w.waitFor("reopened on chain", 10*time.Second, func() bool { return w.programTotals(prog.ChainProgramID).Active })
	if f, err := w.svc.Fund(ctx, "admin", prog.ID, programs.FundRequest{Amount: 100, Donor: "ECHO"}); err != nil || f.Status != programs.FundingConfirmed {
		t.Fatalf("fund after reopening = %+v, %v", f, err)
	}

	_, err = w.svc.Fund(ctx, "admin", "no-such-program", programs.FundRequest{Amount: 100, Donor: "ECHO"})
	wantAPIError(t, err, apierr.ErrNotFound)
}

func TestVendor_ApprovedOnChainThenSuspendedAndReinstated(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	v, err := w.svc.CreateVendor(ctx, "admin", programs.VendorRequest{Name: "Corner shop", Location: "Lviv", Categories: []string{"Food", "hygiene", "food"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != programs.VendorPending || !common.IsHexAddress(v.Address) || len(v.Categories) != 2 {
		t.Fatalf("created = %+v", v)
	}
	approved := func(want string) func() bool {
		return func() bool {
			got, err := w.svc.Vendor(ctx, v.ID)
			return err == nil && got.Status == want
		}
	}
	w.waitFor("vendor approved", 10*time.Second, approved(programs.VendorApproved))
	if !w.isVendorApproved(v.Address) {
		t.Fatal("vendor approved off chain but not on chain")
	}

	s, err := w.svc.SuspendVendor(ctx, "admin", v.ID)
	if err != nil || s.Status != programs.VendorSuspended {
		t.Fatalf("suspend = %+v, %v", s, err)
	}
	w.waitFor("approval revoked on chain", 10*time.Second, func() bool { return !w.isVendorApproved(v.Address) })
	if again, err := w.svc.SuspendVendor(ctx, "admin", v.ID); err != nil || again.Status != programs.VendorSuspended {
		t.Fatalf("suspending twice = %+v, %v", again, err)
	}

	r, err := w.svc.ReinstateVendor(ctx, "admin", v.ID)
	if err != nil || r.Status != programs.VendorPending {
		t.Fatalf("reinstate = %+v, %v", r, err)
	}
	w.waitFor("vendor approved again", 10*time.Second, approved(programs.VendorApproved))
	if !w.isVendorApproved(v.Address) {
		t.Fatal("reinstated off chain but not on chain")
	}

	byAddr, err := w.svc.VendorByAddress(ctx, v.Address)
	if err != nil || byAddr.ID != v.ID {
		t.Fatalf("VendorByAddress = %+v, %v", byAddr, err)
	}
	list, _, err := w.svc.Vendors(ctx, programs.Page{})
	if err != nil || len(list) != 1 || list[0].Location != "Lviv" {
		t.Fatalf("Vendors = %+v, %v", list, err)
	}
	other, err := w.svc.CreateVendor(ctx, "admin", programs.VendorRequest{Name: "Pharmacy", Categories: []string{"medicine"}})
	if err != nil || other.Address == v.Address {
		t.Fatalf("second vendor = %+v, %v: want its own address", other, err)
	}
}

func TestRenameProgram_CorrectsTheNameAndNothingElse(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	p := w.activeProgram("Wintre cash", 2)
	got, err := w.svc.RenameProgram(ctx, "admin", p.ID, programs.ProgramPatch{Name: "  Winter cash "})
	if err != nil || got.Name != "Winter cash" || got.Currency != p.Currency || got.Decimals != p.Decimals || got.ChainProgramID != p.ChainProgramID || got.Status != p.Status {
		t.Fatalf("renamed %+v, %v; want only the name changed from %+v", got, err, p)
	}
	if _, err := w.svc.RenameProgram(ctx, "admin", p.ID, programs.ProgramPatch{Name: " "}); err == nil {
		t.Fatal("an empty name was taken")
	} else if e, ok := apierr.As(err); !ok || e.Field != "name" {
		t.Fatalf("empty name: %v; want invalid_field on name", err)
	}
	if _, err := w.svc.RenameProgram(ctx, "admin", "no-such-program", programs.ProgramPatch{Name: "x"}); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("unknown program: %v; want not_found", err)
	}
}

func TestUpdateVendor_CorrectsTheRecordAndRefusesWhatCreateWouldRefuse(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	v, err := w.svc.CreateVendor(ctx, "admin", programs.VendorRequest{Name: "Corner shpo", Location: "Lviv", Categories: []string{"food"}})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	cats := func(c ...string) *[]string { return &c }
	for _, tc := range []struct {
		name  string
		patch programs.VendorPatch
		want  programs.Vendor // Name, Location, Categories; zero: refused
		field string
	}{
		{"a typo in the name", programs.VendorPatch{Name: str("  Corner shop ")}, programs.Vendor{Name: "Corner shop", Location: "Lviv", Categories: []string{"food"}}, ""},
		{"a move and a new category", programs.VendorPatch{Location: str("Irbid"), Categories: cats("Food", "hygiene")}, programs.Vendor{Name: "Corner shop", Location: "Irbid", Categories: []string{"food", "hygiene"}}, ""},
		{"an empty name", programs.VendorPatch{Name: str(" ")}, programs.Vendor{}, "name"},
		{"no category", programs.VendorPatch{Categories: cats()}, programs.Vendor{}, "categories"},
		{"an unknown category", programs.VendorPatch{Categories: cats("weapons")}, programs.Vendor{}, "categories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.svc.UpdateVendor(ctx, "admin", v.ID, tc.patch)
			if tc.field != "" {
				if e, ok := apierr.As(err); !ok || e.Field != tc.field {
					t.Fatalf("%v; want invalid_field on %s", err, tc.field)
				}
				return
			}
			if err != nil || got.Name != tc.want.Name || got.Location != tc.want.Location || strings.Join(got.Categories, ",") != strings.Join(tc.want.Categories, ",") {
				t.Fatalf("%+v, %v; want %+v", got, err, tc.want)
			}
			if again, err := w.svc.Vendor(ctx, v.ID); err != nil || again.Name != got.Name || again.Location != got.Location || again.Address != v.Address {
				t.Fatalf("read back %+v, %v", again, err)
			}
		})
	}
	if _, err := w.svc.UpdateVendor(ctx, "admin", "no-such-vendor", programs.VendorPatch{Name: str("x")}); !errors.Is(err, apierr.ErrNotFound) {
		t.Fatalf("unknown vendor: %v; want not_found", err)
	}
}

func TestValidation_NamesTheOffendingField(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	prog := w.activeProgram("Cash", 0)
	long := strings.Repeat("x", 201)
	cases := []struct {
		name  string
		call  func() error
		field string
	}{
		{"program without name", func() error {
			_, err := w.svc.CreateProgram(ctx, "a", programs.ProgramRequest{Name: "  ", Currency: "USD"})
			return err
		}, "name"},
		{"program lower-case currency", func() error {
			_, err := w.svc.CreateProgram(ctx, "a", programs.ProgramRequest{Name: "x", Currency: "usd"})
			return err
		}, "currency"},
		{"program four-letter currency", func() error {
			_, err := w.svc.CreateProgram(ctx, "a", programs.ProgramRequest{Name: "x", Currency: "USDT"})
			return err
		}, "currency"},
		{"program seven decimals", func() error {
			_, err := w.svc.CreateProgram(ctx, "a", programs.ProgramRequest{Name: "x", Currency: "USD", Decimals: 7})
			return err
		}, "decimals"},
		{"funding of zero", func() error {
			_, err := w.svc.Fund(ctx, "a", prog.ID, programs.FundRequest{Amount: 0, Donor: "ECHO"})
			return err
		}, "amount"},
		{"funding without donor", func() error {
			_, err := w.svc.Fund(ctx, "a", prog.ID, programs.FundRequest{Amount: 5})
			return err
		}, "donor"},
		{"vendor with a long name", func() error {
			_, err := w.svc.CreateVendor(ctx, "a", programs.VendorRequest{Name: long, Categories: []string{"food"}})
			return err
		}, "name"},
		{"vendor without categories", func() error {
			_, err := w.svc.CreateVendor(ctx, "a", programs.VendorRequest{Name: "x"})
			return err
		}, "categories"},
		{"vendor with an unknown category", func() error {
			_, err := w.svc.CreateVendor(ctx, "a", programs.VendorRequest{Name: "x", Categories: []string{"weapons"}})
			return err
		}, "categories"},
		{"allocation cycle 0", func() error {
			_, err := w.svc.StartAllocation(ctx, "a", prog.ID, programs.AllocationRequest{Cycle: 0, AmountPerHousehold: 1, AllActive: true})
			return err
		}, "cycle"},
		{"allocation of nothing", func() error {
			_, err := w.svc.StartAllocation(ctx, "a", prog.ID, programs.AllocationRequest{Cycle: 1, AllActive: true})
			return err
		}, "amount_per_household"},
		{"allocation with a negative amount per member", func() error {
			_, err := w.svc.StartAllocation(ctx, "a", prog.ID, programs.AllocationRequest{Cycle: 1, AmountPerHousehold: 5, AmountPerMember: -1, AllActive: true})
			return err
		}, "amount_per_member"},
		{"allocation to nobody", func() error {
			_, err := w.svc.StartAllocation(ctx, "a", prog.ID, programs.AllocationRequest{Cycle: 1, AmountPerHousehold: 5})
			return err
		}, "beneficiary_ids"},
		{"allocation to a list and to all", func() error {
			_, err := w.svc.StartAllocation(ctx, "a", prog.ID, programs.AllocationRequest{Cycle: 1, AmountPerHousehold: 5, BeneficiaryIDs: []string{"x"}, AllActive: true})
			return err
		}, "beneficiary_ids"},
		{"vendor by a malformed address", func() error {
			_, err := w.svc.VendorByAddress(ctx, "0x12")
			return err
		}, "address"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := apierr.As(tc.call())
			if !ok || e.Status != 400 || e.Field != tc.field {
				t.Fatalf("error = %v, want 400 about field %q", e, tc.field)
			}
		})
	}
}
