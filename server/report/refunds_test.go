package report_test

import (
	"context"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/report"
)

// refundPharmacySale gives card 2 back amount of its medicine purchase at the pharmacy (program
// 1), a day after the played history, and returns the refund's block time and the sale's ref.
func (w *world) refundPharmacySale(amount int64) (time.Time, string) {
	w.t.Helper()
	w.sync()
	var sale index.Event
	if err := w.db.Where("kind = ? AND program_id = 1 AND vendor = ?", index.KindRedeemed, pharmacy.Hex()).Take(&sale).Error; err != nil {
		w.t.Fatal(err)
	}
	w.adjustTime(24 * time.Hour)
	rc := w.Transact(w.t, ledgerABI.PackRefund(1, card2, pharmacy, big.NewInt(amount), common.HexToHash(sale.Ref)))
	w.sync()
	return w.blockTime(rc), sale.Ref
}

func TestReports_TakeARefundOutOfItsVendorAndCategoryOnTheRefundsDayAndSettlementsNetOfReversals(t *testing.T) {
	w := newWorld(t)
	s := w.play()
	refunded, saleRef := w.refundPharmacySale(100)
	// And 50 of the bakery's payout of 150 was recorded by mistake.
	w.Transact(t, ledgerABI.PackReverseSettlement(1, bakery, big.NewInt(50), [32]byte{0x5e}))
	w.sync()
	ctx := context.Background()

	sum, err := w.svc.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := report.ProgramSummary{ID: "prog-food", ChainProgramID: 1, Name: "Winter food", Currency: "EUR", Funded: 10000, Allocated: 2500,
		Redeemed: 550, Refunded: 100, Settled: 100, SettledReversed: 50, Expired: 400, Outstanding: 1550, Beneficiaries: 3, Vendors: 4, Redemptions: 4, Refunds: 1}
	if sum.Programs[0] != want {
		t.Errorf("summary\n got %+v\nwant %+v", sum.Programs[0], want)
	}
	oracleSum, byCategory := oracle(t, w, 1)
	if figures(sum.Programs[0]) != oracleSum {
		t.Errorf("summary %+v, recomputed from the events %+v", figures(sum.Programs[0]), oracleSum)
	}

	day1, day2, day3 := s.firstRedemptions.Format(time.DateOnly), s.laterRedemptions.Format(time.DateOnly), refunded.Format(time.DateOnly)
	tests := []struct {
		name     string
		groupBy  string
		from, to time.Time
		want     []report.Row
	}{
		{"by vendor, all time", report.ByVendor, time.Time{}, time.Time{}, []report.Row{
			{Key: "Bakery", Amount: 200, Count: 1}, {Key: "Pharmacy", Amount: 200, Count: 1},
			{Key: "Market", Amount: 100, Count: 1}, {Key: stranger.Hex(), Amount: 50, Count: 1}}},
		{"by category, all time", report.ByCategory, time.Time{}, time.Time{}, []report.Row{
			{Key: "food", Amount: 200, Count: 1}, {Key: "medicine", Amount: 200, Count: 1},
			{Key: "hygiene", Amount: 100, Count: 1}, {Key: "fuel", Amount: 50, Count: 1}}},
		{"by day: the refund on its own day", report.ByDay, time.Time{}, time.Time{}, []report.Row{
			{Key: day1, Amount: 500, Count: 2}, {Key: day2, Amount: 150, Count: 2}, {Key: day3, Amount: -100, Count: 0}}},
		{"by category, the part of a day with the refund", report.ByCategory, refunded, refunded.Add(time.Second), []report.Row{
			{Key: "medicine", Amount: -100, Count: 0}}},
		{"by vendor, the part of a day with the refund", report.ByVendor, refunded, refunded.Add(time.Second), []report.Row{
			{Key: "Pharmacy", Amount: -100, Count: 0}}},
		{"by category, before the refund", report.ByCategory, time.Time{}, refunded, []report.Row{
			{Key: "medicine", Amount: 300, Count: 1}, {Key: "food", Amount: 200, Count: 1},
			{Key: "hygiene", Amount: 100, Count: 1}, {Key: "fuel", Amount: 50, Count: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := w.svc.ProgramReport(ctx, "prog-food", tt.groupBy, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Rows, tt.want) {
				t.Errorf("rows\n got %+v\nwant %+v", got.Rows, tt.want)
			}
		})
	}
	got := map[string]int64{}
	r, err := w.svc.ProgramReport(ctx, "prog-food", report.ByCategory, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Rows {
		got[row.Key] = row.Amount
	}
	if !reflect.DeepEqual(got, byCategory) {
		t.Errorf("by category %v, recomputed %v", got, byCategory)
	}

	page, err := w.svc.Transactions(ctx, report.TransactionQuery{ProgramID: "prog-food", Page: 1, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rev := page.Transactions[0]; rev.Kind != "settlement_reversal" || rev.Amount != 50 || rev.Vendor != bakery.Hex() {
		t.Errorf("newest transaction %+v, want the settlement's reversal", rev)
	}
	tx := page.Transactions[1]
	if tx.Kind != "refund" || tx.Amount != 100 || tx.Category != "medicine" || tx.Vendor != pharmacy.Hex() ||
		tx.Beneficiary != common.Hash(card2).Hex() || tx.Redemption != ledger.ParseRef(common.HexToHash(saleRef)).ID.String() {
		t.Errorf("newest transaction %+v, want the refund of %s", tx, saleRef)
	}
}
