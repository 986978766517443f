package redeem

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/internal/testenv"
)

// ledgerOf stores n confirmed redemptions in blocks 1..n, each with its Redeemed event, so that
// the walk crosses page boundaries on both sides (reconcilePage).
func ledgerOf(t *testing.T, db *gorm.DB, n int) ([]redemptionRow, []index.Event) {
	t.Helper()
	rows := make([]redemptionRow, n)
	events := make([]index.Event, n)
	now := time.Now().UTC()
	for i := range rows {
		uid := uuid.Must(uuid.NewV7())
		id, ref := uid.String(), common.Hash(ledger.Ref{ID: uid, Category: ledger.CategoryFood}.Bytes()).Hex()
		rows[i] = redemptionRow{ID: id, VendorID: "v", IdempotencyKey: id, RequestHash: "h", BeneficiaryID: "b", ProgramID: "p",
			Amount: 1, Category: "food", ChainRef: ref, Status: StatusConfirmed, BlockNumber: uint64(i + 1), CreatedAt: now}
		events[i] = index.Event{BlockNumber: uint64(i + 1), BlockHash: fmt.Sprintf("0x%064x", i+1), BlockTime: now,
			TxHash: fmt.Sprintf("0xtx%d", i+1), Kind: index.KindRedeemed, Ref: ref, Amount: 1}
	}
	if err := db.CreateInBatches(rows, 200).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.CreateInBatches(events, 200).Error; err != nil {
		t.Fatal(err)
	}
	return rows, events
}

func TestReconcile_FindsEveryKindOfMismatchAcrossPages(t *testing.T) {
	const n = 2*reconcilePage + 345
	const asOf = n + 10
	tests := []struct {
		name      string
		break_    func(t *testing.T, db *gorm.DB, rows []redemptionRow, events []index.Event)
		confirmed int64
		redeemed  int64
		missing   func(rows []redemptionRow) []string
		unknown   []string
		dups      []int // of events
	}{{
		name:      "an untouched ledger reconciles",
		break_:    func(*testing.T, *gorm.DB, []redemptionRow, []index.Event) {},
		confirmed: n, redeemed: n,
	}, {
		name: "a confirmed redemption without its event is missing one",
		break_: func(t *testing.T, db *gorm.DB, _ []redemptionRow, events []index.Event) {
			mustExec(t, db, "DELETE FROM chain_events WHERE id = ?", events[reconcilePage].ID)
		},
		confirmed: n, redeemed: n - 1,
		missing: func(rows []redemptionRow) []string { return []string{rows[reconcilePage].ID} },
	}, {
		name: "an event whose redemption failed is unknown",
		break_: func(t *testing.T, db *gorm.DB, rows []redemptionRow, _ []index.Event) {
			mustExec(t, db, "UPDATE redemptions SET status = ? WHERE id = ?", StatusFailed, rows[n-1].ID)
		},
		confirmed: n - 1, redeemed: n,
		unknown: []string{fmt.Sprintf("0xtx%d", n)},
	}, {
		name: "a ref paid twice is a duplicate, listed once",
		break_: func(t *testing.T, db *gorm.DB, _ []redemptionRow, events []index.Event) {
			again := events[3]
			again.ID, again.BlockNumber, again.BlockHash = 0, n+1, "0xlater"
			if err := db.Create(&again).Error; err != nil {
				t.Fatal(err)
			}
		},
		confirmed: n, redeemed: n + 1,
		dups: []int{3},
	}, {
		name: "an event naming a confirmed redemption's id with another category is unknown",
		break_: func(t *testing.T, db *gorm.DB, rows []redemptionRow, events []index.Event) {
			other := ledger.Ref{ID: uuid.MustParse(rows[5].ID), Category: ledger.CategoryHygiene}.Bytes()
			mustExec(t, db, "UPDATE chain_events SET ref = ? WHERE id = ?", common.Hash(other).Hex(), events[5].ID)
		},
		confirmed: n, redeemed: n,
		missing: func(rows []redemptionRow) []string { return []string{rows[5].ID} },
		unknown: []string{fmt.Sprintf("0xtx%d", 6)},
	}, {
		name: "events and confirmations after the block asked about do not count",
		break_: func(t *testing.T, db *gorm.DB, rows []redemptionRow, events []index.Event) {
			mustExec(t, db, "UPDATE redemptions SET block_number = ? WHERE id = ?", asOf+1, rows[7].ID)
			mustExec(t, db, "UPDATE chain_events SET block_number = ? WHERE id = ?", asOf+1, events[7].ID)
		},
		confirmed: n - 1, redeemed: n - 1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := testenv.DB(t, Schema, index.Schema)
			rows, events := ledgerOf(t, db, n)
			tt.break_(t, db, rows, events)
			for _, pace := range []float64{0, backgroundPace} {
				rep, err := reconcile(context.Background(), db, asOf, pace)
				if err != nil {
					t.Fatal(err)
				}
				var missing []string
				if tt.missing != nil {
					missing = tt.missing(rows)
				}
				var dups []string
				for _, i := range tt.dups {
					dups = append(dups, events[i].Ref)
				}
				ok := len(missing)+len(tt.unknown)+len(dups) == 0 && tt.confirmed == tt.redeemed
				if rep.ConfirmedRedemptions != tt.confirmed || rep.RedeemedEvents != tt.redeemed || rep.OK != ok ||
					!sameStrings(rep.MissingEvents, missing) || !sameStrings(rep.UnknownEvents, tt.unknown) || !sameStrings(rep.DuplicateEvents, dups) {
					t.Errorf("pace %v: confirmed %d, events %d, ok %v, missing %v, unknown %v, duplicates %v; want %d, %d, %v, %v, %v, %v",
						pace, rep.ConfirmedRedemptions, rep.RedeemedEvents, rep.OK, rep.MissingEvents, rep.UnknownEvents, rep.DuplicateEvents,
						tt.confirmed, tt.redeemed, ok, missing, tt.unknown, dups)
				}
			}
		})
	}
}

