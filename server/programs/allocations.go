package programs

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/store"
)

// Item statuses mirror their intents'; a submitted intent's item is still pending.
const (
	itemPending   = "pending"
	itemConfirmed = "confirmed"
	itemFailed    = "failed"
)

// maxItemAmount bounds one beneficiary's credit in one cycle, so that sums stay far from
// int64 overflow (and within the JSON-safe integer range).
const maxItemAmount = 1 << 53

// AllocationRequest credits one cycle of entitlements: each beneficiary gets
// AmountPerHousehold + AmountPerMember × household size, in the program's minor units.
type AllocationRequest struct {
	Cycle              int      `json:"cycle"`
	AmountPerHousehold int64    `json:"amount_per_household"`
	AmountPerMember    int64    `json:"amount_per_member"`
	BeneficiaryIDs     []string `json:"beneficiary_ids"`
	AllActive          bool     `json:"all_active"`
	// Location narrows all_active to the beneficiaries of one location (a camp, a district).
	Location string `json:"location,omitempty"`
	// ImportID narrows all_active to the beneficiaries one CSV import enrolled: a first cycle for
	// a newly registered group.
	ImportID string `json:"import_id,omitempty"`
}

// insertBatch is how many rows one INSERT carries. The SQLite driver binds parameters in time
// quadratic in their number per statement: 100 rows of a dozen columns is several times faster
// overall than 500.
const insertBatch = 100

// Entitlement is what the chain confirmed for one beneficiary in one program.
type Entitlement struct {
	ProgramID          string `json:"program_id"`
	ChainProgramID     uint64 `json:"chain_program_id"`
	BeneficiaryID      string `json:"beneficiary_id"`
	ChainBeneficiary   string `json:"chain_beneficiary"` // 0x-hex, as in chain_events
	AllocatedConfirmed int64  `json:"allocated_confirmed"`
	LastCycle          int    `json:"last_cycle"`
}

// plannedItem is one recipient's credit, held until it is enqueued. It is compact and
// pointer-free: a cycle for 1,000,000 beneficiaries holds a million of them (56 MB, which the
// garbage collector need not scan), where Recipients with their string ids and a map to find
// repeats came to about 180 MB, at the moment RSS jumped by 136 MiB (eleventh session).
type plannedItem struct {
	id     uuid.UUID
	chain  [32]byte
	amount int64
}

// plannedItems holds a job's items in chunks of one enqueue transaction each. One slice grown by
// append held twice its contents at each growth (the old array and the new) and up to a quarter
// unused: the heap profile at the 1M allocation's RSS high showed 108 MB for 56 MB of items
// (twelfth session). Chunks are also dropped as they are enqueued.
type plannedItems struct {
	chunks [][]plannedItem
	size   int // capacity of a chunk
	n      int
}

func (p *plannedItems) add(it plannedItem) {
	if len(p.chunks) == 0 || len(p.chunks[len(p.chunks)-1]) == p.size {
		p.chunks = append(p.chunks, make([]plannedItem, 0, p.size))
	}
	last := &p.chunks[len(p.chunks)-1]
	*last = append(*last, it)
	p.n++
}

func (r *AllocationRequest) validate() error {
	if r.Cycle < 1 || r.Cycle > math.MaxUint32 {
		return apierr.Invalid("cycle", "must be between 1 and %d", uint32(math.MaxUint32))
	}
	if r.AmountPerHousehold < 0 || r.AmountPerHousehold > maxItemAmount {
		return apierr.Invalid("amount_per_household", "must be between 0 and %d", int64(maxItemAmount))
	}
	if r.AmountPerMember < 0 || r.AmountPerMember > maxItemAmount {
		return apierr.Invalid("amount_per_member", "must be between 0 and %d", int64(maxItemAmount))
	}
	if r.AmountPerHousehold == 0 && r.AmountPerMember == 0 {
		return apierr.Invalid("amount_per_household", "amount_per_household or amount_per_member must be positive")
	}
	if r.AllActive == (len(r.BeneficiaryIDs) > 0) {
		return apierr.Invalid("beneficiary_ids", "give beneficiary_ids or all_active, not both and not neither")
	}
	if r.Location != "" && !r.AllActive {
		return apierr.Invalid("location", "narrows all_active; a list of beneficiary_ids is allocated as given")
	}
	if r.ImportID != "" && !r.AllActive {
		return apierr.Invalid("import_id", "narrows all_active; a list of beneficiary_ids is allocated as given")
	}
	return nil
}

