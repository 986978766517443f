package enroll

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/bindings/aidledger"
	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

var ledgerABI = aidledger.NewAidLedger()

// Beneficiary is the full view for aid workers and admins. Personal fields are empty once erased.
type Beneficiary struct {
	ID            string     `json:"id"`
	CardNumber    string     `json:"card_number"` // grouped for display: "1234-5678-901"
	ChainID       string     `json:"chain_id"`    // the on-chain pseudonym, 0x-hex
	Status        string     `json:"status"`
	GivenName     string     `json:"given_name,omitempty"`
	FamilyName    string     `json:"family_name,omitempty"`
	DateOfBirth   string     `json:"date_of_birth,omitempty"`
	NationalID    string     `json:"national_id,omitempty"`
	Phone         string     `json:"phone,omitempty"`
	HouseholdSize int        `json:"household_size"`
	Location      string     `json:"location"`
	PINLocked     bool       `json:"pin_locked"`
	Erased        bool       `json:"erased"`
	ErasedAt      *time.Time `json:"erased_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

func (s *Service) view(r *beneficiaryRow) (Beneficiary, error) {
	b := Beneficiary{
		ID: r.ID, CardNumber: FormatCardNumber(r.CardNumber), ChainID: r.ChainID, Status: r.Status,
		HouseholdSize: r.HouseholdSize, Location: r.Location, PINLocked: r.PINLockedAt != nil,
		Erased: r.ErasedAt != nil, ErasedAt: r.ErasedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.ErasedAt != nil {
		return b, nil
	}
	p, err := s.openPersonal(r.ID, r.WrappedKey, r.Personal)
	if err != nil {
		return b, fmt.Errorf("enroll: %w", err)
	}
	b.GivenName, b.FamilyName, b.DateOfBirth, b.NationalID, b.Phone =
		p.GivenName, p.FamilyName, p.DateOfBirth, p.NationalID, p.Phone
	return b, nil
}

// newRow builds a new beneficiary's row: fresh id, card number, chain pseudonym and data key.
func (s *Service) newRow(p *prepared, now time.Time) beneficiaryRow {
	id := uuid.Must(uuid.NewV7()).String()
	wrapped, sealed := s.sealPersonal(id, p.personal)
	return beneficiaryRow{
		ID: id, CardNumber: newCardNumber(), ChainID: randomChainID(), Status: StatusActive,
		HouseholdSize: p.household, Location: p.location, WrappedKey: wrapped, Personal: sealed,
		NameKey: s.nameHash(p.personal), PINHash: s.pinHash(id, p.pin),
		CreatedAt: now, UpdatedAt: now,
	}
}

// duplicateOf returns ErrDuplicate naming the beneficiary (other than except) that already holds
// one of lks, or nil.
func duplicateOf(tx *gorm.DB, lks []lookupRow, except string) error {
	for _, lk := range lks {
		var found lookupRow
		err := tx.Where("kind = ? AND hash = ?", lk.Kind, lk.Hash).Take(&found).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if found.BeneficiaryID != except {
			return ErrDuplicate.WithDetail("existing_id", found.BeneficiaryID).WithDetail("rule", lk.Kind)
		}
	}
	return nil
}

// Enroll validates, deduplicates and stores a new beneficiary. Nothing goes on chain: an
// allocation is what makes a beneficiary exist there.
func (s *Service) Enroll(ctx context.Context, in Input) (Beneficiary, error) {
	p, errs := s.prepare(in)
	if len(errs) > 0 {
		return Beneficiary{}, errs[0]
	}
	row := s.newRow(&p, time.Now().UTC())
	lks := s.lookups(row.ID, p.personal)
	for attempt := 0; ; attempt++ {
		err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
			if err := duplicateOf(tx, lks, ""); err != nil {
				return err
			}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			return tx.Create(&lks).Error
		})
		if err == nil {
			break
		}
		if !store.IsUniqueViolation(err) || attempt == 4 {
			return Beneficiary{}, fmt.Errorf("enroll: %w", err)
		}
		// A concurrent enrollment of the same person won the unique (kind, hash) key, or the
		// random card number is taken: tell which, outside the failed transaction.
		if err := duplicateOf(s.db.WithContext(ctx), lks, ""); err != nil {
			return Beneficiary{}, fmt.Errorf("enroll: %w", err)
		}
		row.CardNumber, row.ChainID = newCardNumber(), randomChainID()
	}
	s.log.InfoContext(ctx, "beneficiary enrolled", "id", row.ID)
	return s.view(&row)
}

// liveRow is row, refusing an erased record: there is nothing left to correct or to carry.
func (s *Service) liveRow(tx *gorm.DB, id string) (beneficiaryRow, error) {
	r, err := s.row(tx, id)
	if err == nil && r.ErasedAt != nil {
		return r, ErrErased
	}
	return r, err
}

func (s *Service) row(tx *gorm.DB, id string) (beneficiaryRow, error) {
	var r beneficiaryRow
	err := tx.Take(&r, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, apierr.ErrNotFound.Withf("no beneficiary %s", id)
	}
	if err != nil {
		return r, fmt.Errorf("enroll: read beneficiary %s: %w", id, err)
	}
	return r, nil
}

// Get returns a beneficiary with personal fields decrypted.
func (s *Service) Get(ctx context.Context, id string) (Beneficiary, error) {
	r, err := s.row(s.db.WithContext(ctx), id)
	if err != nil {
		return Beneficiary{}, err
	}
	return s.view(&r)
}

// Patch changes only the fields given (PATCH semantics). The PIN has its own operation.
type Patch struct {
	GivenName     *string `json:"given_name,omitempty"`
	FamilyName    *string `json:"family_name,omitempty"`
	DateOfBirth   *string `json:"date_of_birth,omitempty"`
	NationalID    *string `json:"national_id,omitempty"` // "" removes it
	Phone         *string `json:"phone,omitempty"`       // "" removes it
	HouseholdSize *int    `json:"household_size,omitempty"`
	Location      *string `json:"location,omitempty"`
}

// Update applies a patch: re-validates, re-encrypts under a fresh data key, recomputes the
// lookup hashes and checks them against every other beneficiary.
func (s *Service) Update(ctx context.Context, id string, patch Patch) (Beneficiary, error) {
	var out beneficiaryRow
	var lks []lookupRow
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		r, err := s.liveRow(tx, id)
		if err != nil {
			return err
		}
		cur, err := s.openPersonal(r.ID, r.WrappedKey, r.Personal)
		if err != nil {
			return err
		}
		in := Input{
			GivenName: cur.GivenName, FamilyName: cur.FamilyName, DateOfBirth: cur.DateOfBirth,
			NationalID: cur.NationalID, Phone: cur.Phone, HouseholdSize: r.HouseholdSize,
			Location: r.Location, PIN: "0000", // unchanged; only satisfies validation
		}
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&in.GivenName, patch.GivenName)
		set(&in.FamilyName, patch.FamilyName)
		set(&in.DateOfBirth, patch.DateOfBirth)
		set(&in.NationalID, patch.NationalID)
		set(&in.Phone, patch.Phone)
		set(&in.Location, patch.Location)
		if patch.HouseholdSize != nil {
			in.HouseholdSize = *patch.HouseholdSize
		}
		p, errs := s.prepare(in)
		if len(errs) > 0 {
			return errs[0]
		}
		lks = s.lookups(id, p.personal)
		if err := duplicateOf(tx, lks, id); err != nil {
			return err
		}
		if err := tx.Where("beneficiary_id = ?", id).Delete(&lookupRow{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&lks).Error; err != nil {
			return err
		}
		r.WrappedKey, r.Personal = s.sealPersonal(id, p.personal)
		r.NameKey = s.nameHash(p.personal)
		r.HouseholdSize, r.Location, r.UpdatedAt = p.household, p.location, time.Now().UTC()
		res := tx.Model(&beneficiaryRow{}).Where("id = ? AND erased_at IS NULL", id).Updates(map[string]any{
			"wrapped_key": r.WrappedKey, "personal": r.Personal, "name_key": r.NameKey,
			"household_size": r.HouseholdSize, "location": r.Location, "updated_at": r.UpdatedAt,
		})
		if res.Error != nil {
			return res.Error
		}
		out = r
		return nil
	})
	if store.IsUniqueViolation(err) {
		// Lost a race with a concurrent enrollment of the same person.
		if derr := duplicateOf(s.db.WithContext(ctx), lks, id); derr != nil {
			err = derr
		}
	}
	if err != nil {
		return Beneficiary{}, fmt.Errorf("enroll: update %s: %w", id, err)
	}
	return s.view(&out)
}

// Suspend stops a beneficiary from redeeming and from receiving allocations: the status changes
// in the database and, in the same transaction, the ledger's suspendBeneficiary call is queued,
// so both happen or neither. Suspending a suspended beneficiary changes nothing.
func (s *Service) Suspend(ctx context.Context, id string) (Beneficiary, error) {
	return s.setStatus(ctx, id, StatusActive, StatusSuspended, "suspend", ledgerABI.PackSuspendBeneficiary)
}

// Reinstate undoes Suspend, in the database and on chain.
func (s *Service) Reinstate(ctx context.Context, id string) (Beneficiary, error) {
	return s.setStatus(ctx, id, StatusSuspended, StatusActive, "reinstate", ledgerABI.PackReinstateBeneficiary)
}

func (s *Service) setStatus(ctx context.Context, id, from, to, action string, pack func([32]byte) []byte) (Beneficiary, error) {
	var out beneficiaryRow
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		r, err := s.row(tx, id)
		if err != nil {
			return err
		}
		if r.Status == to {
			out = r
			return nil
		}
		now := time.Now().UTC()
		res := tx.Model(&beneficiaryRow{}).Where("id = ? AND status = ? AND status_version = ?", id, from, r.StatusVersion).
			Updates(map[string]any{"status": to, "status_version": r.StatusVersion + 1, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apierr.ErrConflict.Withf("the beneficiary's status changed meanwhile; try again")
		}
		// The version makes each change's ref unique: suspend, reinstate, suspend again are
		// three intents, while a retried call of one change is the same intent.
		ref := fmt.Sprintf("beneficiary:%s:%s:%d", id, action, r.StatusVersion+1)
		if _, err := s.p.Enqueue(ctx, tx, pipeline.CallIntent(ref, pack(common.HexToHash(r.ChainID)))); err != nil {
			return err
		}
		r.Status, r.StatusVersion, r.UpdatedAt = to, r.StatusVersion+1, now
		out = r
		return nil
	})
	if err != nil {
		return Beneficiary{}, fmt.Errorf("enroll: %s %s: %w", action, id, err)
	}
	s.log.InfoContext(ctx, "beneficiary status changed", "id", id, "status", out.Status)
	return s.view(&out)
}

// ErasePersonalData destroys the person's data key, sealed data and lookup hashes: what remains
// (card number, chain pseudonym, status, household size, location, ledger history) no longer
// identifies anyone. It cannot be undone. Erasing twice is harmless.
//
// On SQLite, overwritten pages may linger in the WAL or free list until checkpointed and reused;
// the data there is still sealed, but the master key could open it, so deployments that must
// guarantee erasure should enable secure_delete or rotate the master key.
func (s *Service) ErasePersonalData(ctx context.Context, id string) (Beneficiary, error) {
	var out beneficiaryRow
	err := store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		r, err := s.row(tx, id)
		if err != nil {
			return err
		}
		if r.ErasedAt == nil {
			now := time.Now().UTC()
			if err := tx.Where("beneficiary_id = ?", id).Delete(&lookupRow{}).Error; err != nil {
				return err
			}
			err := tx.Model(&beneficiaryRow{}).Where("id = ?", id).Updates(map[string]any{
				"wrapped_key": nil, "personal": nil, "name_key": nil, "erased_at": now, "updated_at": now,
			}).Error
			if err != nil {
				return err
			}
			r.WrappedKey, r.Personal, r.NameKey, r.ErasedAt, r.UpdatedAt = nil, nil, nil, &now, now
		}
		out = r
		return nil
	})
	if err != nil {
		return Beneficiary{}, fmt.Errorf("enroll: erase %s: %w", id, err)
	}
	s.log.InfoContext(ctx, "beneficiary personal data erased", "id", id)
	return s.view(&out)
}

// Card is what a vendor's screen needs about a card: no personal data beyond initials.
type Card struct {
	ID            string   `json:"id"`
	CardNumber    string   `json:"card_number"`
	ChainID       string   `json:"chain_id"`
	ChainKey      [32]byte `json:"-"` // ChainID as bytes, for pipeline.Redemption
	Status        string   `json:"status"`
	HouseholdSize int      `json:"household_size"`
	Initials      string   `json:"initials"` // "A. K."; "" once erased
	PINLocked     bool     `json:"pin_locked"`
}

// LookupCard finds the beneficiary holding a card number typed with or without separators.
// A mistyped number (bad check digit) is ErrInvalidCard; a well-formed unknown one ErrUnknownCard.
func (s *Service) LookupCard(ctx context.Context, cardNumber string) (Card, error) {
	var r beneficiaryRow
	out, err := s.findCard(ctx, cardNumber, &r, "*")
	if err != nil {
		return Card{}, err
	}
	if out.Initials, err = s.initials(&r); err != nil {
		return Card{}, err
	}
	return out, nil
}

// ResolveCard is LookupCard without Initials: it reads no personal data, so it decrypts
// nothing. A redemption needs only the card's ids and status, on every request.
func (s *Service) ResolveCard(ctx context.Context, cardNumber string) (Card, error) {
	var r beneficiaryRow
	return s.findCard(ctx, cardNumber, &r, "id", "card_number", "chain_id", "status", "household_size", "pin_locked_at")
}

func (s *Service) findCard(ctx context.Context, cardNumber string, r *beneficiaryRow, columns ...string) (Card, error) {
	c, err := ParseCardNumber(cardNumber)
	if err != nil {
		return Card{}, err
	}
	err = s.db.WithContext(ctx).Select(columns).Take(r, "card_number = ?", c).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Card{}, s.unknownCard(ctx, c)
	}
	if err != nil {
		return Card{}, fmt.Errorf("enroll: lookup card: %w", err)
	}
	return cardOf(r), nil
}

// ChainKey is a beneficiary's on-chain pseudonym, as bytes (it stays when personal data is erased).
func (s *Service) ChainKey(ctx context.Context, id string) ([32]byte, error) {
	var r beneficiaryRow
	err := s.db.WithContext(ctx).Select("chain_id").Take(&r, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return [32]byte{}, apierr.ErrNotFound.Withf("no beneficiary %s", id)
	}
	if err != nil {
		return [32]byte{}, fmt.Errorf("enroll: chain key of %s: %w", id, err)
	}
	return common.HexToHash(r.ChainID), nil
}

func cardOf(r *beneficiaryRow) Card {
	return Card{
		ID: r.ID, CardNumber: FormatCardNumber(r.CardNumber), ChainID: r.ChainID, ChainKey: common.HexToHash(r.ChainID),
		Status: r.Status, HouseholdSize: r.HouseholdSize, PINLocked: r.PINLockedAt != nil,
	}
}

func (s *Service) initials(r *beneficiaryRow) (string, error) {
	if r.ErasedAt != nil {
		return "", nil
	}
	p, err := s.openPersonal(r.ID, r.WrappedKey, r.Personal)
	if err != nil {
		return "", fmt.Errorf("enroll: %w", err)
	}
	first := func(s string) string {
		for _, c := range s {
			return string(c) + "."
		}
		return ""
	}
	return first(p.GivenName) + " " + first(p.FamilyName), nil
}
