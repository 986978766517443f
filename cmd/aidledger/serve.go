package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/app"
)

// addCommonFlags registers the flags shared by every command that opens the database.
func addCommonFlags(cmd *cobra.Command, cfg *app.Config) {
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data-dir", "./data", "directory for the embedded chain, the SQLite database, keys and secrets")
	f.StringVar(&cfg.DB, "db", "", "database DSN: postgres://… for PostgreSQL; empty for SQLite in the data directory")
}

func serveCmd() *cobra.Command {
	var cfg app.Config
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server: embedded chain (or --eth-rpc), database, transaction pipeline and indexer",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := envDefaults(cmd); err != nil {
				return err
			}
			cfg.Passphrase = os.Getenv("AIDLEDGER_OPERATOR_PASSPHRASE")
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			a, err := app.Start(ctx, cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "aidledger is running\n  chain id:        %s\n  ledger contract: %s\n", a.Chain.ChainID, a.Chain.Contract.Hex())
			if a.Chain.RPCEndpoint != "" && cfg.EthRPC == "" {
				fmt.Fprintf(out, "  chain JSON-RPC:  %s\n", a.Chain.RPCEndpoint)
			}
			fmt.Fprintf(out, "  data directory:  %s\nPress Ctrl-C to stop.\n", a.Cfg.DataDir)
			<-ctx.Done()
			fmt.Fprintln(out, "stopping…")
			return a.Close()
		},
	}
	addCommonFlags(cmd, &cfg)
	f := cmd.Flags()
	f.StringVar(&cfg.EthRPC, "eth-rpc", "", "JSON-RPC URL of an external Ethereum node; empty runs the embedded chain")
	f.StringVar(&cfg.OperatorKey, "operator-key", "", "keystore file of the operator account (with --eth-rpc); its passphrase in AIDLEDGER_OPERATOR_PASSPHRASE")
	f.StringVar(&cfg.RPCAddr, "rpc-addr", "127.0.0.1:8545", "where the embedded chain serves JSON-RPC for wallets and `aidledger verify`; empty to not expose it")
	f.IntVar(&cfg.Lanes, "lanes", 2, "operator keys submitting transactions in parallel")
	f.DurationVar(&cfg.BlockPeriod, "block-period", 0, "embedded chain: seal a block every period (whole seconds); 0 seals as soon as transactions wait")
	return cmd
}

func migrateCmd() *cobra.Command {
	var cfg app.Config
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply database schema migrations and exit (serve also applies them)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := envDefaults(cmd); err != nil {
				return err
			}
			db, err := app.OpenDB(context.Background(), cfg)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "schema is up to date")
			sqlDB, err := db.DB()
			if err != nil {
				return err
			}
			return sqlDB.Close()
		},
	}
	addCommonFlags(cmd, &cfg)
	return cmd
}
