package enroll

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// rekeyBatch is the beneficiaries re-sealed per transaction (a variable for tests).
var rekeyBatch = 500

// afterRekeyBatch, when set by a test, runs after each committed batch; an error stops Rekey
// there, as a crash would.
var afterRekeyBatch func(done int) error

// RekeyStats counts what Rekey did.
type RekeyStats struct {
	Resealed int `json:"resealed"` // beneficiaries whose data key or lookup hashes were sealed again
	Current  int `json:"current"`  // already under the new keys (a rotation run again after a crash)
	Erased   int `json:"erased"`   // erased beneficiaries: nothing to seal
}

// Rekey seals every beneficiary's personal data under to instead of from. Each data key is
// unwrapped with from's master key and wrapped with to's; the personal data, sealed by the data
// key, stays as it is (so a row is rewritten, not re-encrypted). The lookup and name hashes are
// computed again with to's lookup key from the sealed data. The PIN key cannot change: PIN
// hashes cannot be computed without the PINs.
//
// It first records to's fingerprints, so a server still holding from refuses to start from then
// on. It is idempotent (a row already under to is left alone), so a rotation cut short is
// finished by running it again with the same keys. No server may use db while it runs.
func Rekey(ctx context.Context, db *gorm.DB, from, to Keys) (RekeyStats, error) {
	var st RekeyStats
	if !bytes.Equal(from.PIN, to.PIN) {
		return st, errors.New("rekey: the PIN key cannot be rotated (PIN hashes cannot be computed again without the PINs)")
	}
	fk, err := newKeys(from)
	if err != nil {
		return st, fmt.Errorf("rekey: old keys: %w", err)
	}
	tk, err := newKeys(to)
	if err != nil {
		return st, fmt.Errorf("rekey: new keys: %w", err)
	}
	relookup := !bytes.Equal(from.Lookup, to.Lookup)
	err = store.InTx(ctx, db, func(tx *gorm.DB) error {
		// The database must be sealed under from (or, in a rotation run again, partly under to):
		// another data directory's keys would make every row unreadable here.
		if err := recordedAreOneOf(tx, from, to); err != nil {
			return err
		}
		return recordKeys(tx, to)
	})
	if err != nil {
		return st, fmt.Errorf("rekey: %w", err)
	}
	var erased int64
	if err := db.WithContext(ctx).Model(&beneficiaryRow{}).Where("erased_at IS NOT NULL").Count(&erased).Error; err != nil {
		return st, fmt.Errorf("rekey: %w", err)
	}
	st.Erased = int(erased)
	after := ""
	for {
		var n int
		err := store.InTx(ctx, db, func(tx *gorm.DB) error {
			var rows []beneficiaryRow
			err := tx.Select("id, wrapped_key, personal, name_key").Where("id > ? AND erased_at IS NULL", after).
				Order("id").Limit(rekeyBatch).Find(&rows).Error
			if err != nil || len(rows) == 0 {
				return err
			}
			n, after = len(rows), rows[len(rows)-1].ID
			var lookupsOf []string
			var lookups []lookupRow
			for _, r := range rows {
				wrapped, nameKey, p, err := rekeyRow(fk, tk, &r, relookup)
				if err != nil {
					return err
				}
				if bytes.Equal(wrapped, r.WrappedKey) && bytes.Equal(nameKey, r.NameKey) {
					st.Current++
					continue
				}
				if err := tx.Model(&beneficiaryRow{}).Where("id = ?", r.ID).
					Updates(map[string]any{"wrapped_key": wrapped, "name_key": nameKey}).Error; err != nil {
					return err
				}
				if !bytes.Equal(nameKey, r.NameKey) {
					lookupsOf, lookups = append(lookupsOf, r.ID), append(lookups, tk.lookups(r.ID, p)...)
				}
				st.Resealed++
			}
			if len(lookupsOf) == 0 {
				return nil
			}
			if err := tx.Where("beneficiary_id IN ?", lookupsOf).Delete(&lookupRow{}).Error; err != nil {
				return err
			}
			return tx.CreateInBatches(&lookups, 300).Error
		})
		if err != nil {
			return st, fmt.Errorf("rekey after %q: %w", after, err)
		}
		if n == 0 {
			return st, nil
		}
		if afterRekeyBatch != nil {
			if err := afterRekeyBatch(st.Resealed + st.Current); err != nil {
				return st, err
			}
		}
	}
}

// rekeyRow is a row's data key wrapped by tk's master key and, when the lookup key changes, its
// personal data and name hash under tk's lookup key (else the row's own name hash).
func rekeyRow(fk, tk *keys, r *beneficiaryRow, relookup bool) (wrapped, nameKey []byte, p personal, err error) {
	wrapped, nameKey = r.WrappedKey, r.NameKey
	if _, err := open(tk.master, r.WrappedKey, dekAAD(r.ID)); err != nil {
		dek, err := open(fk.master, r.WrappedKey, dekAAD(r.ID))
		if err != nil {
			return nil, nil, p, fmt.Errorf("the data key of %s opens under neither the old nor the new master key", r.ID)
		}
		wrapped = seal(tk.master, dek, dekAAD(r.ID))
	}
	if relookup {
		if p, err = tk.openPersonal(r.ID, wrapped, r.Personal); err != nil {
			return nil, nil, p, err
		}
		nameKey = tk.nameHash(p)
	}
	return wrapped, nameKey, p, nil
}
