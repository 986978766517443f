package pipeline

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// reorgWindow is how many recent blocks are re-checked for transactions that were mined there:
// a node restarted after kill -9 or a reorg can lose them, and they must then be re-sent.
const reorgWindow = 128

// dropAfter is how long a transaction's nonce must have been used by something else, with no
// receipt for our hash, before we conclude it can never be mined. Receipts are indexed
// asynchronously, so a passed nonce alone proves nothing at first.
const dropAfter = 10 * time.Second

// lane submits with one operator key. Only the goroutine of its lane touches its transactions.
type lane struct {
	p          *Pipeline
	idx        int
	key        *ecdsa.PrivateKey
	addr       common.Address
	signer     types.Signer
	log        *slog.Logger
	leaseUntil time.Time
	lastHead   uint64
	lastVerify time.Time
	passedAt   map[int64]time.Time // tx id → when its nonce was first seen used without a receipt
	quiet      quiet
}

func newLane(p *Pipeline, idx int) *lane {
	key := p.cfg.Keys[idx]
	return &lane{
		p: p, idx: idx, key: key, addr: crypto.PubkeyToAddress(key.PublicKey),
		signer:   types.LatestSignerForChainID(p.cfg.ChainID),
		log:      p.log.With("lane", idx),
		passedAt: map[int64]time.Time{},
	}
}

func (l *lane) run(ctx context.Context) {
	failures := 0
	for {
		wait := l.p.cfg.PollInterval
		if err := l.step(ctx); err != nil && ctx.Err() == nil {
			failures++
			wait = min(time.Duration(failures)*200*time.Millisecond, 5*time.Second)
			l.log.Warn("lane step failed", "err", err, "retry_in", wait)
		} else {
			failures = 0
		}
		select {
		case <-ctx.Done():
			return
		case <-l.p.wake[l.idx]:
		case <-time.After(wait):
		}
	}
}

func (l *lane) step(ctx context.Context) error {
	ok, err := l.lease(ctx)
	if err != nil || !ok {
		return err
	}
	enqueued := l.p.enqueued[l.idx].Load() // before the queue is read: what comes later is new
	head, err := l.p.chain.Client.BlockNumber(ctx)
	if err != nil {
		return fmt.Errorf("read head: %w", err)
	}
	if head < l.lastHead || time.Since(l.lastVerify) > 2*time.Second {
		if err := l.verifyMined(ctx, head); err != nil {
			return err
		}
		l.lastVerify = time.Now()
	}
	l.lastHead = head
	if l.quiet.holds(head, time.Now(), enqueued) {
		return nil
	}
	l.quiet = quiet{}
	inFlight, due, err := l.followInFlight(ctx)
	if err != nil {
		return err
	}
	w, err := l.submitNew(ctx, inFlight)
	if err != nil || !w.quiet {
		return err
	}
	now := time.Now()
	l.quiet = quiet{valid: true, head: head, anyBlock: w.inFlight == 0, enqueued: enqueued, room: w.room,
		until: earliest(due, w.until, now.Add(quietFor*l.p.cfg.PollInterval))}
	return nil
}

// lease takes or renews this process' claim on the lane. On taking it, the lane recovers: its
// nonce counter catches up with the chain and every stored unmined transaction is re-sent.
func (l *lane) lease(ctx context.Context) (bool, error) {
	now := time.Now().UTC()
	if l.leaseUntil.After(now.Add(l.p.cfg.LeaseFor / 2)) {
		return true, nil
	}
	db := l.p.db.WithContext(ctx)
	row := Lane{Lane: l.idx, Address: l.addr.Hex()}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return false, fmt.Errorf("create lane %d: %w", l.idx, err)
	}
	res := db.Model(&Lane{}).
		Where("lane = ? AND address = ? AND (lease_owner = ? OR lease_owner = '' OR lease_owner IS NULL OR lease_until < ?)",
			l.idx, l.addr.Hex(), l.p.cfg.Owner, now).
		Updates(map[string]any{"lease_owner": l.p.cfg.Owner, "lease_until": now.Add(l.p.cfg.LeaseFor)})
	if res.Error != nil {
		return false, fmt.Errorf("lease lane %d: %w", l.idx, res.Error)
	}
	if res.RowsAffected != 1 {
		var cur Lane
		if err := db.First(&cur, "lane = ?", l.idx).Error; err == nil && cur.Address != l.addr.Hex() {
			return false, fmt.Errorf("lane %d was used with operator %s, now configured with %s", l.idx, cur.Address, l.addr.Hex())
		}
		taken := false
		if cur.LeaseOwner != "" && ownerGone(cur.LeaseOwner) {
			// Our predecessor on this host died holding the lease: take it now rather than
			// leaving redemptions unconfirmed until it expires.
			res = db.Model(&Lane{}).Where("lane = ? AND lease_owner = ?", l.idx, cur.LeaseOwner).
				Updates(map[string]any{"lease_owner": l.p.cfg.Owner, "lease_until": now.Add(l.p.cfg.LeaseFor)})
			taken = res.Error == nil && res.RowsAffected == 1
			if taken {
				l.log.Info("took over the lease of a process that is gone", "previous_owner", cur.LeaseOwner)
			}
		}
		if !taken {
			l.leaseUntil = time.Time{}
			return false, nil // another replica holds it
		}
	}
	fresh := !l.leaseUntil.After(now)
	l.leaseUntil = now.Add(l.p.cfg.LeaseFor)
	if fresh {
		if err := l.recover(ctx); err != nil {
			l.leaseUntil = time.Time{}
			return false, err
		}
	}
	return true, nil
}

