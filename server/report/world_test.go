package report_test

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/internal/testenv"
	"github.com/aidledger/aidledger/server/report"
)

var ledgerABI = aidledger.NewAidLedger()

// directory is the API's programs and vendors as a fixture: plain maps, what server/programs
// answers from its tables.
type directory struct {
	programs []report.ProgramInfo
	vendors  map[string]report.VendorInfo
}

func (d *directory) Program(_ context.Context, chainID uint64) (report.ProgramInfo, bool, error) {
	for _, p := range d.programs {
		if p.ChainID == chainID {
			return p, true, nil
		}
	}
	return report.ProgramInfo{}, false, nil
}

func (d *directory) Programs(context.Context) ([]report.ProgramInfo, error) { return d.programs, nil }

func (d *directory) Vendor(_ context.Context, address string) (report.VendorInfo, bool, error) {
	v, ok := d.vendors[address]
	return v, ok, nil
}

var (
	bakery   = common.HexToAddress("0x00000000000000000000000000000000000000a1")
	pharmacy = common.HexToAddress("0x00000000000000000000000000000000000000b2")
	market   = common.HexToAddress("0x00000000000000000000000000000000000000c3")
	stranger = common.HexToAddress("0x00000000000000000000000000000000000000d4") // approved on chain, unknown to the API
	card1    = [32]byte{0xb1, 0x01}
	card2    = [32]byte{0xb2, 0x02}
	card3    = [32]byte{0xb3, 0x03}
)

func fixtureDirectory() *directory {
	return &directory{
		programs: []report.ProgramInfo{
			{ID: "prog-food", ChainID: 1, Name: "Winter food", Currency: "EUR"},
			{ID: "prog-shelter", ChainID: 2, Name: "Shelter", Currency: "USD"},
		},
		vendors: map[string]report.VendorInfo{
			bakery.Hex():   {Name: "Bakery", Location: "North"},
			pharmacy.Hex(): {Name: "Pharmacy", Location: "South"},
			market.Hex():   {Name: "Market", Location: "North"},
		},
	}
}

// world is a ledger on a simulated chain, the indexer following it into a migrated database,
// and a report service over that database.
type world struct {
	*testenv.Chain
	t   *testing.T
	db  *gorm.DB
	ix  *index.Indexer
	svc *report.Service
	dir *directory
}

func newWorld(t *testing.T) *world {
	t.Helper()
	c := testenv.NewChain(t, 1)
	db, _ := testenv.DB(t, index.Schema, report.Schema)
	dir := fixtureDirectory()
	ix := index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock})
	svc := report.New(db, dir, report.Config{Contract: c.Contract, ChainID: c.ChainID.Uint64(), BatchSize: 7})
	return &world{Chain: c, t: t, db: db, ix: ix, svc: svc, dir: dir}
}

// sync indexes the chain up to its head and brings the rollups up to date.
func (w *world) sync() {
	w.t.Helper()
	ctx := context.Background()
	for i := 0; ; i++ {
		done, err := w.ix.Step(ctx)
		if err != nil {
			w.t.Fatal(err)
		}
		if done {
			break
		}
		if i > 100 {
			w.t.Fatal("indexer never caught up")
		}
	}
	if err := w.svc.CatchUp(ctx); err != nil {
		w.t.Fatal(err)
	}
}

func ref(category ledger.Category) [32]byte {
	return ledger.Ref{ID: uuid.New(), Category: category}.Bytes()
}

func item(card [32]byte, vendor common.Address, amount int64, seq uint64, c ledger.Category) aidledger.AidLedgerRedeemItem {
	return aidledger.AidLedgerRedeemItem{Beneficiary: card, Vendor: vendor, Amount: big.NewInt(amount), Seq: seq, Ref: ref(c)}
}

func amounts(a ...int64) []*big.Int {
	out := make([]*big.Int, len(a))
	for i, v := range a {
		out[i] = big.NewInt(v)
	}
	return out
}

