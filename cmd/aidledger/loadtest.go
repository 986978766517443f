package main

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/chain/node"
	"github.com/aidledger/aidledger/server/loadgen"
)

// loadtestCmd drives a running server over HTTP as vendor phones would, and measures it next to
// the naive design (one ERC20 transfer per redemption) on the same chain.
func loadtestCmd() *cobra.Command {
	var cfg loadgen.Config
	var stateFile, baselineKey, baselinePass string
	var setupOnly, skipSetup, asJSON bool
	var chartFile, saveFile, cpuProfile string
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Load-test a running server: vendor phones redeeming over HTTP, with the ERC20 baseline on the same chain",
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			cfg.Progress, cfg.Log = os.Stderr, os.Stderr
			if setupOnly && skipSetup {
				return errors.New("--setup-only and --skip-setup exclude each other")
			}
			if baselineKey != "" {
				key, err := readBaselineKey(baselineKey, baselinePass)
				if err != nil {
					return err
				}
				cfg.BaselineKey = key
			}
			var st loadgen.State
			var err error
			if skipSetup {
				if st, err = loadgen.LoadState(stateFile); err != nil {
					return fmt.Errorf("read state (run with --setup-only first): %w", err)
				}
			} else {
				if cfg.AdminEmail == "" || cfg.AdminPassword == "" {
					return errors.New("setup needs --admin-email and --admin-password (an admin user of the server)")
				}
				if st, err = loadgen.Setup(ctx, cfg); err != nil {
					return err
				}
				if stateFile != "" {
					if err := loadgen.SaveState(stateFile, st); err != nil {
						return err
					}
				}
				fmt.Fprintf(os.Stderr, "setup: %d vendors, %d cards, program %s; CSV import %.1fs, allocation %.1fs\n",
					len(st.Vendors), len(st.Cards), st.ProgramID, st.ImportSeconds, st.AllocateSeconds)
				if setupOnly {
					return nil
				}
			}
			if cpuProfile != "" {
				// The load generator shares the box with the server it measures: what it spends
				// is taken from the server.
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
				defer pprof.StopCPUProfile()
			}
			res, err := loadgen.Run(ctx, cfg, st)
			if err != nil {
				return err
			}
			if saveFile != "" {
				b, err := json.MarshalIndent(res, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(saveFile, b, 0o644); err != nil {
					return err
				}
			}
			if chartFile != "" {
				b, err := loadgen.ChartPNG(res)
				if err != nil {
					return err
				}
				if err := os.WriteFile(chartFile, b, 0o644); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			loadgen.Print(cmd.OutOrStdout(), res)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.API, "api", "http://127.0.0.1:8080", "the server's base URL")
	f.StringVar(&cfg.EthRPC, "eth-rpc", "http://127.0.0.1:8545", "the chain's JSON-RPC (blocks and gas during the run, and the baseline); empty skips both")
	f.StringVar(&cfg.AdminEmail, "admin-email", "", "an admin user of the server (setup)")
	f.StringVar(&cfg.AdminPassword, "admin-password", "", "its password")
	f.IntVar(&cfg.Vendors, "vendors", 200, "vendors to create and vendor phones to simulate")
	f.IntVar(&cfg.Beneficiaries, "beneficiaries", 100_000, "beneficiaries to import by CSV")
	f.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long each measured phase redeems")
	f.IntVar(&cfg.InFlight, "in-flight", 1, "requests each vendor phone keeps in flight (a shop with several tills)")
	f.Float64Var(&cfg.Rate, "rate", 0, "open loop: offer this many redemptions/s in all (Poisson arrivals over the phones, answered 202 at once, confirmations read from the chain) instead of each phone waiting for its last answer")
	f.Int64Var(&cfg.Amount, "amount", 100, "minor units per redemption")
	f.Int64Var(&cfg.AmountPerHousehold, "allocate", 10_000_000, "minor units allocated to each beneficiary in cycle 1")
	f.StringVar(&stateFile, "state", "loadtest-state.json", "state file written by setup and read by --skip-setup")
	f.BoolVar(&setupOnly, "setup-only", false, "set up (vendors, CSV import, program, allocation), write --state and exit")
	f.BoolVar(&skipSetup, "skip-setup", false, "reuse the vendors, cards and program in --state")
	f.StringVar(&baselineKey, "baseline-key", "", "keystore file of a funded account for the ERC20 baseline (a directory: its only key file); empty skips the baseline")
	f.StringVar(&baselinePass, "baseline-passphrase-file", "", "file holding the baseline key's passphrase (default: AIDLEDGER_OPERATOR_PASSPHRASE, else the passphrase file next to the key's directory)")
	f.Float64Var(&cfg.ChainLimitMgas, "chain-limit-mgas", 0, "the chain's limit for redemption batches in Mgas/s, measured apart on an idle machine (go test -run '^$' -bench 'ChainLimit$' ./server/chain/ledger); the result then gives the run's share of it")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	f.StringVar(&saveFile, "save", "", "also write the result as JSON (with the per-second timeline) to this file")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the load generator itself (the measured phases) to this file")
	f.StringVar(&chartFile, "chart", "", "write a PNG chart of throughput and latency per second to this file")
	return cmd
}

// readBaselineKey decrypts a keystore file (or the single file in a directory, like
// DATA_DIR/keys/lane-2). The passphrase comes from passFile, AIDLEDGER_OPERATOR_PASSPHRASE, or
// DATA_DIR/keys/passphrase as the server keeps it.
func readBaselineKey(path, passFile string) (*ecdsa.PrivateKey, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		files, _ := filepath.Glob(filepath.Join(path, "UTC--*"))
		if len(files) != 1 {
			return nil, fmt.Errorf("%s: want exactly one keystore file, found %d", path, len(files))
		}
		path = files[0]
	}
	pass, ok := os.LookupEnv("AIDLEDGER_OPERATOR_PASSPHRASE")
	if passFile == "" && !ok {
		passFile = filepath.Join(filepath.Dir(filepath.Dir(path)), "passphrase")
	}
	if passFile != "" {
		b, err := os.ReadFile(passFile)
		if err != nil {
			return nil, fmt.Errorf("baseline key passphrase: %w", err)
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	return node.LoadKeyFile(path, pass)
}
