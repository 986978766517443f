// Package demo seeds a believable data set through the real services (and so through the chain):
// an agency's users, two funded programs, vendors in several places, beneficiaries with
// allocations, redemptions and settlements. `aidledger serve --demo` seeds it into an empty data
// directory; tests seed a smaller one to get a ready world.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/redeem"
)

// Password of every demo user. Demo data only: never seed a real deployment.
const Password = "demo-password-123"

// PIN of every demo card.
const PIN = "1234"

// Size says how much to seed.
type Size struct {
	Beneficiaries int // 300 for the demo
	Redemptions   int // 200 for the demo
	Vendors       int // at most len(vendorSeeds)
}

// Demo is the size `serve --demo` seeds.
var Demo = Size{Beneficiaries: 300, Redemptions: 200, Vendors: 5}

// Seeded is what was made.
type Seeded struct {
	Users         map[auth.Role][]string // emails by role; vendor users in vendor order
	Programs      []programs.Program
	Vendors       []programs.Vendor
	Beneficiaries []enroll.Beneficiary
}

var vendorSeeds = []programs.VendorRequest{
	{Name: "Abu Ali Grocery", Location: "Zaatari D3", Categories: []string{"food", "household"}},
	{Name: "Al-Noor Pharmacy", Location: "Zaatari D7", Categories: []string{"medicine", "hygiene"}},
	{Name: "Azraq Village Market", Location: "Azraq V2", Categories: []string{"food", "hygiene", "household"}},
	{Name: "Irbid Family Store", Location: "Irbid", Categories: []string{"food", "clothing"}},
	{Name: "Mafraq Fresh Bakery", Location: "Mafraq", Categories: []string{"food"}},
}

var (
	givenNames  = []string{"Amina", "Omar", "Layla", "Yousef", "Fatima", "Khaled", "Rania", "Ahmad", "Huda", "Samir", "Noor", "Tariq", "Mariam", "Bilal", "Salma", "Hassan", "Dalia", "Mahmoud", "Reem", "Ziad"}
	familyNames = []string{"Khalil", "Haddad", "Nasser", "Saleh", "Darwish", "Mansour", "Aziz", "Hamdan", "Rahman", "Qasim", "Othman", "Barakat", "Sabbagh", "Shami", "Jaber"}
	locations   = []string{"Zaatari D3", "Zaatari D7", "Azraq V2", "Irbid", "Mafraq"}
)

