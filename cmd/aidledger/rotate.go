package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/secrets"
)

func rotateKeysCmd() *cobra.Command {
	var cfg app.Config
	var keys []string
	cmd := &cobra.Command{
		Use:   "rotate-keys",
		Short: "Replace the server's keys with new ones and re-seal the database under them (server stopped)",
		Long: "rotate-keys replaces keys in the data directory's secrets.json with fresh random ones:\n" +
			"  master  wraps each beneficiary's data key: every data key is wrapped again (the data itself is not re-encrypted)\n" +
			"  lookup  keys the hashes that find duplicates and searches: they are computed again from the sealed data\n" +
			"  jwt     signs access tokens: tokens signed before stop working, and the apps renew them with their refresh token\n" +
			"The PIN key does not rotate: PIN hashes cannot be computed again without the PINs.\n\n" +
			"Stop the server first (with PostgreSQL: every server sharing the database, each of which then needs the new\n" +
			"secrets.json). If it is cut short, servers refuse to start until it is run again, which finishes it.\n" +
			"Backups written before it hold the old keys.",
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := app.RotateKeys(cmd.Context(), cfg, keys)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if r.Resumed {
				fmt.Fprintln(out, "finished the key rotation an earlier run began")
			}
			fmt.Fprintf(out, "rotated the %s of %s\n", keyList(r.Keys), cfg.DataDir)
			if s := r.Sealed; s.Resealed+s.Current+s.Erased > 0 {
				fmt.Fprintf(out, "  beneficiaries: %d sealed again, %d already under the new keys, %d erased (nothing to seal)\n", s.Resealed, s.Current, s.Erased)
			}
			fmt.Fprintln(out, "  backups written before now hold the old keys: delete them if those keys leaked")
			return nil
		},
	}
	addCommonFlags(cmd, &cfg)
	cmd.Flags().StringSliceVar(&keys, "keys", secrets.Rotatable, "the keys to replace: "+strings.Join(secrets.Rotatable, ", "))
	return cmd
}

// keyList names keys for a sentence: "jwt key", "master and lookup keys", "jwt, master and lookup keys".
func keyList(names []string) string {
	switch len(names) {
	case 0:
		return "no keys"
	case 1:
		return names[0] + " key"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " keys"
}
