package redeem

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
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

// groupTx is the transaction a group runs in: GORM's, whose statements run one after another,
// or on PostgreSQL a pipelined one (store.Pipelined), whose statements go out in batches, each
// batch one round trip. A group on PostgreSQL was nine round trips, one per statement with BEGIN
// and COMMIT, and the round trips, not the statements, were most of its time (twenty-fifth
// session, docs/benchmarks-log.md); pipelined it was three, and is two since the thirty-second
// (earlyLock).
type groupTx struct {
	tx *gorm.DB         // GORM's; nil when pipelined
	p  *store.Pipelined // nil on GORM's
}

// db is what the group's statements are built on.
func (g groupTx) db() *gorm.DB {
	if g.p != nil {
		return g.p.Dry()
	}
	return g.tx
}

// run runs b's statements.
func (g groupTx) run(ctx context.Context, b *store.Batch) error {
	if g.p != nil {
		return g.p.Run(ctx, b)
	}
	return b.Run()
}

// end runs b's statements and, if pipelined, commits with them (GORM's transaction commits
// when acceptGroup has returned).
func (g groupTx) end(ctx context.Context, b *store.Batch) error {
	if g.p != nil {
		return g.p.Commit(ctx, b)
	}
	return b.Run()
}

// acceptGroup accepts redemptions in tx, in their order (see acceptIn).
func (s *Service) acceptGroup(ctx context.Context, tx *gorm.DB, group []*acceptance) ([]error, error) {
	return s.acceptIn(ctx, groupTx{tx: tx.WithContext(ctx)}, group)
}

// acceptPipelined accepts redemptions in p, in their order (see acceptIn), and commits. A group
// that needs what only GORM's transaction does (a PIN attempt to count) fails, and nothing of it
// is kept: the acceptor runs it again in GORM's.
func (s *Service) acceptPipelined(ctx context.Context, p *store.Pipelined, group []*acceptance) ([]error, error) {
	return s.acceptIn(ctx, groupTx{p: p}, group)
}

// acceptIn accepts redemptions in g, in their order, in seven statements whatever their number:
// read the keys, the cards, and the programs and shops they name (queueResolve); check the PINs
// against the cards read; lock each entitlement's account and take the sequence numbers of all
// the group's redemptions on it, and read what each has spent and what the chain confirmed as
// allocated to it (standingOf); store the intents and the redemptions. Refusals give their
// numbers back in one more statement, and on GORM's transaction a wrong PIN writes its counted
// attempt. The verdicts and the running balances are worked out in between, as if one redemption
// ran after the other. The two statements that lock and then read run one after the other: the
// read sees what another transaction committed while this one waited for the lock.
//
// Pipelined, the statements go out in two batches: the lock and the reads after it go out with
// the first reads, naming the cards rather than the beneficiaries (earlyLock), and the writes
// with the COMMIT. On GORM's transaction the accounts are locked after the PIN check, for the
// acceptances that passed it.
//
// A verdict is nil (accepted and written), ErrWrongPIN or ErrCardLocked (only the counted
// attempt is written), a refusal from resolved, ErrInsufficientBalance or errKeyRace (nothing is
// written).
func (s *Service) acceptIn(ctx context.Context, g groupTx, group []*acceptance) ([]error, error) {
	var b store.Batch
	read := queueResolve(&b, g.db(), group)
	var early *earlyLock
	if g.p != nil {
		early = queueEarlyLock(&b, g.db(), group)
	}
	if err := g.run(ctx, &b); err != nil {
		return nil, fmt.Errorf("read %d keys, cards, programs and shops: %w", len(group), err)
	}
	cards, parties, verdicts := read.resolved(group)
	var attempts []enroll.PINAttempt
	var checked []int // of group
	for i, a := range group {
		if verdicts[i] == nil {
			attempts = append(attempts, enroll.PINAttempt{BeneficiaryID: a.row.BeneficiaryID, PIN: a.pin})
			checked = append(checked, i)
		}
	}
	if len(attempts) > 0 {
		pins, err := s.cards.CheckPINs(ctx, g.tx, cards, attempts)
		if err != nil {
			return nil, err
		}
		for k, i := range checked {
			verdicts[i] = pins[k]
		}
	}
	wanted := map[entitlement]uint64{}
	for i, a := range group {
		if verdicts[i] == nil {
			wanted[entitlementOf(a.row)]++
		}
	}
	acc, err := s.lockAccounts(ctx, g, &b, early, group, cards, parties, wanted)
	if err != nil {
		return nil, err
	}
	if acc == nil { // nothing to lock
		return verdicts, g.end(ctx, &b)
	}
	d := s.decide(group, verdicts, acc)
	if len(d.giveBack) > 0 {
		upsertAccounts(&b, g.db(), d.giveBack, "excluded.next_seq", nil)
	}
	if len(d.rows) == 0 {
		return verdicts, g.end(ctx, &b)
	}
	if err := s.storeAccepted(ctx, g, &b, acc.ids, d); err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, errKeyRace
		}
		return nil, fmt.Errorf("store %d redemptions: %w", len(d.rows), err)
	}
	return verdicts, nil
}

