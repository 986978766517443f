package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/backup"
	"github.com/aidledger/aidledger/server/demo"
	"github.com/aidledger/aidledger/server/redeem"
)

// addCommonFlags registers the flags shared by every command that opens the database.
func addCommonFlags(cmd *cobra.Command, cfg *app.Config) {
	f := cmd.Flags()
	f.StringVar(&cfg.DataDir, "data-dir", "./data", "directory for the embedded chain, the SQLite database, keys and secrets")
	f.StringVar(&cfg.DB, "db", "", "database DSN: postgres://… for PostgreSQL; empty for SQLite in the data directory")
}

func serveCmd() *cobra.Command {
	var cfg app.Config
	var addr string
	var seed bool
	var pprofAddr string
	var memLimitMiB int64
	var threadsPerCPU int
	var tlsCert, tlsKey string
	var proxies []string
	var backupPassFile string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server: API and web app, embedded chain (or --eth-rpc), database, pipeline and indexer",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (tlsCert == "") != (tlsKey == "") {
				return errors.New("--tls-cert and --tls-key go together")
			}
			var err error
			if cfg.TrustedProxies, err = parseProxies(proxies); err != nil {
				return err
			}
			cfg.Passphrase = os.Getenv("AIDLEDGER_OPERATOR_PASSPHRASE")
			if cfg.BackupPassphrase, err = readPassphrase(backupPassFile); err != nil {
				return err
			}
			if cfg.PhoneCountryCode, err = countryCode(cfg.PhoneCountryCode, seed); err != nil {
				return err
			}
			if cfg.ShopWrongPINs == 0 {
				cfg.ShopWrongPINs = -1 // the flag's 0 is "never"
			}
			setMemoryLimit(memLimitMiB)
			if n, ok := schedulerThreads(os.Getenv("GOMAXPROCS"), runtime.GOMAXPROCS(0), threadsPerCPU); ok {
				runtime.GOMAXPROCS(n)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			a, err := app.Start(ctx, cfg)
			if err != nil {
				return err
			}
			if seed {
				a.Hold("seeding the demo")
			}
			served := make(chan error, 1)
			scheme := "http"
			if tlsCert != "" {
				ln, err := a.API.ListenTLS(addr, tlsCert, tlsKey)
				if err != nil {
					_ = a.Close()
					return fmt.Errorf("listen on %s: %w", addr, err)
				}
				scheme = "https"
				go func() { served <- a.API.ServeTLS(ln) }()
			} else {
				go func() { served <- a.API.Serve(addr) }()
			}
			if pprofAddr != "" {
				go servePprof(pprofAddr)
			}
			if seed {
				if err := seedDemo(ctx, cmd, a); err != nil {
					_ = a.Shutdown(context.Background())
					return err
				}
				a.Release()
			}
			printBanner(cmd, a, scheme+"://"+addr)
			select {
			case <-ctx.Done():
			case err := <-served:
				if !errors.Is(err, http.ErrServerClosed) {
					_ = a.Close()
					return fmt.Errorf("listen on %s: %w", addr, err)
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "stopping: finishing in-flight requests…")
			sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			return a.Shutdown(sctx)
		},
	}
	addCommonFlags(cmd, &cfg)
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address the API and web app listen on")
	f.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this PEM certificate (chain) file, read again when it changes; the phones' camera and offline copy need HTTPS")
	f.StringVar(&tlsKey, "tls-key", "", "the PEM private key of --tls-cert")
	f.StringSliceVar(&proxies, "trusted-proxy", nil, "a reverse proxy (address or CIDR; repeatable) whose X-Forwarded-For names the client, for the login lock-out and the balance page's guard per address; default: none, the client is the connection's peer")
	f.StringVar(&cfg.EthRPC, "eth-rpc", "", "JSON-RPC URL of an external Ethereum node; empty runs the embedded chain")
	f.StringVar(&cfg.OperatorKey, "operator-key", "", "keystore file of the operator account (with --eth-rpc); its passphrase in AIDLEDGER_OPERATOR_PASSPHRASE")
	f.StringVar(&pprofAddr, "pprof-addr", "", "serve Go's profiler (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060; empty disables it")
	f.BoolVar(&seed, "demo", false, "seed a demo data set (programs, vendors, beneficiaries, redemptions) into an empty data directory and print the demo logins")
	f.StringVar(&cfg.PublicRPC, "public-rpc", "", "chain JSON-RPC URL that donors are told to verify against (default: the embedded chain's --rpc-addr)")
	f.StringVar(&cfg.RPCAddr, "rpc-addr", "127.0.0.1:8545", "where the embedded chain serves JSON-RPC for wallets and `aidledger verify`; empty to not expose it")
	f.DurationVar(&cfg.ConfirmWait, "confirm-wait", 3*time.Second, "how long a redemption waits for the chain before answering 202 pending instead of 201 confirmed")
	f.IntVar(&cfg.Lanes, "lanes", 2, "operator keys submitting transactions in parallel")
	f.IntVar(&threadsPerCPU, "threads-per-cpu", 4, "goroutines the server runs at once per CPU (GOMAXPROCS; the environment variable overrides it; 0 = Go's default of one per CPU): see docs/decisions.md")
	f.Int64Var(&memLimitMiB, "memory-limit", 256, "soft limit of the Go heap in MiB (the garbage collector works harder near it; GOMEMLIMIT overrides it; 0 = none). The rest of the process (SQLite's page caches and the chain's trie caches, 64 MiB each at most, and the code) takes about 180 MiB more")
	f.Uint64Var(&cfg.MaxFeeGwei, "max-fee-gwei", 0, "most a transaction re-priced to get mined (its tip refused, or outgrown by the base fee) may offer per gas, in gwei; 0 = 1,000 × the tip")
	f.IntVar(&cfg.AcceptorNice, "acceptor-nice", -10, "nice value of the threads that run redemptions' acceptance groups, on Linux: a negative one shortens the acceptances' tail on a busy box, and needs CAP_SYS_NICE or LimitNICE= (else they keep the server's priority); 0 = unchanged")
	f.IntVar(&cfg.ShopWrongPINs, "shop-wrong-pins", redeem.DefaultShopWrongPINs, "pause a shop's PIN checks (sales and balance checks) for 15 minutes after this many wrong PINs there within 15 minutes, across cards: a card locks after five wrong PINs in a row, but a shop could try four on each of many cards; 0 = never")
	f.StringVar(&cfg.PhoneCountryCode, "phone-country-code", "", "the country's calling code (e.g. 962): a phone typed in national form, 079 123 4567, is then the same number as +962 79 123 4567 for duplicates and search; set it before enrolling (numbers stored before are not rewritten); empty compares numbers as written (the demo: 962)")
	f.StringVar(&cfg.BackupDir, "backup-dir", "", "where backups of the running system are written (default: the data directory's backups/); better on another disk, copied off the machine")
	f.DurationVar(&cfg.BackupEvery, "backup-every", 24*time.Hour, "write a backup this often while serving (the first this long after the newest one); 0 = only when an admin asks")
	f.IntVar(&cfg.BackupKeep, "backup-keep", backup.DefaultKeep, "how many backups to keep in --backup-dir; older ones are removed")
	f.StringVar(&backupPassFile, "backup-passphrase-file", "", "seal the backups with the passphrase in this file (AES-256-GCM, argon2id): a copy lost on a USB disk then gives nothing away; `restore --passphrase-file` opens them")
	f.DurationVar(&cfg.BlockPeriod, "block-period", 0, "embedded chain: seal a block every period (whole seconds); 0 seals as soon as transactions wait")
	return cmd
}

