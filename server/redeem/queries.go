package redeem

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
)

// Get reads a redemption. vendorID, when not empty, restricts to that vendor's redemptions (a
// vendor asking for another's gets not found, not forbidden: ids are not to be probed).
func (s *Service) Get(ctx context.Context, id, vendorID string) (Redemption, error) {
	r, err := s.row(ctx, id, vendorID)
	if err != nil {
		return Redemption{}, err
	}
	out := view(r)
	out.Refunded, err = refundedOf(s.db.WithContext(ctx), r.ID)
	return out, err
}

// row reads a redemption's row, limited to vendorID's as Get is.
func (s *Service) row(ctx context.Context, id, vendorID string) (redemptionRow, error) {
	var r redemptionRow
	q := s.db.WithContext(ctx).Where("id = ?", id)
	if vendorID != "" {
		q = q.Where("vendor_id = ?", vendorID)
	}
	err := q.Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, apierr.ErrNotFound
	}
	return r, err
}

// Filter selects redemptions.
type Filter struct {
	VendorID      string    // "" = every vendor
	BeneficiaryID string    // "" = every beneficiary
	From, To      time.Time // created_at in [From, To); zero = open
	Page          int       // from 1
	PageSize      int       // default 50, at most 500
}

// Page is one page of redemptions, newest first.
type Page struct {
	Redemptions []Redemption `json:"redemptions"`
	Total       int64        `json:"total"`
	Page        int          `json:"page"`
	PageSize    int          `json:"page_size"`
}

