package redeem

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/internal/threadnice"
	"github.com/aidledger/aidledger/server/store"
)

// acceptor runs redemption acceptances in shared database transactions (group commit). Under
// load the groups form by themselves: while one commits, the next requests queue. Before this,
// every redemption was its own transaction, and SQLite's single writer spent its time
// committing and its waiting writers sleeping in the busy handler.
//
// A group is applied in one pass (apply), with a fixed number of statements whatever its size:
// on PostgreSQL every statement is a round trip to another process, and a statement or two per
// acceptance, plus a savepoint around each, was most of what a group cost. On PostgreSQL the
// statements go out in two pipelined batches (pipelined), and a group that fails there runs
// again with apply. apply gives each
// acceptance its verdict (a refusal writes nothing of it, or only what must be kept, like a
// counted wrong PIN). When a statement fails (two phones raced one Idempotency-Key into two
// groups, or PostgreSQL cancelled a deadlock), nothing of the group is kept, and it runs again
// one acceptance at a time, each under its own savepoint, so the failure is only its own.
//
// SQLite has one writer, so one group at a time is all it can use. PostgreSQL locks rows, and on
// it one group at a time was the bottleneck (353 redemptions/s with the server at a third of
// the box). There the acceptances are spread over several groups that commit in parallel, by
// card (a card is one beneficiary's for good), so the rows one acceptance locks (the card's PIN
// counter, its account) are only ever locked by one group at a time and two groups cannot
// deadlock over them.
type acceptor[J any] struct {
	db        *gorm.DB
	apply     applyFunc[J]
	pipelined pipelinedFunc[J] // nil = apply only
	log       *slog.Logger
	queues    []chan acceptJob[J] // one per group that may run at once
	stop      chan struct{}
	wg        sync.WaitGroup
	queued    atomic.Int64 // acceptances waiting for or in a group
	limit     int64

	shape  groupShape
	stages *stages

	// committed groups wait here for the fsync that makes them durable (store.SyncWAL), while
	// the next group runs: see answer.
	committed chan committedGroup[J]
	answered  chan struct{}
}

type committedGroup[J any] struct {
	group   []acceptJob[J]
	errs    []error
	applied time.Time // when its transaction ended
}

// applyFunc accepts jobs in tx, in their order, and returns each one's verdict; or the error of
// a statement, after which the transaction is rolled back.
type applyFunc[J any] func(ctx context.Context, tx *gorm.DB, jobs []J) ([]error, error)

// pipelinedFunc is applyFunc in a pipelined transaction on PostgreSQL, which it commits. When
// it fails, nothing of it is kept, and the jobs are applied again with applyFunc.
type pipelinedFunc[J any] func(ctx context.Context, p *store.Pipelined, jobs []J) ([]error, error)

type acceptJob[J any] struct {
	ctx    context.Context
	key    string // the card's
	job    J
	done   chan error
	queued time.Time
}

// maxGroup bounds one transaction, so a burst does not hold SQLite's write lock for long.
const maxGroup = 64

// maxQueued bounds the acceptances waiting their turn: about half a second of work at full
// speed. Offered more than it can do, the server refused nothing before this and queued: latency
// grew to many seconds, and memory with it. Beyond the bound a redemption is refused at once
// (503 server_busy) before anything is written, and the phone retries with the same key.
const maxQueued = 400

// postgresGroups is how many groups run at once on PostgreSQL: two, so that one group forms
// while another waits on its round trips and its commit. It was eight when a group ran each
// acceptance under its own savepoint, and one group was the bottleneck (353/s). Now that a group
// costs a fixed number of statements, more groups only make each smaller: at 500/s open loop
// (ninth session, three alternating pairs on one data set) eight groups of one or two
// acceptances cost PostgreSQL 33–36 s of CPU a minute against 29–33 s for two, p99 accepted was
// 108–204 ms against 88–97 ms, and the closed loop was no faster with eight.
const postgresGroups = 2

// postgresGather is how long a group on PostgreSQL of fewer than gatherUpTo acceptances waits
// for more before it starts. A group costs PostgreSQL the same round trips whatever its size
// (nine then, BEGIN, seven statements and COMMIT; three pipelined batches since the
// twenty-eighth session, two since the thirty-second), and at 500/s the two groups ran back to
// back, each as soon as the one before had committed, with three or four acceptances: the
// round trips, not the acceptances, set what PostgreSQL spent, and when a group took fewer
// statements the groups only got smaller and more (twenty-fourth session, docs/benchmarks-log.md).
// Under load the groups fill up before they would wait.
const (
	postgresGather = 10 * time.Millisecond
	gatherUpTo     = 8
)