// lockedAccounts is what a group knows of its accounts once they are locked: how many numbers it
// took of each entitlement and the first of them, what each was allocated and has spent, and
// (pipelined) the ids of its intents.
type lockedAccounts struct {
	taken, first     map[entitlement]uint64
	allocated, spent map[entitlement]int64
	ids              *pipeline.ReservedIDs
}

// lockAccounts returns the group's accounts locked: on a pipelined transaction, those the early
// lock took in the first batch (every entitlement the group names, of which wanted, those that
// passed the checks so far, must be part); on GORM's, those wanted, locked and read now. It
// returns nil if nothing is wanted on GORM's transaction.
func (s *Service) lockAccounts(ctx context.Context, g groupTx, b *store.Batch, early *earlyLock, group []*acceptance,
	cards enroll.Cards, parties programs.Parties, wanted map[entitlement]uint64) (*lockedAccounts, error) {
	if early != nil {
		taken, first, err := early.takenBy(group, cards, parties)
		if err != nil {
			return nil, err
		}
		for e, n := range wanted {
			if taken[e] < n {
				return nil, fmt.Errorf("early lock: %d of %d numbers taken of %s in program %s", taken[e], n, e.BeneficiaryID, e.ProgramID)
			}
		}
		allocated, spent := early.held.sums()
		return &lockedAccounts{taken: taken, first: first, allocated: allocated, spent: spent, ids: early.ids}, nil
	}
	if len(wanted) == 0 {
		return nil, nil
	}
	seqs := takeSeqs(b, g.db(), wanted)
	held := standingOf(b, g.db(), holdersOf(wanted))
	if err := g.run(ctx, b); err != nil {
		return nil, fmt.Errorf("lock and read %d accounts: %w", len(wanted), err)
	}
	first, err := seqs.first()
	if err != nil {
		return nil, err
	}
	allocated, spent := held.sums()
	return &lockedAccounts{taken: wanted, first: first, allocated: allocated, spent: spent}, nil
}

// decision is what a group writes once its verdicts are known.
type decision struct {
	intents  []pipeline.NewIntent
	rows     []*redemptionRow
	stores   []*acceptance // of rows
	giveBack map[entitlement]uint64
}

// decide gives the verdicts on balances, in the group's order, and what to write for the
// accepted ones: each redemption's sequence number, running balance and intent, and the
// numbers that refused ones give back. It moves acc's numbers and spent sums on as it goes.
func (s *Service) decide(group []*acceptance, verdicts []error, acc *lockedAccounts) decision {
	wanted, next, allocated, spent := acc.taken, acc.first, acc.allocated, acc.spent
	var (
		d     decision
		taken = map[string]bool{} // vendor and Idempotency-Key of the group's accepted ones
		used  = map[entitlement]uint64{}
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
		d.intents = append(d.intents, pipeline.RedeemIntent(s.cfg.Lanes, pipeline.Redemption{
			ProgramID: a.program, Beneficiary: a.holder, Vendor: a.vendor, Amount: uint64(a.row.Amount), Seq: a.row.Seq, Ref: a.ref,
		}))
		d.rows, d.stores = append(d.rows, a.row), append(d.stores, a)
	}
	// The ledger takes an entitlement's sequence numbers without gaps: refused redemptions give
	// theirs back, and next is now the number after the last one used.
	d.giveBack = map[entitlement]uint64{}
	for e, n := range wanted {
		if used[e] < n {
			d.giveBack[e] = next[e]
		}
	}
	return d
}

// storeAccepted writes the accepted redemptions and their intents, after what b holds, and ends the
// transaction if pipelined: there the intents take the ids reserved, so that the redemptions
// that name them go out in the same batch.
func (s *Service) storeAccepted(ctx context.Context, g groupTx, b *store.Batch, ids *pipeline.ReservedIDs, d decision) error {
	now := dbNow()
	if g.p == nil {
		if err := b.Run(); err != nil {
			return err
		}
		stored, err := s.p.Enqueue(ctx, g.tx, d.intents...)
		if err != nil {
			return err
		}
		s.fillIntents(d, stored, now)
		return g.tx.CreateInBatches(d.rows, 100).Error
	}
	stored, err := s.p.QueueEnqueue(b, g.db(), ids, d.intents...)
	if err != nil {
		return err
	}
	s.fillIntents(d, stored, now)
	for _, c := range store.Chunks(g.db(), len(d.rows)) {
		store.Query[struct{}](b, g.db().Create(d.rows[c[0]:c[1]]), nil)
	}
	if err := g.p.Commit(ctx, b); err != nil {
		return err
	}
	s.p.Enqueued(stored)
	return nil
}

func (s *Service) fillIntents(d decision, stored []pipeline.Intent, now time.Time) {
	for i, r := range d.rows {
		r.IntentID, r.CreatedAt, r.UpdatedAt = stored[i].ID, now, now
		d.stores[i].lane = stored[i].Lane
	}
}
