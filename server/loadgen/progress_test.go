package loadgen

import (
	"strings"
	"testing"
	"time"
)

func TestProgressBar_FillsInProportionAndStaysWithinItsEnds(t *testing.T) {
	full, empty := "["+strings.Repeat("#", barWidth)+"]", "["+strings.Repeat(".", barWidth)+"]"
	half := "[" + strings.Repeat("#", barWidth/2) + strings.Repeat(".", barWidth/2) + "]"
	for _, c := range []struct {
		name        string
		done, total float64
		want        string
	}{
		{"nothing done draws an empty bar", 0, 100, empty + "   0%"},
		{"half done draws half a bar", 50, 100, half + "  50%"},
		{"all done draws a full bar", 100, 100, full + " 100%"},
		{"more than the total draws a full bar, not a longer one", 150, 100, full + " 100%"},
		{"a negative count draws an empty bar", -5, 100, empty + "   0%"},
		{"nothing to do draws an empty bar", 0, 0, empty + "   0%"},
		{"a share rounds down, never claiming what is not done", 99.9, 100, "[" + strings.Repeat("#", barWidth-1) + ".]  99%"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := progressBar(c.done, c.total); got != c.want {
				t.Errorf("progressBar(%v, %v) = %q, want %q", c.done, c.total, got, c.want)
			}
		})
	}
}

func TestRunLine_ShowsTheRunsTimeThenTheShareOfAcceptedTheChainSettled(t *testing.T) {
	for _, c := range []struct {
		name             string
		elapsed          time.Duration
		accepted, settle int64
		want             []string
	}{
		{"a quarter into the run the bar is a quarter of its time", 15 * time.Second, 1000, 0,
			[]string{"aidledger " + progressBar(15, 60) + " running", "accepted    1000 (   67/s) confirmed       0"}},
		{"once the time is up the bar is what the chain settled of what was accepted", 61 * time.Second, 1000, 250,
			[]string{"aidledger " + progressBar(1, 4) + " confirming"}},
		{"everything settled fills the bar", 62 * time.Second, 1000, 1000,
			[]string{"aidledger " + progressBar(1, 1) + " confirming", "accepted    1000 (   17/s) confirmed    1000 (   17/s)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := runLine("aidledger", c.elapsed, time.Minute, c.accepted, c.settle, c.settle, 0)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q does not contain %q", got, w)
				}
			}
			if len(got) > 120 {
				t.Errorf("%d columns: %q", len(got), got)
			}
		})
	}
}

func TestProgressLoop_DrawsTheFinalCountsWhenStopped(t *testing.T) {
	var out strings.Builder
	cfg := Config{Progress: &out, Duration: time.Millisecond}
	rec := newRecorder(time.Now())
	stop := cfg.progressLoop(rec, time.Now().Add(-time.Second), "aidledger")
	rec.accepted.Store(7)
	rec.confirmed.Store(6)
	rec.failed.Store(1)
	stop()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\r\033[K")
	last := lines[len(lines)-1]
	if !strings.HasSuffix(out.String(), "\n") || !strings.Contains(last, progressBar(1, 1)+" confirming") || !strings.Contains(last, "accepted       7 (") {
		t.Errorf("last line %q (all output %q): want the final counts, a full bar and a line ending", last, out.String())
	}
}
