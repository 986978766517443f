package loadgen

import (
	"math"
	"strings"
	"testing"
)

func TestChainLimit_TurnsTheNodesGasRateIntoRedemptionsAtTheRunsGasPerRedemption(t *testing.T) {
	run := Phase{Confirmed: 1000, ConfirmedPS: 1000, Chain: &ChainStats{GasUsed: 20_000_000}}
	for _, c := range []struct {
		name string
		mgas float64
		p    Phase
		want *ChainLimit
	}{
		{"400 Mgas/s at 20,000 gas a redemption is 20,000/s, of which the run used 5 %", 400, run,
			&ChainLimit{Mgas: 400, GasPerRedemption: 20_000, RedemptionsPerS: 20_000, Share: 0.05}},
		{"no limit given reports none", 0, run, nil},
		{"a run without chain figures reports none", 400, Phase{Confirmed: 1000, ConfirmedPS: 1000}, nil},
		{"a run that confirmed nothing reports none rather than dividing by zero", 400, Phase{Chain: &ChainStats{GasUsed: 1}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := chainLimit(c.mgas, c.p)
			if (got == nil) != (c.want == nil) {
				t.Fatalf("chainLimit = %+v, want %+v", got, c.want)
			}
			if got == nil {
				return
			}
			for _, f := range [][2]float64{{got.Mgas, c.want.Mgas}, {got.GasPerRedemption, c.want.GasPerRedemption},
				{got.RedemptionsPerS, c.want.RedemptionsPerS}, {got.Share, c.want.Share}} {
				if math.Abs(f[0]-f[1]) > 1e-9*math.Abs(f[1]) {
					t.Errorf("chainLimit = %+v, want %+v", *got, *c.want)
				}
			}
		})
	}
}

func TestPrint_GivesTheRunsShareOfTheChainLimitWhenKnown(t *testing.T) {
	run := Phase{Name: "aidledger", Confirmed: 1000, ConfirmedPS: 1000, Chain: &ChainStats{GasUsed: 20_000_000}}
	var with, without strings.Builder
	Print(&with, Result{Aidledger: run, ChainLimit: chainLimit(400, run)})
	Print(&without, Result{Aidledger: run})
	if want := "= 20000 redemptions/s; aidledger confirmed 1000.0/s, 5.0% of it"; !strings.Contains(with.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, with.String())
	}
	if strings.Contains(without.String(), "chain limit") {
		t.Errorf("summary speaks of a limit nobody measured:\n%s", without.String())
	}
}
