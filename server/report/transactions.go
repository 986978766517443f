package report

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/ledger"
)

// Transaction kinds, as reported: one per program event of the ledger.
var transactionKinds = map[string]string{
	index.KindProgramCreated:       "program_created",
	index.KindProgramStatusChanged: "program_status",
	index.KindFunded:               "funding",
	index.KindAllocated:            "allocation",
	index.KindAllocationRejected:   "allocation_rejected",
	index.KindRedeemed:             "redemption",
	index.KindRedemptionRejected:   "redemption_rejected",
	index.KindSettled:              "settlement",
	index.KindExpired:              "expiry",
	index.KindRefunded:             "refund",
	index.KindSettlementReversed:   "settlement_reversal",
}

// Transaction is one on-chain program event. Beneficiary is the on-chain pseudonym (0x…), the
// only thing ever reported about a beneficiary.
type Transaction struct {
	TxHash         string    `json:"tx_hash"`
	BlockNumber    uint64    `json:"block_number"`
	LogIndex       uint      `json:"log_index"`
	Time           time.Time `json:"time"`
	Kind           string    `json:"kind"`
	ProgramID      string    `json:"program_id"`
	ChainProgramID uint64    `json:"chain_program_id"`
	Vendor         string    `json:"vendor"`
	VendorName     string    `json:"vendor_name"`
	Amount         int64     `json:"amount"`
	Category       string    `json:"category"` // redemptions, their rejections and refunds
	Beneficiary    string    `json:"beneficiary"`
	Reason         string    `json:"reason,omitempty"` // rejections
	// Redemption is, for a refund, the id of the redemption it gives back (from the event's ref,
	// which the redemption's own event carries too).
	Redemption string `json:"redemption,omitempty"`
}

// TransactionPage is one page of transactions, newest first.
type TransactionPage struct {
	AsOfBlock    uint64        `json:"as_of_block"`
	Total        int64         `json:"total"`
	Page         int           `json:"page,omitempty"` // by number; absent by cursor
	PageSize     int           `json:"page_size"`
	Transactions []Transaction `json:"transactions"`
	NextAfter    string        `json:"next_after,omitempty"` // ?after= of the next page, when this one is full
}

// MaxPageSize bounds Transactions' page size.
const MaxPageSize = 500

// TransactionQuery picks one page of Transactions, of one program (by the API's id) or, with
// ProgramID "", of all: by number (Page counts from 1) or by cursor (After, a previous page's
// NextAfter: the chain position "block-log" of the last transaction listed), not both. A walk
// by cursor neither skips nor repeats a transaction while new ones arrive, and a page deep in
// the history costs what the first does. PageSize 0 means 50.
type TransactionQuery struct {
	ProgramID string
	Page      int
	PageSize  int
	After     string
}

// Transactions lists program events newest first.
func (s *Service) Transactions(ctx context.Context, q TransactionQuery) (TransactionPage, error) {
	if q.PageSize == 0 {
		q.PageSize = 50
	}
	out := TransactionPage{Page: q.Page, PageSize: q.PageSize, Transactions: []Transaction{}}
	var after position
	switch {
	case q.After != "" && q.Page != 0:
		return out, apierr.Invalid("page", "cannot be combined with after")
	case q.After != "":
		var ok bool
		if after, ok = parsePosition(q.After); !ok {
			return out, apierr.Invalid("after", "must be a next_after of an earlier page (block-log)")
		}
	case q.Page < 1:
		return out, apierr.Invalid("page", "must be 1 or more")
	}
	if q.PageSize < 1 || q.PageSize > MaxPageSize {
		return out, apierr.Invalid("page_size", "must be between 1 and %d", MaxPageSize)
	}
	infos, err := s.programsByChainID(ctx)
	if err != nil {
		return out, err
	}
	var chainID uint64
	if q.ProgramID != "" {
		info, ok, err := s.program(ctx, q.ProgramID)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, apierr.ErrNotFound.Withf("no program %q", q.ProgramID)
		}
		chainID = info.ChainID
	}
	if err := s.refresh(ctx); err != nil {
		return out, err
	}
	var events []index.Event
	err = s.readTx(ctx, func(tx *gorm.DB, cur Cursor) error {
		out.AsOfBlock = cur.AsOfBlock
		var err error
		if out.Total, err = transactionCount(tx, q.ProgramID != "", chainID, cur); err != nil {
			return err
		}
		last, offset := cur.LastEventID, 0
		if q.After == "" {
			offset = (q.Page - 1) * q.PageSize
		} else {
			first, found, err := firstEventFrom(tx, after)
			if err != nil {
				return err
			}
			if found {
				// One upper bound, not two: SQLite searches the index by one and filters by the
				// other, and took the newest's, walking down from it (9 ms half of 300,000 deep).
				last = min(last, first-1)
			}
		}
		return newestEvents(tx, q.ProgramID != "", chainID, last).Offset(offset).Limit(q.PageSize).Find(&events).Error
	})
	if err != nil {
		return out, fmt.Errorf("transactions: %w", err)
	}
	if n := len(events); n == q.PageSize {
		out.NextAfter = position{events[n-1].BlockNumber, events[n-1].LogIndex}.String()
	}
	var addrs []string
	for _, e := range events {
		if e.Vendor != "" {
			addrs = append(addrs, e.Vendor)
		}
	}
	vendors, err := s.vendorInfos(ctx, addrs)
	if err != nil {
		return out, err
	}
	for _, e := range events {
		t := Transaction{
			TxHash: e.TxHash, BlockNumber: e.BlockNumber, LogIndex: e.LogIndex, Time: e.BlockTime.UTC(), Kind: transactionKinds[e.Kind],
			ProgramID: infos[e.ProgramID].ID, ChainProgramID: e.ProgramID, Vendor: e.Vendor, VendorName: vendors[e.Vendor].Name,
			Amount: e.Amount, Beneficiary: e.Beneficiary,
		}
		switch e.Kind {
		case index.KindRedeemed, index.KindRedemptionRejected:
			t.Category = ledger.Category(categoryOf(e.Ref)).String()
		case index.KindRefunded:
			t.Category = ledger.Category(categoryOf(e.Ref)).String()
			t.Redemption = ledger.ParseRef(common.HexToHash(e.Ref)).ID.String()
		}
		if e.Kind == index.KindRedemptionRejected || e.Kind == index.KindAllocationRejected {
			t.Reason = ledger.Reason(e.Reason).String()
		}
		out.Transactions = append(out.Transactions, t)
	}
	return out, nil
}

