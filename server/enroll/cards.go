package enroll

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// Cards are the cards of a group of redemptions, read in the group's transaction in one
// statement: what ResolveCard would say of each, and what CheckPINs needs, without a statement
// per card. On PostgreSQL every statement is a round trip, and a lookup per redemption before
// its group was most of what the database did for it.
type Cards struct {
	byNumber map[string]*beneficiaryRow // by normalized card number
	byID     map[string]*beneficiaryRow
}

// ReadCards reads the cards with the given numbers (as typed; a malformed one is simply not
// found) in tx.
func (s *Service) ReadCards(ctx context.Context, tx *gorm.DB, numbers []string) (Cards, error) {
	cs := Cards{byNumber: make(map[string]*beneficiaryRow, len(numbers)), byID: make(map[string]*beneficiaryRow, len(numbers))}
	wanted := make([]string, 0, len(numbers))
	seen := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		if c, err := ParseCardNumber(n); err == nil && !seen[c] {
			seen[c] = true
			wanted = append(wanted, c)
		}
	}
	if len(wanted) == 0 {
		return cs, nil
	}
	var rows []beneficiaryRow
	err := tx.WithContext(ctx).Select(append([]string{"card_number", "chain_id", "status", "household_size"}, pinColumns...)).
		Where("card_number IN ?", wanted).Find(&rows).Error
	if err != nil {
		return Cards{}, fmt.Errorf("enroll: read %d cards: %w", len(wanted), err)
	}
	for i := range rows {
		cs.byNumber[rows[i].CardNumber], cs.byID[rows[i].ID] = &rows[i], &rows[i]
	}
	return cs, nil
}

// Card is what ResolveCard would return for the number: ErrInvalidCard, ErrUnknownCard or the
// card.
func (cs Cards) Card(number string) (Card, error) {
	c, err := ParseCardNumber(number)
	if err != nil {
		return Card{}, err
	}
	r := cs.byNumber[c]
	if r == nil {
		return Card{}, ErrUnknownCard
	}
	return cardOf(r), nil
}
