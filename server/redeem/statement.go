package redeem

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/spreadsheet"
)

// ProgramPosition is a vendor's position in one program.
type ProgramPosition struct {
	ProgramID string `json:"program_id"`
	Currency  string `json:"currency"`
	Decimals  int    `json:"decimals"`
	Redeemed  int64  `json:"redeemed"` // net of refunds
	Refunded  int64  `json:"refunded"`
	Settled   int64  `json:"settled"`
	Unsettled int64  `json:"unsettled"`
}

// Statement is a vendor's account: totals over all time, and the movements within [from, to).
type Statement struct {
	VendorID    string            `json:"vendor_id"`
	Redeemed    int64             `json:"redeemed"` // net of refunds
	Refunded    int64             `json:"refunded"`
	Settled     int64             `json:"settled"`
	Unsettled   int64             `json:"unsettled"`
	Programs    []ProgramPosition `json:"programs"`
	Redemptions []Redemption      `json:"redemptions"`
	Settlements []Settlement      `json:"settlements"`
	Refunds     []RefundView      `json:"refunds"`
}

// Statement builds a vendor's statement. Totals count confirmed redemptions, refunds and
// settlements only; redeemed is net of refunds, as the ledger keeps it.
func (s *Service) Statement(ctx context.Context, vendorID string, from, to time.Time) (Statement, error) {
	if _, err := s.programs.Vendor(ctx, vendorID); err != nil {
		return Statement{}, err
	}
	db := s.db.WithContext(ctx)
	out := Statement{VendorID: vendorID, Programs: []ProgramPosition{}, Redemptions: []Redemption{}, Settlements: []Settlement{}, Refunds: []RefundView{}}
	type sum struct {
		ProgramID string
		Total     int64
	}
	var red, set, ref []sum
	if err := db.Model(&redemptionRow{}).Select("program_id, SUM(amount) AS total").Where("vendor_id = ? AND status = ?", vendorID, StatusConfirmed).
		Group("program_id").Scan(&red).Error; err != nil {
		return out, err
	}
	if err := db.Model(&settlementRow{}).Select("program_id, SUM(amount) AS total").Where("vendor_id = ? AND status = ?", vendorID, StatusConfirmed).
		Group("program_id").Scan(&set).Error; err != nil {
		return out, err
	}
	if err := db.Model(&refundRow{}).Select("program_id, SUM(amount) AS total").Where("vendor_id = ? AND status = ?", vendorID, StatusConfirmed).
		Group("program_id").Scan(&ref).Error; err != nil {
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
	for _, r := range ref {
		p := get(r.ProgramID)
		p.Refunded = r.Total
		p.Redeemed -= r.Total
	}
	for _, p := range pos {
		p.Unsettled = p.Redeemed - p.Settled
		out.Redeemed, out.Refunded = out.Redeemed+p.Redeemed, out.Refunded+p.Refunded
		out.Settled, out.Unsettled = out.Settled+p.Settled, out.Unsettled+p.Unsettled
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
	var err error
	if out.Redemptions, err = viewsWithRefunds(db, rrows); err != nil {
		return out, err
	}
	var srows []settlementRow
	if err := q.Session(&gorm.Session{}).Order("created_at").Find(&srows).Error; err != nil {
		return out, err
	}
	for _, r := range srows {
		out.Settlements = append(out.Settlements, settlementView(r))
	}
	var frows []refundRow
	if err := q.Session(&gorm.Session{}).Order("created_at").Find(&frows).Error; err != nil {
		return out, err
	}
	for _, r := range frows {
		out.Refunds = append(out.Refunds, refundView(r))
	}
	return out, nil
}

// WriteStatementCSV writes a statement's movements as CSV, one line per redemption, refund or
// settlement, for a vendor's bookkeeping. A refund's amount is negative and its reference is the
// redemption it gives back.
func WriteStatementCSV(w io.Writer, st Statement) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"type", "id", "created_at", "program_id", "amount", "category", "status", "reference", "tx_hash"})
	for _, r := range st.Redemptions {
		_ = cw.Write([]string{"redemption", r.ID, r.CreatedAt.Format(time.RFC3339), r.ProgramID, strconv.FormatInt(r.Amount, 10), r.Category, r.Status, "", r.TxHash})
	}
	for _, r := range st.Refunds {
		_ = cw.Write([]string{"refund", r.ID, r.CreatedAt.Format(time.RFC3339), r.ProgramID, strconv.FormatInt(-r.Amount, 10), "", r.Status, r.RedemptionID, r.TxHash})
	}
	for _, r := range st.Settlements {
		_ = cw.Write([]string{"settlement", r.ID, r.CreatedAt.Format(time.RFC3339), r.ProgramID, strconv.FormatInt(r.Amount, 10), "", r.Status, spreadsheet.Text(r.Reference), r.TxHash})
	}
	cw.Flush()
	return cw.Error()
}