// Seed fills an empty system. It refuses if users exist: seeding is for fresh data directories.
func Seed(ctx context.Context, a *app.App, size Size, progress func(string)) (Seeded, error) {
	if progress == nil {
		progress = func(string) {}
	}
	if users, err := a.Auth.ListUsers(ctx); err != nil {
		return Seeded{}, err
	} else if len(users) > 0 {
		return Seeded{}, errors.New("demo: the database has users already; seed an empty data directory")
	}
	if size.Vendors <= 0 || size.Vendors > len(vendorSeeds) {
		size.Vendors = len(vendorSeeds)
	}
	rng := rand.New(rand.NewPCG(20261124, 1))
	out := Seeded{Users: map[auth.Role][]string{}}
	const actor = "demo-seed"

	progress("programs and funding")
	for _, p := range []struct {
		req    programs.ProgramRequest
		donors map[string]int64
	}{
		{programs.ProgramRequest{Name: "Winter food assistance", Currency: "JOD", Decimals: 3},
			map[string]int64{"ECHO": 250_000_000, "Government of Japan": 150_000_000}},
		{programs.ProgramRequest{Name: "Hygiene and household kits", Currency: "USD", Decimals: 2},
			map[string]int64{"USAID BHA": 9_000_000}},
	} {
		prog, err := a.Programs.CreateProgram(ctx, actor, p.req)
		if err != nil {
			return out, fmt.Errorf("demo program: %w", err)
		}
		if prog, err = waitProgram(ctx, a, prog.ID); err != nil {
			return out, err
		}
		for donor, amount := range p.donors {
			if _, err := a.Programs.Fund(ctx, actor, prog.ID, programs.FundRequest{Amount: amount, Donor: donor}); err != nil {
				return out, fmt.Errorf("demo funding: %w", err)
			}
		}
		out.Programs = append(out.Programs, prog)
	}

	progress("users and vendors")
	for _, u := range []struct {
		email string
		role  auth.Role
	}{{"admin@demo.aidledger.org", auth.Admin}, {"aidworker@demo.aidledger.org", auth.AidWorker}, {"donor@demo.aidledger.org", auth.Donor}} {
		if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: u.email, Password: Password, Role: u.role}); err != nil {
			return out, fmt.Errorf("demo user: %w", err)
		}
		out.Users[u.role] = append(out.Users[u.role], u.email)
	}
	for i, v := range vendorSeeds[:size.Vendors] {
		vendor, err := a.Programs.CreateVendor(ctx, actor, v)
		if err != nil {
			return out, fmt.Errorf("demo vendor: %w", err)
		}
		email := fmt.Sprintf("vendor%d@demo.aidledger.org", i+1)
		if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Password: Password, Role: auth.Vendor, VendorID: vendor.ID}); err != nil {
			return out, fmt.Errorf("demo vendor user: %w", err)
		}
		out.Vendors = append(out.Vendors, vendor)
		out.Users[auth.Vendor] = append(out.Users[auth.Vendor], email)
	}

	progress(fmt.Sprintf("%d beneficiaries", size.Beneficiaries))
	for i := 0; i < size.Beneficiaries; i++ {
		b, err := a.Enroll.Enroll(ctx, enroll.Input{
			GivenName: givenNames[rng.IntN(len(givenNames))], FamilyName: familyNames[rng.IntN(len(familyNames))],
			DateOfBirth: time.Date(1950+rng.IntN(55), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format("2006-01-02"),
			NationalID:  fmt.Sprintf("99%08d", 10_000_000+i*7919%89_999_999), Phone: fmt.Sprintf("+9627%08d", 70_000_000+i),
			HouseholdSize: 1 + rng.IntN(8), Location: locations[rng.IntN(len(locations))], PIN: PIN,
		})
		if errors.Is(err, enroll.ErrDuplicate) {
			continue // two random names and birthdays collided: a real duplicate, correctly refused
		}
		if err != nil {
			return out, fmt.Errorf("demo beneficiary: %w", err)
		}
		out.Beneficiaries = append(out.Beneficiaries, b)
	}

	progress("allocations (on chain)")
	for i, p := range out.Programs {
		if err := waitFunded(ctx, a, p.ID); err != nil {
			return out, err
		}
		req := programs.AllocationRequest{Cycle: 1, AllActive: true, AmountPerHousehold: 20_000, AmountPerMember: 7_500}
		if i == 1 {
			req.AmountPerHousehold, req.AmountPerMember = 1_500, 500
		}
		job, err := a.Programs.StartAllocation(ctx, actor, p.ID, req)
		if err != nil {
			return out, fmt.Errorf("demo allocation: %w", err)
		}
		if job, err = a.Programs.WaitJob(ctx, job.ID); err != nil {
			return out, err
		}
		if job.Status != "done" || job.Confirmed != job.Total {
			return out, fmt.Errorf("demo allocation ended %s with %d of %d confirmed", job.Status, job.Confirmed, job.Total)
		}
	}

	progress(fmt.Sprintf("%d redemptions (on chain)", size.Redemptions))
	if err := redeemSome(ctx, a, out, size.Redemptions, rng); err != nil {
		return out, err
	}

	progress("settlements")
	for _, v := range out.Vendors[:min(2, len(out.Vendors))] {
		st, err := a.Redeem.Statement(ctx, v.ID, time.Time{}, time.Time{})
		if err != nil {
			return out, err
		}
		for _, pos := range st.Programs {
			if half := pos.Unsettled / 2; half > 0 {
				if _, err := a.Redeem.Settle(ctx, actor, redeem.SettleRequest{VendorID: v.ID, ProgramID: pos.ProgramID, Amount: half,
					Reference: "DEMO-PAYOUT-" + v.ID[len(v.ID)-6:]}); err != nil {
					return out, fmt.Errorf("demo settlement: %w", err)
				}
			}
		}
	}
	// A shop not yet paid gives half of its latest sale back: goods returned.
	if len(out.Vendors) > 2 {
		v := out.Vendors[2]
		page, err := a.Redeem.List(ctx, redeem.Filter{VendorID: v.ID, PageSize: 1})
		if err != nil {
			return out, err
		}
		if len(page.Redemptions) == 1 && page.Redemptions[0].Status == redeem.StatusConfirmed && page.Redemptions[0].Amount > 1 {
			progress("a refund")
			sale := page.Redemptions[0]
			if _, err := a.Redeem.Refund(ctx, actor, v.ID, sale.ID, "demo-refund", redeem.RefundRequest{Amount: sale.Amount / 2, Note: "goods returned"}); err != nil {
				return out, fmt.Errorf("demo refund: %w", err)
			}
		}
	}
	return out, nil
}

