package redeem

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// ErrExceedsUnsettled: a settlement larger than what the vendor is owed.
var ErrExceedsUnsettled = apierr.New(http.StatusUnprocessableEntity, "exceeds_unsettled", "the amount is more than the vendor's unsettled balance")

// ErrDuplicateReference: the payout's reference is already recorded for this vendor and program
// (not counting failed settlements). A payout entered twice, from another browser or by another
// officer, would count as paid twice; the Idempotency-Key only catches the same request retried.
var ErrDuplicateReference = &apierr.Error{Status: http.StatusConflict, Code: "duplicate_reference", Field: "reference",
	Message: "this payout reference is already recorded for this vendor and program"}

var ledgerABI = aidledger.NewAidLedger()

// SettleRequest records a payment the agency made to a vendor. ProgramID may be left out when
// the vendor is owed money in one program only.
type SettleRequest struct {
	VendorID  string `json:"vendor_id"`
	ProgramID string `json:"program_id,omitempty"`
	Amount    int64  `json:"amount"`
	Reference string `json:"reference"`
}

// Settlement is a settlement as the API shows it.
type Settlement struct {
	ID          string    `json:"id"`
	VendorID    string    `json:"vendor_id"`
	ProgramID   string    `json:"program_id"`
	Amount      int64     `json:"amount"`
	Reference   string    `json:"reference"`
	Status      string    `json:"status"`
	Reason      string    `json:"reason,omitempty"`
	TxHash      string    `json:"tx_hash,omitempty"`
	BlockNumber uint64    `json:"block_number,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	// A reversal names the settlement it takes back part of, and its amount is negative.
	ReversesID string `json:"reverses_id,omitempty"`
	Note       string `json:"note,omitempty"`
}

func settlementView(r settlementRow) Settlement {
	return Settlement{ID: r.ID, VendorID: r.VendorID, ProgramID: r.ProgramID, Amount: r.Amount, Reference: r.Reference,
		Status: r.Status, Reason: r.Reason, TxHash: r.TxHash, BlockNumber: r.BlockNumber, CreatedAt: r.CreatedAt,
		ReversesID: r.ReversesID, Note: r.Note}
}

func settlementRef(id string) string { return "settlement:" + id }

// payoutRef is a payout reference as the ledger carries it: hashed, since it is typed by hand and
// may be longer than 32 bytes.
func payoutRef(reference string) [32]byte { return crypto.Keccak256Hash([]byte("payout:" + reference)) }

// enqueueWith stores, in tx, a call intent with its ref and calldata and the row that records it,
// with the intent's id set: the intent and the row exist together or not at all.
func enqueueWith[T any](ctx context.Context, s *Service, tx *gorm.DB, ref string, calldata []byte, row *T, intentID *int64) error {
	intents, err := s.p.Enqueue(ctx, tx, pipeline.CallIntent(ref, calldata))
	if err != nil {
		return err
	}
	*intentID = intents[0].ID
	return tx.Create(row).Error
}

// Settle records a settlement on chain; it cannot exceed the vendor's unsettled balance (confirmed
// redemptions minus settlements not failed), checked under a per-vendor lock.
func (s *Service) Settle(ctx context.Context, actor string, req SettleRequest) (Settlement, error) {
	if req.VendorID == "" {
		return Settlement{}, apierr.Invalid("vendor_id", "is required")
	}
	if err := checkAmount(req.Amount); err != nil {
		return Settlement{}, err
	}
	req.Reference = strings.TrimSpace(req.Reference)
	if req.Reference == "" || len(req.Reference) > 200 {
		return Settlement{}, apierr.Invalid("reference", "is required (the payout's reference, at most 200 characters)")
	}
	vendor, err := s.programs.Vendor(ctx, req.VendorID)
	if err != nil {
		return Settlement{}, err
	}
	if req.ProgramID == "" {
		owed, err := s.owedPrograms(ctx, req.VendorID)
		if err != nil {
			return Settlement{}, err
		}
		if len(owed) != 1 {
			return Settlement{}, apierr.Invalid("program_id", "is required: the vendor is owed in %d programs", len(owed))
		}
		req.ProgramID = owed[0]
	}
	prog, err := s.programs.ProgramInfo(ctx, req.ProgramID)
	if err != nil {
		return Settlement{}, err
	}
	row := settlementRow{ID: uuid.Must(uuid.NewV7()).String(), VendorID: vendor.ID, ProgramID: prog.ID, Amount: req.Amount,
		Reference: req.Reference, Status: StatusPending, CreatedBy: actor}
	err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := lockVendorAccount(tx, vendor.ID); err != nil {
			return err
		}
		// A reference whose settlements were reversed in full may be entered again: the payout
		// recorded with the wrong amount, taken back, then recorded right.
		var prior []settlementRow
		if err := tx.Select("id", "amount").Where("vendor_id = ? AND program_id = ? AND reference = ? AND status <> ?",
			vendor.ID, prog.ID, req.Reference, StatusFailed).Order("created_at").Find(&prior).Error; err != nil {
			return err
		}
		var net int64
		for _, p := range prior {
			net += p.Amount
		}
		if net > 0 {
			return ErrDuplicateReference.WithDetail("settlement_id", prior[0].ID)
		}
		unsettled, err := unsettledIn(tx, vendor.ID, prog.ID)
		if err != nil {
			return err
		}
		if req.Amount > unsettled {
			return ErrExceedsUnsettled.WithDetail("unsettled", unsettled)
		}
		return enqueueWith(ctx, s, tx, settlementRef(row.ID), ledgerABI.PackSettle(prog.ChainProgramID,
			common.HexToAddress(vendor.Address), big.NewInt(req.Amount), payoutRef(req.Reference)), &row, &row.IntentID)
	})
	if err != nil {
		return Settlement{}, err
	}
	return settlementView(awaitRow(ctx, s, row, row.ID, row.IntentID)), nil
}

// unsettledIn is what the shop is owed in a program and may still be paid or refunded: its
// confirmed redemptions less its settlements and refunds that have not failed (pending ones
// included, so that two of them can never together take more than the chain will have), plus
// its confirmed settlement reversals.
func unsettledIn(tx *gorm.DB, vendorID, programID string) (int64, error) {
	var redeemed, settled, refunded int64
	if err := tx.Model(&redemptionRow{}).Where("vendor_id = ? AND program_id = ? AND status = ?", vendorID, programID, StatusConfirmed).
		Select("COALESCE(SUM(amount), 0)").Scan(&redeemed).Error; err != nil {
		return 0, err
	}
	// Reversals (negative amounts) count once confirmed: until then the chain has not taken the
	// payout back.
	if err := tx.Model(&settlementRow{}).Where("vendor_id = ? AND program_id = ? AND status <> ? AND (amount > 0 OR status = ?)",
		vendorID, programID, StatusFailed, StatusConfirmed).
		Select("COALESCE(SUM(amount), 0)").Scan(&settled).Error; err != nil {
		return 0, err
	}
	if err := tx.Model(&refundRow{}).Where("vendor_id = ? AND program_id = ? AND status <> ?", vendorID, programID, StatusFailed).
		Select("COALESCE(SUM(amount), 0)").Scan(&refunded).Error; err != nil {
		return 0, err
	}
	return redeemed - settled - refunded, nil
}

func (s *Service) owedPrograms(ctx context.Context, vendorID string) ([]string, error) {
	var ids []string
	if err := s.db.WithContext(ctx).Model(&redemptionRow{}).Where("vendor_id = ? AND status = ?", vendorID, StatusConfirmed).
		Distinct().Pluck("program_id", &ids).Error; err != nil {
		return nil, err
	}
	var owed []string
	for _, id := range ids {
		u, err := unsettledIn(s.db.WithContext(ctx), vendorID, id)
		if err != nil {
			return nil, err
		}
		if u > 0 {
			owed = append(owed, id)
		}
	}
	return owed, nil
}

// onCallOutcome mirrors the outcomes of settlement and refund intents (call intents with a
// settlement or refund ref).
func (s *Service) onCallOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	for _, in := range intents {
		if ok, err := onRefundOutcome(tx, in); ok || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		id, ok := strings.CutPrefix(in.Ref, "settlement:")
		if !ok {
			continue
		}
		status := in.Outcome()
		if err := tx.Model(&settlementRow{}).Where("id = ?", id).Updates(map[string]any{
			"status": status, "reason": in.Reason, "tx_hash": in.TxHash, "block_number": in.BlockNumber, "updated_at": time.Now().UTC(),
		}).Error; err != nil {
			return fmt.Errorf("settlement %s outcome: %w", id, err)
		}
	}
	return nil
}
