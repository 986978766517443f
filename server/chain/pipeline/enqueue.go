package pipeline

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aidledger/aidledger/server/store"
)

// Enqueue stores intents. With tx non-nil they are written in the caller's transaction, so they
// exist exactly when the caller's own rows do. An intent whose (kind, ref) exists already is
// not added again; the stored one is returned in its place.
func (p *Pipeline) Enqueue(ctx context.Context, tx *gorm.DB, intents ...NewIntent) ([]Intent, error) {
	if tx == nil {
		tx = p.db
	}
	tx = tx.WithContext(ctx)
	out, err := p.intentsOf(intents)
	if err != nil || len(out) == 0 {
		return out, err
	}
	// 100 rows per INSERT: the pure-Go SQLite driver binds parameters in time quadratic in their
	// number per statement, so larger statements are slower overall, not faster.
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&out, 100)
	if res.Error != nil {
		return nil, fmt.Errorf("enqueue %d intents: %w", len(out), res.Error)
	}
	if res.RowsAffected != int64(len(out)) {
		// Some existed. An existing row returns no id, and the ids returned were handed out to
		// the intents in order, so past the first existing one they are others': read all back.
		for i := range out {
			out[i].ID = 0
		}
	}
	for i := range out {
		if out[i].ID == 0 { // existed already
			if err := tx.Where("kind = ? AND ref = ?", out[i].Kind, out[i].Ref).First(&out[i]).Error; err != nil {
				return nil, fmt.Errorf("enqueue %s %s: read existing: %w", out[i].Kind, out[i].Ref, err)
			}
		}
	}
	p.Enqueued(out)
	return out, nil
}

// intentsOf checks new intents and makes the rows to store.
func (p *Pipeline) intentsOf(intents []NewIntent) ([]Intent, error) {
	out := make([]Intent, 0, len(intents))
	for _, n := range intents {
		if _, ok := p.kinds[n.Kind]; !ok {
			return nil, fmt.Errorf("enqueue %s: unknown kind", n.Kind)
		}
		if n.Lane < 0 || n.Lane >= len(p.cfg.Keys) {
			return nil, fmt.Errorf("enqueue %s %s: lane %d of %d", n.Kind, n.Ref, n.Lane, len(p.cfg.Keys))
		}
		out = append(out, Intent{Kind: n.Kind, Ref: n.Ref, Lane: n.Lane, Status: IntentPending, BatchKey: n.BatchKey, Payload: n.Payload})
	}
	return out, nil
}

// Enqueued counts stored intents toward their lanes' next batches and wakes the lanes: Enqueue
// does, and callers of QueueEnqueue once their transaction has committed.
func (p *Pipeline) Enqueued(out []Intent) {
	lanes := map[int]bool{}
	for _, i := range out {
		lanes[i.Lane] = true
		weight := int64(1)
		if p.kinds[i.Kind].MaxBatch()/smallBatchFraction == 0 {
			weight = wakeForGood // never held: its lane must look at once
		}
		p.enqueued[i.Lane].Add(weight)
	}
	for l := range lanes {
		p.poke(l)
	}
}

// ReservedIDs are intent ids taken from PostgreSQL's sequence in a batch, for intents inserted
// in a later one.
type ReservedIDs struct {
	rows []struct{ ID int64 }
}

// QueueReserveIDs queues in b, built on a pipelined transaction's dry-run session
// (store.Pipelined.Dry), the taking of n intent ids: with them the intents' insert and the
// caller's rows that name the intents go out in one batch. PostgreSQL only; ids not used are
// a gap in the sequence, as a rolled-back insert leaves.
func QueueReserveIDs(b *store.Batch, dry *gorm.DB, n int) *ReservedIDs {
	r := &ReservedIDs{}
	store.Query(b, dry.Raw("SELECT nextval(pg_get_serial_sequence('chain_intents', 'id')) AS id FROM generate_series(1, ?)", n), &r.rows)
	return r
}

// QueueEnqueue queues in b, built on a pipelined transaction's dry-run session, the insert of
// the intents that Enqueue would make, with the first of the ids reserved. Unlike Enqueue it
// does not return an existing intent in place of a new one with its kind and ref: the insert
// fails, and with it the caller's transaction. Once that has committed, the caller calls
// Enqueued.
func (p *Pipeline) QueueEnqueue(b *store.Batch, dry *gorm.DB, ids *ReservedIDs, intents ...NewIntent) ([]Intent, error) {
	out, err := p.intentsOf(intents)
	if err != nil || len(out) == 0 {
		return out, err
	}
	if len(ids.rows) < len(out) {
		return nil, fmt.Errorf("enqueue %d intents: %d ids reserved", len(out), len(ids.rows))
	}
	for i := range out {
		out[i].ID = ids.rows[i].ID
	}
	for _, c := range store.Chunks(dry, len(out)) {
		chunk := out[c[0]:c[1]]
		store.Query[struct{}](b, dry.Create(&chunk), nil)
	}
	return out, nil
}
