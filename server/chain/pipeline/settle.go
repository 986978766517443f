package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// submittedIntentsOf reads a transaction's intents still waiting for its outcome, in order.
func submittedIntentsOf(db *gorm.DB, txID int64) *gorm.DB {
	return db.Where("tx_id = ? AND status = ?", txID, IntentSubmitted).Order("id")
}

// settle records a mined transaction and the outcome of each of its intents, with the callers'
// hooks, in one database transaction.
func (l *lane) settle(ctx context.Context, t *Tx, rc *types.Receipt) error {
	var intents []Intent
	if err := submittedIntentsOf(l.p.db.WithContext(ctx), t.ID).Find(&intents).Error; err != nil {
		return err
	}
	// The mined version may be an earlier one than the lane last sent (fees.go).
	if rc.TxHash != (common.Hash{}) {
		t.minedVersion(rc.TxHash.Hex())
	}
	kind := l.p.kinds[t.Kind]
	now := time.Now().UTC()
	var outcomes []Outcome
	txErr := ""
	if rc.Status == types.ReceiptStatusSuccessful {
		var err error
		if outcomes, err = kind.Outcomes(ctx, l.p.chain, rc, intents); err != nil {
			return fmt.Errorf("read outcomes of %s: %w", t.Hash, err)
		}
	} else {
		var tx types.Transaction
		if err := tx.UnmarshalBinary(t.Raw); err == nil {
			txErr = truncate(l.p.chain.revertReason(ctx, l.addr, &tx, rc.BlockNumber), 500)
		}
		outcomes = make([]Outcome, len(intents))
		for i := range intents {
			if kind.RetryOnRevert() {
				outcomes[i] = Outcome{Status: IntentPending, Reason: "transaction reverted: " + txErr}
			} else {
				outcomes[i] = Outcome{Status: IntentFailed, Reason: txErr}
			}
		}
		l.log.Warn("transaction reverted", "tx", t.Hash, "kind", t.Kind, "items", len(intents), "reason", txErr)
	}
	for i := range intents {
		o := outcomes[i]
		in := &intents[i]
		in.Status, in.Reason, in.LogIndex = o.Status, truncate(o.Reason, 500), o.LogIndex
		in.TxHash, in.BlockNumber = t.Hash, rc.BlockNumber.Uint64()
		if o.TxHash != "" {
			in.TxHash, in.BlockNumber = o.TxHash, o.BlockNumber
		}
		if o.Status == IntentPending {
			in.TxID, in.TxHash, in.BlockNumber = nil, "", 0
			in.NotBefore = now.Add(backoff(in.Attempts))
		}
	}
	err := l.p.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		if err := store.CustomPlans(db); err != nil {
			return err
		}
		res := db.Model(&Tx{}).Where("id = ? AND status IN ?", t.ID, []string{TxSigned, TxSent}).Updates(map[string]any{
			"status": TxMined, "success": rc.Status == types.ReceiptStatusSuccessful, "block_number": rc.BlockNumber.Uint64(),
			"block_hash": rc.BlockHash.Hex(), "gas_used": rc.GasUsed, "error": txErr,
			"hash": t.Hash, "prior_hashes": t.PriorHashes,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return fmt.Errorf("transaction %s changed under this lane", t.Hash)
		}
		if err := updateOutcomes(db, intents); err != nil {
			return err
		}
		return l.p.runHooks(db, intents)
	})
	if err != nil {
		return fmt.Errorf("settle %s: %w", t.Hash, err)
	}
	var final []int64
	for _, in := range intents {
		if in.Final() {
			final = append(final, in.ID)
		}
	}
	l.p.waiters.notify(final)
	t.Status = TxMined
	return nil
}

// drop gives up a transaction whose nonce another transaction took: it can never be mined. Its
// intents are submitted again only where the ledger itself refuses duplicates (redemptions by
// sequence number, allocations by cycle); an administrative call fails instead, because
// re-sending it could apply it twice if our record of the chain is what is wrong.
func (l *lane) drop(ctx context.Context, t *Tx) error {
	l.log.Error("transaction dropped: its nonce was used by another transaction", "tx", t.Hash, "nonce", t.Nonce)
	var failed []int64
	err := l.p.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		failed = failed[:0]
		if err := db.Model(&Tx{}).Where("id = ?", t.ID).Updates(map[string]any{"status": TxDropped, "error": "nonce used by another transaction"}).Error; err != nil {
			return err
		}
		var intents []Intent
		if err := db.Where("tx_id = ? AND status = ?", t.ID, IntentSubmitted).Find(&intents).Error; err != nil {
			return err
		}
		for i := range intents {
			in := &intents[i]
			if l.p.kinds[in.Kind].RetryOnRevert() || in.Kind != KindCall {
				in.Status, in.Reason, in.TxID = IntentPending, "", nil
			} else {
				in.Status, in.Reason = IntentFailed, "its transaction's nonce was used by another transaction; not re-sent to avoid a duplicate"
				failed = append(failed, in.ID)
			}
			if err := db.Model(&Intent{}).Where("id = ?", in.ID).
				Updates(map[string]any{"status": in.Status, "reason": in.Reason, "tx_id": in.TxID}).Error; err != nil {
				return err
			}
		}
		return l.p.runHooks(db, intents)
	})
	if err == nil {
		l.p.waiters.notify(failed)
	}
	return err
}

