package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/verify"
)

// verifyCmd checks the ledger with a plain Ethereum client: totals recomputed from the logs
// against the contract's views, the contract's invariants, and (with --api) the server's public
// summary. Any difference makes it exit non-zero.
func verifyCmd() *cobra.Command {
	var rpcURL, contract, api string
	var cfg verify.Config
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:          "verify",
		SilenceUsage: true,
		Short:        "Recompute every program's totals from the chain alone and compare with the contract's views and the API",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !common.IsHexAddress(contract) {
				return fmt.Errorf("--contract %q is not an address", contract)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			client, err := ethclient.DialContext(ctx, rpcURL)
			if err != nil {
				return fmt.Errorf("connect to %s: %w", rpcURL, err)
			}
			defer client.Close()
			cfg.Contract = common.HexToAddress(contract)
			cfg.APIURL = api
			cfg.HTTPClient = &http.Client{Timeout: timeout}
			return runVerify(ctx, cmd.OutOrStdout(), client, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&rpcURL, "eth-rpc", "http://127.0.0.1:8545", "JSON-RPC URL of any node of the chain")
	f.StringVar(&contract, "contract", "", "address of the ledger contract (printed by aidledger serve at start-up)")
	f.StringVar(&api, "api", "", "base URL of an aidledger server (http://host:port) whose public summary to compare; empty to skip")
	f.Uint64Var(&cfg.FromBlock, "from-block", 0, "first block to read logs from (the contract's deployment block)")
	f.Uint64Var(&cfg.Range, "range", 5000, "blocks per eth_getLogs request")
	f.DurationVar(&timeout, "timeout", 10*time.Minute, "give up after this long")
	_ = cmd.MarkFlagRequired("contract")
	return cmd
}

// runVerify verifies, prints the table, and fails if anything differs.
func runVerify(ctx context.Context, out io.Writer, client verify.Client, cfg verify.Config) error {
	res, err := verify.Run(ctx, client, cfg)
	if err != nil {
		return err
	}
	if err := res.WriteTable(out); err != nil {
		return err
	}
	if !res.OK() {
		return fmt.Errorf("verification failed: %d differences or failed invariants", res.Different)
	}
	return nil
}
