package enroll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// ReplaceCard gives a beneficiary a new card number when their card is lost or stolen. The old
// number stops working at once: every redemption and balance check reads the card in its own
// transaction, nothing caches it, and a shop shown it is told it was replaced. The balance, the
// PIN and the history stay, because the chain knows the beneficiary by their pseudonym, never by
// their card. An erased record gets no card.
func (s *Service) ReplaceCard(ctx context.Context, id string) (Beneficiary, error) {
	for attempt := 0; ; attempt++ {
		var out beneficiaryRow
		err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
			r, err := s.liveRow(tx, id)
			if err != nil {
				return err
			}
			old, now := r.CardNumber, time.Now().UTC()
			r.CardNumber, r.UpdatedAt = newCardNumber(), now
			if retired, err := replaced(tx, r.CardNumber); err != nil {
				return err
			} else if retired {
				return errRetiredNumber
			}
			if err := tx.Create(&replacedCardRow{CardNumber: old, BeneficiaryID: id, ReplacedAt: now}).Error; err != nil {
				return err
			}
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
		// A random number that is taken already, or was someone's lost card: draw another.
		if !(store.IsUniqueViolation(err) || errors.Is(err, errRetiredNumber)) || attempt == 4 {
			return Beneficiary{}, fmt.Errorf("enroll: replace card of %s: %w", id, err)
		}
	}
}

var errRetiredNumber = errors.New("enroll: the new card number drawn is a replaced card's")

// replaced reports whether number was a card that has been replaced.
func replaced(db *gorm.DB, number string) (bool, error) {
	var n int64
	if err := db.Model(&replacedCardRow{}).Where("card_number = ?", number).Count(&n).Error; err != nil {
		return false, fmt.Errorf("enroll: lookup replaced card: %w", err)
	}
	return n > 0, nil
}

// unknownCard tells a card that was replaced from one that never was.
func (s *Service) unknownCard(ctx context.Context, number string) error {
	was, err := replaced(s.db.WithContext(ctx), number)
	switch {
	case err != nil:
		return err
	case was:
		return ErrCardReplaced
	}
	return ErrUnknownCard
}