// StartAllocation checks and accepts an allocation job, then enqueues its items in the
// background (Job shows the progress). It refuses a cycle not newer than every cycle already
// allocated in the program (ErrStaleCycle), and a total above what the program has funded but
// not yet allocated (ErrInsufficientFunds; see the package documentation for how in-flight
// jobs count).
func (s *Service) StartAllocation(ctx context.Context, actor, programID string, req AllocationRequest) (Job, error) {
	if err := req.validate(); err != nil {
		return Job{}, err
	}
	prog, err := s.programRow(ctx, s.db, programID)
	if err != nil {
		return Job{}, err
	}
	if err := allocatable(prog); err != nil {
		return Job{}, err
	}
	// Cheap refusal before streaming a large population; checked again under the lock below.
	if last, err := lastCycle(s.db.WithContext(ctx), prog); err != nil {
		return Job{}, err
	} else if req.Cycle <= last {
		return Job{}, ErrStaleCycle.WithDetail("last_cycle", last)
	}

	items, total, err := s.plan(ctx, req)
	if err != nil {
		return Job{}, fmt.Errorf("allocate in program %s: %w", programID, err)
	}
	job := jobRow{ID: newID(), ProgramID: programID, Cycle: req.Cycle, Status: JobRunning,
		AmountPerHousehold: req.AmountPerHousehold, AmountPerMember: req.AmountPerMember,
		Total: items.n, AmountTotal: total, Reserved: total, CreatedBy: actor, CreatedAt: now(), UpdatedAt: now()}
	err = store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		// Writing the program row first serialises jobs of one program (a row lock on
		// PostgreSQL; SQLite's write lock is taken at BEGIN anyway).
		res := tx.Model(&programRow{}).Where("id = ? AND status = ?", programID, ProgramActive).Update("updated_at", now())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrProgramInactive
		}
		last, err := lastCycle(tx, prog)
		if err != nil {
			return err
		}
		if req.Cycle <= last {
			return ErrStaleCycle.WithDetail("last_cycle", last)
		}
		f, err := fundsOf(tx, prog)
		if err != nil {
			return err
		}
		if total > f.Available {
			return ErrInsufficientFunds.Withf("the cycle needs %d but only %d is funded and not yet allocated", total, f.Available).
				WithDetail("available", f.Available).WithDetail("requested", total)
		}
		return tx.Create(&job).Error
	})
	if err != nil {
		return Job{}, fmt.Errorf("allocate cycle %d in program %s: %w", req.Cycle, programID, err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.enqueueJob(job, prog.ChainProgramID, items)
	}()
	return s.jobView(ctx, job)
}

func allocatable(p programRow) error {
	switch p.Status {
	case ProgramActive:
		return nil
	case ProgramPending:
		return ErrProgramPending
	}
	return ErrProgramInactive
}

