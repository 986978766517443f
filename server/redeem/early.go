package redeem

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
)

// earlyLock is what a pipelined group takes in its first batch, beside the reads of its keys,
// cards, programs and shops: the account of every entitlement its acceptances name (their
// lock and sequence numbers), what those entitlements have spent and were allocated, and ids for
// its intents. Taken after the PIN check, as on GORM's transaction, they were a batch of their
// own, and every batch is a round trip in which the group's goroutine and a PostgreSQL backend
// each wait their turn for a core on a busy box: three batches where two do (the transaction
// took 9.3 ms instead of 12.2 at 500/s, thirty-second session, docs/benchmarks-log.md).
//
// The statements cannot name the beneficiaries, which only the first batch reads: they name the
// cards instead, and join them to their beneficiaries. A card number is one beneficiary's for
// good (a new card is a new number), so the join finds the beneficiary the card read finds. An
// acceptance that the group then refuses (a suspended card, a closed program, too little left)
// gives its number back at the end, as a refusal for balance always did; a group that needs GORM's
// transaction after all (a PIN attempt to count) is rolled back whole, lock included.
type earlyLock struct {
	seqs *seqsTaken // want is set once the cards are read (takenBy)
	held *standing
	ids  *pipeline.ReservedIDs
}

// queueEarlyLock queues in b, built on a pipelined transaction's dry-run session, the early
// lock of the group's accounts.
func queueEarlyLock(b *store.Batch, db *gorm.DB, group []*acceptance) *earlyLock {
	e := &earlyLock{seqs: &seqsTaken{}, held: &standing{}}
	type pair struct{ program, card string }
	count := map[pair]uint64{}
	var numbers []string
	for _, a := range group {
		n, err := enroll.ParseCardNumber(a.card)
		if err != nil {
			continue
		}
		numbers = append(numbers, n)
		count[pair{a.row.ProgramID, n}]++
	}
	pairs := make([]pair, 0, len(count))
	for p := range count {
		pairs = append(pairs, p)
	}
	sort.Slice(pairs, func(i, j int) bool {
		return pairs[i].program < pairs[j].program || pairs[i].program == pairs[j].program && pairs[i].card < pairs[j].card
	})
	if len(pairs) > 0 {
		// Padded to a length of PadIn's ladder with rows that join no card (a card number is
		// never empty), so that the statement is one of a few texts that stay prepared.
		var q strings.Builder
		q.WriteString("INSERT INTO redemption_accounts (program_id, beneficiary_id, next_seq, updated_at)" +
			" SELECT v.program_id, c.id, SUM(v.n), CAST(? AS timestamptz) FROM (VALUES ")
		args := []any{time.Now().UTC()}
		padded := store.PadIn(db, pairs)
		for i, p := range padded {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(CAST(? AS text), CAST(? AS text), CAST(? AS bigint))")
			if i >= len(pairs) {
				p = pair{}
			}
			args = append(args, p.program, p.card, int64(count[p]))
		}
		// Locked in the order GORM's transaction locks them (upsertAccounts: by program, then
		// beneficiary, as bytes), so that groups on other replicas cannot each hold what the
		// other waits for.
		q.WriteString(") AS v (program_id, card_number, n)" +
			" JOIN beneficiaries c ON c.card_number = v.card_number JOIN programs p ON p.id = v.program_id" +
			` GROUP BY v.program_id, c.id ORDER BY v.program_id COLLATE "C", c.id COLLATE "C"` +
			" ON CONFLICT (program_id, beneficiary_id) DO UPDATE SET next_seq = " + takeMore + "," +
			" updated_at = excluded.updated_at RETURNING program_id, beneficiary_id, next_seq")
		e.seqs.rows = make([][]accountNext, 1)
		store.Query(b, db.Raw(q.String(), args...), &e.seqs.rows[0])
		holders := db.Raw("SELECT id FROM beneficiaries WHERE card_number IN ?", store.PadIn(db, distinct(numbers)))
		store.Query(b, standingQuery(db, holders), &e.held.rows)
	}
	e.ids = pipeline.QueueReserveIDs(b, db, len(group))
	return e
}

// takenBy returns the numbers the early lock took of each entitlement, as the cards and
// programs read in the same batch name them (the join took a card's whatever its status, and a
// program's whatever its status), and the first of each; or an error if the lock took other
// accounts than those, after which the group runs again on GORM's transaction.
func (e *earlyLock) takenBy(group []*acceptance, cards enroll.Cards, parties programs.Parties) (taken, first map[entitlement]uint64, err error) {
	taken = map[entitlement]uint64{}
	for _, a := range group {
		card, err := cards.Card(a.card)
		if err != nil {
			continue
		}
		if _, ok := parties.Programs[a.row.ProgramID]; !ok {
			continue
		}
		taken[entitlement{ProgramID: a.row.ProgramID, BeneficiaryID: card.ID}]++
	}
	e.seqs.want = taken
	first, err = e.seqs.first()
	if err != nil {
		return nil, nil, fmt.Errorf("early lock: %w", err)
	}
	return taken, first, nil
}
