package redeem

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// ErrKeyRace is errKeyRace, for the external tests.
var ErrKeyRace = errKeyRace

// AcceptAsOneGroup prepares each request as Redeem does, without looking its key up first (as
// when two phones race one key), and applies them as one acceptance group, in order.
func (s *Service) AcceptAsOneGroup(ctx context.Context, vendorID string, keys []string, reqs []Request) ([]error, error) {
	group, err := s.prepareAll(ctx, vendorID, keys, reqs)
	if err != nil {
		return nil, err
	}
	return s.acceptor.applyGroup(group), nil
}

// AcceptInTx is AcceptAsOneGroup in the caller's transaction, which it leaves open.
func (s *Service) AcceptInTx(ctx context.Context, tx *gorm.DB, vendorID string, keys []string, reqs []Request) ([]error, error) {
	group, err := s.prepareAll(ctx, vendorID, keys, reqs)
	if err != nil {
		return nil, err
	}
	return s.acceptGroup(ctx, tx, group)
}

// AcceptPipelined is AcceptAsOneGroup in one pipelined transaction on PostgreSQL, with no
// second try in GORM's if it fails; it also returns what the group sent.
func (s *Service) AcceptPipelined(ctx context.Context, vendorID string, keys []string, reqs []Request) ([]error, PipelinedRun, error) {
	group, err := s.prepareAll(ctx, vendorID, keys, reqs)
	if err != nil {
		return nil, PipelinedRun{}, err
	}
	var verdicts []error
	var run PipelinedRun
	err = store.WithPipelined(ctx, s.db, func(p *store.Pipelined) error {
		var err error
		verdicts, err = s.acceptPipelined(ctx, p, group)
		run = PipelinedRun{Trips: p.RoundTrips(), Texts: p.Texts()}
		return err
	})
	return verdicts, run, err
}

// PipelinedRun is what a pipelined group sent: its round trips and its statements' texts.
type PipelinedRun struct {
	Trips int
	Texts []string
}

// RetriedGroups is how many acceptance groups were applied again after a failed transaction of
// the kind named ("pipelined" or "group").
func (s *Service) RetriedGroups(failed string) float64 {
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.acceptor.stages.retried)
	families, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "failed" && l.GetValue() == failed {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func (s *Service) prepareAll(ctx context.Context, vendorID string, keys []string, reqs []Request) ([]*acceptance, error) {
	group := make([]*acceptance, len(reqs))
	for i, r := range reqs {
		category, err := r.validate()
		if err != nil {
			return nil, err
		}
		if group[i], err = s.prepare(ctx, vendorID, keys[i], r.requestHash(), category, r); err != nil {
			return nil, err
		}
	}
	return group, nil
}

// PretendBacklogSince makes the service believe, for the next second, that the oldest
// unconfirmed redemption was accepted at oldest.
func (s *Service) PretendBacklogSince(oldest time.Time) {
	s.backlogCache.mu.Lock()
	s.backlogCache.m = map[string]ttlEntry[time.Time]{"": {v: oldest, at: time.Now()}}
	s.backlogCache.mu.Unlock()
}

// SetHolderPurchases sets how many purchases Holder returns, until the test ends.
func SetHolderPurchases(t interface{ Cleanup(func()) }, n int) {
	was := holderPurchases
	holderPurchases = n
	t.Cleanup(func() { holderPurchases = was })
}