// groupShape is how an acceptor forms and runs its groups.
type groupShape struct {
	groups     int           // that may run at once
	gather     time.Duration // that a small group waits for more; 0 = none
	gatherUpTo int           // the size from which a group no longer waits
	threadNice int           // of the threads that run the groups; 0 = unchanged (see runAtNice)
	oneEach    bool          // a key at most once in a group (see forming)
}

// shapeFor is how acceptance groups on db are formed. SQLite's statements are calls within the
// process: a group there does not wait.
func shapeFor(db *gorm.DB) groupShape {
	if store.DialectOf(db) == store.Postgres {
		return groupShape{groups: postgresGroups, gather: postgresGather, gatherUpTo: gatherUpTo, oneEach: true}
	}
	return groupShape{groups: 1, oneEach: true}
}

func newAcceptor[J any](db *gorm.DB, shape groupShape, limit int64, apply applyFunc[J], pipelined pipelinedFunc[J], log *slog.Logger) *acceptor[J] {
	a := &acceptor[J]{db: db, apply: apply, pipelined: pipelined, log: log, queues: make([]chan acceptJob[J], shape.groups), stop: make(chan struct{}), limit: limit,
		shape: shape, stages: newStages(),
		committed: make(chan committedGroup[J], maxQueued), answered: make(chan struct{})}
	go a.answer()
	for i := range a.queues {
		a.queues[i] = make(chan acceptJob[J])
		a.wg.Add(1)
		go a.loop(a.queues[i])
	}
	return a
}

// do accepts job in a transaction of the group that key (the card) belongs to, the next one
// unless the key is already in it, and returns its verdict, or why it could not be applied.
func (a *acceptor[J]) do(ctx context.Context, key string, job J) error {
	if a.queued.Add(1) > a.limit {
		a.queued.Add(-1)
		return ErrBusy
	}
	defer a.queued.Add(-1)
	j := acceptJob[J]{ctx: ctx, key: key, job: job, done: make(chan error, 1), queued: time.Now()}
	select {
	case a.queues[a.queueOf(key)] <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-a.stop:
		return fmt.Errorf("redemption service stopped")
	}
	return <-j.done
}

func (a *acceptor[J]) queueOf(key string) int {
	if len(a.queues) == 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(a.queues)))
}

func (a *acceptor[J]) close() {
	close(a.stop)
	a.wg.Wait()
	close(a.committed)
	<-a.answered
}

func (a *acceptor[J]) loop(jobs chan acceptJob[J]) {
	defer a.wg.Done()
	if a.shape.threadNice != 0 {
		// A group is a chain of short steps (a dozen round trips to PostgreSQL, each a wake-up
		// of this goroutine), and on a busy box every wake-up waited its turn behind the chain's
		// CPU-bound work: the acceptances' tail (twenty-fifth session, docs/benchmarks-log.md).
		if err := threadnice.RunAtNice(a.shape.threadNice); err != nil {
			a.log.Info("acceptance groups run at the process's priority", "nice", a.shape.threadNice, "err", err)
		}
	}
	var held []acceptJob[J] // for the next group (see forming)
	for {
		f := forming[J]{}
		if a.shape.oneEach {
			f.keys = map[string]bool{}
		}
		for _, j := range held {
			f.add(j)
		}
		if len(f.group) == 0 { // nothing was held
			select {
			case j := <-jobs:
				f.add(j)
			case <-a.stop:
				return
			}
		}
	more:
		for len(f.group) < maxGroup {
			select {
			case j := <-jobs:
				f.add(j)
			default:
				break more
			}
		}
		if len(f.group) < a.shape.gatherUpTo && a.shape.gather > 0 {
			a.gatherMore(jobs, &f)
		}
		held = f.held
		a.run(f.group)
	}
}

// forming is a group as it forms. With keys, an acceptance whose card is already in the group
// is held for the next one, where it goes first. A card named twice in one group has its PIN
// checked one by one, after the acceptance before it, which a pipelined group on PostgreSQL
// cannot do: the whole group failed there and ran again in GORM's transaction. Held, the second
// runs after the first has committed, which is the order it would have had anyway.
type forming[J any] struct {
	group []acceptJob[J]
	held  []acceptJob[J]
	keys  map[string]bool // in group; nil = a key may repeat
}

func (f *forming[J]) add(j acceptJob[J]) {
	if len(f.group) >= maxGroup || f.keys != nil && f.keys[j.key] {
		f.held = append(f.held, j)
		return
	}
	if f.keys != nil {
		f.keys[j.key] = true
	}
	f.group = append(f.group, j)
}

