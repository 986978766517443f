package redeem

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
)

// queueResolve queues in b the reads of what the acceptances name, in three statements
// whatever their number: which of their Idempotency-Keys are taken, their cards, and their
// programs and shops. Once b has run, resolved gives the verdicts.
//
// Each of these was a statement per redemption before its group (four round trips on
// PostgreSQL, most of what the database did for a redemption). Read here they also come from the
// transaction that writes the redemption, not from a moment before it.
func queueResolve(b *store.Batch, db *gorm.DB, group []*acceptance) *resolveRead {
	var numbers, programIDs, vendorIDs []string
	for _, a := range group {
		numbers = append(numbers, a.card)
		programIDs = append(programIDs, a.row.ProgramID)
		vendorIDs = append(vendorIDs, a.row.VendorID)
	}
	store.QueueIndexReads(b, db) // every read of the group is by key
	return &resolveRead{
		keys:    keysTaken(b, db, group),
		cards:   enroll.QueueCards(b, db, numbers),
		parties: programs.QueueParties(b, db, distinct(programIDs), distinct(vendorIDs)),
	}
}

// resolveRead is what queueResolve read, once its batch has run.
type resolveRead struct {
	keys    *keysRead
	cards   *enroll.CardsRead
	parties *programs.PartiesRead
}

// resolved refuses, in this order, what Redeem answers without a PIN check: a key already taken
// (errKeyRace: the caller answers with that redemption), an unknown or suspended card, an
// unknown or inactive program, an unknown or suspended shop, a category the shop is not
// registered for. The others get their card, program and shop filled in and a nil verdict. It
// also returns the cards, programs and shops read.
func (r *resolveRead) resolved(group []*acceptance) (enroll.Cards, programs.Parties, []error) {
	taken, cs, ps := r.keys.taken(), r.cards.Cards(), r.parties.Parties()
	verdicts := make([]error, len(group))
	for i, a := range group {
		if taken[a.row.VendorID+"\x00"+a.row.IdempotencyKey] {
			verdicts[i] = errKeyRace
			continue
		}
		verdicts[i] = a.fill(cs, ps)
	}
	return cs, ps, verdicts
}

// fill completes the acceptance with its card, program and shop, or says why it is refused.
func (a *acceptance) fill(cards enroll.Cards, parties programs.Parties) error {
	card, err := cards.Card(a.card)
	if err != nil {
		return err
	}
	if card.Status != "active" {
		return ErrBeneficiarySuspended
	}
	prog, ok := parties.Programs[a.row.ProgramID]
	if !ok {
		return fmt.Errorf("program %s: %w", a.row.ProgramID, apierr.ErrNotFound)
	}
	if prog.Status != "active" {
		return ErrProgramInactive
	}
	vendor, ok := parties.Vendors[a.row.VendorID]
	if !ok {
		return fmt.Errorf("vendor %s: %w", a.row.VendorID, apierr.ErrNotFound)
	}
	if vendor.Status == "suspended" || vendor.Status == "failed" {
		return ErrVendorSuspended
	}
	// The donors' reports group sales by category: a grocery's sale recorded as medicine would
	// show under Medicine. A shop sells what an admin registered it for, as the group reads it now.
	if !vendor.Sells(a.row.Category) {
		return ErrCategoryNotAllowed.Withf("this shop is not registered to sell %s", a.row.Category).
			WithDetail("category", a.row.Category).WithDetail("categories", vendor.Categories)
	}
	a.row.BeneficiaryID, a.holder = card.ID, card.ChainKey
	a.program, a.vendor = prog.ChainProgramID, common.HexToAddress(vendor.Address)
	return nil
}

// keysTaken queues in b the read of which of the group's (vendor, Idempotency-Key) pairs have
// a redemption.
func keysTaken(b *store.Batch, db *gorm.DB, group []*acceptance) *keysRead {
	k := &keysRead{}
	store.Query(b, keysTakenQuery(db, group), &k.rows)
	return k
}

// keysTakenQuery reads the redemptions that hold any of the group's keys, whatever their vendor
// (taken keeps the group's own pairs): asked by key alone, the read can only look the keys up in
// the unique index that leads with the key (migration 10). Asked by (vendor, key) pairs, a plan
// that PostgreSQL made while the table was nearly empty, and kept until its next analysis, read
// every redemption of the group's vendors to find the keys, through the vendor index by
// creation time or the whole unique index (see TestKeysTaken_*).
func keysTakenQuery(db *gorm.DB, group []*acceptance) *gorm.DB {
	keys := make([]string, len(group))
	for i, a := range group {
		keys[i] = a.row.IdempotencyKey
	}
	return db.Raw("SELECT vendor_id, idempotency_key FROM redemptions WHERE idempotency_key IN ?", store.PadIn(db, distinct(keys)))
}

// keysRead is what keysTaken read, once its batch has run.
type keysRead struct {
	rows []struct{ VendorID, IdempotencyKey string }
}

// taken are the pairs taken, as vendor and key joined by a NUL.
func (k *keysRead) taken() map[string]bool {
	taken := make(map[string]bool, len(k.rows))
	for _, r := range k.rows {
		taken[r.VendorID+"\x00"+r.IdempotencyKey] = true
	}
	return taken
}

// distinct returns ids without repeats, in their first order.
func distinct(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
