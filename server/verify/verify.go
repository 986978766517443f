// Package verify checks the ledger with nothing but an Ethereum client: it recomputes every
// program's totals from the contract's logs, compares them with the contract's own views, checks
// the invariants the contract promises, and, given the API's public summary, compares every
// figure the operator's server reports. It trusts neither the server nor its database.
//
// It decodes the logs itself rather than reusing the server's indexer (server/chain/index) on
// purpose: an auditor's tool that shared the audited code would share its bugs, and a decoding
// mistake in the indexer would then agree with itself.
package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/aidledger/aidledger/bindings/aidledger"
)

// Client is the part of an Ethereum client verification reads (ethclient.Client, or the
// simulated backend's client).
type Client interface {
	ethereum.LogFilterer
	ethereum.ContractCaller
	BlockNumber(ctx context.Context) (uint64, error)
}

// Config says what to verify.
type Config struct {
	Contract  common.Address
	FromBlock uint64 // where to start reading logs (the deployment block); 0
	Range     uint64 // blocks per eth_getLogs call; 5000
	// APIURL is the server's base URL (http://host:port); empty skips the API comparison.
	APIURL     string
	HTTPClient *http.Client
}

// Row is one figure of one program from each source; a nil value means the source has no such
// figure (the views count no vendors) or no such program.
type Row struct {
	Program uint64
	Figure  string
	Logs    *big.Int
	Views   *big.Int
	API     *big.Int
	OK      bool
}

// Check is an invariant and whether it holds.
type Check struct {
	Program uint64
	Name    string
	Detail  string
	OK      bool
}

// Result is the whole verification.
type Result struct {
	Head      uint64 // the block logs and views were read at
	APIAsOf   uint64 // the block the API's summary is as of (its figures are compared with the logs up to it)
	APIUsed   bool
	Programs  []uint64
	Rows      []Row
	Checks    []Check
	Problems  []string // sources that disagree about which programs exist
	Different int      // rows and checks that failed, plus problems
}

// OK reports whether every figure agrees and every invariant holds.
func (r *Result) OK() bool { return r.Different == 0 }

var (
	ledgerABI = aidledger.NewAidLedger()
	abiDef    = ledgerABI.GetABI()
)

// event is a decoded log, reduced to what the totals need.
type event struct {
	block       uint64
	name        string
	program     uint64
	beneficiary common.Hash
	vendor      common.Address
	amount      *big.Int
}

// totals is one program's figures recomputed from logs.
type totals struct {
	funded, allocated, redeemed, settled, expired *big.Int
	beneficiaries, vendors                        map[common.Hash]bool
	redemptions                                   int64
	vendorRedeemed, vendorSettled                 map[common.Address]*big.Int
}

func newTotals() *totals {
	return &totals{funded: new(big.Int), allocated: new(big.Int), redeemed: new(big.Int), settled: new(big.Int), expired: new(big.Int),
		beneficiaries: map[common.Hash]bool{}, vendors: map[common.Hash]bool{},
		vendorRedeemed: map[common.Address]*big.Int{}, vendorSettled: map[common.Address]*big.Int{}}
}

