package loadgen

import (
	"fmt"
	"io"
)

// ChainLimit sets a run against the chain's capacity: the Mgas/s the node executes for
// redemption batches when it does nothing else (BenchmarkChainLimit in server/chain/ledger,
// measured apart, on an idle machine), turned into redemptions/s at the gas this run's own
// redemptions took.
type ChainLimit struct {
	Mgas             float64 `json:"mgas_per_s"`
	GasPerRedemption float64 `json:"gas_per_redemption"` // in this run: its blocks' gas over its confirmed redemptions
	RedemptionsPerS  float64 `json:"redemptions_per_s"`
	Share            float64 `json:"share"` // the run's confirmed redemptions/s over RedemptionsPerS
}

// chainLimit is p against a chain that executes mgas Mgas/s of redemption batches; nil when
// either is unknown (no limit given, or no chain figures or confirmations in the run).
func chainLimit(mgas float64, p Phase) *ChainLimit {
	if mgas <= 0 || p.Chain == nil || p.Chain.GasUsed == 0 || p.Confirmed == 0 {
		return nil
	}
	l := ChainLimit{Mgas: mgas, GasPerRedemption: float64(p.Chain.GasUsed) / float64(p.Confirmed)}
	l.RedemptionsPerS = mgas * 1e6 / l.GasPerRedemption
	l.Share = p.ConfirmedPS / l.RedemptionsPerS
	return &l
}

func printChainLimit(w io.Writer, l *ChainLimit, confirmedPS float64) {
	fmt.Fprintf(w, "chain limit: %.0f Mgas/s of redemption batches at this run's %.0f gas per redemption = %.0f redemptions/s; "+
		"aidledger confirmed %.1f/s, %.1f%% of it\n", l.Mgas, l.GasPerRedemption, l.RedemptionsPerS, confirmedPS, 100*l.Share)
}
