package enroll

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
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
	var b store.Batch
	read := QueueCards(&b, tx.WithContext(ctx), numbers)
	if err := b.Run(); err != nil {
		return Cards{}, fmt.Errorf("enroll: read %d cards: %w", len(numbers), err)
	}
	return read.Cards(), nil
}

// CardsRead is a read of cards queued in a batch: Cards gives them once the batch has run.
type CardsRead struct {
	rows []beneficiaryRow
}

// QueueCards queues in b the read of the cards with the given numbers (as ReadCards), built on
// db: the transaction, or a pipelined transaction's dry-run session.
func QueueCards(b *store.Batch, db *gorm.DB, numbers []string) *CardsRead {
	read := &CardsRead{}
	wanted := make([]string, 0, len(numbers))
	seen := make(map[string]bool, len(numbers))
	for _, n := range numbers {
		if c, err := ParseCardNumber(n); err == nil && !seen[c] {
			seen[c] = true
			wanted = append(wanted, c)
		}
	}
	if len(wanted) == 0 {
		return read
	}
	store.Query(b, db.Raw("SELECT card_number, chain_id, status, household_size, "+strings.Join(pinColumns, ", ")+
		" FROM beneficiaries WHERE card_number IN ?", store.PadIn(db, wanted)), &read.rows)
	return read
}

// Cards are the cards read.
func (r *CardsRead) Cards() Cards {
	cs := Cards{byNumber: make(map[string]*beneficiaryRow, len(r.rows)), byID: make(map[string]*beneficiaryRow, len(r.rows))}
	for i := range r.rows {
		cs.byNumber[r.rows[i].CardNumber], cs.byID[r.rows[i].ID] = &r.rows[i], &r.rows[i]
	}
	return cs
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