// gatherMore adds to f what arrives within the gather time, until its group has gatherUpTo.
func (a *acceptor[J]) gatherMore(jobs chan acceptJob[J], f *forming[J]) {
	timer := time.NewTimer(a.shape.gather)
	defer timer.Stop()
	for len(f.group) < a.shape.gatherUpTo {
		select {
		case j := <-jobs:
			f.add(j)
		case <-timer.C:
			return
		case <-a.stop:
			return
		}
	}
}

func (a *acceptor[J]) run(group []acceptJob[J]) {
	start := time.Now()
	errs := make([]error, len(group))
	var jobs []J
	var idx []int // of jobs in group
	for i, j := range group {
		if errs[i] = j.ctx.Err(); errs[i] == nil {
			jobs, idx = append(jobs, j.job), append(idx, i)
		}
	}
	if len(jobs) > 0 {
		for k, err := range a.applyGroup(jobs) {
			errs[idx[k]] = err
		}
	}
	applied := time.Now()
	queued := make([]time.Time, len(group))
	for i, j := range group {
		queued[i] = j.queued
	}
	a.stages.group(queued, start, applied)
	a.committed <- committedGroup[J]{group, errs, applied}
}

// answer tells each committed group's phones their verdicts once the group is on disk. A group
// commits without waiting for the disk (store.DeferSync), so that SQLite's write lock is free
// for the next group, the lanes and the indexer during the fsync. SyncWAL fsyncs only if a
// commit is not yet covered, so the groups that committed during one fsync share the next. If it
// fails, the accepted ones are told so (and retry with the same Idempotency-Key, which finds the
// redemption if it was kept after all).
func (a *acceptor[J]) answer() {
	defer close(a.answered)
	for c := range a.committed {
		err := store.SyncWAL(a.db)
		a.stages.durable(len(c.group), time.Since(c.applied))
		if err != nil {
			a.log.Error("redemptions committed but not made durable", "size", len(c.group), "err", err)
		}
		for i, j := range c.group {
			v := c.errs[i]
			if v == nil && err != nil {
				v = fmt.Errorf("make redemptions durable: %w", err)
			}
			j.done <- v
		}
	}
}

// applyGroup applies jobs in one transaction (pipelined if it can), and if that fails, in one
// of GORM's, and if that fails too, one acceptance at a time. The statements do not take the
// phones' contexts: one phone hanging up must not fail the others' acceptances, and each is
// short.
func (a *acceptor[J]) applyGroup(jobs []J) []error {
	ctx := store.DeferSync(context.Background()) // answer makes it durable
	var verdicts []error
	if a.pipelined != nil {
		err := store.WithPipelined(ctx, a.db, func(p *store.Pipelined) error {
			var err error
			verdicts, err = a.pipelined(ctx, p, jobs)
			return err
		})
		if err == nil {
			return verdicts
		}
		a.stages.retried.WithLabelValues(failedPipelined).Inc()
		a.log.Debug("pipelined acceptance group failed; applying it again", "size", len(jobs), "err", err)
	}
	db := a.db.WithContext(ctx)
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		verdicts, err = a.apply(ctx, tx, jobs)
		return err
	})
	if err == nil {
		return verdicts
	}
	if len(jobs) == 1 {
		return []error{unapplied(err)}
	}
	a.stages.retried.WithLabelValues(failedGroup).Inc()
	a.log.Debug("acceptance group failed; applying it one by one", "size", len(jobs), "err", err)
	verdicts = make([]error, len(jobs))
	err = db.Transaction(func(tx *gorm.DB) error {
		for i := range jobs {
			if err := tx.SavePoint("acceptance").Error; err != nil {
				return err
			}
			v, err := a.apply(ctx, tx, jobs[i:i+1])
			if err != nil {
				if err := tx.RollbackTo("acceptance").Error; err != nil {
					return err
				}
				verdicts[i] = unapplied(err)
			} else {
				verdicts[i] = v[0]
			}
			if err := tx.Exec("RELEASE SAVEPOINT acceptance").Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for i := range verdicts {
			verdicts[i] = fmt.Errorf("commit redemptions: %w", err) // nothing of the group was kept
		}
	}
	return verdicts
}

// unapplied is what a phone is told when its acceptance could not be applied.
func unapplied(err error) error {
	if store.IsLockConflict(err) {
		// Two groups waited on each other (in one process only when one idempotency key comes
		// with two cards at once; between replicas, any two cards): PostgreSQL cancelled one.
		// Nothing of it was kept; the phone retries with the same key.
		return ErrBusy
	}
	return err
}
