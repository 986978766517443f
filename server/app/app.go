// Package app assembles a running aidledger: database, chain, transaction pipeline and indexer
// (and, on top, the services and the HTTP API). cmd/aidledger parses flags into a Config; tests
// build an App the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/api"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/backup"
	"github.com/aidledger/aidledger/server/chain"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/dirlock"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/redeem"
	"github.com/aidledger/aidledger/server/report"
	"github.com/aidledger/aidledger/server/secrets"
	"github.com/aidledger/aidledger/server/store"
	"github.com/aidledger/aidledger/web"
)

// Config is everything `aidledger serve` can be told.
type Config struct {
	DataDir     string        // chain, SQLite file, keys and secrets
	DB          string        // database DSN; "" = SQLite in DataDir
	EthRPC      string        // external node; "" = embedded
	RPCAddr     string        // embedded node's JSON-RPC, exposed for wallets and `aidledger verify`
	Lanes       int           // operator keys submitting in parallel
	BlockPeriod time.Duration // embedded: 0 = a block whenever transactions wait
	Passphrase  string        // operator keys' passphrase; "" = generated in DataDir
	OperatorKey string        // keystore file of the first lane's key (external networks)
	// ConfirmWait is how long a redemption request waits for the chain before answering 202
	// pending instead of 201 confirmed; 0 means the service default (3 s).
	ConfirmWait time.Duration
	// PublicRPC is the chain JSON-RPC URL donors are told to verify against; "" = the embedded
	// node's endpoint when it is exposed.
	PublicRPC string
	// MaxFeeGwei is the most a re-priced transaction offers per gas, in gwei; 0 = 1,000 × the
	// tip (the pipeline's default).
	MaxFeeGwei uint64
	// AcceptorNice is the nice value of the threads that run redemptions' acceptance groups
	// (redeem.Config); 0 = unchanged.
	AcceptorNice int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names the client; empty: the
	// client is the connection's peer.
	TrustedProxies []*net.IPNet
	// ShopWrongPINs pauses a shop's PIN checks after this many wrong PINs within 15 minutes
	// (redeem.Config); 0 = redeem.DefaultShopWrongPINs, negative = never.
	ShopWrongPINs int
	// PhoneCountryCode (digits, e.g. "962") makes a phone typed in national form, with its
	// leading 0, the same number as its international form, for deduplication and search;
	// "" compares numbers as written.
	PhoneCountryCode string
	// BackupDir is where backups are written; "" = DataDir/backups.
	BackupDir string
	// BackupEvery writes a backup this often; 0 = only when an admin asks.
	BackupEvery time.Duration
	// BackupKeep is how many backups are kept; 0 = backup.DefaultKeep.
	BackupKeep int
	// BackupPassphrase seals the backups; "" writes them in the clear.
	BackupPassphrase string
	Logger           *slog.Logger
	// PrepareDB, when set, runs on the open, migrated database before any part of the system
	// uses it. Tests register GORM callbacks there: GORM's callback lists are not safe to change
	// while queries run.
	PrepareDB func(*gorm.DB) error
}

// Components lists every package's schema, in dependency order, for store.Migrate.
func Components() []store.Component {
	return []store.Component{chain.Schema, pipeline.Schema, index.Schema, auth.Schema, api.Schema,
		enroll.Schema, programs.Schema, redeem.Schema, report.Schema, audit.Schema}
}

// App is a running system.
type App struct {
	Cfg      Config
	DB       *gorm.DB
	Chain    *chain.Chain
	Pipeline *pipeline.Pipeline
	Indexer  *index.Indexer
	Secrets  secrets.Secrets
	Auth     *auth.Service
	Enroll   *enroll.Service
	Programs *programs.Service
	Redeem   *redeem.Service
	Reports  *report.Service
	Backups  *backup.Service
	Audit    *audit.Log
	API      *api.Server
	log      *slog.Logger
	lock     *dirlock.Lock

	cancel context.CancelFunc
	wg     sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	// hold, when set, says why the system is not ready yet (a seed in progress): /readyz answers
	// 503 until it is released, so clients and load balancers do not arrive too early.
	hold atomic.Pointer[string]
}

// Hold makes /readyz report "not ready" with the reason until Release.
func (a *App) Hold(reason string) { a.hold.Store(&reason) }

// Release undoes Hold.
func (a *App) Release() { a.hold.Store(nil) }

func (a *App) held(context.Context) error {
	if r := a.hold.Load(); r != nil {
		return errors.New(*r)
	}
	return nil
}

