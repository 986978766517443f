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
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

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

// totals is one program's figures recomputed from logs.
type totals struct {
	funded, allocated, redeemed, refunded, settled, reversed, expired *big.Int // redeemed, settled: net
	beneficiaries, vendors                                            map[common.Hash]bool
	redemptions, refunds                                              int64
	vendorRedeemed, vendorSettled                                     map[common.Address]*big.Int
	// sales are the program's redemptions by ref, with what refunds gave back of each so far;
	// strayRefunds counts refunds that give back more than a redemption of that card at that shop.
	sales        map[common.Hash]*sale
	strayRefunds []string
	// payouts are the program's settlements by ref and vendor, with what reversals took back;
	// strayReversals counts reversals that take back more than a settlement of that vendor.
	payouts        map[payoutKey]*big.Int
	strayReversals []string
}

type payoutKey struct {
	ref    common.Hash
	vendor common.Address
}

// sale is one redemption as its event tells it, and what its refunds gave back.
type sale struct {
	beneficiary      common.Hash
	vendor           common.Address
	amount, refunded *big.Int
}

func newTotals() *totals {
	return &totals{funded: new(big.Int), allocated: new(big.Int), redeemed: new(big.Int), refunded: new(big.Int), settled: new(big.Int),
		reversed: new(big.Int), expired: new(big.Int), beneficiaries: map[common.Hash]bool{}, vendors: map[common.Hash]bool{},
		vendorRedeemed: map[common.Address]*big.Int{}, vendorSettled: map[common.Address]*big.Int{}, sales: map[common.Hash]*sale{},
		payouts: map[payoutKey]*big.Int{}}
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
		// The ledger leaves this one to the operator's service: its logs must show it.
		detail := fmt.Sprintf("%d refunds", t.refunds)
		if len(t.strayRefunds) > 0 {
			detail = strings.Join(t.strayRefunds, "; ")
		}
		res.Checks = append(res.Checks, Check{Program: id, Name: "each refund gives back at most what a redemption of that card at that shop took",
			Detail: detail, OK: len(t.strayRefunds) == 0})
		detail = fmt.Sprintf("%s reversed", t.reversed)
		if len(t.strayReversals) > 0 {
			detail = strings.Join(t.strayReversals, "; ")
		}
		res.Checks = append(res.Checks, Check{Program: id, Name: "each settlement reversal takes back at most what a settlement of that shop under its ref recorded",
			Detail: detail, OK: len(t.strayReversals) == 0})
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
var figureNames = []string{"funded", "allocated", "redeemed", "refunded", "settled", "settled_reversed", "expired", "outstanding",
	"beneficiaries", "vendors", "redemptions", "refunds"}

func figure(t *totals, name string) *big.Int {
	switch name {
	case "funded":
		return t.funded
	case "allocated":
		return t.allocated
	case "redeemed":
		return t.redeemed
	case "refunded":
		return t.refunded
	case "refunds":
		return big.NewInt(t.refunds)
	case "settled":
		return t.settled
	case "settled_reversed":
		return t.reversed
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
			t.sales[e.ref] = &sale{beneficiary: e.beneficiary, vendor: e.vendor, amount: e.amount, refunded: new(big.Int)}
		case "Refunded":
			t := get(e.program)
			t.redeemed.Sub(t.redeemed, e.amount)
			t.refunded.Add(t.refunded, e.amount)
			t.refunds++
			t.vendorRedeemed[e.vendor] = new(big.Int).Sub(orZero(t.vendorRedeemed[e.vendor]), e.amount)
			s := t.sales[e.ref]
			if s == nil || s.beneficiary != e.beneficiary || s.vendor != e.vendor || s.refunded.Add(s.refunded, e.amount).Cmp(s.amount) > 0 {
				t.strayRefunds = append(t.strayRefunds, fmt.Sprintf("block %d: %s refunded of %s", e.block, e.amount, e.ref.Hex()))
			}
		case "Settled":
			t := get(e.program)
			t.settled.Add(t.settled, e.amount)
			t.vendorSettled[e.vendor] = new(big.Int).Add(orZero(t.vendorSettled[e.vendor]), e.amount)
			k := payoutKey{e.ref, e.vendor}
			t.payouts[k] = new(big.Int).Add(orZero(t.payouts[k]), e.amount)
		case "SettlementReversed":
			t := get(e.program)
			t.settled.Sub(t.settled, e.amount)
			t.reversed.Add(t.reversed, e.amount)
			t.vendorSettled[e.vendor] = new(big.Int).Sub(orZero(t.vendorSettled[e.vendor]), e.amount)
			k := payoutKey{e.ref, e.vendor}
			left := new(big.Int).Sub(orZero(t.payouts[k]), e.amount)
			if left.Sign() < 0 {
				t.strayReversals = append(t.strayReversals, fmt.Sprintf("block %d: %s reversed of %s", e.block, e.amount, e.ref.Hex()))
			}
			t.payouts[k] = left
		case "Expired":
			t := get(e.program)
			t.expired.Add(t.expired, e.amount)
		}
	}
	slices.Sort(programs)
	return out, programs
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
