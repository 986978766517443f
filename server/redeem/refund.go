package redeem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// Refund errors, with stable codes.
var (
	ErrRefundKeyRequired = apierr.New(http.StatusBadRequest, "idempotency_key_required",
		"send an Idempotency-Key header (a new random value per refund, the same on retries)")
	ErrRefundKeyConflict = apierr.New(http.StatusConflict, "idempotency_conflict", "this Idempotency-Key was used for a different refund")
	// ErrRedemptionPending: a sale the ledger has not confirmed cannot be given back yet; the
	// refund would race the sale to the chain.
	ErrRedemptionPending = apierr.New(http.StatusConflict, "redemption_pending", "the sale is not confirmed on the ledger yet; refund it once it is")
	// ErrRedemptionFailed: a failed sale took nothing from the card.
	ErrRedemptionFailed = apierr.New(http.StatusConflict, "redemption_failed", "the sale failed on the ledger: nothing was taken from the card")
	// ErrExceedsRefundable: more than the sale less what was already given back of it.
	ErrExceedsRefundable = apierr.New(http.StatusUnprocessableEntity, "exceeds_refundable", "the amount is more than what is left to refund of this sale")
	// ErrRefundExceedsUnsettled: the shop is owed less than the refund in this program. The ledger takes a
	// refund out of what the agency still owes the shop, so a sale already paid for is given back
	// out of the shop's next unpaid sales: once it is owed as much again, the refund goes through.
	ErrRefundExceedsUnsettled = apierr.New(http.StatusUnprocessableEntity, "exceeds_unsettled",
		"the shop is owed less than this in the program (it has been paid for its sales); a refund comes out of what the shop is owed, so it can be made once the shop is owed as much again")
	// ErrRefundsUnsupported: the ledger contract on this chain was deployed before refunds.
	ErrRefundsUnsupported = apierr.New(http.StatusNotImplemented, "refunds_unsupported",
		"the ledger contract on this chain predates refunds; deploy a current ledger to give sales back")
)

// RefundRequest gives back all or part of a confirmed redemption to the card it was paid from.
type RefundRequest struct {
	Amount int64  `json:"amount"`
	Note   string `json:"note,omitempty"` // why: "goods returned", "typed 500 for 50"; at most 200 characters
}

