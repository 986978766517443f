package redeem

import (
	"context"
	"errors"
	"math/big"
	"net/http"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/store"
)

// Settlement reversal errors, with stable codes.
var (
	// ErrExceedsSettled: more than the settlement less what was already taken back of it.
	ErrExceedsSettled = apierr.New(http.StatusUnprocessableEntity, "exceeds_settled", "the amount is more than what is left of this settlement")
	// ErrSettlementNotFinal: only a confirmed settlement can be reversed; a failed one recorded nothing.
	ErrSettlementNotFinal = apierr.New(http.StatusConflict, "settlement_not_confirmed", "only a settlement confirmed on the ledger can be reversed")
	// ErrReversalOfReversal: a reversal is not itself reversed; record the settlement again.
	ErrReversalOfReversal = apierr.New(http.StatusConflict, "is_reversal", "this is a reversal; record the payout again as a settlement instead")
	// ErrReversalsUnsupported: the ledger contract on this chain predates reversals.
	ErrReversalsUnsupported = apierr.New(http.StatusNotImplemented, "reversals_unsupported",
		"the ledger contract on this chain predates settlement reversals; deploy a current ledger to take a settlement back")
)

// ReversalRequest takes back all or part of a settlement: recorded with the wrong amount or for
// the wrong shop, or paid back by the shop.
type ReversalRequest struct {
	Amount int64  `json:"amount"`
	Note   string `json:"note,omitempty"` // why, at most 200 characters
}

// ReverseSettlement records on chain that req.Amount of a confirmed settlement was not paid, or
// was paid back: the shop is owed it again. It is refused above what is left of the settlement,
// under the lock settlements and refunds take. The reversal is a settlement row of its own with
// a negative amount, so statements and the vendor's balance are net of it.
func (s *Service) ReverseSettlement(ctx context.Context, actor, settlementID string, req ReversalRequest) (Settlement, error) {
	if err := checkAmount(req.Amount); err != nil {
		return Settlement{}, err
	}
	var err error
	if req.Note, err = cleanNote(req.Note); err != nil {
		return Settlement{}, err
	}
	var orig settlementRow
	err = s.db.WithContext(ctx).Take(&orig, "id = ?", settlementID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Settlement{}, apierr.ErrNotFound
	}
	if err != nil {
		return Settlement{}, err
	}
	switch {
	case orig.ReversesID != "":
		return Settlement{}, ErrReversalOfReversal
	case orig.Status != StatusConfirmed:
		return Settlement{}, ErrSettlementNotFinal
	case s.cfg.OldLedger:
		return Settlement{}, ErrReversalsUnsupported
	}
	vendor, err := s.programs.Vendor(ctx, orig.VendorID)
	if err != nil {
		return Settlement{}, err
	}
	prog, err := s.programs.ProgramInfo(ctx, orig.ProgramID)
	if err != nil {
		return Settlement{}, err
	}
	row := settlementRow{ID: uuid.Must(uuid.NewV7()).String(), VendorID: orig.VendorID, ProgramID: orig.ProgramID, Amount: -req.Amount,
		Reference: orig.Reference, Status: StatusPending, CreatedBy: actor, ReversesID: orig.ID, Note: req.Note}
	err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockVendorAccount(tx, orig.VendorID); err != nil {
			return err
		}
		var reversed int64 // negative: the reversals that have not failed
		if err := tx.Model(&settlementRow{}).Where("reverses_id = ? AND status <> ?", orig.ID, StatusFailed).
			Select("COALESCE(SUM(amount), 0)").Scan(&reversed).Error; err != nil {
			return err
		}
		if left := orig.Amount + reversed; req.Amount > left {
			return ErrExceedsSettled.WithDetail("reversible", left)
		}
		return enqueueWith(ctx, s, tx, settlementRef(row.ID), ledgerABI.PackReverseSettlement(prog.ChainProgramID,
			common.HexToAddress(vendor.Address), big.NewInt(req.Amount), payoutRef(orig.Reference)), &row, &row.IntentID)
	})
	if err != nil {
		return Settlement{}, err
	}
	return settlementView(awaitRow(ctx, s, row, row.ID, row.IntentID)), nil
}
