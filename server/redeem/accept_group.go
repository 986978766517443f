package redeem

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
)

// acceptance is one redemption checked outside the transaction (the request is well formed),
// waiting for its group.
type acceptance struct {
	card string // the card number as typed
	pin  string
	ref  [32]byte
	row  *redemptionRow // to write; the group sets BeneficiaryID, Seq, BalanceAfter and IntentID

	// Filled in by the group (resolve): the ids on chain.
	program uint64
	holder  common.Hash
	vendor  common.Address
	lane    int // of its intent, once stored
}

// entitlement names one account: a beneficiary in a program.
type entitlement = programs.EntitlementKey

func entitlementOf(r *redemptionRow) entitlement {
	return entitlement{ProgramID: r.ProgramID, BeneficiaryID: r.BeneficiaryID}
}

// acceptGroup accepts redemptions in tx, in their order, in seven statements whatever their
// number: read the keys, the cards, and the programs and shops they name (resolve); check the
// PINs against the cards read; lock each entitlement's account and take the sequence numbers of
// all the group's redemptions on it; read what each has spent and what the chain confirmed as
// allocated to it (standingOf); store the intents; store the redemptions. Refusals give their
// numbers back in one more, and a wrong PIN writes its counted attempt. The verdicts and the
// running balances are worked out in between, as if one redemption ran after the other.
//
// A verdict is nil (accepted and written), ErrWrongPIN or ErrCardLocked (only the counted
// attempt is written), a refusal from resolve, ErrInsufficientBalance or errKeyRace (nothing is
// written).
func (s *Service) acceptGroup(ctx context.Context, tx *gorm.DB, group []*acceptance) ([]error, error) {
	tx = tx.WithContext(ctx)
	cards, verdicts, err := s.resolve(ctx, tx, group)
	if err != nil {
		return nil, err
	}
	var attempts []enroll.PINAttempt
	var checked []int // of group
	for i, a := range group {
		if verdicts[i] == nil {
			attempts = append(attempts, enroll.PINAttempt{BeneficiaryID: a.row.BeneficiaryID, PIN: a.pin})
			checked = append(checked, i)
		}
	}
	if len(attempts) == 0 {
		return verdicts, nil
	}
	pins, err := s.cards.CheckPINs(ctx, tx, cards, attempts)
	if err != nil {
		return nil, err
	}
	for k, i := range checked {
		verdicts[i] = pins[k]
	}
	wanted := map[entitlement]uint64{}
	for i, a := range group {
		if verdicts[i] == nil {
			wanted[entitlementOf(a.row)]++
		}
	}
	if len(wanted) == 0 {
		return verdicts, nil
	}
	next, err := takeSeqs(tx, wanted)
	if err != nil {
		return nil, err
	}
	allocated, spent, err := standingOf(tx, holdersOf(wanted))
	if err != nil {
		return nil, err
	}
	var (
		taken   = map[string]bool{} // vendor and Idempotency-Key of the group's accepted ones
		used    = map[entitlement]uint64{}
		intents []pipeline.NewIntent
		rows    []*redemptionRow
		stores  []*acceptance // of rows
	)
	for i, a := range group {
		if verdicts[i] != nil {
			continue
		}
		key := a.row.VendorID + "\x00" + a.row.IdempotencyKey
		if taken[key] {
			verdicts[i] = errKeyRace // the caller answers with the first one's redemption
			continue
		}
		e := entitlementOf(a.row)
		available := allocated[e] - spent[e]
		if a.row.Amount > available {
			verdicts[i] = ErrInsufficientBalance.WithDetail("available", max(available, 0))
			continue
		}
		taken[key] = true
		spent[e] += a.row.Amount
		a.row.Seq, a.row.BalanceAfter = next[e], available-a.row.Amount
		next[e]++
		used[e]++
		intents = append(intents, pipeline.RedeemIntent(s.cfg.Lanes, pipeline.Redemption{
			ProgramID: a.program, Beneficiary: a.holder, Vendor: a.vendor, Amount: uint64(a.row.Amount), Seq: a.row.Seq, Ref: a.ref,
		}))
		rows, stores = append(rows, a.row), append(stores, a)
	}
	// The ledger takes an entitlement's sequence numbers without gaps: refused redemptions give
	// theirs back, and next is now the number after the last one used.
	giveBack := map[entitlement]uint64{}
	for e, n := range wanted {
		if used[e] < n {
			giveBack[e] = next[e]
		}
	}
	if len(giveBack) > 0 {
		if err := upsertAccounts(tx, giveBack, "excluded.next_seq", nil); err != nil {
			return nil, err
		}
	}
	if len(rows) == 0 {
		return verdicts, nil
	}
	stored, err := s.p.Enqueue(ctx, tx, intents...)
	if err != nil {
		return nil, err
	}
	now := dbNow()
	for i, r := range rows {
		r.IntentID, r.CreatedAt, r.UpdatedAt = stored[i].ID, now, now
		stores[i].lane = stored[i].Lane
	}
	if err := tx.CreateInBatches(rows, 100).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, errKeyRace
		}
		return nil, fmt.Errorf("store %d redemptions: %w", len(rows), err)
	}
	return verdicts, nil
}

