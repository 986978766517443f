package main

import (
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/backup"
)

func restoreCmd() *cobra.Command {
	var from, dataDir string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Restore a backup archive into a new data directory (replays the chain's blocks)",
		Long: "Restore unpacks a backup written by a running server (--backup-every, or POST /api/v1/admin/backups)\n" +
			"into an empty data directory and replays the chain's blocks there. Serve that directory to go on\n" +
			"where the backup left off: redemptions the database had accepted but the copied chain had not\n" +
			"mined are sent again, once. With PostgreSQL, restore its pg_dump (taken after the archive) first.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := backup.Restore(cmd.Context(), from, dataDir, slog.Default())
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
	_ = cmd.MarkFlagRequired("from")
	_ = cmd.MarkFlagRequired("data-dir")
	return cmd
}
