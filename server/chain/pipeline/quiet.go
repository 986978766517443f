package pipeline

import (
	"math"
	"time"
)

// quiet is what a lane knew at the end of a step that left it waiting (a small batch held for
// more intents, transactions in flight, or nothing to do), and so what must change before its
// next step can do anything else: a new block (the only way a receipt appears), a re-send
// falling due, the held batch's linger running out, or enough new intents to make the batch
// go. Until one of these, a step ends right after reading the head, without touching the
// database.
//
// A lane is woken by every enqueue (each acceptance group), every block (heads.go) and every
// 25 ms. At 500 redemptions/s it took ~80 steps a second, each reading its transactions in
// flight and its queue, mostly to decide again to hold the same small batch: three quarters of
// the pipeline's statements, for one block every 50 ms.
type quiet struct {
	valid    bool
	head     uint64    // the chain's head then
	anyBlock bool      // nothing was in flight, so a new block changes nothing
	until    time.Time // the first re-send due, the held batch's linger, or the bound (quietFor)
	enqueued int64     // the lane's enqueue count, read before its queue was
	room     int64     // how many more intents may arrive before the step could differ
}

// quietFor bounds a quiet spell in poll intervals: intents the lane was not told about (written
// by another replica, or a backoff's not_before passing) are seen within it.
const quietFor = 10

// holds says whether the lane is still quiet at head and now, with enqueued intents counted.
func (q quiet) holds(head uint64, now time.Time, enqueued int64) bool {
	return q.valid && (head == q.head || q.anyBlock) && now.Before(q.until) && enqueued-q.enqueued <= q.room
}

// waiting is how a lane's submitNew left its queue: room is how many more intents may arrive
// before a batch would go, until when a held batch may wait (zero: as long as the lane has
// transactions in flight). quiet is false when the step cannot say (the queue was empty, and a
// caller's intent may not be committed yet; or a batch raced).
type waiting struct {
	quiet    bool
	room     int64
	until    time.Time
	inFlight int // transactions of the lane in flight, sent ones included
}

// wakeForGood is what Enqueue counts for an intent of a kind whose batches are never held
// (calls): more than any held batch's room, so its lane looks at once.
const wakeForGood = math.MaxInt32

// anyNumber is the room of a lane with no room in flight: however many intents arrive, only a
// block or a re-send changes what it can do.
const anyNumber = math.MaxInt64

func earliest(ts ...time.Time) time.Time {
	var first time.Time
	for _, t := range ts {
		if !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}
