package programs

import (
	"fmt"
	"testing"
	"time"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

func TestTotalsOf_CountRedemptionsNetOfRefundsAndSettlementsNetOfReversalsAsTheLedgerDoes(t *testing.T) {
	db, _ := testenv.DB(t, index.Schema)
	now := time.Now().UTC()
	events := []struct {
		program uint64
		kind    string
		amount  int64
	}{
		{1, index.KindFunded, 1000}, {1, index.KindAllocated, 600}, {1, index.KindRedeemed, 300}, {1, index.KindRedeemed, 100},
		{1, index.KindRefunded, 40}, {1, index.KindSettled, 200}, {1, index.KindSettlementReversed, 30}, {1, index.KindExpired, 50}, {2, index.KindRedeemed, 7},
	}
	for i, e := range events {
		if err := db.Create(&index.Event{BlockNumber: uint64(i + 1), BlockHash: fmt.Sprintf("0x%064x", i+1), BlockTime: now,
			TxHash: fmt.Sprintf("0x%064x", i+1), Kind: e.kind, ProgramID: e.program, Amount: e.amount}).Error; err != nil {
			t.Fatal(err)
		}
	}
	got, err := totalsOf(db, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := Totals{Funded: 1000, Allocated: 600, Redeemed: 360, Refunded: 40, Settled: 170, Expired: 50, Outstanding: 190}
	if got[1] != want {
		t.Errorf("totals %+v, want %+v", got[1], want)
	}
}
