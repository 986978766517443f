package redeem

import (
	"sync"
	"time"
)

// finals hands the outcome hook's changes to the requests waiting for them, so that a request
// answered after its confirmation does not read its redemption back (on PostgreSQL the re-read
// was a quarter of the statements a redemption cost). The hook offers a change inside the
// pipeline's transaction; a waiter takes it only once AwaitFinal has returned, which happens
// after that transaction committed. A transaction rolled back and retried offers again before it
// commits, so what a waiter takes is what was committed. Only watched intents are kept. A
// waiter with nothing to take (the outcome was settled by another replica, or the wait timed
// out) reads the row as before.
type finals struct {
	mu sync.Mutex
	m  map[int64]*final // by intent id; nil until the hook offers
}

// final is what the outcome hook wrote on a redemption row.
type final struct {
	status, reason, txHash string
	block                  uint64
	at                     time.Time
}

func (f *finals) watch(intentID int64) {
	f.mu.Lock()
	if f.m == nil {
		f.m = map[int64]*final{}
	}
	f.m[intentID] = nil
	f.mu.Unlock()
}

// offer records the change for a watched intent.
func (f *finals) offer(intentID int64, c final) {
	f.mu.Lock()
	if _, ok := f.m[intentID]; ok {
		f.m[intentID] = &c
	}
	f.mu.Unlock()
}

// take stops watching the intent and returns its offered change, if any.
func (f *finals) take(intentID int64) (final, bool) {
	f.mu.Lock()
	c := f.m[intentID]
	delete(f.m, intentID)
	f.mu.Unlock()
	if c == nil {
		return final{}, false
	}
	return *c, true
}

func (c final) applyTo(r *redemptionRow) {
	r.Status, r.Reason, r.TxHash, r.BlockNumber, r.UpdatedAt = c.status, c.reason, c.txHash, c.block, c.at
	r.FinalAt = nil
	if c.status != StatusPending {
		at := c.at
		r.FinalAt = &at
	}
}

// dbNow is the time as both engines store it exactly (PostgreSQL keeps microseconds), so that a
// redemption answered from memory shows the times a later read of it shows.
func dbNow() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
