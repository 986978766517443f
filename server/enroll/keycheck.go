package enroll

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ErrKeysMismatch: the service was given keys other than those that sealed its database.
var ErrKeysMismatch = errors.New("the keys are not the ones this database was sealed with")

// fingerprints names each key by a one-way fingerprint: enough to tell two keys apart, nothing
// about the key.
func fingerprints(k Keys) map[string]string {
	out := map[string]string{}
	for name, key := range map[string][]byte{"master": k.Master, "lookup": k.Lookup, "pin": k.PIN} {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("aidledger/enroll/key-fingerprint/v1"))
		out[name] = hex.EncodeToString(m.Sum(nil)[:8])
	}
	return out
}

// checkKeys refuses keys other than those the database records, and records k in a database
// that records none. A wrong PIN key would count every PIN as wrong and lock the cards; a wrong
// master or lookup key would seal new rows that nothing else opens and miss every duplicate.
func checkKeys(ctx context.Context, db *gorm.DB, k *keys, in Keys) error {
	db = db.WithContext(ctx)
	var got []keyFingerprintRow
	if err := db.Find(&got).Error; err != nil {
		return fmt.Errorf("read key fingerprints: %w", err)
	}
	want := fingerprints(in)
	if len(got) == 0 {
		// First start with fingerprints (a new database, or one from before they were kept):
		// the keys must at least open a beneficiary already there.
		if err := k.opensAnyRow(db); err != nil {
			return err
		}
		rows := make([]keyFingerprintRow, 0, len(want))
		for name, fp := range want {
			rows = append(rows, keyFingerprintRow{Name: name, Fingerprint: fp})
		}
		// DoNothing: a replica starting at the same moment may record first; read back and compare.
		if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
			return fmt.Errorf("record key fingerprints: %w", err)
		}
		if err := db.Find(&got).Error; err != nil {
			return fmt.Errorf("read key fingerprints: %w", err)
		}
	}
	var differ []string
	for _, r := range got {
		if want[r.Name] != r.Fingerprint {
			differ = append(differ, r.Name)
		}
	}
	if len(differ) > 0 {
		slices.Sort(differ)
		return fmt.Errorf("%w: the %s key differs (is this the database's own secrets.json? after `aidledger rotate-keys`, every server sharing the database needs the new one)",
			ErrKeysMismatch, strings.Join(differ, " and "))
	}
	return nil
}

// opensAnyRow checks the master and lookup keys against one live beneficiary, if there is one.
func (k *keys) opensAnyRow(db *gorm.DB) error {
	var r beneficiaryRow
	err := db.Select("id, wrapped_key, personal, name_key").Where("erased_at IS NULL").Limit(1).Find(&r).Error
	if err != nil || r.ID == "" {
		return err
	}
	p, err := k.openPersonal(r.ID, r.WrappedKey, r.Personal)
	if err != nil {
		return fmt.Errorf("%w: the master key does not open the beneficiaries' data", ErrKeysMismatch)
	}
	if !bytes.Equal(k.nameHash(p), r.NameKey) {
		return fmt.Errorf("%w: the lookup key does not give the recorded hashes", ErrKeysMismatch)
	}
	return nil
}

// recordedAreOneOf refuses a database whose recorded keys are neither a's nor b's.
func recordedAreOneOf(tx *gorm.DB, a, b Keys) error {
	var got []keyFingerprintRow
	if err := tx.Find(&got).Error; err != nil {
		return fmt.Errorf("read key fingerprints: %w", err)
	}
	fa, fb := fingerprints(a), fingerprints(b)
	for _, r := range got {
		if r.Fingerprint != fa[r.Name] && r.Fingerprint != fb[r.Name] {
			return fmt.Errorf("%w: its %s key is neither the old one nor the new (is this the database's own secrets.json?)", ErrKeysMismatch, r.Name)
		}
	}
	return nil
}

// recordKeys replaces the recorded fingerprints with k's.
func recordKeys(tx *gorm.DB, k Keys) error {
	for name, fp := range fingerprints(k) {
		err := tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&keyFingerprintRow{Name: name, Fingerprint: fp}).Error
		if err != nil {
			return fmt.Errorf("record key fingerprints: %w", err)
		}
	}
	return nil
}
