package index_test

import (
	"context"
	"math/big"
	"testing"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

var ledgerABI = aidledger.NewAidLedger()

func newIndexer(t *testing.T, c *testenv.Chain, db *gorm.DB) *index.Indexer {
	t.Helper()
	return index.New(db, c.Client, index.Config{Contract: c.Contract, FromBlock: c.DeployBlock})
}

// catchUp steps the indexer until it reports it has reached the head.
func catchUp(t *testing.T, ix *index.Indexer) {
	t.Helper()
	ctx := context.Background()
	for i := 0; i < 100; i++ {
		done, err := ix.Step(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			return
		}
	}
	t.Fatal("indexer never caught up")
}

func events(t *testing.T, db *gorm.DB, kind string) []index.Event {
	t.Helper()
	var out []index.Event
	q := db.Order("block_number, log_index")
	if kind != "" {
		q = q.Where("kind = ?", kind)
	}
	if err := q.Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func TestIndexer_StoresEveryLedgerEventWithItsFields(t *testing.T) {
	c := testenv.NewChain(t, 1)
	db, _ := testenv.DB(t, index.Schema)
	vendor := common.HexToAddress("0x00000000000000000000000000000000000000b1")
	card := [32]byte{0xca, 0x7d}
	ref := [32]byte{0x7e, 0xf0}
	c.Transact(t, ledgerABI.PackCreateProgram(3))
	c.Transact(t, ledgerABI.PackFund(3, big.NewInt(1000), [32]byte{0xd0}))
	c.Transact(t, ledgerABI.PackApproveVendor(vendor))
	c.Transact(t, ledgerABI.PackAllocate(3, 1, [][32]byte{card}, []*big.Int{big.NewInt(600)}))
	redeem := c.Transact(t, ledgerABI.PackRedeemBatch(3, []aidledger.AidLedgerRedeemItem{
		{Beneficiary: card, Vendor: vendor, Amount: big.NewInt(250), Seq: 0, Ref: ref},
		{Beneficiary: card, Vendor: vendor, Amount: big.NewInt(5000), Seq: 1, Ref: [32]byte{0x02}},
	}))
	c.Transact(t, ledgerABI.PackSettle(3, vendor, big.NewInt(200), [32]byte{0x9a}))
	c.Transact(t, ledgerABI.PackRefund(3, card, vendor, big.NewInt(30), ref))
	c.Transact(t, ledgerABI.PackReverseSettlement(3, vendor, big.NewInt(20), [32]byte{0x9a}))
	c.Transact(t, ledgerABI.PackSuspendBeneficiary(card))

	ix := newIndexer(t, c, db)
	catchUp(t, ix)

	tests := []struct {
		kind  string
		check func(e index.Event) bool
	}{
		{index.KindProgramCreated, func(e index.Event) bool { return e.ProgramID == 3 }},
		{index.KindFunded, func(e index.Event) bool {
			return e.ProgramID == 3 && e.Amount == 1000 && e.Ref == common.Hash{0xd0}.Hex()
		}},
		{index.KindVendorApproved, func(e index.Event) bool { return e.Vendor == vendor.Hex() }},
		{index.KindAllocated, func(e index.Event) bool {
			return e.ProgramID == 3 && e.Amount == 600 && e.Cycle == 1 && e.Beneficiary == common.Hash(card).Hex()
		}},
		{index.KindRedeemed, func(e index.Event) bool {
			return e.Amount == 250 && e.Vendor == vendor.Hex() && e.Seq == 0 && e.Ref == common.Hash(ref).Hex() &&
				e.TxHash == redeem.TxHash.Hex() && e.BlockNumber == redeem.BlockNumber.Uint64() && !e.BlockTime.IsZero()
		}},
		{index.KindRedemptionRejected, func(e index.Event) bool { return e.Amount == 5000 && e.Seq == 1 && e.Reason == 5 }},
		{index.KindSettled, func(e index.Event) bool {
			return e.Amount == 200 && e.Vendor == vendor.Hex() && e.Ref == common.Hash{0x9a}.Hex()
		}},
		{index.KindRefunded, func(e index.Event) bool {
			return e.ProgramID == 3 && e.Amount == 30 && e.Vendor == vendor.Hex() && e.Beneficiary == common.Hash(card).Hex() &&
				e.Ref == common.Hash(ref).Hex()
		}},
		{index.KindSettlementReversed, func(e index.Event) bool {
			return e.ProgramID == 3 && e.Amount == 20 && e.Vendor == vendor.Hex() && e.Ref == common.Hash{0x9a}.Hex()
		}},
		{index.KindBeneficiarySuspended, func(e index.Event) bool { return e.Beneficiary == common.Hash(card).Hex() }},
	}
	for _, tt := range tests {
		evs := events(t, db, tt.kind)
		if len(evs) != 1 {
			t.Errorf("%s: %d events, want 1", tt.kind, len(evs))
			continue
		}
		if !tt.check(evs[0]) {
			t.Errorf("%s: fields %+v", tt.kind, evs[0])
		}
	}
	head, indexed := ix.Progress()
	if indexed != head {
		t.Errorf("progress: indexed %d of %d", indexed, head)
	}
}

func TestIndexer_RestartNeverDuplicatesEvents(t *testing.T) {
	c := testenv.NewChain(t, 1)
	db, path := testenv.DB(t, index.Schema)
	c.Transact(t, ledgerABI.PackCreateProgram(1))
	c.Transact(t, ledgerABI.PackFund(1, big.NewInt(10), [32]byte{}))
	catchUp(t, newIndexer(t, c, db))
	before := len(events(t, db, ""))

	c.Transact(t, ledgerABI.PackFund(1, big.NewInt(20), [32]byte{}))
	// A restarted process: a new connection and a new indexer resume from the stored cursor.
	db2 := testenv.OpenDB(t, path, index.Schema)
	catchUp(t, newIndexer(t, c, db2))
	// And a cursor lost altogether makes it read everything again, without duplicates.
	if err := db2.Exec("DELETE FROM chain_index_cursors").Error; err != nil {
		t.Fatal(err)
	}
	catchUp(t, newIndexer(t, c, db2))
	if got := len(events(t, db2, "")); got != before+1 {
		t.Fatalf("%d events after restarts, want %d", got, before+1)
	}
}

func TestIndexer_RollsBackEventsAReorgRemoved(t *testing.T) {
	c := testenv.NewChain(t, 1)
	db, _ := testenv.DB(t, index.Schema)
	ctx := context.Background()
	c.Transact(t, ledgerABI.PackCreateProgram(1))
	base, err := c.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	lost := c.Transact(t, ledgerABI.PackFund(1, big.NewInt(111), [32]byte{}))
	ix := newIndexer(t, c, db)
	catchUp(t, ix)

	// The chain continues from `base` on another, longer branch. (go-ethereum's pool puts the
	// lost funding back, so it may be mined again there, in another block.)
	err = c.Rewrite(func(sim *simulated.Backend) error {
		sim.Rollback()
		if err := sim.Fork(base.Hash()); err != nil {
			return err
		}
		for i := 0; i < 3; i++ {
			sim.Commit()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Transact(t, ledgerABI.PackFund(1, big.NewInt(222), [32]byte{}))
	catchUp(t, ix)

	var stale int64
	db.Model(&index.Event{}).Where("block_hash = ?", lost.BlockHash.Hex()).Count(&stale)
	if stale != 0 {
		t.Errorf("%d events of the abandoned block are still indexed", stale)
	}
	// What is indexed is exactly what the canonical chain holds.
	logs, err := c.Client.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{c.Contract}, FromBlock: new(big.Int).SetUint64(c.DeployBlock)})
	if err != nil {
		t.Fatal(err)
	}
	got := events(t, db, "")
	if len(got) != len(logs) {
		t.Fatalf("%d events indexed, the chain has %d logs", len(got), len(logs))
	}
	for i, l := range logs {
		if got[i].BlockHash != l.BlockHash.Hex() || got[i].LogIndex != l.Index {
			t.Errorf("event %d: indexed %s/%d, chain has %s/%d", i, got[i].BlockHash, got[i].LogIndex, l.BlockHash.Hex(), l.Index)
		}
	}
	if funded := events(t, db, index.KindFunded); len(funded) == 0 || funded[len(funded)-1].Amount != 222 {
		t.Errorf("the new branch's funding is not indexed: %+v", funded)
	}
}