func backoff(attempts int) time.Duration {
	d := 500 * time.Millisecond << min(attempts, 7)
	return min(d, time.Minute)
}

func (p *Pipeline) runHooks(db *gorm.DB, intents []Intent) error {
	byKind := map[string][]Intent{}
	for _, in := range intents {
		byKind[in.Kind] = append(byKind[in.Kind], in)
	}
	p.mu.Lock()
	hooks := make(map[string][]OutcomeHook, len(p.hooks))
	for k, hs := range p.hooks {
		hooks[k] = hs
	}
	p.mu.Unlock()
	for kind, list := range byKind {
		for _, h := range hooks[kind] {
			if err := h(db, list); err != nil {
				return fmt.Errorf("outcome hook of %s: %w", kind, err)
			}
		}
	}
	return nil
}

// submitNew builds, signs, stores and sends new transactions while the lane has room in flight,
// and says what it left waiting.
func (l *lane) submitNew(ctx context.Context, inFlight int) (waiting, error) {
	for inFlight < l.p.cfg.MaxInFlight {
		batch, err := l.nextBatch(ctx)
		if err != nil {
			return waiting{}, err
		}
		if len(batch) == 0 {
			// Not quiet: an intent whose caller has not committed yet would be missed.
			return waiting{}, nil
		}
		max := l.p.kinds[batch[0].Kind].MaxBatch()
		if holdBatch(len(batch), max, inFlight, time.Since(batch[0].CreatedAt), l.p.cfg.BatchLinger) {
			// New intents only join the batch (the oldest stays first), so it is held until
			// enough of them could have made it a quarter of the maximum.
			w := waiting{quiet: true, room: int64(max/smallBatchFraction - len(batch) - 1), inFlight: inFlight}
			if inFlight == 0 {
				w.until = batch[0].CreatedAt.Add(l.p.cfg.BatchLinger)
			}
			return w, nil
		}
		t, err := l.signAndStore(ctx, batch)
		if err != nil || t == nil {
			return waiting{}, err
		}
		l.send(ctx, t)
		inFlight++
	}
	return waiting{quiet: true, room: anyNumber, inFlight: inFlight}, nil
}

// smallBatchFraction: a batch under 1/smallBatchFraction of its kind's maximum is small.
const smallBatchFraction = 4

// holdBatch says whether a batch of size items (of a kind that takes up to max) waits for more
// intents to join it: a small batch waits while the lane has transactions in flight (mined within
// a block or so) and until its oldest intent is linger old, then leaves with what arrived
// meanwhile. Sending each trickle at once made blocks of a few redemptions each: at 500
// redemptions/s, 7 per transaction and a block every 9 ms, whose fixed costs (signing, storing,
// sealing, receipts, indexing) took as much CPU as 926/s in batches of 44. Lingering 30 ms cut
// the CPU by a tenth and p99 latency, accepted and confirmed, by four fifths. Lingering 100 ms
// instead (sixth session, PostgreSQL, 500/s, alternating runs) cut the server's CPU by another
// 14 % and the blocks by 61 %, so the archive chain grows and compacts less; p99 accepted fell
// from 139 to 119 ms and p99 confirmed from 389 to 278 ms, while the median confirmation took
// 108 ms instead of 73.
func holdBatch(size, max, inFlight int, oldest, linger time.Duration) bool {
	return size < max/smallBatchFraction && (inFlight > 0 || oldest < linger)
}

// pendingQueue is up to limit of the lane's pending intents that may go now, oldest first, after
// intent id after. It reads them in order from the index of the intents without a transaction
// (ix_chain_intents_queue), which are the pending ones: the statement names the index's
// predicate in its text so that every plan, generic ones included, can use it instead of
// walking the primary key through every intent ever confirmed. The status is checked too, in
// the rows read.
func pendingQueue(db *gorm.DB, lane int, now time.Time, after int64, limit int) *gorm.DB {
	return db.Where(queued+" AND id > ? AND (not_before IS NULL OR not_before <= ?)", lane, after, now).Order("id").Limit(limit)
}

