package redeem

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/index"
)

// The reconciliation walks both tables in key order, a page at a time, and looks each page's
// refs up on the other side by index. It used to be five statements over whole tables (joins,
// a GROUP BY over every event): at 250,000 redemptions on PostgreSQL one check took seconds of
// a core at once, and every five minutes the acceptances behind it waited (p50 accepted 20 →
// 150–460 ms for five seconds, twentieth session). Page by page, with a rest after each page,
// the same work is spread out; the walk in id order also reads the newest redemptions last,
// long after the blocks up to asOfBlock were settled.

// reconcilePage is how many redemptions or events one step of the walk reads.
const reconcilePage = 1000

// backgroundPace is the rest after each page of the background check, in multiples of the time
// the page took: at most a fifth of a core, however large the tables and however fast the disk.
const backgroundPace = 4

// reconcile compares confirmed redemptions and Redeemed events up to asOfBlock, resting pace
// times as long as each page took (0: no rest).
func reconcile(ctx context.Context, db *gorm.DB, asOfBlock uint64, pace float64) (Reconciliation, error) {
	db = db.WithContext(ctx)
	out := Reconciliation{CheckedAt: time.Now().UTC(), AsOfBlock: asOfBlock, MissingEvents: []string{}, UnknownEvents: []string{}, DuplicateEvents: []string{}}
	if err := walk(ctx, pace, "", func(after string) (int, string, error) {
		return missingEventsAfter(db, after, asOfBlock, &out)
	}); err != nil {
		return out, err
	}
	if err := walk(ctx, pace, int64(0), func(after int64) (int, int64, error) {
		return unknownEventsAfter(db, after, asOfBlock, &out)
	}); err != nil {
		return out, err
	}
	if err := reconcileByTx(db, asOfBlock, &out); err != nil {
		return out, err
	}
	out.OK = len(out.MissingEvents) == 0 && len(out.UnknownEvents) == 0 && len(out.DuplicateEvents) == 0 &&
		out.ConfirmedRedemptions == out.RedeemedEvents && len(out.MissingRefundEvents) == 0 && len(out.UnknownRefundEvents) == 0 &&
		len(out.MissingSettlementEvents) == 0 && len(out.UnknownSettlementEvents) == 0
	return out, nil
}

// txAmount is one side of a match by transaction: a row's id (or an event's kind), the
// transaction that carries it, and its amount.
type txAmount struct {
	ID, TxHash string
	Amount     int64
}

// matchByTx pairs rows with events by transaction (refunds, settlements and reversals are each a
// transaction of their own) and amount. It lists the rows with no event of their amount in their
// transaction, and the transactions of events that no row claims, each up to listLimit.
func matchByTx(rows, events []txAmount) (missing, unknown []string) {
	missing, unknown = []string{}, []string{}
	byTx := make(map[string][]int64, len(events))
	for _, e := range events {
		byTx[e.TxHash] = append(byTx[e.TxHash], e.Amount)
	}
	for _, r := range rows {
		got := byTx[r.TxHash]
		delete(byTx, r.TxHash)
		if (len(got) != 1 || got[0] != r.Amount) && len(missing) < listLimit {
			missing = append(missing, r.ID)
		}
	}
	for _, e := range events {
		if _, left := byTx[e.TxHash]; left && len(unknown) < listLimit {
			unknown = append(unknown, e.TxHash)
			delete(byTx, e.TxHash)
		}
	}
	return missing, unknown
}

// reconcileByTx matches confirmed refunds with Refunded events, and confirmed settlements
// and their reversals with Settled and SettlementReversed events (a reversal's amount is
// negative on both sides). They are few next to redemptions: both sides are read whole.
func reconcileByTx(db *gorm.DB, asOfBlock uint64, out *Reconciliation) error {
	var refunds, settlements, refundEvents, settleEvents []txAmount
	if err := db.Model(&refundRow{}).Select("id", "amount", "tx_hash").Where("status = ? AND block_number <= ?", StatusConfirmed, asOfBlock).
		Order("id").Scan(&refunds).Error; err != nil {
		return fmt.Errorf("read confirmed refunds: %w", err)
	}
	if err := db.Model(&settlementRow{}).Select("id", "amount", "tx_hash").Where("status = ? AND block_number <= ?", StatusConfirmed, asOfBlock).
		Order("id").Scan(&settlements).Error; err != nil {
		return fmt.Errorf("read confirmed settlements: %w", err)
	}
	if err := db.Model(&index.Event{}).Select("kind AS id", "tx_hash", "amount").Where("kind = ? AND block_number <= ?", index.KindRefunded, asOfBlock).
		Order("id").Scan(&refundEvents).Error; err != nil {
		return fmt.Errorf("read refund events: %w", err)
	}
	if err := db.Model(&index.Event{}).Select("kind AS id", "tx_hash", "amount").
		Where("kind IN ? AND block_number <= ?", []string{index.KindSettled, index.KindSettlementReversed}, asOfBlock).
		Order("id").Scan(&settleEvents).Error; err != nil {
		return fmt.Errorf("read settlement events: %w", err)
	}
	for i := range settleEvents {
		if settleEvents[i].ID == index.KindSettlementReversed {
			settleEvents[i].Amount = -settleEvents[i].Amount
		}
	}
	out.ConfirmedRefunds, out.RefundedEvents = int64(len(refunds)), int64(len(refundEvents))
	out.MissingRefundEvents, out.UnknownRefundEvents = matchByTx(refunds, refundEvents)
	out.ConfirmedSettlements, out.SettlementEvents = int64(len(settlements)), int64(len(settleEvents))
	out.MissingSettlementEvents, out.UnknownSettlementEvents = matchByTx(settlements, settleEvents)
	return nil
}

