package redeem

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/spreadsheet"
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
}

func settlementView(r settlementRow) Settlement {
	return Settlement{ID: r.ID, VendorID: r.VendorID, ProgramID: r.ProgramID, Amount: r.Amount, Reference: r.Reference,
		Status: r.Status, Reason: r.Reason, TxHash: r.TxHash, BlockNumber: r.BlockNumber, CreatedAt: r.CreatedAt}
}

func settlementRef(id string) string { return "settlement:" + id }

// Settle records a settlement on chain; it cannot exceed the vendor's unsettled balance (confirmed
// redemptions minus settlements not failed), checked under a per-vendor lock.
func (s *Service) Settle(ctx context.Context, actor string, req SettleRequest) (Settlement, error) {
	if req.VendorID == "" {
		return Settlement{}, apierr.Invalid("vendor_id", "is required")
	}
	if req.Amount <= 0 || req.Amount > maxAmount {
		return Settlement{}, apierr.Invalid("amount", "must be a positive integer number of minor units")
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
		if store.DialectOf(tx) == store.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtext(?))", "settle:"+vendor.ID).Error; err != nil {
				return err
			}
		}
		var prior []string
		if err := tx.Model(&settlementRow{}).Where("vendor_id = ? AND program_id = ? AND reference = ? AND status <> ?",
			vendor.ID, prog.ID, req.Reference, StatusFailed).Limit(1).Pluck("id", &prior).Error; err != nil {
			return err
		}
		if len(prior) > 0 {
			return ErrDuplicateReference.WithDetail("settlement_id", prior[0])
		}
		unsettled, err := unsettledIn(tx, vendor.ID, prog.ID)
		if err != nil {
			return err
		}
		if req.Amount > unsettled {
			return ErrExceedsUnsettled.WithDetail("unsettled", unsettled)
		}
		ref := crypto.Keccak256Hash([]byte("payout:" + req.Reference))
		intents, err := s.p.Enqueue(ctx, tx, pipeline.CallIntent(settlementRef(row.ID),
			ledgerABI.PackSettle(prog.ChainProgramID, common.HexToAddress(vendor.Address), big.NewInt(req.Amount), ref)))
		if err != nil {
			return err
		}
		row.IntentID = intents[0].ID
		return tx.Create(&row).Error
	})
	if err != nil {
		return Settlement{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, s.cfg.ConfirmWait)
	_, _ = s.p.Wait(wctx, row.IntentID)
	cancel()
	// The settlement is accepted: its intent is stored and will be sent. If reading its status
	// back fails, answer with it as written (pending) rather than an error, which would release
	// the caller's Idempotency-Key and let a retry pay it a second time.
	written := row
	if err := s.db.WithContext(context.WithoutCancel(ctx)).Take(&row, "id = ?", row.ID).Error; err != nil {
		s.log.Warn("read settlement back", "settlement", row.ID, "err", err)
		return settlementView(written), nil
	}
	return settlementView(row), nil
}

