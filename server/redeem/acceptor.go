package redeem

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// acceptor runs redemption acceptances in shared database transactions (group commit). Each
// acceptance runs under its own savepoint, so a refused one (balance, a duplicate key) rolls back
// alone while the others commit; the group pays for one commit instead of one each. Under load the
// groups form by themselves: while one commits, the next requests queue. Before this, every
// redemption was its own transaction, and SQLite's single writer spent its time committing and
// its waiting writers sleeping in the busy handler.
type acceptor struct {
	db     *gorm.DB
	jobs   chan acceptJob
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

func newAcceptor(db *gorm.DB, limit int64) *acceptor {
	a := &acceptor{db: db, jobs: make(chan acceptJob), stop: make(chan struct{}), limit: limit}
	a.wg.Add(1)
	go a.loop()
	return a
}

// do runs work in the next group's transaction and returns its error, or the commit's.
func (a *acceptor) do(ctx context.Context, work func(tx *gorm.DB) error) error {
	if a.queued.Add(1) > a.limit {
		a.queued.Add(-1)
		return ErrBusy
	}
	defer a.queued.Add(-1)
	j := acceptJob{ctx: ctx, work: work, done: make(chan error, 1)}
	select {
	case a.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-a.stop:
		return fmt.Errorf("redemption service stopped")
	}
	return <-j.done
}

func (a *acceptor) close() {
	close(a.stop)
	a.wg.Wait()
}

func (a *acceptor) loop() {
	defer a.wg.Done()
	for {
		var group []acceptJob
		select {
		case j := <-a.jobs:
			group = append(group, j)
		case <-a.stop:
			return
		}
	more:
		for len(group) < maxGroup {
			select {
			case j := <-a.jobs:
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
