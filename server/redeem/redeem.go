// Package redeem is the money path: a vendor redeems a beneficiary's entitlement, exactly once.
//
// A redemption is accepted under a lock on its entitlement's account row: the PIN is checked,
// the amount is reserved against "confirmed allocation − confirmed redemptions − pending
// reservations", the entitlement's next sequence number is taken, and the redemption row and
// its pipeline intent are written in one database transaction. The same Idempotency-Key (per
// vendor) can never create a second row. The pipeline then puts the redemption on chain, where
// the sequence number makes any duplicate transaction harmless; its outcome comes back through
// a hook that settles the reservation in the same transaction that records the outcome.
package redeem

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/chain/ledger"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/store"
)

// Errors with stable codes (the vendor app shows a message for each).
var (
	ErrInsufficientBalance  = apierr.New(http.StatusUnprocessableEntity, "insufficient_balance", "the card's balance in this program is lower than the amount")
	ErrBeneficiarySuspended = apierr.New(http.StatusUnprocessableEntity, "beneficiary_suspended", "this card is suspended")
	ErrVendorSuspended      = apierr.New(http.StatusUnprocessableEntity, "vendor_suspended", "this shop is suspended")
	ErrCategoryNotAllowed   = apierr.New(http.StatusUnprocessableEntity, "category_not_allowed", "this shop is not registered to sell this category")
	ErrProgramInactive      = apierr.New(http.StatusUnprocessableEntity, "program_inactive", "this program is not open for redemptions")
	ErrIdempotencyConflict  = apierr.New(http.StatusConflict, "idempotency_conflict", "this Idempotency-Key was used for a different redemption")
	ErrKeyRequired          = apierr.New(http.StatusBadRequest, "idempotency_key_required", "send an Idempotency-Key header (a new random value per redemption, the same on retries)")
	ErrBacklog              = apierr.New(http.StatusServiceUnavailable, "chain_backlog", "the ledger is not confirming redemptions right now; try again later")
	ErrBusy                 = apierr.New(http.StatusServiceUnavailable, "server_busy", "too many redemptions at once; try again in a second with the same Idempotency-Key")
)

// Config tunes the service.
type Config struct {
	// ConfirmWait is how long Redeem waits for the chain before answering "pending"; 3s.
	ConfirmWait time.Duration
	// MaxBacklog refuses new redemptions while the oldest unconfirmed one is older than this
	// (the chain node is down): accepting more would only pile up promises; 10 minutes.
	MaxBacklog time.Duration
	Lanes      int // the pipeline's lanes, for LaneFor
	// AcceptorNice is the nice value of the threads that run the acceptance groups (Linux;
	// a negative one needs CAP_SYS_NICE or RLIMIT_NICE, else they keep the process's); 0 = unchanged.
	AcceptorNice int
	// ShopWrongPINs wrong PINs at one shop within ShopPINWindow pause that shop's PIN checks for
	// ShopPINWindow (pinGuard); 0 = DefaultShopWrongPINs, negative = never.
	ShopWrongPINs int
	ShopPINWindow time.Duration // 0 = DefaultShopPINWindow
	// OnShopPaused, if set, hears of each shop paused for wrong PINs (the app records it in the
	// audit log, for admins who watch no metrics).
	OnShopPaused func(ctx context.Context, vendorID, detail string)
	// OldLedger: the ledger on this chain was deployed before refunds and settlement reversals
	// (chain.HasCorrections); both are refused (ErrRefundsUnsupported, ErrReversalsUnsupported)
	// instead of failing on chain.
	OldLedger bool
	Logger    *slog.Logger
}

// Service redeems vouchers and settles vendors.
type Service struct {
	db       *gorm.DB
	p        *pipeline.Pipeline
	cards    *enroll.Service
	programs *programs.Service
	cfg      Config
	log      *slog.Logger

	backlogCache ttlCache[time.Time] // created_at of the oldest pending redemption; zero if none
	finals       finals
	acceptor     *acceptor[*acceptance]
	pins         *pinGuard
	holderPins   *pinGuard // the public balance page's, per client address
}