// List pages through redemptions, newest first.
func (s *Service) List(ctx context.Context, f Filter) (Page, error) {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.PageSize <= 0 {
		f.PageSize = 50
	}
	f.PageSize = min(f.PageSize, 500)
	q := s.db.WithContext(ctx).Model(&redemptionRow{})
	if f.VendorID != "" {
		q = q.Where("vendor_id = ?", f.VendorID)
	}
	if f.BeneficiaryID != "" {
		q = q.Where("beneficiary_id = ?", f.BeneficiaryID) // ix_redemptions_holder leads with it
	}
	if !f.From.IsZero() {
		q = q.Where("created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("created_at < ?", f.To.UTC())
	}
	out := Page{Page: f.Page, PageSize: f.PageSize, Redemptions: []Redemption{}}
	if err := q.Count(&out.Total).Error; err != nil {
		return out, err
	}
	var rows []redemptionRow
	if err := q.Order("created_at DESC, id DESC").Offset((f.Page - 1) * f.PageSize).Limit(f.PageSize).Find(&rows).Error; err != nil {
		return out, err
	}
	var err error
	out.Redemptions, err = viewsWithRefunds(s.db.WithContext(ctx), rows)
	return out, err
}

// viewsWithRefunds shows rows with what refunds that have not failed gave back of each: one
// query for them all.
func viewsWithRefunds(db *gorm.DB, rows []redemptionRow) ([]Redemption, error) {
	out := make([]Redemption, 0, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var refunded []struct {
		RedemptionID string
		Total        int64
	}
	// A statement can list a shop's sales of months: a thousand ids a query stays far below
	// both databases' limits on bound parameters.
	for from := 0; from < len(ids); from += 1000 {
		var part []struct {
			RedemptionID string
			Total        int64
		}
		if err := db.Model(&refundRow{}).Select("redemption_id, SUM(amount) AS total").
			Where("redemption_id IN ? AND status <> ?", ids[from:min(from+1000, len(ids))], StatusFailed).Group("redemption_id").Scan(&part).Error; err != nil {
			return nil, err
		}
		refunded = append(refunded, part...)
	}
	given := make(map[string]int64, len(refunded))
	for _, r := range refunded {
		given[r.RedemptionID] = r.Total
	}
	for _, r := range rows {
		v := view(r)
		v.Refunded = given[r.ID]
		out = append(out, v)
	}
	return out, nil
}

// CardProgram is a program a card holds an entitlement in.
type CardProgram struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
	Decimals int    `json:"decimals"`
}

// CardInfo is what a vendor's screen shows before the PIN: enough to greet, nothing more.
type CardInfo struct {
	CardNumber  string        `json:"card_number"`
	Status      string        `json:"status"`
	Programs    []CardProgram `json:"programs"`
	DisplayName string        `json:"display_name"`
	PINLocked   bool          `json:"pin_locked"`
}

// Card describes a card for a vendor: status, programs, initials only.
func (s *Service) Card(ctx context.Context, cardNumber string) (CardInfo, error) {
	card, err := s.cards.LookupCard(ctx, cardNumber)
	if err != nil {
		return CardInfo{}, err
	}
	ents, err := s.programs.Entitlements(ctx, card.ID)
	if err != nil {
		return CardInfo{}, err
	}
	out := CardInfo{CardNumber: card.CardNumber, Status: card.Status, DisplayName: card.Initials, PINLocked: card.PINLocked, Programs: []CardProgram{}}
	for _, e := range ents {
		p, err := s.programs.ProgramInfo(ctx, e.ProgramID)
		if err != nil {
			return CardInfo{}, err
		}
		out.Programs = append(out.Programs, CardProgram{ID: p.ID, Name: p.Name, Currency: p.Currency, Decimals: p.Decimals})
	}
	return out, nil
}

// Balance is a card's spendable balance in one program.
type Balance struct {
	CardProgram
	Available int64 `json:"available"` // confirmed allocation − confirmed and pending redemptions + confirmed refunds
	Pending   int64 `json:"pending"`   // reserved by redemptions the chain has not confirmed yet
}

// Balances checks the PIN (same attempt limits as a redemption, the card's and the shop's) and
// returns the card's balances.
func (s *Service) Balances(ctx context.Context, vendorID, cardNumber, pin string) ([]Balance, error) {
	card, err := s.cards.ResolveCard(ctx, cardNumber)
	if err != nil {
		return nil, err
	}
	if pin == "" {
		return nil, apierr.Invalid("pin", "is required")
	}
	if err := s.pins.check(vendorID); err != nil {
		return nil, err
	}
	if err := s.cards.VerifyPIN(ctx, card.ID, pin); err != nil {
		s.countWrongPIN(ctx, vendorID, err)
		return nil, err
	}
	return s.balancesOf(ctx, card.ID)
}

// BalancesOf returns a beneficiary's balances per program (for aid workers; no PIN).
func (s *Service) BalancesOf(ctx context.Context, beneficiaryID string) ([]Balance, error) {
	return s.balancesOf(ctx, beneficiaryID)
}

func (s *Service) balancesOf(ctx context.Context, beneficiaryID string) ([]Balance, error) {
	ents, err := s.programs.Entitlements(ctx, beneficiaryID)
	if err != nil {
		return nil, err
	}
	var sums []struct {
		ProgramID string
		Status    string
		Total     int64
	}
	if err := s.db.WithContext(ctx).Model(&redemptionRow{}).Select("program_id, status, SUM(amount) AS total").
		Where("beneficiary_id = ? AND status IN ?", beneficiaryID, []string{StatusPending, StatusConfirmed}).
		Group("program_id, status").Scan(&sums).Error; err != nil {
		return nil, err
	}
	var refunds []struct {
		ProgramID string
		Total     int64
	}
	if err := s.db.WithContext(ctx).Model(&refundRow{}).Select("program_id, SUM(amount) AS total").
		Where("beneficiary_id = ? AND status = ?", beneficiaryID, StatusConfirmed).Group("program_id").Scan(&refunds).Error; err != nil {
		return nil, err
	}
	out := []Balance{}
	for _, e := range ents {
		p, err := s.programs.ProgramInfo(ctx, e.ProgramID)
		if err != nil {
			return nil, err
		}
		b := Balance{CardProgram: CardProgram{ID: p.ID, Name: p.Name, Currency: p.Currency, Decimals: p.Decimals}, Available: e.AllocatedConfirmed}
		for _, sm := range sums {
			if sm.ProgramID == e.ProgramID {
				b.Available -= sm.Total
				if sm.Status == StatusPending {
					b.Pending = sm.Total
				}
			}
		}
		for _, r := range refunds {
			if r.ProgramID == e.ProgramID {
				b.Available += r.Total
			}
		}
		out = append(out, b)
	}
	return out, nil
}
