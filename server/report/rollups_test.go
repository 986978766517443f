package report_test

import (
	"context"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient/simulated"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/report"
)

// oracle recomputes a program's figures by summing chain_events directly: what the rollups must
// always equal.
func oracle(t *testing.T, w *world, program uint64) (report.ProgramSummary, map[string]int64) {
	t.Helper()
	var evs []index.Event
	if err := w.db.Where("program_id = ?", program).Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	var p report.ProgramSummary
	bens, vendors := map[string]bool{}, map[string]bool{}
	byCategory := map[string]int64{}
	for _, e := range evs {
		switch e.Kind {
		case index.KindFunded:
			p.Funded += e.Amount
		case index.KindAllocated:
			p.Allocated += e.Amount
			bens[e.Beneficiary] = true
		case index.KindRedeemed:
			p.Redeemed += e.Amount
			p.Redemptions++
			vendors[e.Vendor] = true
			var ref [32]byte
			copy(ref[:], hexBytes(t, e.Ref))
			byCategory[ledger.ParseRef(ref).Category.String()] += e.Amount
		case index.KindRefunded:
			p.Redeemed -= e.Amount
			p.Refunded += e.Amount
			p.Refunds++
			var ref [32]byte
			copy(ref[:], hexBytes(t, e.Ref))
			byCategory[ledger.ParseRef(ref).Category.String()] -= e.Amount
		case index.KindSettled:
			p.Settled += e.Amount
		case index.KindSettlementReversed:
			p.Settled -= e.Amount
			p.SettledReversed += e.Amount
		case index.KindExpired:
			p.Expired += e.Amount
		}
	}
	p.Outstanding = p.Allocated - p.Redeemed - p.Expired
	p.Beneficiaries, p.Vendors = int64(len(bens)), int64(len(vendors))
	return p, byCategory
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, ok := new(big.Int).SetString(strings.TrimPrefix(s, "0x"), 16)
	if !ok {
		t.Fatalf("not hex: %q", s)
	}
	return b.FillBytes(make([]byte, 32))
}

func figures(p report.ProgramSummary) report.ProgramSummary {
	p.ID, p.Name, p.Currency, p.ChainProgramID = "", "", "", 0
	return p
}

func TestRollups_StayEqualToARecomputationAcrossAReorg(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.play()
	base, err := w.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Counted by the rollups, then taken away by the reorg.
	w.Transact(t, ledgerABI.PackFund(1, big.NewInt(777), [32]byte{0xee}))
	w.Transact(t, ledgerABI.PackRedeemBatch(1, []aidledger.AidLedgerRedeemItem{item(card1, market, 300, 2, ledger.CategoryShelter)}))
	w.sync()
	before, err := w.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before.Programs[0].Funded != 10777 || before.Programs[0].Redeemed != 950 {
		t.Fatalf("before the reorg: %+v", before.Programs[0])
	}

	err = w.Rewrite(func(sim *simulated.Backend) error {
		sim.Rollback()
		if err := sim.Fork(base.Hash()); err != nil {
			return err
		}
		for i := 0; i < 4; i++ {
			sim.Commit()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The new branch: another redemption by card 1 (whatever the pool re-mines of the old one,
	// the recomputation below counts too).
	w.Transact(t, ledgerABI.PackFund(2, big.NewInt(5), [32]byte{0xef}))
	w.sync()

	after, err := w.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range after.Programs {
		want, byCategory := oracle(t, w, p.ChainProgramID)
		if figures(p) != want {
			t.Errorf("program %d after the reorg\n got %+v\nwant %+v", p.ChainProgramID, figures(p), want)
		}
		r, err := w.svc.ProgramReport(ctx, p.ID, report.ByCategory, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, row := range r.Rows {
			got[row.Key] = row.Amount
		}
		if !reflect.DeepEqual(got, byCategory) {
			t.Errorf("program %d by category %v, want %v", p.ChainProgramID, got, byCategory)
		}
	}
	_, indexed := w.ix.Progress()
	if after.AsOfBlock != indexed {
		t.Errorf("as_of_block %d, indexed %d", after.AsOfBlock, indexed)
	}
	// And a rebuild from nothing gives the same answer.
	if err := w.svc.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := w.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rebuilt.Programs, after.Programs) {
		t.Errorf("rebuilt\n %+v\nincremental\n %+v", rebuilt.Programs, after.Programs)
	}
}