// New makes the service and registers its outcome hooks with the pipeline.
func New(db *gorm.DB, p *pipeline.Pipeline, cards *enroll.Service, progs *programs.Service, cfg Config) *Service {
	if cfg.ConfirmWait <= 0 {
		cfg.ConfirmWait = 3 * time.Second
	}
	if cfg.MaxBacklog == 0 {
		cfg.MaxBacklog = 10 * time.Minute
	}
	if cfg.Lanes == 0 {
		cfg.Lanes = p.Lanes()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ShopWrongPINs == 0 {
		cfg.ShopWrongPINs = DefaultShopWrongPINs
	}
	if cfg.ShopPINWindow <= 0 {
		cfg.ShopPINWindow = DefaultShopPINWindow
	}
	s := &Service{db: db, p: p, cards: cards, programs: progs, cfg: cfg, log: cfg.Logger.With("component", "redeem"),
		pins: newPINGuard(cfg.ShopWrongPINs, cfg.ShopPINWindow), holderPins: newHolderGuard(cfg.ShopWrongPINs, cfg.ShopPINWindow)}
	shape := shapeFor(db)
	shape.threadNice = cfg.AcceptorNice
	var pipelined pipelinedFunc[*acceptance]
	if store.DialectOf(db) == store.Postgres {
		pipelined = s.acceptPipelined
	}
	s.acceptor = newAcceptor(db, shape, maxQueued, s.acceptGroup, pipelined, s.log)
	p.OnOutcome(pipeline.KindRedeem, s.onRedeemOutcome)
	p.OnOutcome(pipeline.KindCall, s.onCallOutcome)
	return s
}

// Close stops accepting redemptions (the ones in flight finish first).
func (s *Service) Close() { s.acceptor.close() }

// Collectors are where acceptances spend their time (aidledger_redemption_acceptance_seconds by
// stage, and the groups' sizes) and the shops' PIN pauses, for the metrics registry.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.acceptor.stages, s.pins.paused, s.holderPins.paused}
}

// Request is a vendor's redemption.
type Request struct {
	CardNumber string `json:"card_number"`
	PIN        string `json:"pin"`
	ProgramID  string `json:"program_id"`
	Amount     int64  `json:"amount"`
	Category   string `json:"category"`
}