func unsettledIn(tx *gorm.DB, vendorID, programID string) (int64, error) {
	var redeemed, settled int64
	if err := tx.Model(&redemptionRow{}).Where("vendor_id = ? AND program_id = ? AND status = ?", vendorID, programID, StatusConfirmed).
		Select("COALESCE(SUM(amount), 0)").Scan(&redeemed).Error; err != nil {
		return 0, err
	}
	if err := tx.Model(&settlementRow{}).Where("vendor_id = ? AND program_id = ? AND status <> ?", vendorID, programID, StatusFailed).
		Select("COALESCE(SUM(amount), 0)").Scan(&settled).Error; err != nil {
		return 0, err
	}
	return redeemed - settled, nil
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

// onSettleOutcome mirrors settlement intents' outcomes (call intents with a settlement ref).
func (s *Service) onSettleOutcome(tx *gorm.DB, intents []pipeline.Intent) error {
	for _, in := range intents {
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

// ProgramPosition is a vendor's position in one program.
type ProgramPosition struct {
	ProgramID string `json:"program_id"`
	Currency  string `json:"currency"`
	Decimals  int    `json:"decimals"`
	Redeemed  int64  `json:"redeemed"`
	Settled   int64  `json:"settled"`
	Unsettled int64  `json:"unsettled"`
}

// Statement is a vendor's account: totals over all time, and the movements within [from, to).
type Statement struct {
	VendorID    string            `json:"vendor_id"`
	Redeemed    int64             `json:"redeemed"`
	Settled     int64             `json:"settled"`
	Unsettled   int64             `json:"unsettled"`
	Programs    []ProgramPosition `json:"programs"`
	Redemptions []Redemption      `json:"redemptions"`
	Settlements []Settlement      `json:"settlements"`
}

// Statement builds a vendor's statement. Totals count confirmed redemptions and settlements only.
func (s *Service) Statement(ctx context.Context, vendorID string, from, to time.Time) (Statement, error) {
	if _, err := s.programs.Vendor(ctx, vendorID); err != nil {
		return Statement{}, err
	}
	db := s.db.WithContext(ctx)
	out := Statement{VendorID: vendorID, Programs: []ProgramPosition{}, Redemptions: []Redemption{}, Settlements: []Settlement{}}
	type sum struct {
		ProgramID string
		Total     int64
	}
	var red, set []sum
	if err := db.Model(&redemptionRow{}).Select("program_id, SUM(amount) AS total").Where("vendor_id = ? AND status = ?", vendorID, StatusConfirmed).
		Group("program_id").Scan(&red).Error; err != nil {
		return out, err
	}
	if err := db.Model(&settlementRow{}).Select("program_id, SUM(amount) AS total").Where("vendor_id = ? AND status = ?", vendorID, StatusConfirmed).
		Group("program_id").Scan(&set).Error; err != nil {
		return out, err
	}
	pos := map[string]*ProgramPosition{}
	get := func(id string) *ProgramPosition {
		if p, ok := pos[id]; ok {
			return p
		}
		p := &ProgramPosition{ProgramID: id}
		if prog, err := s.programs.ProgramInfo(ctx, id); err == nil {
			p.Currency, p.Decimals = prog.Currency, prog.Decimals
		}
		pos[id] = p
		return p
	}
	for _, r := range red {
		get(r.ProgramID).Redeemed = r.Total
	}
	for _, r := range set {
		get(r.ProgramID).Settled = r.Total
	}
	for _, p := range pos {
		p.Unsettled = p.Redeemed - p.Settled
		out.Redeemed, out.Settled, out.Unsettled = out.Redeemed+p.Redeemed, out.Settled+p.Settled, out.Unsettled+p.Unsettled
		out.Programs = append(out.Programs, *p)
	}
	q := db.Where("vendor_id = ?", vendorID)
	if !from.IsZero() {
		q = q.Where("created_at >= ?", from.UTC())
	}
	if !to.IsZero() {
		q = q.Where("created_at < ?", to.UTC())
	}
	var rrows []redemptionRow
	if err := q.Session(&gorm.Session{}).Order("created_at").Find(&rrows).Error; err != nil {
		return out, err
	}
	for _, r := range rrows {
		out.Redemptions = append(out.Redemptions, view(r))
	}
	var srows []settlementRow
	if err := q.Session(&gorm.Session{}).Order("created_at").Find(&srows).Error; err != nil {
		return out, err
	}
	for _, r := range srows {
		out.Settlements = append(out.Settlements, settlementView(r))
	}
	return out, nil
}

// WriteStatementCSV writes a statement's movements as CSV, one line per redemption or
// settlement, for a vendor's bookkeeping.
func WriteStatementCSV(w io.Writer, st Statement) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"type", "id", "created_at", "program_id", "amount", "category", "status", "reference", "tx_hash"})
	for _, r := range st.Redemptions {
		_ = cw.Write([]string{"redemption", r.ID, r.CreatedAt.Format(time.RFC3339), r.ProgramID, strconv.FormatInt(r.Amount, 10), r.Category, r.Status, "", r.TxHash})
	}
	for _, r := range st.Settlements {
		_ = cw.Write([]string{"settlement", r.ID, r.CreatedAt.Format(time.RFC3339), r.ProgramID, strconv.FormatInt(r.Amount, 10), "", r.Status, spreadsheet.Text(r.Reference), r.TxHash})
	}
	cw.Flush()
	return cw.Error()
}
