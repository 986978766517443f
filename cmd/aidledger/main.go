// Command aidledger runs voucher-based humanitarian aid on a private Ethereum chain: one binary
// for the server (API, web app, embedded chain and database) and its tools.
package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	root := &cobra.Command{
		Use:           "aidledger",
		Short:         "Voucher-based humanitarian aid on a private Ethereum chain",
		SilenceUsage:  true,
		SilenceErrors: true,
		// Runs before cobra checks required flags, so a flag given by environment counts.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return envDefaults(cmd) },
	}
	root.AddCommand(serveCmd(), migrateCmd(), userCmd(), verifyCmd(), loadtestCmd(), restoreCmd(), rotateKeysCmd(), versionCmd())
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "aidledger:", err)
		os.Exit(1)
	}
}

// envDefaults lets every flag of cmd be set by an AIDLEDGER_* environment variable
// (--data-dir ← AIDLEDGER_DATA_DIR); a flag on the command line wins.
func envDefaults(cmd *cobra.Command) error {
	var err error
	flags := cmd.Flags()
	flags.VisitAll(func(f *pflag.Flag) {
		name := "AIDLEDGER_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && !f.Changed {
			if e := flags.Set(f.Name, v); e != nil && err == nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), "aidledger", version) },
	}
}