// Run verifies the ledger at the chain's current head.
func Run(ctx context.Context, client Client, cfg Config) (*Result, error) {
	if cfg.Range == 0 {
		cfg.Range = 5000
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	head, err := client.BlockNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("read head: %w", err)
	}
	res := &Result{Head: head}
	events, err := readEvents(ctx, client, cfg, head)
	if err != nil {
		return nil, err
	}
	logs, programs := recompute(events, head)
	res.Programs = programs

	var api map[uint64]apiProgram
	if cfg.APIURL != "" {
		sum, err := fetchSummary(ctx, cfg)
		if err != nil {
			return nil, err
		}
		res.APIUsed, res.APIAsOf = true, sum.AsOfBlock
		if sum.AsOfBlock > head {
			res.Problems = append(res.Problems, fmt.Sprintf("the API is as of block %d, beyond the chain's head %d", sum.AsOfBlock, head))
		}
		api = map[uint64]apiProgram{}
		for _, p := range sum.Programs {
			api[p.ChainProgramID] = p
		}
	}
	// The API may lag the chain: its figures are compared with the logs up to its block.
	var logsAtAPI map[uint64]*totals
	if res.APIUsed {
		logsAtAPI, _ = recompute(events, min(res.APIAsOf, head))
	}

	at := new(big.Int).SetUint64(head)
	for _, id := range programs {
		t := logs[id]
		pt, err := call(ctx, client, cfg.Contract, at, ledgerABI.PackProgramTotals(id), ledgerABI.UnpackProgramTotals)
		if err != nil {
			return nil, fmt.Errorf("programTotals(%d): %w", id, err)
		}
		outstanding, err := call(ctx, client, cfg.Contract, at, ledgerABI.PackOutstanding(id), ledgerABI.UnpackOutstanding)
		if err != nil {
			return nil, fmt.Errorf("outstanding(%d): %w", id, err)
		}
		logOutstanding := new(big.Int).Sub(t.allocated, t.redeemed)
		logOutstanding.Sub(logOutstanding, t.expired)
		views := map[string]*big.Int{
			"funded": pt.Funded, "allocated": pt.Allocated, "redeemed": pt.Redeemed, "settled": pt.Settled, "expired": pt.Expired,
			"outstanding": outstanding, "beneficiaries": new(big.Int).SetUint64(pt.Beneficiaries),
		}
		a, inAPI := api[id]
		if res.APIUsed && !inAPI {
			res.Problems = append(res.Problems, fmt.Sprintf("program %d is on chain but not in the API's summary", id))
		}
		var ta *totals
		if res.APIUsed {
			ta = logsAtAPI[id]
			if ta == nil {
				ta = newTotals() // created after the API's block
			}
		}
		for _, f := range figureNames {
			row := Row{Program: id, Figure: f, Logs: figure(t, f), Views: views[f]}
			ok := row.Views == nil || row.Logs.Cmp(row.Views) == 0
			if res.APIUsed && inAPI {
				row.API = big.NewInt(a.figure(f))
				ok = ok && figure(ta, f).Cmp(row.API) == 0
			}
			row.OK = ok
			res.Rows = append(res.Rows, row)
		}

		// Invariants, on the views: funded ≥ allocated == outstanding + redeemed + expired.
		res.Checks = append(res.Checks, Check{Program: id, Name: "funded >= allocated",
			Detail: fmt.Sprintf("%s >= %s", pt.Funded, pt.Allocated), OK: pt.Funded.Cmp(pt.Allocated) >= 0})
		sum := new(big.Int).Add(outstanding, pt.Redeemed)
		sum.Add(sum, pt.Expired)
		res.Checks = append(res.Checks, Check{Program: id, Name: "allocated == outstanding + redeemed + expired",
			Detail: fmt.Sprintf("%s == %s + %s + %s", pt.Allocated, outstanding, pt.Redeemed, pt.Expired), OK: pt.Allocated.Cmp(sum) == 0})
		// Per vendor, from vendorPosition: redeemed == settled + unsettled, and the logs agree.
		vendorSum := new(big.Int)
		vendors := make([]common.Address, 0, len(t.vendorRedeemed))
		for v := range t.vendorRedeemed {
			vendors = append(vendors, v)
		}
		for v := range t.vendorSettled {
			if t.vendorRedeemed[v] == nil {
				vendors = append(vendors, v)
			}
		}
		slices.SortFunc(vendors, func(a, b common.Address) int { return a.Cmp(b) })
		for _, v := range vendors {
			pos, err := call(ctx, client, cfg.Contract, at, ledgerABI.PackVendorPosition(id, v), ledgerABI.UnpackVendorPosition)
			if err != nil {
				return nil, fmt.Errorf("vendorPosition(%d, %s): %w", id, v.Hex(), err)
			}
			vendorSum.Add(vendorSum, pos.Redeemed)
			su := new(big.Int).Add(pos.Settled, pos.Unsettled)
			res.Checks = append(res.Checks, Check{Program: id, Name: "vendor " + v.Hex() + " redeemed == settled + unsettled",
				Detail: fmt.Sprintf("%s == %s + %s", pos.Redeemed, pos.Settled, pos.Unsettled), OK: pos.Redeemed.Cmp(su) == 0})
			lr, ls := orZero(t.vendorRedeemed[v]), orZero(t.vendorSettled[v])
			res.Checks = append(res.Checks, Check{Program: id, Name: "vendor " + v.Hex() + " position == its logs",
				Detail: fmt.Sprintf("redeemed %s/%s, settled %s/%s (views/logs)", pos.Redeemed, lr, pos.Settled, ls),
				OK:     pos.Redeemed.Cmp(lr) == 0 && pos.Settled.Cmp(ls) == 0})
		}
		res.Checks = append(res.Checks, Check{Program: id, Name: "sum of vendors' redeemed == program redeemed",
			Detail: fmt.Sprintf("%s == %s", vendorSum, pt.Redeemed), OK: vendorSum.Cmp(pt.Redeemed) == 0})
	}
	for id := range api {
		if logs[id] == nil {
			res.Problems = append(res.Problems, fmt.Sprintf("program %d is in the API's summary but was never created on chain", id))
		}
	}
	slices.Sort(res.Problems)
	for _, r := range res.Rows {
		if !r.OK {
			res.Different++
		}
	}
	for _, c := range res.Checks {
		if !c.OK {
			res.Different++
		}
	}
	res.Different += len(res.Problems)
	return res, nil
}

