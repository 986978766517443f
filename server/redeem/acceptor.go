package redeem

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// acceptor runs redemption acceptances in shared database transactions (group commit). Each
// acceptance runs under its own savepoint, so a refused one (balance, a duplicate key) rolls back
// alone while the others commit; the group pays for one commit instead of one each. Under load the
// groups form by themselves: while one commits, the next requests queue. Before this, every
// redemption was its own transaction, and SQLite's single writer spent its time committing and
// its waiting writers sleeping in the busy handler.
//
// SQLite has one writer, so one group at a time is all it can use. PostgreSQL locks rows, and on
// it one group at a time was the bottleneck: each statement of a group is a round trip to
// another process, run one after the other (353 redemptions/s with the server at a third of the
// box). There the acceptances are spread over several groups that commit in parallel, by
// beneficiary, so the rows one acceptance locks (the card's PIN counter, its account) are only
// ever locked by one group at a time and two groups cannot deadlock over them.
type acceptor struct {
	db     *gorm.DB
	queues []chan acceptJob // one per group that may run at once
	stop   chan struct{}
	wg     sync.WaitGroup
	queued atomic.Int64 // acceptances waiting for or in a group
	limit  int64
}

type acceptJob struct {
	ctx  context.Context
	work func(tx *gorm.DB) error // the acceptance; an error rolls back its savepoint
	done chan error
}

// maxGroup bounds one transaction, so a burst does not hold SQLite's write lock for long.
const maxGroup = 64

// maxQueued bounds the acceptances waiting their turn: about half a second of work at full
// speed. Offered more than it can do, the server refused nothing before this and queued: latency
// grew to many seconds, and memory with it. Beyond the bound a redemption is refused at once
// (503 server_busy) before anything is written, and the phone retries with the same key.
const maxQueued = 400

// postgresGroups is how many groups run at once on PostgreSQL: enough to keep its backends busy
// while others wait on round trips, few enough to leave most of the pool (store.PostgresConns) to readers and the lanes.
const postgresGroups = 8

// groupsFor is how many acceptance groups db can run at once.
func groupsFor(db *gorm.DB) int {
	if store.DialectOf(db) == store.Postgres {
		return postgresGroups
	}
	return 1
}

func newAcceptor(db *gorm.DB, groups int, limit int64) *acceptor {
	a := &acceptor{db: db, queues: make([]chan acceptJob, groups), stop: make(chan struct{}), limit: limit}
	for i := range a.queues {
		a.queues[i] = make(chan acceptJob)
		a.wg.Add(1)
		go a.loop(a.queues[i])
	}
	return a
}

// do runs work in the next transaction of the group that key (the beneficiary) belongs to and
// returns its error, or the commit's.
func (a *acceptor) do(ctx context.Context, key string, work func(tx *gorm.DB) error) error {
	if a.queued.Add(1) > a.limit {
		a.queued.Add(-1)
		return ErrBusy
	}
	defer a.queued.Add(-1)
	j := acceptJob{ctx: ctx, work: work, done: make(chan error, 1)}
	select {
	case a.queues[a.queueOf(key)] <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-a.stop:
		return fmt.Errorf("redemption service stopped")
	}
	return <-j.done
}

func (a *acceptor) queueOf(key string) int {
	if len(a.queues) == 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(a.queues)))
}

func (a *acceptor) close() {
	close(a.stop)
	a.wg.Wait()
}

func (a *acceptor) loop(jobs chan acceptJob) {
	defer a.wg.Done()
	for {
		var group []acceptJob
		select {
		case j := <-jobs:
			group = append(group, j)
		case <-a.stop:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case j := <-jobs:
				group = append(group, j)
			default:
				break more
			}
		}
		a.run(group)
	}
}

func (a *acceptor) run(group []acceptJob) {
	errs := make([]error, len(group))
	err := a.db.Transaction(func(tx *gorm.DB) error {
		for i, j := range group {
			if err := j.ctx.Err(); err != nil {
				errs[i] = err
				continue
			}
			if err := tx.SavePoint("acceptance").Error; err != nil {
				return err
			}
			if errs[i] = j.work(tx.WithContext(j.ctx)); errs[i] != nil {
				if err := tx.RollbackTo("acceptance").Error; err != nil {
					return err
				}
				if store.IsLockConflict(errs[i]) {
					// Two groups waited on each other (in one process only when one idempotency
					// key comes with two cards at once; between replicas, any two cards):
					// PostgreSQL cancelled this one. Nothing of it was kept; the phone retries
					// with the same key.
					errs[i] = ErrBusy
				}
			}
			if err := tx.Exec("RELEASE SAVEPOINT acceptance").Error; err != nil {
				return err
			}
		}
		return nil
	})
	for i, j := range group {
		if err != nil {
			errs[i] = fmt.Errorf("commit redemptions: %w", err) // nothing of the group was kept
		}
		j.done <- errs[i]
	}
}