// redeemSome makes n redemptions of small amounts from random cards at random vendors, eight at
// a time, as shops would.
func redeemSome(ctx context.Context, a *app.App, s Seeded, n int, rng *rand.Rand) error {
	if len(s.Beneficiaries) == 0 || len(s.Vendors) == 0 {
		return nil
	}
	type job struct {
		vendor  programs.Vendor
		req     redeem.Request
		program int
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				_, err := a.Redeem.Redeem(ctx, j.vendor.ID, uuid.NewString(), j.req)
				if err != nil && !errors.Is(err, redeem.ErrInsufficientBalance) {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("demo redemption: %w", err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	categories := [][]string{{"food", "food", "household"}, {"hygiene", "household"}}
	for i := 0; i < n; i++ {
		p := rng.IntN(len(s.Programs))
		b := s.Beneficiaries[rng.IntN(len(s.Beneficiaries))]
		amount := int64(1_000 + rng.IntN(15_000))
		if p == 1 {
			amount = int64(100 + rng.IntN(900))
		}
		v := s.Vendors[rng.IntN(len(s.Vendors))]
		jobs <- job{vendor: v, req: redeem.Request{
			CardNumber: b.CardNumber, PIN: PIN, ProgramID: s.Programs[p].ID, Amount: amount,
			Category: CategoryAt(v.Categories, categories[p], rng),
		}}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// CategoryAt picks one of a program's usual categories (repeats weigh) that a shop sells, else one
// of the shop's own: the server refuses a sale in a category the shop is not registered for, so
// a pharmacy paid from the food program sells medicine or hygiene, as it would.
func CategoryAt(shop, usual []string, rng *rand.Rand) string {
	var sold []string
	for _, c := range usual {
		if slices.Contains(shop, c) {
			sold = append(sold, c)
		}
	}
	if len(sold) == 0 {
		sold = shop
	}
	return sold[rng.IntN(len(sold))]
}

func waitProgram(ctx context.Context, a *app.App, id string) (programs.Program, error) {
	for {
		p, err := a.Programs.Program(ctx, id)
		if err != nil || p.Status == "active" {
			return p, err
		}
		if p.Status == "failed" {
			return p, fmt.Errorf("demo program %s failed on chain", id)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return p, err
		}
	}
}

// waitFunded waits until the indexer has seen the program's funding: allocations are checked
// against indexed chain events.
func waitFunded(ctx context.Context, a *app.App, id string) error {
	for {
		f, err := a.Programs.Funds(ctx, id)
		if err != nil {
			return err
		}
		if f.Available > 0 {
			return nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