// OpenDB opens and migrates the database named by cfg.
func OpenDB(ctx context.Context, cfg Config) (*gorm.DB, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	db, err := store.Open(cfg.DB, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx, db, Components()...); err != nil {
		store.Close(db)
		return nil, err
	}
	return db, nil
}

// Start opens everything and starts the background work (pipeline, indexer).
func Start(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir != "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	lock, err := lockDataDir(&cfg)
	if err != nil {
		return nil, err
	}
	a, err := start(ctx, cfg, lock)
	if err != nil {
		lock.Release()
	}
	return a, err
}

// lockDataDir makes cfg.DataDir absolute and takes its lock: one process at a time on a data
// directory (a server, or a command that needs none running).
func lockDataDir(cfg *Config) (*dirlock.Lock, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory")
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	cfg.DataDir = abs
	return dirlock.Acquire(abs)
}

func start(ctx context.Context, cfg Config, lock *dirlock.Lock) (*App, error) {
	keys, err := secrets.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.PrepareDB != nil {
		if err := cfg.PrepareDB(db); err != nil {
			store.Close(db)
			return nil, fmt.Errorf("prepare the database: %w", err)
		}
	}
	ch, err := chain.Open(ctx, db, chain.Config{
		DataDir: cfg.DataDir, EthRPC: cfg.EthRPC, Passphrase: cfg.Passphrase, OperatorKeyFile: cfg.OperatorKey, Lanes: cfg.Lanes,
		Period: cfg.BlockPeriod, RPCAddr: cfg.RPCAddr, Logger: cfg.Logger,
	})
	if err != nil {
		store.Close(db)
		return nil, fmt.Errorf("open chain: %w", err)
	}
	pcfg := pipeline.Config{
		Contract: ch.Contract, ChainID: ch.ChainID, Keys: ch.Keys, TipCap: ch.Tip, Logger: cfg.Logger,
		KnownGasSchedule: ch.Embedded(),
	}
	if cfg.MaxFeeGwei > 0 {
		pcfg.MaxFeeCap = new(big.Int).Mul(new(big.Int).SetUint64(cfg.MaxFeeGwei), big.NewInt(1_000_000_000))
	}
	p, err := pipeline.New(db, ch.Backend, pcfg)
	if err != nil {
		ch.Close()
		store.Close(db)
		return nil, err
	}
	a := &App{
		Cfg: cfg, DB: db, Chain: ch, Pipeline: p, Secrets: keys, log: cfg.Logger, lock: lock, Audit: audit.New(db),
		Indexer: index.New(db, ch.Backend, index.Config{Contract: ch.Contract, FromBlock: ch.DeployBlock, Logger: cfg.Logger}),
		Auth:    auth.New(db, keys.JWT, auth.Config{Logger: cfg.Logger}),
	}
	if err := a.Auth.LoadSessions(ctx); err != nil {
		a.closeBase()
		return nil, err
	}
	if err := a.startServices(ctx); err != nil {
		a.closeBase()
		return nil, err
	}
	backupDir := cfg.BackupDir
	if backupDir == "" {
		backupDir = filepath.Join(cfg.DataDir, "backups")
	}
	a.Backups, err = backup.New(backup.Source{DataDir: cfg.DataDir, DB: db, Node: ch.Node()},
		backup.Config{Dir: backupDir, Every: cfg.BackupEvery, Keep: cfg.BackupKeep, Passphrase: cfg.BackupPassphrase, Logger: cfg.Logger})
	if err != nil {
		a.Close()
		return nil, err
	}
	reconciler := redeem.NewReconciler(db, func() uint64 { _, indexed := a.Indexer.Progress(); return indexed }, 0, cfg.Logger)
	metrics := api.NewMetrics(p.Depth, func() uint64 {
		head, indexed := a.Indexer.Progress()
		return head - min(head, indexed)
	})
	metrics.Register(reconciler.Collector())
	for _, c := range a.Redeem.Collectors() {
		metrics.Register(c)
	}
	for _, c := range a.Backups.Collectors() {
		metrics.Register(c)
	}
	a.Reports = report.New(db, directory{a.Programs}, report.Config{Contract: ch.Contract, ChainID: ch.ChainID.Uint64(), Logger: cfg.Logger})
	publicRPC := cfg.PublicRPC
	if publicRPC == "" && cfg.EthRPC == "" {
		publicRPC = ch.RPCEndpoint
	}
	a.API = api.New(api.Deps{
		DB: db, Auth: a.Auth, Logger: cfg.Logger, Metrics: metrics, Audit: a.Audit, TrustedProxies: cfg.TrustedProxies,
		Services: api.Services{
			Enroll: a.Enroll, Programs: a.Programs, Redeem: a.Redeem, Reconciler: reconciler,
			Reports: a.Reports, Indexed: a.Indexer.Subscribe, PublicRPC: publicRPC, Web: web.FS(),
			VendorExists: func(ctx context.Context, id string) error { _, err := a.Programs.Vendor(ctx, id); return err },
			Backups:      a.Backups,
		},
		Checks: map[string]func(context.Context) error{
			"database": func(ctx context.Context) error { return store.Ping(ctx, db) },
			"chain":    ch.Ping,
			"startup":  a.held,
		},
	})
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.goRun(func() { _ = a.Pipeline.Run(runCtx) })
	a.goRun(func() { _ = a.Indexer.Run(runCtx) })
	a.goRun(func() { reconciler.Run(runCtx) })
	a.goRun(func() { _ = a.Reports.Run(runCtx) })
	a.goRun(func() { a.Auth.Run(runCtx) })
	a.goRun(func() { a.Backups.Run(runCtx) })
	return a, nil
}

