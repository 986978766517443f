package redeem

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
)

// seqsTaken are the first sequence numbers taken of each entitlement by takeSeqs, once its
// batch has run.
type seqsTaken struct {
	want map[entitlement]uint64
	rows [][]accountNext // of each statement
}

type accountNext struct {
	ProgramID, BeneficiaryID string
	NextSeq                  uint64
}

// takeSeqs queues in b the statement that locks the entitlements' account rows (created on
// first use) for the rest of the transaction and takes n sequence numbers of each: the upsert's
// row lock is PostgreSQL's FOR UPDATE, and SQLite's write transaction already excludes the
// others.
func takeSeqs(b *store.Batch, db *gorm.DB, n map[entitlement]uint64) *seqsTaken {
	t := &seqsTaken{want: n}
	// Numbers start at 0: a new account has taken 0…k-1 and its next is k; an existing one moves
	// on by k (excluded.next_seq).
	upsertAccounts(b, db, n, takeMore, &t.rows)
	return t
}

// takeMore is the upsert's next_seq of an account that exists: moved on by the numbers taken.
const takeMore = "redemption_accounts.next_seq + excluded.next_seq"

// first is the first number taken of each entitlement.
func (t *seqsTaken) first() (map[entitlement]uint64, error) {
	first := make(map[entitlement]uint64, len(t.want))
	for _, rows := range t.rows {
		for _, r := range rows {
			e := entitlement{ProgramID: r.ProgramID, BeneficiaryID: r.BeneficiaryID}
			n, ok := t.want[e]
			if !ok {
				return nil, fmt.Errorf("lock accounts: %s of program %s locked, not wanted", e.BeneficiaryID, e.ProgramID)
			}
			first[e] = r.NextSeq - n
		}
	}
	if len(first) != len(t.want) {
		return nil, fmt.Errorf("lock accounts: %d of %d returned", len(first), len(t.want))
	}
	return first, nil
}

// upsertAccounts queues in b the statements that write next_seq of each account: values for new
// ones, set for existing ones (an SQL expression over the row and "excluded"). If returned is not
// nil it gets each statement's accounts' next_seq as written. Accounts are locked in one order,
// so that two transactions (other replicas) cannot each hold what the other waits for; the
// statements (store.Chunks) take them in that order too.
func upsertAccounts(b *store.Batch, db *gorm.DB, values map[entitlement]uint64, set string, returned *[][]accountNext) {
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
	chunks := store.Chunks(db, len(keys))
	if returned != nil {
		*returned = make([][]accountNext, len(chunks)) // not grown below: each statement reads into its own
	}
	now := time.Now().UTC()
	for c, chunk := range chunks {
		var q strings.Builder
		q.WriteString("INSERT INTO redemption_accounts (program_id, beneficiary_id, next_seq, updated_at) VALUES ")
		args := make([]any, 0, 4*(chunk[1]-chunk[0]))
		for i, e := range keys[chunk[0]:chunk[1]] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			args = append(args, e.ProgramID, e.BeneficiaryID, int64(values[e]), now)
		}
		q.WriteString(" ON CONFLICT (program_id, beneficiary_id) DO UPDATE SET next_seq = " + set + ", updated_at = excluded.updated_at")
		if returned == nil {
			store.Query[accountNext](b, db.Raw(q.String(), args...), nil)
			continue
		}
		q.WriteString(" RETURNING program_id, beneficiary_id, next_seq")
		store.Query(b, db.Raw(q.String(), args...), &(*returned)[c])
	}
}

// standingOf queues in b the statement that reads what the chain confirmed as allocated to each of the
// beneficiaries' entitlements and what each has spent: its pending and confirmed redemptions,
// that is everything redeemed less what failed, so that settling, which moves a redemption from
// pending to confirmed, changes no indexed column (migrations 6 and 9). The sums read only an
// index each: (beneficiary_id, program_id, amount), and (beneficiary_id, program_id,
// failed_amount) of the failed ones, whose failed_amount is their amount.
//
// The beneficiaries are all the planner gets for the first sum: given "status IN (…)" next to a
// long list of beneficiaries, SQLite once chose an index on status, which matched nearly every
// redemption, and read the table through it (half the server's CPU at 100k cards).
func standingOf(b *store.Batch, db *gorm.DB, holders []string) *standing {
	st := &standing{}
	store.Query(b, standingQuery(db, holders), &st.rows)
	return st
}