// walk calls page with the last key of the page before (first, to begin) until a page is
// empty, resting pace times as long as each page took.
func walk[K any](ctx context.Context, pace float64, first K, page func(after K) (n int, last K, err error)) error {
	for after := first; ; {
		began := time.Now()
		n, last, err := page(after)
		if err != nil || n == 0 {
			return err
		}
		after = last
		if pace <= 0 {
			continue
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(pace * float64(time.Since(began)))):
		}
	}
}

// missingEventsAfter reads the page of confirmed redemptions after id `after`, counts them, and
// lists those with no Redeemed event. It returns the page's size and last id.
func missingEventsAfter(db *gorm.DB, after string, asOfBlock uint64, out *Reconciliation) (int, string, error) {
	var page []struct{ ID, ChainRef string }
	if err := db.Model(&redemptionRow{}).Select("id", "chain_ref").
		Where("id > ? AND status = ? AND block_number <= ?", after, StatusConfirmed, asOfBlock).
		Order("id").Limit(reconcilePage).Scan(&page).Error; err != nil {
		return 0, "", err
	}
	if len(page) == 0 {
		return 0, "", nil
	}
	out.ConfirmedRedemptions += int64(len(page))
	refs := make([]string, len(page))
	for i, r := range page {
		refs[i] = r.ChainRef
	}
	var found []string
	if err := db.Table(index.Event{}.TableName()).Where("kind = ? AND ref IN ?", index.KindRedeemed, refs).
		Distinct("ref").Pluck("ref", &found).Error; err != nil {
		return 0, "", err
	}
	has := make(map[string]bool, len(found))
	for _, ref := range found {
		has[ref] = true
	}
	for _, r := range page {
		if !has[r.ChainRef] && len(out.MissingEvents) < listLimit {
			out.MissingEvents = append(out.MissingEvents, r.ID)
		}
	}
	return len(page), page[len(page)-1].ID, nil
}

// unknownEventsAfter reads the page of Redeemed events after id `after`, counts them, lists the
// transactions of those with no confirmed redemption, and the refs with more than one event.
func unknownEventsAfter(db *gorm.DB, after int64, asOfBlock uint64, out *Reconciliation) (int, int64, error) {
	ev := index.Event{}.TableName()
	var page []struct {
		ID     int64
		Ref    string
		TxHash string
	}
	if err := db.Table(ev).Select("id", "ref", "tx_hash").
		Where("id > ? AND kind = ? AND block_number <= ?", after, index.KindRedeemed, asOfBlock).
		Order("id").Limit(reconcilePage).Scan(&page).Error; err != nil {
		return 0, 0, err
	}
	if len(page) == 0 {
		return 0, 0, nil
	}
	out.RedeemedEvents += int64(len(page))
	refs := make([]string, len(page))
	ids := make([]string, len(page))
	for i, e := range page {
		refs[i], ids[i] = e.Ref, redemptionIDOf(e.Ref)
	}
	// By the ids the refs begin with (migration 8); an event whose ref differs from the row's
	// in any other byte is unknown all the same.
	var confirmed []string
	if err := db.Model(&redemptionRow{}).Where("id IN ? AND status = ?", ids, StatusConfirmed).
		Pluck("chain_ref", &confirmed).Error; err != nil {
		return 0, 0, err
	}
	has := make(map[string]bool, len(confirmed))
	for _, ref := range confirmed {
		has[ref] = true
	}
	for _, e := range page {
		if !has[e.Ref] && len(out.UnknownEvents) < listLimit {
			out.UnknownEvents = append(out.UnknownEvents, e.TxHash)
		}
	}
	// A duplicated ref is found from each page that holds one of its events: listed once.
	var dups []string
	if err := db.Table(ev).Select("ref").Where("kind = ? AND block_number <= ? AND ref IN ?", index.KindRedeemed, asOfBlock, refs).
		Group("ref").Having("COUNT(*) > 1").Pluck("ref", &dups).Error; err != nil {
		return 0, 0, err
	}
	for _, ref := range dups {
		if !slices.Contains(out.DuplicateEvents, ref) && len(out.DuplicateEvents) < listLimit {
			out.DuplicateEvents = append(out.DuplicateEvents, ref)
		}
	}
	return len(page), page[len(page)-1].ID, nil
}
