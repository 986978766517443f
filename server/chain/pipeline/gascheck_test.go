package pipeline

import (
	"testing"
	"time"
)

func TestGasChecks_EstimateOncePerIntervalUntilAnEstimateExceedsTheBound(t *testing.T) {
	var g gasChecks
	if !g.due("redeem") {
		t.Fatal("the first batch of a kind is not estimated")
	}
	if g.due("redeem") {
		t.Fatal("a second batch within the interval is estimated")
	}
	if !g.due("allocate") {
		t.Fatal("kinds share one interval")
	}
	g.last["redeem"] = time.Now().Add(-gasCheckEvery)
	if !g.due("redeem") {
		t.Fatal("a batch after the interval is not estimated")
	}
	g.saw("redeem", false)
	if g.due("redeem") {
		t.Fatal("an estimate within the bound made every batch estimated")
	}
	g.saw("redeem", true)
	for i := 0; i < 3; i++ {
		if !g.due("redeem") {
			t.Fatal("after an estimate above the bound, a batch went unestimated")
		}
	}
}
