package loadgen

import (
	"fmt"
	"io"
	"maps"
	"slices"
)

// Print writes a human-readable summary of r.
func Print(w io.Writer, r Result) {
	if r.Rate > 0 {
		fmt.Fprintf(w, "vendors %d, open loop offering %.0f redemptions/s, beneficiaries %d\n", r.Vendors, r.Rate, r.Beneficiaries)
	} else {
		fmt.Fprintf(w, "vendors %d (x%d in flight), beneficiaries %d\n", r.Vendors, r.InFlight, r.Beneficiaries)
	}
	if r.ImportSeconds > 0 {
		fmt.Fprintf(w, "setup: CSV import %.1fs, allocation confirmed %.1fs\n", r.ImportSeconds, r.AllocSeconds)
	}
	printPhase(w, r.Aidledger)
	if r.ChainLimit != nil {
		printChainLimit(w, r.ChainLimit, r.Aidledger.ConfirmedPS)
	}
	if r.Baseline != nil {
		printPhase(w, *r.Baseline)
		fmt.Fprintf(w, "aidledger / baseline (confirmed/s): %.2fx\n", r.Ratio)
		if a, b := r.Aidledger.BoxCPUPerConfirmedMs, r.Baseline.BoxCPUPerConfirmedMs; a > 0 && b > 0 {
			fmt.Fprintf(w, "box CPU per confirmed: aidledger %.2f ms, baseline %.2f ms (%.2fx)\n", a, b, b/a)
		}
	}
}

func printPhase(w io.Writer, p Phase) {
	fmt.Fprintf(w, "\n== %s (%.0fs)\n", p.Name, p.Seconds)
	fmt.Fprintf(w, "redemptions/s   accepted %.1f   confirmed %.1f   (accepted %d, confirmed %d, failed on chain %d, unconfirmed %d)\n",
		p.AcceptedPS, p.ConfirmedPS, p.Accepted, p.Confirmed, p.Failed, p.Unconfirmed)
	fmt.Fprintf(w, "latency accepted   p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n", p.AcceptLat.P50, p.AcceptLat.P95, p.AcceptLat.P99, p.AcceptLat.Max)
	fmt.Fprintf(w, "latency confirmed  p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n", p.ConfirmLat.P50, p.ConfirmLat.P95, p.ConfirmLat.P99, p.ConfirmLat.Max)
	if len(p.Errors) == 0 {
		fmt.Fprintln(w, "errors: none")
	} else {
		fmt.Fprint(w, "errors:")
		for _, k := range slices.Sorted(maps.Keys(p.Errors)) {
			fmt.Fprintf(w, " %s=%d", k, p.Errors[k])
		}
		fmt.Fprintln(w)
	}
	if p.ServerPeakMB > 0 {
		fmt.Fprintf(w, "server: CPU %.2f cores (mean), peak RSS %.0f MiB", p.ServerCPU, p.ServerPeakMB)
		if p.ServerLifetimePeakMB > 0 {
			fmt.Fprintf(w, " (since it started: %.0f MiB)", p.ServerLifetimePeakMB)
		}
		fmt.Fprintln(w)
	}
	if p.LoadgenCPU > 0 {
		fmt.Fprintf(w, "load generator: CPU %.2f cores (mean)\n", p.LoadgenCPU)
	}
	if h := p.Host; h != nil {
		fmt.Fprint(w, "host (this machine")
		if h.CPUs > 0 {
			fmt.Fprintf(w, ", %d CPUs", h.CPUs)
		}
		fmt.Fprintf(w, "): busy %.0f%%, steal %.0f%%", h.Busy, h.Steal)
		if p.BoxCPUPerConfirmedMs > 0 {
			fmt.Fprintf(w, ", %.2f ms of CPU per confirmed", p.BoxCPUPerConfirmedMs)
		}
		fmt.Fprintln(w)
	}
	if a := p.Acceptance; a != nil {
		fmt.Fprintf(w, "server's acceptance (mean): wait for its group %.1f ms, transaction %.1f ms, fsync %.1f ms; %.1f per group\n",
			a.WaitMs, a.TransactionMs, a.DurableMs, a.GroupSize)
	}
	if c := p.Chain; c != nil {
		fmt.Fprintf(w, "chain: blocks %d..%d (%d), %d txs, %.2f Mgas/s, %.0f gas/block, block every %.0f ms\n",
			c.FromBlock, c.ToBlock, c.Blocks, c.Transactions, c.MgasPerS, c.GasPerBlock, c.BlockGapMs)
	}
}
