package loadgen

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestHostCPU_SharesOfBusyAndStolenTimeBetweenTwoReadings(t *testing.T) {
	const before = "cpu  1000 0 500 8000 100 0 0 400 0 0\ncpu0 500 0 250 4000 50 0 0 200 0 0\n"
	for _, tc := range []struct {
		name       string
		after      string
		want       *HostCPU
		wantReadOK bool
	}{
		{"busy is user, nice, system, irq and softirq; idle and iowait are not", "cpu  1600 0 800 8000 100 50 50 400 0 0\n", &HostCPU{Busy: 100, Steal: 0}, true},
		{"the CPUs are counted by their own lines", "cpu  1600 0 800 8000 100 50 50 400 0 0\ncpu0 800 0 400 4000 50 25 25 200 0 0\ncpu1 800 0 400 4000 50 25 25 200 0 0\nintr 1\n",
			&HostCPU{Busy: 100, Steal: 0, CPUs: 2}, true},
		{"stolen time is neither busy nor idle", "cpu  1300 0 600 8300 100 0 0 700 0 0\n", &HostCPU{Busy: 40, Steal: 30}, true},
		{"no time passed: no figures", before, nil, true},
		{"a file without the cpu line: no figures", "intr 12345\n", nil, false},
		{"a malformed line: no figures", "cpu  1000 x 500 8000 100 0 0 400\n", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := parseCPUTimes(strings.NewReader(before)), parseCPUTimes(strings.NewReader(tc.after))
			if b.ok != tc.wantReadOK {
				t.Fatalf("reading %q: ok %v, want %v", tc.after, b.ok, tc.wantReadOK)
			}
			got := a.until(b)
			if (got == nil) != (tc.want == nil) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got != nil && (math.Abs(got.Busy-tc.want.Busy) > 1e-9 || math.Abs(got.Steal-tc.want.Steal) > 1e-9 || got.CPUs != tc.want.CPUs) {
				t.Errorf("got busy %.2f%% steal %.2f%% of %d CPUs, want %.2f%% and %.2f%% of %d", got.Busy, got.Steal, got.CPUs,
					tc.want.Busy, tc.want.Steal, tc.want.CPUs)
			}
		})
	}
}

func TestHostCPU_MillisecondsOfTheBoxPerEventAreItsBusyCPUTimeOverTheirNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		host *HostCPU
		n    int
		wall time.Duration
		want float64
	}{
		{"half of two CPUs for 10 s over 10,000 is 1 ms each", &HostCPU{Busy: 50, CPUs: 2}, 10_000, 10 * time.Second, 1},
		{"a full box of two for a minute over 48,000 is 2.5 ms each", &HostCPU{Busy: 100, CPUs: 2}, 48_000, time.Minute, 2.5},
		{"unknown CPU count: unknown", &HostCPU{Busy: 50}, 10_000, 10 * time.Second, 0},
		{"nothing confirmed: unknown", &HostCPU{Busy: 50, CPUs: 2}, 0, 10 * time.Second, 0},
		{"no host figures: unknown", nil, 10_000, 10 * time.Second, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.host.cpuMsPer(tc.n, tc.wall); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("got %.3f ms, want %.3f", got, tc.want)
			}
		})
	}
}
