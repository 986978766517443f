package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/backup"
)

func restoreCmd() *cobra.Command {
	var from, dataDir, passFile string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a backup archive into a new data directory (replays the chain's blocks)",
		Long: "Restore unpacks a backup written by a running server (--backup-every, or POST /api/v1/admin/backups)\n" +
			"into an empty data directory and replays the chain's blocks there. Serve that directory to go on\n" +
			"where the backup left off: redemptions the database had accepted but the copied chain had not\n" +
			"mined are sent again, once. With PostgreSQL, restore its pg_dump (taken after the archive) first.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			pass, err := readPassphrase(passFile)
			if err != nil {
				return err
			}
			m, err := backup.Restore(cmd.Context(), from, dataDir, pass, slog.Default())
			if errors.Is(err, backup.ErrSealed) {
				return fmt.Errorf("%w (--passphrase-file)", err)
			}
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "restored the backup of %s into %s\n", m.CreatedAt.Format("2006-01-02 15:04:05 MST"), dataDir)
			if m.Chain == "embedded" {
				fmt.Fprintf(out, "  chain: %d blocks replayed, head %s\n", m.ChainHead, m.ChainHeadHash)
			} else {
				fmt.Fprintln(out, "  chain: external (not in the archive); serve with the same --eth-rpc")
			}
			if m.Database == "postgres" {
				fmt.Fprintln(out, "  database: PostgreSQL (not in the archive); restore its pg_dump, then serve with --db")
			}
			fmt.Fprintf(out, "start it with: aidledger serve --data-dir %s\n", dataDir)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "", "the backup archive (aidledger-….tar.gz)")
	f.StringVar(&dataDir, "data-dir", "", "the new data directory (must not exist or be empty)")
	f.StringVar(&passFile, "passphrase-file", "", "file holding the passphrase of a sealed archive (….tar.gz.sealed)")
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("data-dir")
	return cmd
}

// readPassphrase reads a passphrase file ("" = none), without its trailing newline.
func readPassphrase(file string) (string, error) {
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	pass := strings.TrimRight(string(b), "\r\n")
	if pass == "" {
		return "", fmt.Errorf("%s is empty", file)
	}
	return pass, nil
}