// standing is what standingOf read, once its batch has run.
type standing struct {
	rows []struct {
		ProgramID, BeneficiaryID string
		Amount                   int64
		Part                     int
	}
}

// sums are what the chain confirmed as allocated to each entitlement, and what it has spent.
func (st *standing) sums() (allocated, spent map[entitlement]int64) {
	allocated = make(map[entitlement]int64, len(st.rows))
	spent = make(map[entitlement]int64, len(st.rows))
	for _, r := range st.rows {
		e := entitlement{ProgramID: r.ProgramID, BeneficiaryID: r.BeneficiaryID}
		switch r.Part {
		case partRedeemed:
			spent[e] += r.Amount
		case partFailed, partRefunded:
			spent[e] -= r.Amount
		case partAllocated:
			allocated[e] = r.Amount
		}
	}
	return allocated, spent
}

// standingQuery reads the standing of holders: a list of beneficiary ids, or a query that
// selects them (earlyLock). Such a query is run once, as a materialized WITH, rather than once
// in each of the statement's three parts: the early lock's finds the beneficiaries by their
// cards, and each part looked every card up again.
func standingQuery(tx *gorm.DB, holders any) *gorm.DB {
	standing := fmt.Sprintf("SELECT program_id, beneficiary_id, amount, part FROM (?) spent"+
		" UNION ALL SELECT program_id, beneficiary_id, allocated_confirmed, %d FROM (?) allocated", partAllocated)
	if ids, ok := holders.([]string); ok {
		padded := store.PadIn(tx, ids)
		return tx.Raw(standing, spentQuery(tx, padded), programs.AllocatedQuery(tx, padded))
	}
	named := gorm.Expr("SELECT id FROM holders")
	return tx.Raw("WITH holders AS MATERIALIZED (?) "+standing, holders, spentQuery(tx, named), programs.AllocatedQuery(tx, named))
}

// The parts of standingOf's rows: what an entitlement's redemptions sum to, what its failed ones
// sum to, what the chain confirmed as allocated to it, what its confirmed refunds gave back.
const (
	partRedeemed  = 0
	partFailed    = 1
	partAllocated = 2
	partRefunded  = 3
)

// spentQuery sums each entitlement's redemptions (partRedeemed), its failed ones (partFailed)
// and its confirmed refunds (partRefunded). Only confirmed refunds: the ledger credits the card
// when the refund's transaction is mined, and a sale accepted against a pending one could reach
// the chain first and fail there.
func spentQuery(tx *gorm.DB, holders any) *gorm.DB {
	return tx.Raw(fmt.Sprintf("SELECT program_id, beneficiary_id, SUM(amount) AS amount, %d AS part FROM redemptions"+
		" WHERE beneficiary_id IN (?) GROUP BY beneficiary_id, program_id"+
		" UNION ALL SELECT program_id, beneficiary_id, SUM(failed_amount), %d FROM redemptions"+
		" WHERE failed_amount > 0 AND beneficiary_id IN (?) GROUP BY beneficiary_id, program_id"+
		" UNION ALL SELECT program_id, beneficiary_id, SUM(amount), %d FROM refunds"+
		" WHERE status = 'confirmed' AND beneficiary_id IN (?) GROUP BY beneficiary_id, program_id", partRedeemed, partFailed, partRefunded),
		holders, holders, holders)
}

// holdersOf lists the beneficiaries of the entitlements, once each.
func holdersOf(of map[entitlement]uint64) []string {
	holders := make([]string, 0, len(of))
	for e := range of {
		holders = append(holders, e.BeneficiaryID)
	}
	return distinct(holders)
}
