package verify_test

import (
	"context"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/report"
	"github.com/aidledger/aidledger/server/verify"
)

var ledgerABI = aidledger.NewAidLedger()

type directory struct{}

func (directory) Program(_ context.Context, id uint64) (report.ProgramInfo, bool, error) {
	return report.ProgramInfo{ID: "p" + big.NewInt(int64(id)).String(), ChainID: id}, true, nil
}
func (directory) Programs(context.Context) ([]report.ProgramInfo, error) {
	return []report.ProgramInfo{{ID: "p1", ChainID: 1, Name: "Food"}, {ID: "p2", ChainID: 2, Name: "Cash"}}, nil
}
func (directory) Vendor(context.Context, string) (report.VendorInfo, bool, error) {
	return report.VendorInfo{}, false, nil
}

// history runs two programs through funding, allocation, a redemption batch with valid and
// rejected items, settlement and a part of it reversed, a refund and expiry.
func history(t *testing.T, c *testenv.Chain) {
	t.Helper()
	shop, kiosk := common.HexToAddress("0xa1"), common.HexToAddress("0xb2")
	cardA, cardB := [32]byte{0xaa}, [32]byte{0xbb}
	c.Transact(t, ledgerABI.PackApproveVendor(shop))
	c.Transact(t, ledgerABI.PackApproveVendor(kiosk))
	for _, id := range []uint64{1, 2} {
		c.Transact(t, ledgerABI.PackCreateProgram(id))
		c.Transact(t, ledgerABI.PackFund(id, big.NewInt(int64(5000*id)), [32]byte{byte(id)}))
		c.Transact(t, ledgerABI.PackAllocate(id, 1, [][32]byte{cardA, cardB}, []*big.Int{big.NewInt(1000), big.NewInt(800)}))
	}
	c.Transact(t, ledgerABI.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{
		{Beneficiary: cardA, Vendor: shop, Amount: big.NewInt(300), Seq: 0, Ref: [32]byte{1}},
		{Beneficiary: cardB, Vendor: kiosk, Amount: big.NewInt(200), Seq: 0, Ref: [32]byte{2}},
		{Beneficiary: cardA, Vendor: shop, Amount: big.NewInt(9000), Seq: 1, Ref: [32]byte{3}},                       // insufficient balance
		{Beneficiary: cardB, Vendor: common.HexToAddress("0xdead"), Amount: big.NewInt(5), Seq: 1, Ref: [32]byte{4}}, // vendor not approved
		{Beneficiary: cardA, Vendor: shop, Amount: big.NewInt(100), Seq: 7, Ref: [32]byte{5}},                        // sequence mismatch
	}))
	c.Transact(t, ledgerABI.PackRedeemBatch(2, []aidledger.AidLedgerRedeemItem{
		{Beneficiary: cardA, Vendor: kiosk, Amount: big.NewInt(450), Seq: 0, Ref: [32]byte{6}},
	}))
	c.Transact(t, ledgerABI.PackSettle(1, shop, big.NewInt(250), [32]byte{0x5e}))
	c.Transact(t, ledgerABI.PackRefund(1, cardB, kiosk, big.NewInt(50), [32]byte{2}))
	c.Transact(t, ledgerABI.PackReverseSettlement(1, shop, big.NewInt(30), [32]byte{0x5e}))
	c.Transact(t, ledgerABI.PackExpire(1, [][32]byte{cardB}))
}

// apiSummary indexes the chain and serves the report's summary as the API would, through edit
// (to make it lie).
func apiSummary(t *testing.T, c *testenv.Chain, edit func(*report.Summary)) *httptest.Server {
	t.Helper()
	db, _ := testenv.DB(t, index.Schema, report.Schema)
	ix := index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock})
	for i := 0; ; i++ {
		done, err := ix.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
	}
	svc := report.New(db, directory{}, report.Config{Contract: c.Contract, ChainID: c.ChainID.Uint64()})
	sum, err := svc.Summary(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&sum)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/reports/summary" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sum)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func find(t *testing.T, res *verify.Result, program uint64, figure string) verify.Row {
	t.Helper()
	for _, r := range res.Rows {
		if r.Program == program && r.Figure == figure {
			return r
		}
	}
	t.Fatalf("no row for program %d %s", program, figure)
	return verify.Row{}
}