func TestReconcile_StopsWhenItsContextEndsWhileResting(t *testing.T) {
	db, _ := testenv.DB(t, Schema, index.Schema)
	ledgerOf(t, db, reconcilePage+1)
	// The first page rests a million times as long as it took: only the context can end it.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := reconcile(ctx, db, reconcilePage+1, 1e6); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("walk after its context ended: %v; want the deadline", err)
	}
}

func mustExec(t *testing.T, db *gorm.DB, sql string, args ...any) {
	t.Helper()
	if err := db.Exec(sql, args...).Error; err != nil {
		t.Fatal(err)
	}
}

func sameStrings(got, want []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

func TestReconcile_MatchesConfirmedRefundsWithTheirEventsByTransactionAndAmount(t *testing.T) {
	db, _ := testenv.DB(t, Schema, index.Schema)
	ledgerOf(t, db, 3)
	now := time.Now().UTC()
	refund := func(id, tx string, amount int64, block uint64, status string) refundRow {
		return refundRow{ID: id, RedemptionID: "r", VendorID: "v", BeneficiaryID: "b", ProgramID: "p", Amount: amount, Actor: "a",
			IdempotencyKey: id, RequestHash: "h", Status: status, TxHash: tx, BlockNumber: block, CreatedAt: now}
	}
	event := func(n int, tx string, amount int64, block uint64) index.Event {
		return index.Event{BlockNumber: block, BlockHash: fmt.Sprintf("0x%064x", 100+n), BlockTime: now, TxHash: tx,
			Kind: index.KindRefunded, Ref: "0xref", Amount: amount}
	}
	refunds := []refundRow{
		refund("matched", "0xA", 5, 4, StatusConfirmed),
		refund("no-event", "0xB", 3, 4, StatusConfirmed),
		refund("other-amount", "0xC", 4, 5, StatusConfirmed),
		refund("pending", "", 9, 0, StatusPending),
		refund("after-the-block", "0xE", 2, 50, StatusConfirmed),
	}
	events := []index.Event{event(1, "0xA", 5, 4), event(2, "0xC", 7, 5), event(3, "0xD", 1, 6), event(4, "0xE", 2, 50)}
	rep := storedAndReconciled(t, db, &refunds, events)
	if rep.OK || rep.ConfirmedRefunds != 3 || rep.RefundedEvents != 3 ||
		!slices.Equal(rep.MissingRefundEvents, []string{"no-event", "other-amount"}) || !slices.Equal(rep.UnknownRefundEvents, []string{"0xD"}) {
		t.Errorf("report %+v", rep)
	}
	// Without the strays, it reconciles.
	if err := db.Where("id IN ?", []string{"no-event", "other-amount"}).Delete(&refundRow{}).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("tx_hash IN ?", []string{"0xC", "0xD"}).Delete(&index.Event{}).Error; err != nil {
		t.Fatal(err)
	}
	if rep, err := reconcile(context.Background(), db, 10, 0); err != nil || !rep.OK || rep.ConfirmedRefunds != 1 {
		t.Errorf("report %+v %v", rep, err)
	}
}

func TestReconcile_MatchesSettlementsAndTheirReversalsWithTheirEvents(t *testing.T) {
	db, _ := testenv.DB(t, Schema, index.Schema)
	now := time.Now().UTC()
	settlement := func(id, tx string, amount int64, reverses string) settlementRow {
		return settlementRow{ID: id, VendorID: "v", ProgramID: "p", Amount: amount, Reference: "PAY", Status: StatusConfirmed,
			TxHash: tx, BlockNumber: 4, ReversesID: reverses, CreatedAt: now}
	}
	event := func(n int, kind, tx string, amount int64) index.Event {
		return index.Event{BlockNumber: 4, BlockHash: fmt.Sprintf("0x%064x", 200+n), BlockTime: now, TxHash: tx, Kind: kind, Amount: amount}
	}
	rows := []settlementRow{settlement("paid", "0xA", 500, ""), settlement("taken-back", "0xB", -200, "paid"), settlement("no-event", "0xC", 300, "")}
	events := []index.Event{event(1, index.KindSettled, "0xA", 500), event(2, index.KindSettlementReversed, "0xB", 200),
		event(3, index.KindSettled, "0xD", 50)}
	rep := storedAndReconciled(t, db, &rows, events)
	if rep.OK || rep.ConfirmedSettlements != 3 || rep.SettlementEvents != 3 ||
		!slices.Equal(rep.MissingSettlementEvents, []string{"no-event"}) || !slices.Equal(rep.UnknownSettlementEvents, []string{"0xD"}) {
		t.Errorf("report %+v", rep)
	}
	if err := db.Where("id = ?", "no-event").Delete(&settlementRow{}).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Where("tx_hash = ?", "0xD").Delete(&index.Event{}).Error; err != nil {
		t.Fatal(err)
	}
	if rep, err := reconcile(context.Background(), db, 10, 0); err != nil || !rep.OK {
		t.Errorf("a settlement and its reversal, each with its event: %+v %v", rep, err)
	}
}

// storedAndReconciled stores rows and events and reconciles as of block 10.
func storedAndReconciled(t *testing.T, db *gorm.DB, rows any, events []index.Event) Reconciliation {
	t.Helper()
	if err := db.Create(rows).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Create(&events).Error; err != nil {
		t.Fatal(err)
	}
	rep, err := reconcile(context.Background(), db, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}