// countryCode checks --phone-country-code: a calling code of one to three digits, or none. The
// demo's people are in Jordan, so it defaults to 962 there.
func countryCode(v string, demo bool) (string, error) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "+")
	if v == "" && demo {
		return "962", nil
	}
	if v != "" && !regexp.MustCompile(`^[1-9][0-9]{0,2}$`).MatchString(v) {
		return "", fmt.Errorf("--phone-country-code %q: a calling code is one to three digits, such as 962", v)
	}
	return v, nil
}

// parseProxies reads --trusted-proxy values: addresses or CIDR ranges.
func parseProxies(vals []string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, v := range vals {
		if !strings.Contains(v, "/") {
			ip := net.ParseIP(v)
			if ip == nil {
				return nil, fmt.Errorf("--trusted-proxy %q: not an address or a CIDR range", v)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(v)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q: not an address or a CIDR range", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// schedulerThreads is the GOMAXPROCS the server sets: perCPU per CPU that Go's default gives it
// (the machine's, or its container's limit), unless GOMAXPROCS is set in the environment or
// perCPU is 0 (then ok is false and Go's default stays).
//
// Go runs one goroutine per CPU at a time by default, and preempts a running one only after
// 10 ms. On a small box the server's CPU-bound goroutines (block building, the chain's
// compactions and trie hashing) then held both CPUs while an acceptance, woken by its database's
// answer, waited its turn, once for each of its dozen round trips. With four per CPU the kernel
// shares the CPUs between them at a finer grain, and a woken thread runs soon: at 500
// redemptions/s on PostgreSQL (two cores, alternating runs) p99 accepted fell from 86–141 ms
// to 42–73 ms and the closed loop was no slower (docs/decisions.md).
func schedulerThreads(env string, cpus, perCPU int) (int, bool) {
	if env != "" || perCPU <= 0 {
		return 0, false
	}
	return max(cpus, 1) * perCPU, true
}

// setMemoryLimit applies --memory-limit unless GOMEMLIMIT is set (the runtime has applied it).
// Without a limit the heap grows to twice what is live before a collection, and after a burst
// (a CSV import of a million rows, an allocation) the process kept that size.
func setMemoryLimit(mib int64) {
	if os.Getenv("GOMEMLIMIT") != "" || mib <= 0 {
		return
	}
	debug.SetMemoryLimit(mib << 20)
}

// seedDemo seeds an empty system and prints the logins; on a seeded one it only reprints them.
func seedDemo(ctx context.Context, cmd *cobra.Command, a *app.App) error {
	out := cmd.OutOrStdout()
	users, err := a.Auth.ListUsers(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(out, "seeding the demo data set (through the chain; a few seconds)…")
		if _, err := demo.Seed(ctx, a, demo.Demo, func(step string) { fmt.Fprintln(out, "  "+step) }); err != nil {
			return fmt.Errorf("seed demo: %w", err)
		}
	} else if len(users) > 0 && !strings.HasSuffix(users[0].Email, "@demo.aidledger.org") {
		fmt.Fprintln(out, "--demo ignored: this data directory already has users")
		return nil
	}
	fmt.Fprintf(out, "Demo logins (password %q):\n", demo.Password)
	for _, u := range []string{"admin@demo.aidledger.org  (admin: /admin)", "aidworker@demo.aidledger.org  (aid worker: /enroll)",
		"vendor1@demo.aidledger.org … vendor5@  (shops: /vendor)", "donor@demo.aidledger.org  (donor: /transparency)"} {
		fmt.Fprintln(out, "  "+u)
	}
	page, err := a.Enroll.List(ctx, "", 1, 3)
	if err == nil && len(page.Items) > 0 {
		fmt.Fprintf(out, "Demo cards (PIN %s):", demo.PIN)
		for _, b := range page.Items {
			fmt.Fprint(out, " "+b.CardNumber)
		}
		fmt.Fprintln(out)
	}
	return nil
}

func printBanner(cmd *cobra.Command, a *app.App, url string) {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "aidledger is running\n  API and web app: %s\n  chain id:        %s\n  ledger contract: %s\n",
		url, a.Chain.ChainID, a.Chain.Contract.Hex())
	if a.Chain.RPCEndpoint != "" && a.Cfg.EthRPC == "" {
		fmt.Fprintf(out, "  chain JSON-RPC:  %s\n", a.Chain.RPCEndpoint)
	}
	fmt.Fprintf(out, "  data directory:  %s\n", a.Cfg.DataDir)
	if users, err := a.Auth.ListUsers(cmd.Context()); err == nil && len(users) == 0 {
		fmt.Fprintf(out, "No users yet. Create the first admin with:\n  aidledger user create --data-dir %s --email you@example.org --password '…' --role admin\n", a.Cfg.DataDir)
	}
	fmt.Fprintln(out, "Press Ctrl-C to stop.")
}

func migrateCmd() *cobra.Command {
	var cfg app.Config
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply database schema migrations and exit (serve also applies them)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := app.OpenDB(cmd.Context(), cfg)
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

// servePprof exposes the profiler on its own listener, never on the API's: profiles reveal
// internals and cost CPU, so they are opt-in and meant for loopback.
func servePprof(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		slog.Error("pprof listener", "addr", addr, "err", err)
	}
}