// RefundView is a refund as the API shows it.
type RefundView struct {
	ID           string    `json:"id"`
	RedemptionID string    `json:"redemption_id"`
	VendorID     string    `json:"vendor_id"`
	ProgramID    string    `json:"program_id"`
	Amount       int64     `json:"amount"`
	Note         string    `json:"note,omitempty"`
	Status       string    `json:"status"`
	Reason       string    `json:"reason,omitempty"` // why it failed
	TxHash       string    `json:"tx_hash,omitempty"`
	BlockNumber  uint64    `json:"block_number,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

func refundView(r refundRow) RefundView {
	return RefundView{ID: r.ID, RedemptionID: r.RedemptionID, VendorID: r.VendorID, ProgramID: r.ProgramID, Amount: r.Amount,
		Note: r.Note, Status: r.Status, Reason: r.Reason, TxHash: r.TxHash, BlockNumber: r.BlockNumber, CreatedAt: r.CreatedAt}
}

func refundRef(id string) string { return "refund:" + id }

func (r RefundRequest) hash(redemptionID string) string {
	h := sha256.Sum256([]byte(redemptionID + "\x00" + strconv.FormatInt(r.Amount, 10) + "\x00" + r.Note))
	return hex.EncodeToString(h[:])
}

// Refund gives back req.Amount of a confirmed redemption to its card, once per (actor, key): a
// retry with the same key gets the same refund. vendorID, when not empty, limits it to that
// shop's own sales. It is refused above what is left of the sale, and above what the shop is
// still owed in the program (a refund is netted against the shop's payouts: a sale already paid
// for comes out of later unpaid ones, or out of a settlement reversal once the shop paid the
// money back); both are checked under the lock settlements take, so refunds and payouts can
// never add up to more than the shop's sales. The balance given back is spendable once the
// chain confirms it.
func (s *Service) Refund(ctx context.Context, actor, vendorID, redemptionID, key string, req RefundRequest) (RefundView, error) {
	if key == "" {
		return RefundView{}, ErrRefundKeyRequired
	}
	if len(key) > 200 {
		return RefundView{}, apierr.Invalid("Idempotency-Key", "at most 200 characters")
	}
	if err := checkAmount(req.Amount); err != nil {
		return RefundView{}, err
	}
	var err error
	if req.Note, err = cleanNote(req.Note); err != nil {
		return RefundView{}, err
	}
	hash := req.hash(redemptionID)
	if prev, found, err := s.refundByKey(s.db.WithContext(ctx), actor, key); err != nil || found {
		if err != nil {
			return RefundView{}, err
		}
		return s.replayRefund(ctx, prev, hash)
	}
	if s.cfg.OldLedger {
		return RefundView{}, ErrRefundsUnsupported
	}
	sale, err := s.row(ctx, redemptionID, vendorID)
	if err != nil {
		return RefundView{}, err
	}
	switch sale.Status {
	case StatusPending:
		return RefundView{}, ErrRedemptionPending
	case StatusFailed:
		return RefundView{}, ErrRedemptionFailed
	}
	holder, err := s.cards.ChainKey(ctx, sale.BeneficiaryID)
	if err != nil {
		return RefundView{}, fmt.Errorf("refund %s: %w", sale.ID, err)
	}
	vendor, err := s.programs.Vendor(ctx, sale.VendorID)
	if err != nil {
		return RefundView{}, err
	}
	prog, err := s.programs.ProgramInfo(ctx, sale.ProgramID)
	if err != nil {
		return RefundView{}, err
	}
	row := refundRow{ID: uuid.Must(uuid.NewV7()).String(), RedemptionID: sale.ID, VendorID: sale.VendorID, BeneficiaryID: sale.BeneficiaryID,
		ProgramID: sale.ProgramID, Amount: req.Amount, Note: req.Note, Actor: actor, IdempotencyKey: key, RequestHash: hash, Status: StatusPending}
	err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockVendorAccount(tx, sale.VendorID); err != nil {
			return err
		}
		given, err := refundedOf(tx, sale.ID)
		if err != nil {
			return err
		}
		if left := sale.Amount - given; req.Amount > left {
			return ErrExceedsRefundable.WithDetail("refundable", left)
		}
		unsettled, err := unsettledIn(tx, sale.VendorID, sale.ProgramID)
		if err != nil {
			return err
		}
		if req.Amount > unsettled {
			return ErrRefundExceedsUnsettled.WithDetail("unsettled", unsettled)
		}
		return enqueueWith(ctx, s, tx, refundRef(row.ID), ledgerABI.PackRefund(prog.ChainProgramID, holder,
			common.HexToAddress(vendor.Address), big.NewInt(req.Amount), common.HexToHash(sale.ChainRef)), &row, &row.IntentID)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		// The same key, sent twice at once: the other request stored it.
		prev, found, kerr := s.refundByKey(s.db.WithContext(ctx), actor, key)
		if kerr == nil && found {
			return s.replayRefund(ctx, prev, hash)
		}
	}
	if err != nil {
		return RefundView{}, err
	}
	return s.awaitRefund(ctx, row), nil
}

// awaitRefund waits briefly for the chain and answers with the refund as it then is.
func (s *Service) awaitRefund(ctx context.Context, row refundRow) RefundView {
	return refundView(awaitRow(ctx, s, row, row.ID, row.IntentID))
}

// awaitRow waits at most ConfirmWait for an accepted call intent (a settlement's or a refund's)
// and reads its row back. Its intent is stored and will be sent, so if the read fails the answer
// is the row as written (pending), never an error: an error would release the caller's
// Idempotency-Key, and a retry would pay or refund a second time.
func awaitRow[T any](ctx context.Context, s *Service, row T, id string, intentID int64) T {
	wctx, cancel := context.WithTimeout(ctx, s.cfg.ConfirmWait)
	_, _ = s.p.Wait(wctx, intentID)
	cancel()
	written := row
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Take(&row, "id = ?", id).Error; err != nil {
		s.log.Warn("read an accepted row back", "id", id, "err", err)
		return written
	}
	return row
}

func (s *Service) replayRefund(ctx context.Context, prev refundRow, hash string) (RefundView, error) {
	if prev.RequestHash != hash {
		return RefundView{}, ErrRefundKeyConflict
	}
	if prev.Status != StatusPending {
		return refundView(prev), nil
	}
	return s.awaitRefund(ctx, prev), nil
}

func (s *Service) refundByKey(db *gorm.DB, actor, key string) (refundRow, bool, error) {
	var r refundRow
	err := db.Where("actor = ? AND idempotency_key = ?", actor, key).Limit(1).Find(&r).Error
	return r, r.ID != "", err
}

// lockVendorAccount serialises, per shop, what takes from its unsettled balance: settlements and
// refunds. SQLite's one writer already does.
func lockVendorAccount(tx *gorm.DB, vendorID string) error {
	if store.DialectOf(tx) != store.Postgres {
		return nil
	}
	return tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "settle:"+vendorID).Error
}

// refundedOf is what the refunds of a redemption that have not failed give back.
func refundedOf(tx *gorm.DB, redemptionID string) (int64, error) {
	var n int64
	err := tx.Model(&refundRow{}).Where("redemption_id = ? AND status <> ?", redemptionID, StatusFailed).
		Select("COALESCE(SUM(amount), 0)").Scan(&n).Error
	return n, err
}

// Refunds lists a redemption's refunds, oldest first; vendorID as in Get.
func (s *Service) Refunds(ctx context.Context, redemptionID, vendorID string) ([]RefundView, error) {
	if _, err := s.row(ctx, redemptionID, vendorID); err != nil {
		return nil, err
	}
	var rows []refundRow
	if err := s.db.WithContext(ctx).Where("redemption_id = ?", redemptionID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]RefundView, 0, len(rows))
	for _, r := range rows {
		out = append(out, refundView(r))
	}
	return out, nil
}

// onRefundOutcome mirrors refund intents' outcomes (call intents with a refund ref). A confirmed
// refund is spendable from then on: the standing of an entitlement counts confirmed refunds.
func onRefundOutcome(tx *gorm.DB, in pipeline.Intent) (bool, error) {
	id, ok := strings.CutPrefix(in.Ref, "refund:")
	if !ok {
		return false, nil
	}
	if err := tx.Model(&refundRow{}).Where("id = ?", id).Updates(map[string]any{
		"status": in.Outcome(), "reason": in.Reason, "tx_hash": in.TxHash, "block_number": in.BlockNumber, "updated_at": time.Now().UTC(),
	}).Error; err != nil {
		return true, fmt.Errorf("refund %s outcome: %w", id, err)
	}
	return true, nil
}
