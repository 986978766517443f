package report

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

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
	Category       string    `json:"category"` // redemptions and their rejections
	Beneficiary    string    `json:"beneficiary"`
	Reason         string    `json:"reason,omitempty"` // rejections
}

// TransactionPage is one page of transactions, newest first.
type TransactionPage struct {
	AsOfBlock    uint64        `json:"as_of_block"`
	Total        int64         `json:"total"`
	Page         int           `json:"page"`
	PageSize     int           `json:"page_size"`
	Transactions []Transaction `json:"transactions"`
}

// MaxPageSize bounds Transactions' page size.
const MaxPageSize = 500

// Transactions lists program events newest first, of one program (by the API's id) or, with
// programID "", of all. page counts from 1; pageSize 0 means 50.
func (s *Service) Transactions(ctx context.Context, programID string, page, pageSize int) (TransactionPage, error) {
	if pageSize == 0 {
		pageSize = 50
	}
	out := TransactionPage{Page: page, PageSize: pageSize, Transactions: []Transaction{}}
	if page < 1 {
		return out, apierr.Invalid("page", "must be 1 or more")
	}
	if pageSize < 1 || pageSize > MaxPageSize {
		return out, apierr.Invalid("page_size", "must be between 1 and %d", MaxPageSize)
	}
	infos, err := s.programsByChainID(ctx)
	if err != nil {
		return out, err
	}
	var chainID uint64
	if programID != "" {
		info, ok, err := s.program(ctx, programID)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, apierr.ErrNotFound.Withf("no program %q", programID)
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
		if out.Total, err = transactionCount(tx, programID != "", chainID, cur); err != nil {
			return err
		}
		return newestEvents(tx, programID != "", chainID, cur.LastEventID).Offset((page - 1) * pageSize).Limit(pageSize).Find(&events).Error
	})
	if err != nil {
		return out, fmt.Errorf("transactions: %w", err)
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