func (l *lane) recover(ctx context.Context) error {
	l.quiet = quiet{}
	chainNonce, err := l.p.chain.Client.NonceAt(ctx, l.addr, nil)
	if err != nil {
		return fmt.Errorf("read nonce of %s: %w", l.addr.Hex(), err)
	}
	// The key may have been used outside the pipeline (deployment, role grants): never reuse a
	// nonce the chain has already seen.
	if err := l.p.db.WithContext(ctx).Model(&Lane{}).Where("lane = ? AND next_nonce < ?", l.idx, chainNonce).
		Update("next_nonce", chainNonce).Error; err != nil {
		return fmt.Errorf("catch up nonce of lane %d: %w", l.idx, err)
	}
	if err := l.verifyMined(ctx, 0); err != nil {
		return err
	}
	var txs []Tx
	if err := l.p.db.WithContext(ctx).Where("lane = ? AND status IN ?", l.idx, []string{TxSigned, TxSent}).
		Order("nonce").Find(&txs).Error; err != nil {
		return err
	}
	for i := range txs {
		l.send(ctx, &txs[i])
	}
	if len(txs) > 0 {
		l.log.Info("lane recovered", "resent", len(txs), "chain_nonce", chainNonce)
	}
	return nil
}

// verifyMined finds transactions recorded as mined whose block the chain no longer has (head
// went backwards, or another block took that height) and puts them back to "sent", to be re-sent
// exactly as they were. head 0 means: read it.
func (l *lane) verifyMined(ctx context.Context, head uint64) error {
	c := l.p.chain.Client
	if head == 0 {
		h, err := c.BlockNumber(ctx)
		if err != nil {
			return err
		}
		head = h
	}
	var mined []Tx
	// Everything above the current head is gone for sure; below it, the last reorgWindow
	// blocks are compared by hash, and older blocks are taken as final.
	from := uint64(0)
	if head > reorgWindow {
		from = head - reorgWindow
	}
	// Not the signed bytes, which PostgreSQL keeps compressed apart (a batch of redemptions: 9.6
	// KB, 4.9 stored): fetching and inflating every one of them made a check 9-13 ms.
	if err := minedSince(l.p.db.WithContext(ctx), l.idx, from).Select("id", "hash", "nonce", "block_number", "block_hash").
		Find(&mined).Error; err != nil {
		return err
	}
	hashes := map[uint64]string{}
	for i := range mined {
		t := &mined[i]
		gone := t.BlockNumber > head
		if !gone {
			h, ok := hashes[t.BlockNumber]
			if !ok {
				hdr, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(t.BlockNumber))
				if err != nil {
					return fmt.Errorf("read block %d: %w", t.BlockNumber, err)
				}
				h = hdr.Hash().Hex()
				hashes[t.BlockNumber] = h
			}
			gone = h != t.BlockHash
		}
		if gone {
			if err := l.unmine(ctx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// minedSince selects a lane's transactions mined at or above block from, in nonce order.
func minedSince(db *gorm.DB, lane int, from uint64) *gorm.DB {
	return db.Where("lane = ? AND status = ? AND block_number >= ?", lane, TxMined, from).Order("nonce")
}

func (l *lane) unmine(ctx context.Context, t *Tx) error {
	l.quiet = quiet{}
	l.log.Warn("mined transaction no longer on chain; re-sending it", "tx", t.Hash, "nonce", t.Nonce, "block", t.BlockNumber)
	var changed []Intent
	err := l.p.db.WithContext(ctx).Transaction(func(db *gorm.DB) error {
		if err := db.Model(&Tx{}).Where("id = ?", t.ID).
			Updates(map[string]any{"status": TxSent, "block_number": 0, "block_hash": "", "last_sent_at": time.Time{}}).Error; err != nil {
			return err
		}
		if err := db.Where("tx_id = ? AND status IN ?", t.ID, []string{IntentConfirmed, IntentFailed}).Find(&changed).Error; err != nil {
			return err
		}
		if len(changed) == 0 {
			return nil
		}
		ids := intentIDs(changed)
		if err := db.Model(&Intent{}).Where("id IN ?", ids).
			Updates(map[string]any{"status": IntentSubmitted, "reason": "", "block_number": 0}).Error; err != nil {
			return err
		}
		for i := range changed {
			changed[i].Status, changed[i].Reason, changed[i].BlockNumber = IntentSubmitted, "", 0
		}
		return l.p.runHooks(db, changed)
	})
	if err != nil {
		return fmt.Errorf("unmine %s: %w", t.Hash, err)
	}
	t.Status = TxSent
	return nil
}

// followInFlight settles mined transactions and re-sends those that are late (re-priced first
// when the node refused their price or the base fee outgrew it: fees.go). It returns how
// many remain in flight, and when the first of them is due to be looked at again without a new
// block (a re-send; now when one waits to be dropped).
func (l *lane) followInFlight(ctx context.Context) (int, time.Time, error) {
	var txs []Tx
	var due time.Time
	if err := l.p.db.WithContext(ctx).Where("lane = ? AND status IN ?", l.idx, []string{TxSigned, TxSent}).
		Order("nonce").Find(&txs).Error; err != nil {
		return 0, due, err
	}
	inFlight := len(txs)
	var chainNonce *uint64
	for i := range txs {
		t := &txs[i]
		rc, err := l.receipt(ctx, t)
		if err != nil {
			return inFlight, due, err
		}
		if rc != nil {
			if err := l.settle(ctx, t, rc); err != nil {
				return inFlight, due, err
			}
			delete(l.passedAt, t.ID)
			inFlight--
			continue
		}
		if t.Status == TxSent && time.Since(t.LastSentAt) < l.p.cfg.ResendAfter {
			due = earliest(due, t.LastSentAt.Add(l.p.cfg.ResendAfter))
			continue
		}
		due = time.Now() // re-sent or waiting to be dropped below: look again next step
		if chainNonce == nil {
			n, err := l.p.chain.Client.NonceAt(ctx, l.addr, nil)
			if err != nil {
				return inFlight, due, fmt.Errorf("read nonce: %w", err)
			}
			chainNonce = &n
		}
		if *chainNonce > t.Nonce {
			first, seen := l.passedAt[t.ID]
			if !seen {
				l.passedAt[t.ID] = time.Now()
			} else if time.Since(first) > dropAfter {
				if err := l.drop(ctx, t); err != nil {
					return inFlight, due, err
				}
				delete(l.passedAt, t.ID)
				inFlight--
			}
			continue
		}
		if err := l.bumpIfPricedOut(ctx, t); err != nil {
			return inFlight, due, err
		}
		l.send(ctx, t)
	}
	return inFlight, due, nil
}

// send sends (or re-sends) a stored transaction. Whatever happens, the transaction is then "maybe
// sent": an error or a time-out does not prove the node did not take it.
func (l *lane) send(ctx context.Context, t *Tx) {
	var tx types.Transaction
	errText := ""
	if err := tx.UnmarshalBinary(t.Raw); err != nil {
		errText = "stored transaction unreadable: " + err.Error()
	} else {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := l.p.chain.Client.SendTransaction(sctx, &tx)
		cancel()
		if err != nil && !isKnown(err) {
			errText = truncate(err.Error(), 500)
			l.log.Warn("send failed; transaction is maybe sent", "tx", t.Hash, "nonce", t.Nonce, "err", err)
		}
	}
	now := time.Now().UTC()
	t.Status, t.LastSentAt, t.Error = TxSent, now, errText
	t.SendAttempts++
	err := l.p.db.WithContext(ctx).Model(&Tx{}).Where("id = ? AND status IN ?", t.ID, []string{TxSigned, TxSent}).
		Updates(map[string]any{"status": TxSent, "last_sent_at": now, "error": errText, "send_attempts": t.SendAttempts}).Error
	if err != nil {
		l.log.Warn("record send", "tx", t.Hash, "err", err)
	}
}

// notFoundYet: no receipt for now. Right after a node starts, go-ethereum answers "transaction
// indexing is in progress" instead of "not found" until it has indexed its chain.
func notFoundYet(err error) bool {
	return errors.Is(err, ethereum.NotFound) || strings.Contains(err.Error(), "transaction indexing is in progress")
}

func isKnown(err error) bool {
	s := strings.ToLower(err.Error())
	// "nonce too low" on a re-send means that nonce is mined, most likely by this very
	// transaction; the receipt check decides, not the send.
	return strings.Contains(s, "already known") || strings.Contains(s, "known transaction") ||
		strings.Contains(s, "nonce too low")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func intentIDs(in []Intent) []int64 {
	ids := make([]int64, len(in))
	for i := range in {
		ids[i] = in[i].ID
	}
	return ids
}