// Redemption is a redemption as the API shows it.
type Redemption struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	Amount       int64      `json:"amount"`
	BalanceAfter int64      `json:"balance_after"`
	TxHash       string     `json:"tx_hash,omitempty"`
	BlockNumber  uint64     `json:"block_number,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	ProgramID    string     `json:"program_id"`
	VendorID     string     `json:"vendor_id"`
	Category     string     `json:"category"`
	Reason       string     `json:"reason,omitempty"`
	FinalAt      *time.Time `json:"final_at,omitempty"`
	// Refunded is what refunds that have not failed give back of it (read by Get and List).
	Refunded int64 `json:"refunded"`
}

func view(r redemptionRow) Redemption {
	return Redemption{ID: r.ID, Status: r.Status, Amount: r.Amount, BalanceAfter: r.BalanceAfter, TxHash: r.TxHash,
		BlockNumber: r.BlockNumber, CreatedAt: r.CreatedAt, ProgramID: r.ProgramID, VendorID: r.VendorID,
		Category: r.Category, Reason: r.Reason, FinalAt: r.FinalAt}
}

// maxAmount keeps every sum far from int64 overflow.
const maxAmount = 1 << 50

// checkAmount refuses an amount that is not a positive number of minor units below maxAmount.
func checkAmount(amount int64) error {
	if amount <= 0 || amount > maxAmount {
		return apierr.Invalid("amount", "must be a positive integer number of minor units")
	}
	return nil
}

// cleanNote trims a free-text note (why a refund or a reversal) and bounds it.
func cleanNote(note string) (string, error) {
	note = strings.TrimSpace(note)
	if len(note) > 200 {
		return "", apierr.Invalid("note", "at most 200 characters")
	}
	return note, nil
}

func (r Request) validate() (ledger.Category, error) {
	if _, err := enroll.ParseCardNumber(r.CardNumber); err != nil {
		return 0, err
	}
	if r.PIN == "" {
		return 0, apierr.Invalid("pin", "is required")
	}
	if r.ProgramID == "" {
		return 0, apierr.Invalid("program_id", "is required")
	}
	if err := checkAmount(r.Amount); err != nil {
		return 0, err
	}
	c, ok := ledger.ParseCategory(r.Category)
	if !ok {
		return 0, apierr.Invalid("category", "must be one of %v", ledger.Categories())
	}
	return c, nil
}

// requestHash identifies a request for idempotency. It covers what the redemption does, not
// the PIN: a retry that corrects nothing else must still be recognised.
func (r Request) requestHash() string {
	card, _ := enroll.ParseCardNumber(r.CardNumber)
	h := sha256.Sum256([]byte(card + "\x00" + r.ProgramID + "\x00" + strconv.FormatInt(r.Amount, 10) + "\x00" + r.Category))
	return hex.EncodeToString(h[:])
}

// Redeem accepts a redemption once per (vendor, key), waits briefly for the chain and returns
// it: status confirmed, pending (still on its way; poll Get), or an error if the chain refused it.
func (s *Service) Redeem(ctx context.Context, vendorID, key string, req Request) (Redemption, error) {
	return s.RedeemWait(ctx, vendorID, key, req, s.cfg.ConfirmWait)
}

// RedeemWait is Redeem waiting at most wait for the chain: 0 answers as soon as the redemption
// is durably accepted (status pending), for clients that follow confirmations themselves.
func (s *Service) RedeemWait(ctx context.Context, vendorID, key string, req Request, wait time.Duration) (Redemption, error) {
	if key == "" {
		return Redemption{}, ErrKeyRequired
	}
	if len(key) > 200 {
		return Redemption{}, apierr.Invalid("Idempotency-Key", "at most 200 characters")
	}
	category, err := req.validate()
	if err != nil {
		return Redemption{}, err
	}
	// A retry is recognised by its group, which looks the key up before anything else (errKeyRace):
	// no statement per redemption here.
	hash := req.requestHash()
	if err := s.pins.check(vendorID); err != nil {
		// A retry of a sale accepted before the pause still gets its redemption.
		if prev, found, kerr := s.byKey(ctx, vendorID, key); kerr == nil && found {
			return s.replay(ctx, prev, hash, wait)
		}
		return Redemption{}, err
	}
	row, err := s.accept(ctx, vendorID, key, hash, category, req)
	switch {
	case errors.Is(err, errKeyRace):
		prev, _, err := s.byKey(ctx, vendorID, key)
		if err != nil {
			return Redemption{}, err
		}
		return s.replay(ctx, prev, hash, wait)
	case errors.Is(err, ErrBacklog) || errors.Is(err, ErrBusy):
		// Refused before its group looked the key up: a retry of one accepted earlier still gets
		// its redemption (a read only refusals pay; before, every redemption paid it).
		if prev, found, kerr := s.byKey(ctx, vendorID, key); kerr == nil && found {
			return s.replay(ctx, prev, hash, wait)
		}
		return Redemption{}, err
	case err != nil:
		s.countWrongPIN(ctx, vendorID, err)
		return Redemption{}, err
	}
	return s.settled(ctx, row, wait)
}

// countWrongPIN counts a wrong PIN against the shop that typed it.
func (s *Service) countWrongPIN(ctx context.Context, vendorID string, err error) {
	if errors.Is(err, enroll.ErrWrongPIN) && s.pins.failed(vendorID) {
		s.log.WarnContext(ctx, "too many wrong PINs at one shop: its PIN checks are paused",
			"vendor", vendorID, "wrong_pins", s.cfg.ShopWrongPINs, "within", s.cfg.ShopPINWindow, "paused_for", s.cfg.ShopPINWindow)
		if s.cfg.OnShopPaused != nil {
			s.cfg.OnShopPaused(context.WithoutCancel(ctx), vendorID,
				fmt.Sprintf("%d wrong PINs within %s: PIN checks paused for %s", s.cfg.ShopWrongPINs, s.cfg.ShopPINWindow, s.cfg.ShopPINWindow))
		}
	}
}

var errKeyRace = errors.New("idempotency key taken concurrently")

func (s *Service) byKey(ctx context.Context, vendorID, key string) (redemptionRow, bool, error) {
	var r redemptionRow
	err := byKeyQuery(s.db.WithContext(ctx), vendorID, key).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return r, false, nil
	}
	return r, err == nil, err
}

// byKeyQuery reads the redemption a vendor made under an Idempotency-Key: one row of the unique
// index on (key, vendor), whatever plan the table's size gave
// (TestByKey_ReadsOneRowWhateverPlanAnEmptyTableGave).
func byKeyQuery(db *gorm.DB, vendorID, key string) *gorm.DB {
	return db.Where("vendor_id = ? AND idempotency_key = ?", vendorID, key)
}

// replay answers a retry: the original redemption, never a second one.
func (s *Service) replay(ctx context.Context, prev redemptionRow, hash string, wait time.Duration) (Redemption, error) {
	if prev.RequestHash != hash {
		return Redemption{}, ErrIdempotencyConflict
	}
	// The original's group may have committed and still be waiting for its fsync
	// (store.DeferSync): the retry is not told of it before the original is.
	if err := store.SyncWAL(s.db); err != nil {
		return Redemption{}, fmt.Errorf("make redemption durable: %w", err)
	}
	return s.settled(ctx, prev, wait)
}

// settled waits up to wait for the redemption's outcome and returns it as it then is.
func (s *Service) settled(ctx context.Context, r redemptionRow, wait time.Duration) (Redemption, error) {
	if r.Status == StatusPending && wait > 0 {
		s.finals.watch(r.IntentID)
		wctx, cancel := context.WithTimeout(ctx, wait)
		err := s.p.AwaitFinal(wctx, r.IntentID) // timed out: the row says pending
		cancel()
		if c, ok := s.finals.take(r.IntentID); ok && err == nil {
			c.applyTo(&r)
		} else if err := s.db.WithContext(context.WithoutCancel(ctx)).Take(&r, "id = ?", r.ID).Error; err != nil {
			return Redemption{}, err
		}
	}
	if r.Status == StatusFailed {
		return view(r), failure(r.Reason)
	}
	return view(r), nil
}

// failure maps the ledger's rejection reason to the API error a vendor sees.
func failure(reason string) error {
	switch reason {
	case "insufficient_balance":
		return ErrInsufficientBalance.Withf("the ledger refused the redemption: the balance is too low")
	case "beneficiary_suspended":
		return ErrBeneficiarySuspended
	case "vendor_not_approved":
		return ErrVendorSuspended
	case "program_inactive":
		return ErrProgramInactive
	}
	return apierr.New(http.StatusUnprocessableEntity, "redemption_failed", "the ledger refused the redemption: "+reason)
}

// accept checks everything and writes the redemption and its intent in one transaction.
func (s *Service) accept(ctx context.Context, vendorID, key, hash string, category ledger.Category, req Request) (redemptionRow, error) {
	a, err := s.prepare(ctx, vendorID, key, hash, category, req)
	if err != nil {
		return redemptionRow{}, err
	}
	card, _ := enroll.ParseCardNumber(req.CardNumber) // valid: checked by validate
	if err := s.acceptor.do(ctx, card, a); err != nil {
		return redemptionRow{}, err
	}
	s.p.Wake(a.lane) // committed now
	return *a.row, nil
}

// prepare makes the acceptance of a well-formed request, for its group, which reads and checks
// the card, program and shop it names. Only the chain's backlog is checked here (it is cached).
func (s *Service) prepare(ctx context.Context, vendorID, key, hash string, category ledger.Category, req Request) (*acceptance, error) {
	if err := s.checkBacklog(ctx); err != nil {
		return nil, err
	}
	id := uuid.Must(uuid.NewV7())
	ref := ledger.Ref{ID: id, Category: category}.Bytes()
	return &acceptance{
		card: req.CardNumber, pin: req.PIN, ref: ref,
		row: &redemptionRow{
			ID: id.String(), VendorID: vendorID, IdempotencyKey: key, RequestHash: hash,
			ProgramID: req.ProgramID, Amount: req.Amount, Category: category.String(), ChainRef: common.Hash(ref).Hex(), Status: StatusPending,
		},
	}, nil
}

// checkBacklog refuses new redemptions while the oldest unconfirmed one has waited longer than
// MaxBacklog: the chain is not confirming, and the vendor should know now rather than later. A
// redemption is pending exactly while its intent is unfinished (onRedeemOutcome moves both in
// one transaction), so the pipeline's queue knows the oldest; the redemptions have no index by
// status for settling to rewrite (migration 9).
func (s *Service) checkBacklog(ctx context.Context) error {
	oldest, err := s.backlogCache.get("", func() (time.Time, error) {
		return s.p.OldestUnfinished(ctx, pipeline.KindRedeem)
	})
	if err != nil || oldest.IsZero() {
		return err
	}
	if age := time.Since(oldest); age > s.cfg.MaxBacklog {
		return ErrBacklog.Withf("the ledger has not confirmed redemptions for %d minutes; try again later", int(age.Minutes()))
	}
	return nil
}
