package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// apiSummary is the part of GET /api/v1/reports/summary verification reads.
type apiSummary struct {
	AsOfBlock uint64       `json:"as_of_block"`
	Programs  []apiProgram `json:"programs"`
}

type apiProgram struct {
	ID             string `json:"id"`
	ChainProgramID uint64 `json:"chain_program_id"`
	Funded         int64  `json:"funded"`
	Allocated      int64  `json:"allocated"`
	Redeemed       int64  `json:"redeemed"`
	Refunded       int64  `json:"refunded"`
	Settled        int64  `json:"settled"`
	SettledRev     int64  `json:"settled_reversed"`
	Expired        int64  `json:"expired"`
	Outstanding    int64  `json:"outstanding"`
	Beneficiaries  int64  `json:"beneficiaries"`
	Vendors        int64  `json:"vendors"`
	Redemptions    int64  `json:"redemptions"`
	Refunds        int64  `json:"refunds"`
}

func (p apiProgram) figure(name string) int64 {
	return map[string]int64{
		"funded": p.Funded, "allocated": p.Allocated, "redeemed": p.Redeemed, "settled": p.Settled, "expired": p.Expired,
		"outstanding": p.Outstanding, "beneficiaries": p.Beneficiaries, "vendors": p.Vendors, "redemptions": p.Redemptions,
		"refunded": p.Refunded, "refunds": p.Refunds, "settled_reversed": p.SettledRev,
	}[name]
}

func fetchSummary(ctx context.Context, cfg Config) (apiSummary, error) {
	var s apiSummary
	url := strings.TrimRight(cfg.APIURL, "/") + "/api/v1/reports/summary"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return s, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := cfg.HTTPClient.Do(req)
	if err != nil {
		return s, fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return s, fmt.Errorf("read %s: %w", url, err)
	}
	return s, nil
}