// scenario is what the world's chain went through, with the block times the reports group by.
type scenario struct {
	firstRedemptions, laterRedemptions time.Time // block times of the two redemption batches
	lastBlock                          uint64    // the block of the history's last transaction
}

// play runs a realistic history on the chain:
//
//	program 1 (EUR): funded 10000; cards 1, 2, 3 allocated 1000, 1000, 500 (cycle 1)
//	  day D:    card1 → bakery 200 food; card2 → pharmacy 300 medicine; card1 → bakery 5000 (rejected: balance)
//	  day D+2:  card3 → market 100 hygiene; card2 → stranger 50 fuel
//	  bakery settled 150; card3 expired (400 left)
//	program 2 (USD): funded 500; card1 allocated 200; card1 → pharmacy 50 food
//
// Program 1 then holds: funded 10000, allocated 2500, redeemed 650, settled 150, expired 400,
// outstanding 1450, 3 beneficiaries, 4 vendors, 4 redemptions.
func (w *world) play() scenario {
	w.t.Helper()
	var s scenario
	for _, v := range []common.Address{bakery, pharmacy, market, stranger} {
		w.Transact(w.t, ledgerABI.PackApproveVendor(v))
	}
	w.Transact(w.t, ledgerABI.PackCreateProgram(1))
	w.Transact(w.t, ledgerABI.PackFund(1, big.NewInt(10000), [32]byte{0xd0}))
	w.Transact(w.t, ledgerABI.PackAllocate(1, 1, [][32]byte{card1, card2, card3}, amounts(1000, 1000, 500)))
	rc := w.Transact(w.t, ledgerABI.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{
		item(card1, bakery, 200, 0, ledger.CategoryFood),
		item(card2, pharmacy, 300, 0, ledger.CategoryMedicine),
		item(card1, bakery, 5000, 1, ledger.CategoryFood),
	}))
	s.firstRedemptions = w.blockTime(rc)
	w.adjustTime(48 * time.Hour)
	rc = w.Transact(w.t, ledgerABI.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{
		item(card3, market, 100, 0, ledger.CategoryHygiene),
		item(card2, stranger, 50, 1, ledger.CategoryFuel),
	}))
	s.laterRedemptions = w.blockTime(rc)
	w.Transact(w.t, ledgerABI.PackSettle(1, bakery, big.NewInt(150), [32]byte{0x5e}))
	w.Transact(w.t, ledgerABI.PackExpire(1, [][32]byte{card3}))

	w.Transact(w.t, ledgerABI.PackCreateProgram(2))
	w.Transact(w.t, ledgerABI.PackFund(2, big.NewInt(500), [32]byte{0xd1}))
	w.Transact(w.t, ledgerABI.PackAllocate(2, 1, [][32]byte{card1}, amounts(200)))
	rc = w.Transact(w.t, ledgerABI.PackRedeemBatch(2, []aidledger.AidLedgerRedeemItem{item(card1, pharmacy, 50, 0, ledger.CategoryFood)}))
	s.lastBlock = rc.BlockNumber.Uint64()
	return s
}

func (w *world) blockTime(rc *types.Receipt) time.Time {
	w.t.Helper()
	h, err := w.Client.HeaderByNumber(context.Background(), rc.BlockNumber)
	if err != nil {
		w.t.Fatal(err)
	}
	return time.Unix(int64(h.Time), 0).UTC()
}

// adjustTime moves the chain's clock forward. The simulated node refuses while its transaction
// pool lists a pending transaction, and the pool drops the ones just mined in the background,
// after their receipts are already readable: a test that adjusted time right after a receipt
// failed now and then with "could not adjust time on non-empty block". So it waits for the pool.
func (w *world) adjustTime(d time.Duration) {
	w.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		err := w.Rewrite(func(sim *simulated.Backend) error { return sim.AdjustTime(d) })
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "non-empty block") || time.Now().After(deadline) {
			w.t.Fatal(err)
		}
	}
}