// plan streams the recipients and computes each one's amount and the total.
func (s *Service) plan(ctx context.Context, req AllocationRequest) (*plannedItems, int64, error) {
	items := &plannedItems{size: s.cfg.ChunkSize}
	var total int64
	// Every active beneficiary has a chain id of its own (a unique index); only a list given in
	// the request can name a card twice.
	var seen map[[32]byte]bool
	if !req.AllActive {
		seen = map[[32]byte]bool{}
	}
	err := s.recipients.Recipients(ctx, req.BeneficiaryIDs, req.AllActive, req.Location, req.ImportID, func(rs []Recipient) error {
		for _, r := range rs {
			if seen != nil {
				if seen[r.ChainID] {
					continue // the same card listed twice gets one credit
				}
				seen[r.ChainID] = true
			}
			id, err := uuid.Parse(r.ID)
			if err != nil {
				return fmt.Errorf("beneficiary id %q: %w", r.ID, err)
			}
			members := int64(max(r.HouseholdSize, 1)) // a household has at least its head
			// Checked before multiplying, so that the product cannot overflow.
			if req.AmountPerMember > 0 && members > (maxItemAmount-req.AmountPerHousehold)/req.AmountPerMember {
				return apierr.Invalid("amount_per_member", "beneficiary %s would get more than %d", r.ID, int64(maxItemAmount))
			}
			amount := req.AmountPerHousehold + req.AmountPerMember*members
			if total > math.MaxInt64-amount {
				return apierr.Invalid("amount_per_household", "the cycle's total does not fit in 63 bits")
			}
			total += amount
			items.add(plannedItem{id: id, chain: r.ChainID, amount: amount})
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if items.n == 0 {
		return nil, 0, ErrNoRecipients
	}
	return items, total, nil
}

// lastCycle is the newest cycle the program allocated, on chain or in a job of ours that
// enqueued anything (or may still).
func lastCycle(db *gorm.DB, p programRow) (int, error) {
	fromJobs, err := lastJobCycle(db, p)
	if err != nil {
		return 0, err
	}
	var fromChain int
	if err := db.Model(&index.Event{}).Where("program_id = ? AND kind = ?", p.ChainProgramID, index.KindAllocated).
		Select("COALESCE(MAX(cycle), 0)").Scan(&fromChain).Error; err != nil {
		return 0, fmt.Errorf("read last cycle on chain: %w", err)
	}
	return max(fromJobs, fromChain), nil
}

// lastJobCycle is the newest cycle of a job of ours that enqueued anything (or may still): one
// row per allocation job, where the chain's side is an event per beneficiary. The two agree
// unless an allocation reached the chain from elsewhere; the stale-cycle check reads both.
func lastJobCycle(db *gorm.DB, p programRow) (int, error) {
	var n int
	if err := db.Model(&jobRow{}).Where("program_id = ? AND (status <> ? OR enqueued > 0)", p.ID, JobFailed).
		Select("COALESCE(MAX(cycle), 0)").Scan(&n).Error; err != nil {
		return 0, fmt.Errorf("read last cycle: %w", err)
	}
	return n, nil
}

// Funds is what a program can still allocate.
type Funds struct {
	Funded    int64 `json:"funded"`    // indexed Funded events
	Allocated int64 `json:"allocated"` // max(indexed Allocated events, held by jobs)
	Available int64 `json:"available"` // Funded − Allocated
}

// Funds tells how much a program can still allocate, as StartAllocation counts it.
func (s *Service) Funds(ctx context.Context, programID string) (Funds, error) {
	prog, err := s.programRow(ctx, s.db, programID)
	if err != nil {
		return Funds{}, err
	}
	return fundsOf(s.db.WithContext(ctx), prog)
}

func fundsOf(db *gorm.DB, p programRow) (Funds, error) {
	t, err := totalsOf(db, p.ChainProgramID)
	if err != nil {
		return Funds{}, err
	}
	var reserved, failed int64
	if err := db.Model(&jobRow{}).Where("program_id = ?", p.ID).Select("COALESCE(SUM(reserved), 0)").Scan(&reserved).Error; err != nil {
		return Funds{}, fmt.Errorf("sum reserved allocations: %w", err)
	}
	if err := db.Model(&itemRow{}).Where("program_id = ? AND status = ?", p.ID, itemFailed).
		Select("COALESCE(SUM(amount), 0)").Scan(&failed).Error; err != nil {
		return Funds{}, fmt.Errorf("sum failed allocations: %w", err)
	}
	f := Funds{Funded: t[p.ChainProgramID].Funded, Allocated: max(t[p.ChainProgramID].Allocated, reserved-failed)}
	f.Available = f.Funded - f.Allocated
	return f, nil
}

// enqueueJob writes the job's items and their intents, a chunk per transaction.
func (s *Service) enqueueJob(job jobRow, chainProgramID uint64, items *plannedItems) {
	log := s.log.With("job", job.ID, "program", job.ProgramID, "cycle", job.Cycle)
	started := time.Now()
	start := 0
	for i, chunk := range items.chunks {
		items.chunks[i] = nil // enqueued or failed, it is not needed again
		if err := s.enqueueChunk(s.ctx, job, chainProgramID, chunk); err != nil {
			reason := "enqueueing stopped: " + err.Error()
			if s.ctx.Err() != nil {
				reason = "enqueueing stopped: the service was closed"
			}
			log.Error("allocation job failed", "err", err, "enqueued", start)
			s.failJob(job.ID, reason)
			return
		}
		start += len(chunk)
	}
	if err := s.db.Model(&jobRow{}).Where("id = ?", job.ID).
		Updates(map[string]any{"enqueue_done": true, "updated_at": now()}).Error; err != nil {
		log.Error("allocation job: mark enqueued", "err", err)
		s.failJob(job.ID, "enqueueing stopped: "+err.Error())
		return
	}
	log.Info("allocation job enqueued", "items", items.n, "took", time.Since(started))
}

func (s *Service) enqueueChunk(ctx context.Context, job jobRow, chainProgramID uint64, chunk []plannedItem) error {
	intents := make([]pipeline.NewIntent, len(chunk))
	rows := make([]itemRow, len(chunk))
	var sum int64
	for i, it := range chunk {
		intents[i] = pipeline.AllocateIntent(pipeline.Allocation{
			ProgramID: chainProgramID, Cycle: uint32(job.Cycle), Beneficiary: it.chain, Amount: uint64(it.amount)})
		rows[i] = itemRow{JobID: job.ID, ProgramID: job.ProgramID, BeneficiaryID: it.id.String(), ChainBeneficiary: common.Hash(it.chain).Hex(),
			Cycle: job.Cycle, Amount: it.amount, Status: itemPending, UpdatedAt: now()}
		sum += it.amount
	}
	return store.InTx(ctx, s.db, func(tx *gorm.DB) error {
		if err := store.CustomPlans(tx); err != nil {
			return err
		}
		for start := 0; start < len(intents); start += insertBatch {
			end := min(start+insertBatch, len(intents))
			stored, err := s.p.Enqueue(ctx, tx, intents[start:end]...)
			if err != nil {
				return err
			}
			for i, in := range stored {
				rows[start+i].IntentID = in.ID
			}
		}
		if err := tx.CreateInBatches(&rows, insertBatch).Error; err != nil {
			return fmt.Errorf("store %d items: %w", len(rows), err)
		}
		return tx.Model(&jobRow{}).Where("id = ?", job.ID).Updates(map[string]any{
			"enqueued": gorm.Expr("enqueued + ?", len(chunk)), "enqueued_amount": gorm.Expr("enqueued_amount + ?", sum), "updated_at": now(),
		}).Error
	})
}

// failJob stops a job: it keeps holding only the funding of what it enqueued.
func (s *Service) failJob(id, reason string) {
	err := s.db.Model(&jobRow{}).Where("id = ? AND status = ?", id, JobRunning).Updates(map[string]any{
		"status": JobFailed, "error": truncate(reason, 500), "reserved": gorm.Expr("enqueued_amount"), "updated_at": now(),
	}).Error
	if err != nil {
		s.log.Error("allocation job: mark failed", "job", id, "err", err)
	}
}

// failInterruptedJobs fails jobs whose enqueueing stopped with the process that ran it. A job
// still enqueueing elsewhere (another replica) writes a chunk every few milliseconds, so only
// jobs silent for a while count as interrupted.
func (s *Service) failInterruptedJobs(ctx context.Context) error {
	err := s.db.WithContext(ctx).Model(&jobRow{}).
		Where("status = ? AND enqueue_done = ? AND updated_at < ?", JobRunning, false, now().Add(-2*time.Minute)).
		Updates(map[string]any{"status": JobFailed, "error": "enqueueing interrupted by a restart",
			"reserved": gorm.Expr("enqueued_amount"), "updated_at": now()}).Error
	if err != nil {
		return fmt.Errorf("fail interrupted allocation jobs: %w", err)
	}
	return nil
}