// takeSeqs locks the entitlements' account rows (created on first use) for the rest of the
// transaction and takes n sequence numbers of each, in one statement: the upsert's row lock is
// PostgreSQL's FOR UPDATE, and SQLite's write transaction already excludes the others. It
// returns the first number taken of each.
func takeSeqs(tx *gorm.DB, n map[entitlement]uint64) (map[entitlement]uint64, error) {
	first := make(map[entitlement]uint64, len(n))
	// Numbers start at 0: a new account has taken 0…k-1 and its next is k; an existing one moves
	// on by k (excluded.next_seq).
	err := upsertAccounts(tx, n, "redemption_accounts.next_seq + excluded.next_seq", func(e entitlement, after uint64) {
		first[e] = after - n[e]
	})
	if err != nil {
		return nil, err
	}
	if len(first) != len(n) {
		return nil, fmt.Errorf("lock accounts: %d of %d returned", len(first), len(n))
	}
	return first, nil
}

// upsertAccounts writes next_seq of each account: values for new ones, set for existing ones
// (an SQL expression over the row and "excluded"). If returned is not nil it gets each
// account's next_seq as written. Accounts are locked in one order, so that two transactions
// (other replicas) cannot each hold what the other waits for.
func upsertAccounts(tx *gorm.DB, values map[entitlement]uint64, set string, returned func(entitlement, uint64)) error {
	keys := make([]entitlement, 0, len(values))
	for e := range values {
		keys = append(keys, e)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].ProgramID != keys[j].ProgramID {
			return keys[i].ProgramID < keys[j].ProgramID
		}
		return keys[i].BeneficiaryID < keys[j].BeneficiaryID
	})
	var q strings.Builder
	q.WriteString("INSERT INTO redemption_accounts (program_id, beneficiary_id, next_seq, updated_at) VALUES ")
	args := make([]any, 0, 4*len(keys))
	now := time.Now().UTC()
	for i, e := range keys {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?)")
		args = append(args, e.ProgramID, e.BeneficiaryID, int64(values[e]), now)
	}
	q.WriteString(" ON CONFLICT (program_id, beneficiary_id) DO UPDATE SET next_seq = " + set + ", updated_at = excluded.updated_at")
	if returned == nil {
		if err := tx.Exec(q.String(), args...).Error; err != nil {
			return fmt.Errorf("write %d accounts: %w", len(keys), err)
		}
		return nil
	}
	q.WriteString(" RETURNING program_id, beneficiary_id, next_seq")
	var out []struct {
		ProgramID, BeneficiaryID string
		NextSeq                  uint64
	}
	if err := tx.Raw(q.String(), args...).Scan(&out).Error; err != nil {
		return fmt.Errorf("lock %d accounts: %w", len(keys), err)
	}
	for _, r := range out {
		returned(entitlement{ProgramID: r.ProgramID, BeneficiaryID: r.BeneficiaryID}, r.NextSeq)
	}
	return nil
}

// standingOf reads, in one statement, what the chain confirmed as allocated to each of the
// beneficiaries' entitlements and what each has spent: its pending and confirmed redemptions,
// that is everything redeemed less what failed, so that settling, which moves a redemption from
// pending to confirmed, changes no indexed column (migrations 6 and 9). The sums read only an
// index each: (beneficiary_id, program_id, amount), and (beneficiary_id, program_id,
// failed_amount) of the failed ones, whose failed_amount is their amount.
//
// The beneficiaries are all the planner gets for the first sum: given "status IN (…)" next to a
// long list of beneficiaries, SQLite once chose an index on status, which matched nearly every
// redemption, and read the table through it (half the server's CPU at 100k cards).
func standingOf(tx *gorm.DB, holders []string) (allocated, spent map[entitlement]int64, err error) {
	var rows []struct {
		ProgramID, BeneficiaryID string
		Amount                   int64
		Part                     int
	}
	if err := standingQuery(tx, holders).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("read the standing of %d cards: %w", len(holders), err)
	}
	allocated = make(map[entitlement]int64, len(rows))
	spent = make(map[entitlement]int64, len(rows))
	for _, r := range rows {
		e := entitlement{ProgramID: r.ProgramID, BeneficiaryID: r.BeneficiaryID}
		switch r.Part {
		case partRedeemed:
			spent[e] += r.Amount
		case partFailed:
			spent[e] -= r.Amount
		case partAllocated:
			allocated[e] = r.Amount
		}
	}
	return allocated, spent, nil
}

func standingQuery(tx *gorm.DB, holders []string) *gorm.DB {
	return tx.Raw(fmt.Sprintf("SELECT program_id, beneficiary_id, amount, part FROM (?) spent"+
		" UNION ALL SELECT program_id, beneficiary_id, allocated_confirmed, %d FROM (?) allocated", partAllocated),
		spentQuery(tx, holders), programs.AllocatedQuery(tx, holders))
}

// The parts of standingOf's rows: what an entitlement's redemptions sum to, what its failed ones
// sum to, what the chain confirmed as allocated to it.
const (
	partRedeemed  = 0
	partFailed    = 1
	partAllocated = 2
)

// spentQuery sums each entitlement's redemptions (partRedeemed) and its failed ones (partFailed).
func spentQuery(tx *gorm.DB, holders []string) *gorm.DB {
	return tx.Raw(fmt.Sprintf("SELECT program_id, beneficiary_id, SUM(amount) AS amount, %d AS part FROM redemptions"+
		" WHERE beneficiary_id IN ? GROUP BY beneficiary_id, program_id"+
		" UNION ALL SELECT program_id, beneficiary_id, SUM(failed_amount), %d FROM redemptions"+
		" WHERE failed_amount > 0 AND beneficiary_id IN ? GROUP BY beneficiary_id, program_id", partRedeemed, partFailed),
		holders, holders)
}

// holdersOf lists the beneficiaries of the entitlements, once each.
func holdersOf(of map[entitlement]uint64) []string {
	holders := make([]string, 0, len(of))
	for e := range of {
		holders = append(holders, e.BeneficiaryID)
	}
	return distinct(holders)
}