// figureNames are the figures compared, in the order they are printed.
var figureNames = []string{"funded", "allocated", "redeemed", "settled", "expired", "outstanding", "beneficiaries", "vendors", "redemptions"}

func figure(t *totals, name string) *big.Int {
	switch name {
	case "funded":
		return t.funded
	case "allocated":
		return t.allocated
	case "redeemed":
		return t.redeemed
	case "settled":
		return t.settled
	case "expired":
		return t.expired
	case "outstanding":
		o := new(big.Int).Sub(t.allocated, t.redeemed)
		return o.Sub(o, t.expired)
	case "beneficiaries":
		return big.NewInt(int64(len(t.beneficiaries)))
	case "vendors":
		return big.NewInt(int64(len(t.vendors)))
	case "redemptions":
		return big.NewInt(t.redemptions)
	}
	return nil
}

func orZero(v *big.Int) *big.Int {
	if v == nil {
		return new(big.Int)
	}
	return v
}

// recompute sums the events up to block `upTo`; programs are those ProgramCreated names.
func recompute(events []event, upTo uint64) (map[uint64]*totals, []uint64) {
	out := map[uint64]*totals{}
	var programs []uint64
	get := func(id uint64) *totals {
		t := out[id]
		if t == nil {
			t = newTotals()
			out[id] = t
		}
		return t
	}
	for _, e := range events {
		if e.block > upTo {
			break
		}
		switch e.name {
		case "ProgramCreated":
			get(e.program)
			programs = append(programs, e.program)
		case "Funded":
			get(e.program).funded.Add(get(e.program).funded, e.amount)
		case "Allocated":
			t := get(e.program)
			t.allocated.Add(t.allocated, e.amount)
			t.beneficiaries[e.beneficiary] = true
		case "Redeemed":
			t := get(e.program)
			t.redeemed.Add(t.redeemed, e.amount)
			t.redemptions++
			t.vendors[common.BytesToHash(e.vendor.Bytes())] = true
			t.vendorRedeemed[e.vendor] = new(big.Int).Add(orZero(t.vendorRedeemed[e.vendor]), e.amount)
		case "Settled":
			t := get(e.program)
			t.settled.Add(t.settled, e.amount)
			t.vendorSettled[e.vendor] = new(big.Int).Add(orZero(t.vendorSettled[e.vendor]), e.amount)
		case "Expired":
			t := get(e.program)
			t.expired.Add(t.expired, e.amount)
		}
	}
	slices.Sort(programs)
	return out, programs
}