// queued selects lane ?'s pending intents through the queue's index.
const queued = "lane = ? AND tx_id IS NULL AND status = '" + IntentPending + "'"

// queueWindow is how many pending intents a lane looks through to fill one batch, so that a
// batch gathers the intents of its key from among those of other keys of the same kind.
const queueWindow = 2000

// nextBatch takes the oldest pending intent and the pending intents after it of the same kind and
// batch key, up to the kind's batch size, looking through at most queueWindow intents. It stops
// at the first intent of another kind, so a lane keeps the order between kinds (an allocation
// never overtakes the funding it needs). It reads the queue a page at a time: a queue of one
// kind and key, the usual case, fills its batch from the first page. Reading the whole window
// every time read 2,000 intents for each batch of 300 while an allocation of 100,000 was
// queued: a tenth of the server's CPU. The pages are read in the index's order (queueReads), so
// that the entries of intents signed since the last vacuum are passed once, not by every read.
func (l *lane) nextBatch(ctx context.Context) ([]Intent, error) {
	var batch []Intent
	err := queueReads(l.p.db.WithContext(ctx), func(db *gorm.DB) error {
		var err error
		batch, err = l.gather(db, time.Now().UTC())
		return err
	})
	return batch, err
}

// gather is nextBatch's reading of the queue, page by page.
func (l *lane) gather(db *gorm.DB, now time.Time) ([]Intent, error) {
	var batch []Intent
	var first Intent // the batch's first intent: its kind and key are the batch's
	size := 0        // the batch's kind's maximum
	var after int64
	for read := 0; read < queueWindow; {
		limit := min(l.p.queuePage, queueWindow-read)
		var page []Intent
		if err := pendingQueue(db, l.idx, now, after, limit).Find(&page).Error; err != nil {
			return nil, err
		}
		for _, c := range page {
			if size == 0 {
				kind, ok := l.p.kinds[c.Kind]
				if !ok {
					return nil, fmt.Errorf("intent %d: unknown kind %q", c.ID, c.Kind)
				}
				// Sized by what was read, not by the kind's maximum: a lane looks at its queue
				// several times a block, and room for 250 intents each time was 3 % of all the
				// server allocated at 500 redemptions/s.
				first, size = c, kind.MaxBatch()
				batch = make([]Intent, 0, min(len(page), size))
			}
			if c.Kind != first.Kind {
				return batch, nil
			}
			if c.BatchKey == first.BatchKey {
				batch = append(batch, c)
				if len(batch) == size {
					return batch, nil
				}
			}
		}
		if len(page) < limit {
			break // the end of the queue
		}
		read += len(page)
		after = page[len(page)-1].ID
	}
	return batch, nil
}

// updateOutcomes writes intents' outcomes with one statement per group of intents that share
// everything but their log index (typically: the whole batch), the log index set by a CASE.
// One UPDATE per intent made settling a 250-item batch 250 statements.
func updateOutcomes(db *gorm.DB, intents []Intent) error {
	type key struct {
		status, reason, txHash string
		txID                   int64
		block                  uint64
		notBefore              time.Time
	}
	groups := map[key][]*Intent{}
	var order []key
	for i := range intents {
		in := &intents[i]
		k := key{status: in.Status, reason: in.Reason, txHash: in.TxHash, block: in.BlockNumber, notBefore: in.NotBefore}
		if in.TxID != nil {
			k.txID = *in.TxID
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], in)
	}
	for _, k := range order {
		g := groups[k]
		ids := make([]int64, len(g))
		var cases strings.Builder
		args := make([]any, 0, 2*len(g))
		cases.WriteString("CASE id")
		for i, in := range g {
			ids[i] = in.ID
			// The cast: PostgreSQL would type an untyped parameter in THEN as text.
			cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			args = append(args, in.ID, in.LogIndex)
		}
		cases.WriteString(" END")
		var txID any
		if k.txID != 0 {
			txID = k.txID
		}
		res := db.Model(&Intent{}).Where("id IN ? AND status = ?", ids, IntentSubmitted).Updates(map[string]any{
			"status": k.status, "reason": k.reason, "tx_id": txID, "tx_hash": k.txHash, "block_number": k.block,
			"not_before": k.notBefore, "log_index": gorm.Expr(cases.String(), args...),
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != int64(len(g)) {
			return fmt.Errorf("%d of %d intents changed under this lane", int64(len(g))-res.RowsAffected, len(g))
		}
	}
	return nil
}
