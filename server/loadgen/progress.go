package loadgen

import (
	"fmt"
	"strings"
	"time"
)

// barWidth keeps a run's progress line, counts included, within 120 columns.
const barWidth = 20

// progressBar draws done of total as a bar and a percentage, "[#######.............]  37%".
// Nothing to do (total 0) draws an empty bar; done beyond total draws a full one.
func progressBar(done, total float64) string {
	frac := 0.0
	if total > 0 {
		frac = min(max(done/total, 0), 1)
	}
	n := int(frac * barWidth)
	return fmt.Sprintf("[%s%s] %3d%%", strings.Repeat("#", n), strings.Repeat(".", barWidth-n), int(frac*100))
}

// runLine is a redemption run's progress: while it runs, a bar of its time; once its time is
// up, a bar of how much of what was accepted the chain has settled (confirmed or refused),
// since the run is not over until the load generator has seen each outcome.
func runLine(name string, elapsed, duration time.Duration, accepted, settled, confirmed, errs int64) string {
	phase := "running   "
	bar := progressBar(elapsed.Seconds(), duration.Seconds())
	if elapsed >= duration {
		phase = "confirming"
		bar = progressBar(float64(settled), float64(accepted))
	}
	// Rates are over the run's time: what arrives after it is confirmations of what it accepted.
	el := max(min(elapsed, duration), time.Millisecond).Seconds()
	return fmt.Sprintf("%s %s %s %5.1fs accepted %7d (%5.0f/s) confirmed %7d (%5.0f/s) errors %d",
		name, bar, phase, elapsed.Seconds(), accepted, float64(accepted)/el, confirmed, float64(confirmed)/el, errs)
}

func (c *Config) progressf(format string, args ...any) {
	if c.Progress != nil {
		fmt.Fprintf(c.Progress, "\r\033[K"+format, args...)
	}
}

func (c *Config) progressDone() {
	if c.Progress != nil {
		fmt.Fprint(c.Progress, "\n")
	}
}

// progressLoop redraws a run's progress line twice a second until the returned stop is called,
// which draws it a last time with the final counts.
func (c *Config) progressLoop(rec *recorder, start time.Time, name string) (stop func()) {
	if c.Progress == nil {
		return func() {}
	}
	draw := func() {
		c.progressf("%s", runLine(name, time.Since(start), c.Duration, rec.accepted.Load(),
			rec.confirmed.Load()+rec.failed.Load(), rec.confirmed.Load(), rec.errCount.Load()))
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				draw()
				c.progressDone()
				return
			case <-t.C:
				draw()
			}
		}
	}()
	return func() { close(done); <-stopped }
}
