package enroll

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// ReplaceCard gives a beneficiary a new card number when their card is lost or stolen. The old
// number stops working at once: every redemption and balance check reads the card in its own
// transaction, nothing caches it. The balance, the PIN and the history stay, because the chain
// knows the beneficiary by their pseudonym, never by their card. An erased record gets no card.
func (s *Service) ReplaceCard(ctx context.Context, id string) (Beneficiary, error) {
	for attempt := 0; ; attempt++ {
		var out beneficiaryRow
		err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
			r, err := s.row(tx, id)
			if err != nil {
				return err
			}
			if r.ErasedAt != nil {
				return ErrErased
			}
			r.CardNumber, r.UpdatedAt = newCardNumber(), time.Now().UTC()
			if err := tx.Model(&beneficiaryRow{}).Where("id = ?", id).
				Updates(map[string]any{"card_number": r.CardNumber, "updated_at": r.UpdatedAt}).Error; err != nil {
				return err
			}
			out = r
			return nil
		})
		if err == nil {
			s.log.InfoContext(ctx, "beneficiary card replaced", "id", id)
			return s.view(&out)
		}
		// A random number that is taken already: draw another.
		if !store.IsUniqueViolation(err) || attempt == 4 {
			return Beneficiary{}, fmt.Errorf("enroll: replace card of %s: %w", id, err)
		}
	}
}
