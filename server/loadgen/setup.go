package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"
)

// VendorLogin is one simulated shop: its vendor and the vendor user its phone logs in as.
type VendorLogin struct {
	VendorID string `json:"vendor_id"`
	Address  string `json:"address"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// State is what setup made; --skip-setup reads it back from the state file.
type State struct {
	RunID     string        `json:"run_id"`
	ProgramID string        `json:"program_id"`
	PIN       string        `json:"pin"`
	Vendors   []VendorLogin `json:"vendors"`
	Cards     []string      `json:"cards"`
	// Setup timings, in seconds (zero when a step was skipped).
	ImportSeconds   float64 `json:"import_seconds"`
	ImportRows      int     `json:"import_rows"`
	AllocateSeconds float64 `json:"allocate_seconds"`
	Allocated       int     `json:"allocated"`
}

// SaveState writes s to path (0600: it holds passwords of load-test users).
func SaveState(path string, s State) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// LoadState reads a state file written by SaveState.
func LoadState(path string) (State, error) {
	var s State
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}

const loadPIN = "2468"

// Setup makes cfg.Vendors vendors with vendor users, imports cfg.Beneficiaries beneficiaries
// from a CSV, creates and funds a program and allocates cycle 1 to every active beneficiary,
// all through the HTTP API as an admin.
func Setup(ctx context.Context, cfg Config) (State, error) {
	cfg.defaults()
	hc := newHTTPClient(16)
	admin, err := login(ctx, cfg.API, hc, cfg.AdminEmail, cfg.AdminPassword)
	if err != nil {
		return State{}, err
	}
	st := State{RunID: fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff), PIN: loadPIN}
	logf := cfg.logf

	logf("creating %d vendors and vendor users", cfg.Vendors)
	st.Vendors = make([]VendorLogin, cfg.Vendors)
	if err := parallel(ctx, 8, cfg.Vendors, func(i int) error {
		var v struct {
			ID      string `json:"id"`
			Address string `json:"address"`
		}
		if _, err := admin.do(ctx, http.MethodPost, "/api/v1/vendors", map[string]any{
			"name": fmt.Sprintf("Load test shop %d (%s)", i+1, st.RunID), "location": fmt.Sprintf("District %d", i%20),
			"categories": []string{"food", "hygiene", "household"},
		}, &v, nil); err != nil {
			return fmt.Errorf("create vendor: %w", err)
		}
		login := VendorLogin{VendorID: v.ID, Address: v.Address, Email: fmt.Sprintf("lt-%s-shop%d@loadtest.example.org", st.RunID, i+1),
			Password: fmt.Sprintf("lt-%x-%d", rand.Uint64(), i)}
		if _, err := admin.do(ctx, http.MethodPost, "/api/v1/users", map[string]any{
			"email": login.Email, "password": login.Password, "role": "vendor", "vendor_id": v.ID,
		}, nil, nil); err != nil {
			return fmt.Errorf("create vendor user: %w", err)
		}
		st.Vendors[i] = login
		return nil
	}); err != nil {
		return st, err
	}

	if cfg.Beneficiaries > 0 {
		logf("importing %d beneficiaries (CSV)", cfg.Beneficiaries)
		start := time.Now()
		var job struct {
			ID         string `json:"id"`
			Status     string `json:"status"`
			Total      int    `json:"total"`
			Processed  int    `json:"processed"`
			Created    int    `json:"created"`
			Failed     int    `json:"failed"`
			Duplicates int    `json:"duplicates"`
			Error      string `json:"error"`
		}
		if err := admin.upload(ctx, "/api/v1/beneficiaries/imports", "loadtest.csv", beneficiaryCSV(st.RunID, cfg.Beneficiaries), &job); err != nil {
			return st, fmt.Errorf("import: %w", err)
		}
		for job.Status == "running" || job.Status == "" {
			if err := sleep(ctx, 500*time.Millisecond); err != nil {
				return st, err
			}
			if _, err := admin.do(ctx, http.MethodGet, "/api/v1/beneficiaries/imports/"+job.ID, nil, &job, nil); err != nil {
				return st, fmt.Errorf("import progress: %w", err)
			}
			cfg.progressf("import     %s  %d/%d rows, %.0fs", progressBar(float64(job.Processed), float64(cfg.Beneficiaries)),
				job.Processed, cfg.Beneficiaries, time.Since(start).Seconds())
		}
		cfg.progressDone()
		st.ImportSeconds, st.ImportRows = time.Since(start).Seconds(), job.Created
		if job.Status != "done" {
			return st, fmt.Errorf("import ended %s: %s", job.Status, job.Error)
		}
		logf("import: %d created, %d duplicates, %d failed in %.1fs", job.Created, job.Duplicates, job.Failed, st.ImportSeconds)
	}

	var count struct {
		Total int64 `json:"total"`
	}
	if _, err := admin.do(ctx, http.MethodGet, "/api/v1/beneficiaries?page_size=1", nil, &count, nil); err != nil {
		return st, err
	}

	logf("creating and funding a program")
	var prog struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Totals *struct {
			Funded int64 `json:"funded"`
		} `json:"totals"`
	}
	if _, err := admin.do(ctx, http.MethodPost, "/api/v1/programs", map[string]any{"name": "Load test " + st.RunID, "currency": "USD", "decimals": 2}, &prog, nil); err != nil {
		return st, fmt.Errorf("create program: %w", err)
	}
	st.ProgramID = prog.ID
	for prog.Status != "active" {
		if prog.Status == "failed" {
			return st, errors.New("program creation failed on chain")
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return st, err
		}
		if _, err := admin.do(ctx, http.MethodGet, "/api/v1/programs/"+prog.ID, nil, &prog, nil); err != nil {
			return st, err
		}
	}
	funding := (count.Total + 10) * cfg.AmountPerHousehold
	if _, err := admin.do(ctx, http.MethodPost, "/api/v1/programs/"+prog.ID+"/fundings", map[string]any{"amount": funding, "donor": "Load test donor"}, nil, nil); err != nil {
		return st, fmt.Errorf("fund: %w", err)
	}
	for prog.Totals == nil || prog.Totals.Funded < funding {
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return st, err
		}
		if _, err := admin.do(ctx, http.MethodGet, "/api/v1/programs/"+prog.ID, nil, &prog, nil); err != nil {
			return st, err
		}
	}

	logf("allocating cycle 1 to %d beneficiaries", count.Total)
	start := time.Now()
	var job struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Total     int    `json:"total"`
		Submitted int    `json:"submitted"`
		Confirmed int    `json:"confirmed"`
		Failed    int    `json:"failed"`
	}
	if _, err := admin.do(ctx, http.MethodPost, "/api/v1/programs/"+prog.ID+"/allocations",
		map[string]any{"cycle": 1, "amount_per_household": cfg.AmountPerHousehold, "all_active": true}, &job, nil); err != nil {
		return st, fmt.Errorf("allocate: %w", err)
	}
	for job.Status != "done" && job.Status != "failed" {
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return st, err
		}
		if _, err := admin.do(ctx, http.MethodGet, "/api/v1/programs/"+prog.ID+"/allocations/"+job.ID, nil, &job, nil); err != nil {
			return st, fmt.Errorf("allocation progress: %w", err)
		}
		// The bar is what the chain has settled, so that it is full when the job is done.
		cfg.progressf("allocation %s  %d of %d confirmed, %d failed, %d submitted, %.0fs",
			progressBar(float64(job.Confirmed+job.Failed), float64(job.Total)),
			job.Confirmed, job.Total, job.Failed, job.Submitted, time.Since(start).Seconds())
	}
	cfg.progressDone()
	st.AllocateSeconds, st.Allocated = time.Since(start).Seconds(), job.Confirmed
	if job.Status != "done" || job.Confirmed != job.Total {
		return st, fmt.Errorf("allocation ended %s with %d of %d confirmed", job.Status, job.Confirmed, job.Total)
	}
	logf("allocation: %d confirmed in %.1fs", job.Confirmed, st.AllocateSeconds)

	logf("listing cards")
	// Newest first, by cursor: this run's beneficiaries come first, and each page costs the
	// server its own rows however far the list goes.
	want := int(count.Total)
	if cfg.Beneficiaries > 0 && st.ImportRows < want {
		// Cards of beneficiaries enrolled before this run have other PINs: the load uses its
		// own beneficiaries when it imported any.
		want = st.ImportRows
	}
	for after := ""; len(st.Cards) < want; {
		var page struct {
			Beneficiaries []struct {
				CardNumber string `json:"card_number"`
				Status     string `json:"status"`
			} `json:"beneficiaries"`
			NextAfter string `json:"next_after"`
		}
		path := "/api/v1/beneficiaries?page_size=200"
		if after != "" {
			path += "&after=" + after
		}
		if _, err := admin.do(ctx, http.MethodGet, path, nil, &page, nil); err != nil {
			return st, fmt.Errorf("list cards: %w", err)
		}
		for _, b := range page.Beneficiaries {
			if b.Status == "active" && len(st.Cards) < want {
				st.Cards = append(st.Cards, b.CardNumber)
			}
		}
		if after = page.NextAfter; after == "" {
			break
		}
	}

	logf("waiting for the vendors' approval on chain")
	for _, v := range st.Vendors {
		for {
			var got struct {
				Status string `json:"status"`
			}
			if _, err := admin.do(ctx, http.MethodGet, "/api/v1/vendors/"+v.VendorID, nil, &got, nil); err != nil {
				return st, err
			}
			if got.Status == "approved" {
				break
			}
			if got.Status != "pending" {
				return st, fmt.Errorf("vendor %s is %s", v.VendorID, got.Status)
			}
			if err := sleep(ctx, 200*time.Millisecond); err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

var (
	givenNames  = []string{"Amina", "Omar", "Layla", "Yousef", "Fatima", "Khaled", "Rania", "Ahmad", "Huda", "Samir"}
	familyNames = []string{"Khalil", "Haddad", "Nasser", "Saleh", "Darwish", "Mansour", "Aziz", "Hamdan", "Rahman", "Qasim"}
)

// beneficiaryCSV makes n distinct people (run-specific national ids and phones). The import
// deduplicates by name and date of birth, so row i gets the i-th combination of the two name
// lists and a birth date one day later for each round of them: distinct for 2.9 million rows.
// (Random draws from these small lists made 2.7 % duplicates at 100k rows and 23 % at 1M.)
func beneficiaryCSV(runID string, n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 90)
	b.WriteString("given_name,family_name,date_of_birth,national_id,phone,household_size,location,pin\n")
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	names := len(givenNames) * len(familyNames)
	born := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		// The phone's run digit comes from the run id's last byte: the id may end in a letter.
		fmt.Fprintf(&b, "%s,%s,%s,LT%s%08d,+9627%d%07d,%d,District %d,%s\n",
			givenNames[i%len(givenNames)], familyNames[i/len(givenNames)%len(familyNames)],
			born.AddDate(0, 0, i/names).Format("2006-01-02"), runID, i, int(runID[len(runID)-1])%10, i, 1+rng.IntN(8), i%20, loadPIN)
	}
	return b.Bytes()
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, workers, n int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	idx := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				if err := fn(i); err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		select {
		case idx <- i:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(idx)
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
