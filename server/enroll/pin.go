package enroll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/store"
)

// ResetPIN sets a new PIN and unlocks the card.
func (s *Service) ResetPIN(ctx context.Context, id, pin string) error {
	if !validPIN(pin) {
		return apierr.Invalid("pin", "must be 4 to 8 digits")
	}
	res := s.db.WithContext(ctx).Model(&beneficiaryRow{}).Where("id = ?", id).Updates(map[string]any{
		"pin_hash": s.pinHash(id, pin), "pin_failures": 0, "pin_locked_at": nil, "updated_at": time.Now().UTC(),
	})
	if res.Error != nil {
		return fmt.Errorf("enroll: reset pin of %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return apierr.ErrNotFound.Withf("no beneficiary %s", id)
	}
	return nil
}

// CheckPIN verifies a PIN inside the caller's transaction (the redemption's). A right PIN resets
// the failure counter. A wrong one counts: ErrWrongPIN with Details["attempts_left"], and the
// MaxPINFailures-th locks the card (ErrCardLocked) until ResetPIN; a locked card refuses even
// the right PIN.
//
// The caller must COMMIT tx when CheckPIN returns ErrWrongPIN or ErrCardLocked (and only then
// report the error): rolling back would forget the failed attempt and lift the attempt limit.
// VerifyPIN does this for callers without a transaction of their own.
func (s *Service) CheckPIN(ctx context.Context, tx *gorm.DB, beneficiaryID, pin string) error {
	tx = tx.WithContext(ctx)
	var r beneficiaryRow
	err := tx.Select(pinColumns).Take(&r, "id = ?", beneficiaryID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apierr.ErrNotFound.Withf("no beneficiary %s", beneficiaryID)
	}
	if err != nil {
		return fmt.Errorf("enroll: check pin: %w", err)
	}
	if r.PINLockedAt != nil {
		return ErrCardLocked
	}
	if validPIN(pin) && s.pinMatches(r.ID, pin, r.PINHash) {
		if r.PINFailures != 0 {
			if err := tx.Model(&beneficiaryRow{}).Where("id = ?", r.ID).Update("pin_failures", 0).Error; err != nil {
				return fmt.Errorf("enroll: check pin: %w", err)
			}
		}
		return nil
	}
	// Increment in SQL rather than writing back what was read: two concurrent wrong PINs on
	// PostgreSQL then count twice (the row lock serializes them) instead of once.
	err = tx.Model(&beneficiaryRow{}).Where("id = ? AND pin_locked_at IS NULL", r.ID).
		Update("pin_failures", gorm.Expr("pin_failures + 1")).Error
	if err != nil {
		return fmt.Errorf("enroll: check pin: %w", err)
	}
	// A second statement rather than a CASE in the first: PostgreSQL types a parameter inside a
	// CASE as text, and the lock time must be a timestamp there.
	err = tx.Model(&beneficiaryRow{}).Where("id = ? AND pin_locked_at IS NULL AND pin_failures >= ?", r.ID, MaxPINFailures).
		Update("pin_locked_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("enroll: check pin: %w", err)
	}
	if err := tx.Select("pin_failures").Take(&r, "id = ?", r.ID).Error; err != nil {
		return fmt.Errorf("enroll: check pin: %w", err)
	}
	if r.PINFailures >= MaxPINFailures {
		s.log.WarnContext(ctx, "card locked after wrong PINs", "id", r.ID)
		return ErrCardLocked
	}
	return ErrWrongPIN.WithDetail("attempts_left", MaxPINFailures-r.PINFailures)
}

// ErrPINToCount is CheckPINs' answer, without a transaction to count it in, to an attempt that
// would be counted.
var ErrPINToCount = errors.New("enroll: a PIN attempt to count needs a transaction")

// PINAttempt is one PIN to check with CheckPINs.
type PINAttempt struct{ BeneficiaryID, PIN string }

// CheckPINs is CheckPIN for a group of attempts on cards read by ReadCards in the same
// transaction, in their order. It returns each attempt's verdict (nil, ErrWrongPIN or
// ErrCardLocked), or the error of a statement that failed, after which the transaction is of no
// use. The same rule holds: the caller commits tx to keep the failures counted.
//
// The common attempt (the right PIN on a card with no failures counted) reads and writes
// nothing more. Every other attempt, every attempt on a card named twice in the group and every
// attempt on a card not in cards goes through CheckPIN one by one, so counting and locking are
// exactly those of CheckPIN. With tx nil (a transaction whose statements go out in batches, which
// CheckPIN cannot run in) such an attempt makes CheckPINs return ErrPINToCount instead.
func (s *Service) CheckPINs(ctx context.Context, tx *gorm.DB, cards Cards, attempts []PINAttempt) ([]error, error) {
	if tx != nil {
		tx = tx.WithContext(ctx)
	}
	named := make(map[string]int, len(attempts))
	for _, a := range attempts {
		named[a.BeneficiaryID]++
	}
	verdicts := make([]error, len(attempts))
	for i, a := range attempts {
		if r := cards.byID[a.BeneficiaryID]; r != nil && named[r.ID] == 1 && r.PINLockedAt == nil && r.PINFailures == 0 &&
			validPIN(a.PIN) && s.pinMatches(r.ID, a.PIN, r.PINHash) {
			continue
		}
		if tx == nil {
			return nil, ErrPINToCount
		}
		v := s.CheckPIN(ctx, tx, a.BeneficiaryID, a.PIN)
		if v != nil && !errors.Is(v, ErrWrongPIN) && !errors.Is(v, ErrCardLocked) {
			return nil, v
		}
		verdicts[i] = v
	}
	return verdicts, nil
}

// pinColumns are what a PIN check reads of a card.
var pinColumns = []string{"id", "pin_hash", "pin_failures", "pin_locked_at"}

// VerifyPIN is CheckPIN in a transaction of its own, committed whatever the outcome.
func (s *Service) VerifyPIN(ctx context.Context, beneficiaryID, pin string) error {
	var verdict error
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		verdict = s.CheckPIN(ctx, tx, beneficiaryID, pin)
		if errors.Is(verdict, ErrWrongPIN) || errors.Is(verdict, ErrCardLocked) {
			return nil // commit the counted attempt
		}
		return verdict
	})
	if err != nil {
		return err
	}
	return verdict
}
