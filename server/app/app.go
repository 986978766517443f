// Package app assembles a running aidledger: database, chain, transaction pipeline and indexer
// (and, on top, the services and the HTTP API). cmd/aidledger parses flags into a Config; tests
// build an App the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/api"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/chain"
	"github.com/aidledger/aidledger/server/chain/index"
	"github.com/aidledger/aidledger/server/chain/pipeline"
	"github.com/aidledger/aidledger/server/secrets"
	"github.com/aidledger/aidledger/server/store"
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
	Logger      *slog.Logger
}

// Components lists every package's schema, in dependency order, for store.Migrate.
func Components() []store.Component {
	return []store.Component{chain.Schema, pipeline.Schema, index.Schema, auth.Schema, api.Schema}
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
	API      *api.Server
	log      *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
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
	if cfg.DataDir == "" {
		return nil, errors.New("no data directory")
	}
	abs, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	cfg.DataDir = abs
	keys, err := secrets.LoadOrCreate(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ch, err := chain.Open(ctx, db, chain.Config{
		DataDir: cfg.DataDir, EthRPC: cfg.EthRPC, Passphrase: cfg.Passphrase, OperatorKeyFile: cfg.OperatorKey, Lanes: cfg.Lanes,
		Period: cfg.BlockPeriod, RPCAddr: cfg.RPCAddr, Logger: cfg.Logger,
	})
	if err != nil {
		store.Close(db)
		return nil, fmt.Errorf("open chain: %w", err)
	}
	host, _ := os.Hostname()
	p, err := pipeline.New(db, ch.Client, pipeline.Config{
		Contract: ch.Contract, ChainID: ch.ChainID, Keys: ch.Keys, TipCap: ch.Tip, Logger: cfg.Logger,
		Owner: fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano()),
	})
	if err != nil {
		ch.Close()
		store.Close(db)
		return nil, err
	}
	a := &App{
		Cfg: cfg, DB: db, Chain: ch, Pipeline: p, Secrets: keys, log: cfg.Logger,
		Indexer: index.New(db, ch.Client, index.Config{Contract: ch.Contract, FromBlock: ch.DeployBlock, Logger: cfg.Logger}),
		Auth:    auth.New(db, keys.JWT, auth.Config{Logger: cfg.Logger}),
	}
	a.API = api.New(api.Deps{
		DB: db, Auth: a.Auth, Logger: cfg.Logger,
		Checks: map[string]func(context.Context) error{
			"database": func(ctx context.Context) error { return store.Ping(ctx, db) },
			"chain":    ch.Ping,
		},
		Metrics: api.NewMetrics(p.Depth, func() uint64 {
			head, indexed := a.Indexer.Progress()
			return head - min(head, indexed)
		}),
	})
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.cancel = cancel
	a.goRun(func() { _ = a.Pipeline.Run(runCtx) })
	a.goRun(func() { _ = a.Indexer.Run(runCtx) })
	return a, nil
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
// then closes the chain and the database.
func (a *App) Close() error {
	a.cancel()
	a.wg.Wait()
	return errors.Join(a.Chain.Close(), store.Close(a.DB))
}
