package enroll

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
)

// CardRef names one card to print: no personal data (the card image carries the initials).
type CardRef struct {
	ID         string `json:"id"`
	CardNumber string `json:"card_number"` // formatted for reading, e.g. 1234-5678-901
}

// CardPage is a page of an import's cards, in the order the file listed the people.
type CardPage struct {
	Total int64     `json:"total"` // the import's beneficiaries with personal data (not erased)
	Cards []CardRef `json:"cards"`
	Next  string    `json:"next,omitempty"` // ?after= of the next page, when this one is full
}

// ImportCards lists the cards of the beneficiaries an import enrolled (erased ones excepted),
// limit at a time after the card whose beneficiary id is after ("" = from the first) and the skip
// cards after that, so an aid worker can print a whole file's cards in batches rather than one
// page per person, and take up again at the card where a batch stopped.
func (s *Service) ImportCards(ctx context.Context, importID, after string, skip, limit int) (CardPage, error) {
	out := CardPage{Cards: []CardRef{}}
	if skip < 0 {
		return out, apierr.Invalid("from", "must be 1 or more")
	}
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit < 1 || limit > MaxPageSize {
		return out, apierr.Invalid("limit", "must be from 1 to %d", MaxPageSize)
	}
	if after != "" {
		if _, err := uuid.Parse(after); err != nil {
			return out, apierr.Invalid("after", "must be the next of a previous page")
		}
	}
	db := s.db.WithContext(ctx)
	if ok, err := importExists(db, importID); err != nil {
		return out, fmt.Errorf("enroll: import cards: %w", err)
	} else if !ok {
		return out, apierr.ErrNotFound.Withf("no import %s", importID)
	}
	// ix_beneficiaries_import (import_id, id) serves both; UUIDv7 ids follow the file's order.
	of := func() *gorm.DB {
		return db.Model(&beneficiaryRow{}).Where("import_id = ? AND erased_at IS NULL", importID)
	}
	if err := of().Count(&out.Total).Error; err != nil {
		return out, fmt.Errorf("enroll: import cards: %w", err)
	}
	var rows []beneficiaryRow
	// A skip walks the index's entries of this import alone: a few thousand at most.
	if err := of().Select("id, card_number").Where("id > ?", after).Order("id").Offset(skip).Limit(limit).Find(&rows).Error; err != nil {
		return out, fmt.Errorf("enroll: import cards: %w", err)
	}
	for _, r := range rows {
		out.Cards = append(out.Cards, CardRef{ID: r.ID, CardNumber: FormatCardNumber(r.CardNumber)})
	}
	if len(rows) == limit {
		out.Next = rows[len(rows)-1].ID
	}
	return out, nil
}

// importExists tells whether an import with id was ever started.
func importExists(db *gorm.DB, id string) (bool, error) {
	err := db.Select("id").Take(&importRow{}, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	return err == nil, err
}

// MaxListedImports is how many imports ListImports returns.
const MaxListedImports = 50

// ListImports returns the latest imports, newest first, without their row errors (GetImport has
// them), so an aid worker can come back to one: to print its cards days later, say.
func (s *Service) ListImports(ctx context.Context) ([]Import, error) {
	if err := s.endAbandonedImports(ctx); err != nil {
		return nil, err
	}
	var rows []importRow
	if err := s.db.WithContext(ctx).Order("created_at DESC, id DESC").Limit(MaxListedImports).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("enroll: list imports: %w", err)
	}
	out := make([]Import, len(rows))
	for i, r := range rows {
		out[i] = importView(r, nil)
	}
	return out, nil
}
