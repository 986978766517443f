package redeem

import (
	"context"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
)

// resolve reads, in the group's transaction, what the acceptances name, in three statements
// whatever their number (one batch): which of their Idempotency-Keys are taken, their cards, and their
// programs and shops. It refuses, in this order, what Redeem answers without a PIN check: a key already
// taken (errKeyRace: the caller answers with that redemption), an unknown or suspended card,
// an unknown or inactive program, an unknown or suspended shop. The others get their card, program
// and shop filled in and a nil verdict.
//
// Each of these was a statement per redemption before its group (four round trips on
// PostgreSQL, most of what the database did for a redemption). Read here they also come from the
// transaction that writes the redemption, not from a moment before it.
func (s *Service) resolve(ctx context.Context, g groupTx, group []*acceptance) (enroll.Cards, []error, error) {
	var numbers, programIDs, vendorIDs []string
	for _, a := range group {
		numbers = append(numbers, a.card)
		programIDs = append(programIDs, a.row.ProgramID)
		vendorIDs = append(vendorIDs, a.row.VendorID)
	}
	var b store.Batch
	store.QueueIndexReads(&b, g.db()) // every read of the group is by key
	keys := keysTaken(&b, g.db(), group)
	cards := enroll.QueueCards(&b, g.db(), numbers)
	parties := programs.QueueParties(&b, g.db(), distinct(programIDs), distinct(vendorIDs))
	if err := g.run(ctx, &b); err != nil {
		return enroll.Cards{}, nil, fmt.Errorf("read %d keys, cards, programs and shops: %w", len(group), err)
	}
	taken, cs, ps := keys.taken(), cards.Cards(), parties.Parties()
	verdicts := make([]error, len(group))
	for i, a := range group {
		if taken[a.row.VendorID+"\x00"+a.row.IdempotencyKey] {
			verdicts[i] = errKeyRace
			continue
		}
		verdicts[i] = a.fill(cs, ps)
	}
	return cs, verdicts, nil
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
	a.row.BeneficiaryID, a.holder = card.ID, card.ChainKey
	a.program, a.vendor = prog.ChainProgramID, common.HexToAddress(vendor.Address)
	return nil
}

// keysTaken queues in b the read of which of the group's (vendor, Idempotency-Key) pairs have
// a redemption. The pairs are ORed rather than two IN lists: SQLite would probe the unique
// index with every vendor against every key.
func keysTaken(b *store.Batch, db *gorm.DB, group []*acceptance) *keysRead {
	var q strings.Builder
	q.WriteString("SELECT vendor_id, idempotency_key FROM redemptions WHERE ")
	padded := store.PadIn(db, group)
	args := make([]any, 0, 2*len(padded))
	for i, a := range padded {
		if i > 0 {
			q.WriteString(" OR ")
		}
		q.WriteString("(vendor_id = ? AND idempotency_key = ?)")
		args = append(args, a.row.VendorID, a.row.IdempotencyKey)
	}
	k := &keysRead{}
	store.Query(b, db.Raw(q.String(), args...), &k.rows)
	return k
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