// readEvents reads the ledger's value events from FromBlock to head, Range blocks per call.
func readEvents(ctx context.Context, client Client, cfg Config, head uint64) ([]event, error) {
	var out []event
	for from := cfg.FromBlock; from <= head; from += cfg.Range {
		to := min(head, from+cfg.Range-1)
		logs, err := client.FilterLogs(ctx, ethereum.FilterQuery{
			FromBlock: new(big.Int).SetUint64(from), ToBlock: new(big.Int).SetUint64(to), Addresses: []common.Address{cfg.Contract},
		})
		if err != nil {
			return nil, fmt.Errorf("read logs %d-%d: %w", from, to, err)
		}
		for i := range logs {
			e, ok, err := decode(&logs[i])
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// decode reads the events that move value; others (roles, vendor approvals…) are skipped.
func decode(l *types.Log) (event, bool, error) {
	e := event{block: l.BlockNumber}
	if len(l.Topics) == 0 || l.Removed {
		return e, false, nil
	}
	ev, err := abiDef.EventByID(l.Topics[0])
	if err != nil {
		return e, false, nil
	}
	e.name = ev.Name
	wrap := func(err error) error {
		return fmt.Errorf("decode %s in %s/%d: %w", ev.Name, l.TxHash.Hex(), l.Index, err)
	}
	switch ev.Name {
	case "ProgramCreated":
		x, err := ledgerABI.UnpackProgramCreatedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program = x.ProgramId
	case "Funded":
		x, err := ledgerABI.UnpackFundedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.amount = x.ProgramId, x.Amount
	case "Allocated":
		x, err := ledgerABI.UnpackAllocatedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.amount = x.ProgramId, x.Beneficiary, x.Amount
	case "Redeemed":
		x, err := ledgerABI.UnpackRedeemedEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.vendor, e.amount = x.ProgramId, x.Beneficiary, x.Vendor, x.Amount
	case "Settled":
		x, err := ledgerABI.UnpackSettledEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.vendor, e.amount = x.ProgramId, x.Vendor, x.Amount
	case "Expired":
		x, err := ledgerABI.UnpackExpiredEvent(l)
		if err != nil {
			return e, false, wrap(err)
		}
		e.program, e.beneficiary, e.amount = x.ProgramId, x.Beneficiary, x.Amount
	default:
		return e, false, nil
	}
	return e, true, nil
}

// call runs a view with eth_call at a block and unpacks its result.
func call[T any](ctx context.Context, client Client, contract common.Address, at *big.Int, data []byte, unpack func([]byte) (T, error)) (T, error) {
	out, err := client.CallContract(ctx, ethereum.CallMsg{To: &contract, Data: data}, at)
	if err != nil {
		var zero T
		return zero, err
	}
	return unpack(out)
}

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
	Settled        int64  `json:"settled"`
	Expired        int64  `json:"expired"`
	Outstanding    int64  `json:"outstanding"`
	Beneficiaries  int64  `json:"beneficiaries"`
	Vendors        int64  `json:"vendors"`
	Redemptions    int64  `json:"redemptions"`
}

func (p apiProgram) figure(name string) int64 {
	return map[string]int64{
		"funded": p.Funded, "allocated": p.Allocated, "redeemed": p.Redeemed, "settled": p.Settled, "expired": p.Expired,
		"outstanding": p.Outstanding, "beneficiaries": p.Beneficiaries, "vendors": p.Vendors, "redemptions": p.Redemptions,
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