func TestVerify_HonestChainAndAPIAgree(t *testing.T) {
	c := testenv.NewChain(t, 1)
	history(t, c)
	api := apiSummary(t, c, nil)

	res, err := verify.Run(context.Background(), c.Client, verify.Config{Contract: c.Contract, FromBlock: c.DeployBlock, Range: 3, APIURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := res.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	if !res.OK() {
		t.Fatalf("verification failed:\n%s", out.String())
	}
	if len(res.Programs) != 2 || !res.APIUsed {
		t.Errorf("programs %v, api used %v", res.Programs, res.APIUsed)
	}
	// Hand-computed: program 1 funded 5000, allocated 1800, redeemed 500 less a refund of 50,
	// settled 250 less a reversal of 30, expired 650 (card B's 600 and the 50 given back).
	tests := []struct {
		figure string
		want   int64
	}{
		{"funded", 5000}, {"allocated", 1800}, {"redeemed", 450}, {"refunded", 50}, {"settled", 220}, {"settled_reversed", 30}, {"expired", 650},
		{"outstanding", 700}, {"beneficiaries", 2}, {"vendors", 2}, {"redemptions", 2}, {"refunds", 1},
	}
	for _, tt := range tests {
		row := find(t, res, 1, tt.figure)
		if row.Logs.Int64() != tt.want || row.API.Int64() != tt.want || (row.Views != nil && row.Views.Int64() != tt.want) {
			t.Errorf("%s: logs %v views %v api %v, want %d", tt.figure, row.Logs, row.Views, row.API, tt.want)
		}
	}
	if !strings.Contains(out.String(), "OK: 2 programs") {
		t.Errorf("table:\n%s", out.String())
	}
}

func TestVerify_ReportsAnAPIFigureThatDiffers(t *testing.T) {
	c := testenv.NewChain(t, 1)
	history(t, c)
	api := apiSummary(t, c, func(s *report.Summary) {
		for i := range s.Programs {
			if s.Programs[i].ChainProgramID == 2 {
				s.Programs[i].Redeemed += 1
			}
		}
	})
	res, err := verify.Run(context.Background(), c.Client, verify.Config{Contract: c.Contract, APIURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	if res.OK() || res.Different != 1 {
		t.Fatalf("differences %d, want 1", res.Different)
	}
	row := find(t, res, 2, "redeemed")
	if row.OK || row.API.Int64() != 451 || row.Logs.Int64() != 450 || row.Views.Int64() != 450 {
		t.Errorf("row %+v", row)
	}
}

func TestVerify_ReportsProgramsMissingFromTheAPI(t *testing.T) {
	c := testenv.NewChain(t, 1)
	history(t, c)
	api := apiSummary(t, c, func(s *report.Summary) {
		s.Programs = s.Programs[:1]
		s.Programs = append(s.Programs, report.ProgramSummary{ID: "ghost", ChainProgramID: 99, Funded: 1})
	})
	res, err := verify.Run(context.Background(), c.Client, verify.Config{Contract: c.Contract, APIURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 2 || res.OK() {
		t.Errorf("problems %v", res.Problems)
	}
}

func TestVerify_ComparesALaggingAPIWithTheLogsAtItsBlock(t *testing.T) {
	c := testenv.NewChain(t, 1)
	history(t, c)
	api := apiSummary(t, c, nil)
	// The chain moves on after the API's summary was computed.
	c.Transact(t, ledgerABI.PackFund(1, big.NewInt(1), [32]byte{}))
	res, err := verify.Run(context.Background(), c.Client, verify.Config{Contract: c.Contract, APIURL: api.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || res.APIAsOf >= res.Head {
		t.Errorf("ok %v, api as of %d, head %d", res.OK(), res.APIAsOf, res.Head)
	}
	if row := find(t, res, 1, "funded"); row.Logs.Int64() != 5001 || row.API.Int64() != 5000 {
		t.Errorf("funded row %+v", row)
	}
}

func TestVerify_ReportsARefundNoRedemptionOfThatCardAtThatShopCovers(t *testing.T) {
	tests := []struct {
		name   string
		card   [32]byte
		vendor common.Address
		amount int64
		ref    [32]byte
	}{
		{"more than the sale", [32]byte{0xaa}, common.HexToAddress("0xa1"), 301, [32]byte{1}},
		{"another shop's sale", [32]byte{0xaa}, common.HexToAddress("0xa1"), 10, [32]byte{2}},
		{"another card's sale", [32]byte{0xbb}, common.HexToAddress("0xa1"), 10, [32]byte{1}},
		{"no such sale", [32]byte{0xaa}, common.HexToAddress("0xa1"), 10, [32]byte{0x77}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testenv.NewChain(t, 1)
			cardA, shop := [32]byte{0xaa}, common.HexToAddress("0xa1")
			c.Transact(t, ledgerABI.PackApproveVendor(shop))
			c.Transact(t, ledgerABI.PackCreateProgram(1))
			c.Transact(t, ledgerABI.PackFund(1, big.NewInt(5000), [32]byte{1}))
			c.Transact(t, ledgerABI.PackAllocate(1, 1, [][32]byte{cardA}, []*big.Int{big.NewInt(1000)}))
			c.Transact(t, ledgerABI.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{
				{Beneficiary: cardA, Vendor: shop, Amount: big.NewInt(300), Seq: 0, Ref: [32]byte{1}},
				{Beneficiary: cardA, Vendor: shop, Amount: big.NewInt(200), Seq: 1, Ref: [32]byte{3}},
			}))
			// The ledger takes it: the shop is owed enough. Only the logs can tell.
			c.Transact(t, ledgerABI.PackRefund(1, tt.card, tt.vendor, big.NewInt(tt.amount), tt.ref))
			failed := failedChecks(t, c)
			if len(failed) != 1 || !strings.HasPrefix(failed[0], "each refund gives back at most") {
				t.Errorf("failed checks %q", failed)
			}
		})
	}
}

func TestVerify_ReportsASettlementReversalNoSettlementOfThatShopCovers(t *testing.T) {
	tests := []struct {
		name   string
		vendor common.Address
		amount int64
		ref    [32]byte
	}{
		{"more than the payout", common.HexToAddress("0xa1"), 101, [32]byte{0x5e}},
		{"another shop's payout", common.HexToAddress("0xb2"), 10, [32]byte{0x5e}},
		{"no such payout", common.HexToAddress("0xa1"), 10, [32]byte{0x77}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testenv.NewChain(t, 1)
			card, shop, kiosk := [32]byte{0xaa}, common.HexToAddress("0xa1"), common.HexToAddress("0xb2")
			c.Transact(t, ledgerABI.PackApproveVendor(shop))
			c.Transact(t, ledgerABI.PackApproveVendor(kiosk))
			c.Transact(t, ledgerABI.PackCreateProgram(1))
			c.Transact(t, ledgerABI.PackFund(1, big.NewInt(5000), [32]byte{1}))
			c.Transact(t, ledgerABI.PackAllocate(1, 1, [][32]byte{card}, []*big.Int{big.NewInt(1000)}))
			c.Transact(t, ledgerABI.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{
				{Beneficiary: card, Vendor: shop, Amount: big.NewInt(300), Seq: 0, Ref: [32]byte{1}},
				{Beneficiary: card, Vendor: kiosk, Amount: big.NewInt(300), Seq: 1, Ref: [32]byte{2}},
			}))
			c.Transact(t, ledgerABI.PackSettle(1, shop, big.NewInt(100), [32]byte{0x5e}))
			c.Transact(t, ledgerABI.PackSettle(1, shop, big.NewInt(100), [32]byte{0x5f}))
			c.Transact(t, ledgerABI.PackSettle(1, kiosk, big.NewInt(100), [32]byte{0x60}))
			// The ledger takes it: the shop was settled enough. Only the logs can tell.
			c.Transact(t, ledgerABI.PackReverseSettlement(1, tt.vendor, big.NewInt(tt.amount), tt.ref))
			failed := failedChecks(t, c)
			if len(failed) != 1 || !strings.HasPrefix(failed[0], "each settlement reversal takes back at most") {
				t.Errorf("failed checks %q", failed)
			}
		})
	}
}

// failedChecks verifies the chain alone and lists the checks that failed, name and detail.
func failedChecks(t *testing.T, c *testenv.Chain) []string {
	t.Helper()
	res, err := verify.Run(context.Background(), c.Client, verify.Config{Contract: c.Contract})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, ch := range res.Checks {
		if !ch.OK {
			failed = append(failed, ch.Name+": "+ch.Detail)
		}
	}
	if res.OK() != (len(failed) == 0 && len(res.Problems) == 0 && res.Different == 0) {
		t.Errorf("OK() = %v with failed checks %q", res.OK(), failed)
	}
	return failed
}