// startServices builds the domain services over the database and the pipeline.
func (a *App) startServices(ctx context.Context) error {
	corrections, err := a.Chain.HasCorrections(ctx)
	if err != nil {
		return err
	}
	if !corrections {
		a.log.Warn("the ledger contract on this chain predates refunds and settlement reversals: both are refused", "contract", a.Chain.Contract.Hex())
	}
	a.Enroll, err = enroll.New(a.DB, a.Pipeline, enroll.Config{
		Keys:      enrollKeys(a.Secrets),
		ImportDir: filepath.Join(a.Cfg.DataDir, "imports"), Logger: a.log, DefaultCountryCode: a.Cfg.PhoneCountryCode,
	})
	if err != nil {
		return fmt.Errorf("enrollment service: %w", err)
	}
	a.Programs, err = programs.New(a.DB, a.Pipeline, recipients{a.Enroll}, programs.Config{Logger: a.log, Totals: a.programTotals})
	if err != nil {
		a.Enroll.Close()
		return fmt.Errorf("programs service: %w", err)
	}
	a.Redeem = redeem.New(a.DB, a.Pipeline, a.Enroll, a.Programs, redeem.Config{Logger: a.log, ConfirmWait: a.Cfg.ConfirmWait, AcceptorNice: a.Cfg.AcceptorNice,
		ShopWrongPINs: a.Cfg.ShopWrongPINs, OnShopPaused: a.shopPaused, OldLedger: !corrections})
	return nil
}

// shopPaused puts a shop paused for wrong PINs in the audit log, where admins see it.
func (a *App) shopPaused(ctx context.Context, vendorID, detail string) {
	ev := audit.Event{Actor: audit.Server, Action: "vendor.pin_pause", Subject: vendorID, Detail: detail}
	if err := a.Audit.Record(ctx, ev); err != nil {
		a.log.Error("audit record lost", "action", ev.Action, "subject", vendorID, "err", err)
	}
}

// recipients lets the allocation service stream beneficiaries from the enrollment service
// without either package importing the other.
type recipients struct{ e *enroll.Service }

func (r recipients) Recipients(ctx context.Context, ids []string, allActive bool, location, importID string, fn func([]programs.Recipient) error) error {
	return r.e.Recipients(ctx, ids, allActive, location, importID, func(batch []enroll.Recipient) error {
		out := make([]programs.Recipient, len(batch))
		for i, b := range batch {
			out[i] = programs.Recipient{ID: b.ID, ChainID: b.ChainID, HouseholdSize: b.HouseholdSize}
		}
		return fn(out)
	})
}

func (a *App) goRun(fn func()) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		fn()
	}()
}

// Shutdown stops the HTTP API gracefully (no new requests; in-flight ones finish within ctx),
// then everything else as Close does.
func (a *App) Shutdown(ctx context.Context) error {
	return errors.Join(a.API.Shutdown(ctx), a.Close())
}

// Close stops background work (whatever is in flight stays in the database for the next start),
// then closes the chain and the database. Only the first call does anything, so a caller that
// stopped the system early (to open its data directory again) and a deferred Close can both call it.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		a.Redeem.Close()
		a.Enroll.Close()
		err := a.Programs.Close()
		a.closeErr = errors.Join(err, a.closeBase())
	})
	return a.closeErr
}

func (a *App) closeBase() error {
	if a.cancel != nil {
		a.cancel()
	}
	a.wg.Wait()
	// The lock goes last: the next process may open the directory once nothing here writes.
	return errors.Join(a.Chain.Close(), store.Close(a.DB), a.lock.Release())
}
