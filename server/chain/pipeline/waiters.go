package pipeline

import "sync"

// recentFinals is how many intents made final by this process a waiter can still find after the
// fact, per generation (two are kept). A caller registers after it read its intent as pending;
// the lane may have made it final in between, and without this record the caller would sleep
// until its next once-a-second poll. 32,768 ids are 20 s or more at the rates we measure, where
// the gap is a scheduling delay, and cost about 1 MiB.
const recentFinals = 1 << 15

// waiters wakes the callers waiting for intents to become final.
type waiters struct {
	mu       sync.Mutex
	m        map[int64][]chan struct{}
	recent   map[int64]struct{} // made final by this process, newest generation
	previous map[int64]struct{}
}

func newWaiters() *waiters {
	return &waiters{m: map[int64][]chan struct{}{}, recent: map[int64]struct{}{}}
}

// add registers for the notification that intent id is final. final says it already was made
// final by this process, so there is nothing to wait for; drop unregisters.
func (w *waiters) add(id int64) (notified <-chan struct{}, final bool, drop func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.recent[id]; ok {
		return ch, true, func() {}
	}
	if _, ok := w.previous[id]; ok {
		return ch, true, func() {}
	}
	w.m[id] = append(w.m[id], ch)
	return ch, false, func() { w.remove(id, ch) }
}

func (w *waiters) remove(id int64, ch chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ws := w.m[id]
	for i, c := range ws {
		if c == ch {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(w.m, id)
	} else {
		w.m[id] = ws
	}
}

// notify wakes the waiters of intents just made final (their transaction committed) and records
// them for callers that register late.
func (w *waiters) notify(ids []int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, id := range ids {
		for _, ch := range w.m[id] {
			select {
			case ch <- struct{}{}:
			default:
			}
		}
		if len(w.recent) >= recentFinals {
			w.previous, w.recent = w.recent, make(map[int64]struct{}, recentFinals)
		}
		w.recent[id] = struct{}{}
	}
}