// listedKinds are the kinds of events Transactions lists.
var listedKinds = slices.Sorted(maps.Keys(transactionKinds))

// newestEvents are the events Transactions lists (of one program, or of all), up to event id
// last, newest first. Newest first is highest id first: one indexer inserts blocks in order and
// a block's logs in order, so ids follow (block number, log index). A page then walks an index
// in id order back from the newest, (program_id, id) or the primary key, instead of sorting every
// event of the program: 2 s a page at 1,000,000 redemptions.
func newestEvents(tx *gorm.DB, oneProgram bool, chainID uint64, last int64) *gorm.DB {
	return ofProgram(tx.Model(&index.Event{}), oneProgram, chainID).
		Where("kind IN ? AND id <= ?", listedKinds, last).Order("id DESC")
}

// ofProgram narrows q to one program's rows when oneProgram.
func ofProgram(q *gorm.DB, oneProgram bool, chainID uint64) *gorm.DB {
	if oneProgram {
		return q.Where("program_id = ?", chainID)
	}
	return q
}

// transactionCount is how many events Transactions lists (of one program, or of all), as of the
// rollups' cursor: the rollups' counts of every kind they total, the programs they saw created,
// and the programs' status changes, which they do not total, counted through the (program_id,
// kind, id) index. Counting the listed events themselves read every event of the program.
func transactionCount(tx *gorm.DB, oneProgram bool, chainID uint64, cur Cursor) (int64, error) {
	var counted, created, statuses int64
	if err := ofProgram(tx.Model(&Total{}), oneProgram, chainID).Select("COALESCE(SUM(count), 0)").Scan(&counted).Error; err != nil {
		return 0, fmt.Errorf("count transactions: %w", err)
	}
	if err := ofProgram(tx.Model(&Program{}), oneProgram, chainID).Count(&created).Error; err != nil {
		return 0, fmt.Errorf("count transactions: %w", err)
	}
	seen := ofProgram(tx.Model(&Program{}), oneProgram, chainID).Select("program_id")
	if err := tx.Model(&index.Event{}).Where("program_id IN (?) AND kind = ? AND id <= ?",
		seen, index.KindProgramStatusChanged, cur.LastEventID).Count(&statuses).Error; err != nil {
		return 0, fmt.Errorf("count transactions: %w", err)
	}
	return counted + created + statuses, nil
}

// position is a place in the chain's order of events: a block, and a log within it.
type position struct {
	block uint64
	log   uint
}

func (p position) String() string { return fmt.Sprintf("%d-%d", p.block, p.log) }

func parsePosition(s string) (position, bool) {
	b, l, ok := strings.Cut(s, "-")
	if !ok {
		return position{}, false
	}
	block, err1 := strconv.ParseUint(b, 10, 63) // stored as a signed 64-bit integer
	log, err2 := strconv.ParseUint(l, 10, 32)
	return position{block, uint(log)}, err1 == nil && err2 == nil
}

// firstEventFrom is the id of the first event at or after p, of any kind or program: the events
// before p are those with a smaller id, since ids follow (block, log). Neither look-up walks
// more than one block's events through the block_number index. found is false when no event is
// at or after p: every event is before it.
func firstEventFrom(tx *gorm.DB, p position) (id int64, found bool, err error) {
	for _, q := range []*gorm.DB{
		tx.Model(&index.Event{}).Where("block_number = ? AND log_index >= ?", p.block, p.log).Order("log_index"),
		tx.Model(&index.Event{}).Where("block_number > ?", p.block).Order("block_number, log_index"),
	} {
		var ids []int64
		if err := q.Limit(1).Pluck("id", &ids).Error; err != nil {
			return 0, false, fmt.Errorf("events from %s: %w", p, err)
		}
		if len(ids) == 1 {
			return ids[0], true, nil
		}
	}
	return 0, false, nil
}
