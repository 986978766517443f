package loadgen

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// HostCPU is how the machine the load generator runs on spent its CPU during a phase, in percent
// of all its CPUs. On a shared box (server, database and load generator together) Busy says
// whether the box was full, and on a VM Steal says how much of it the host took: runs of one
// build went from 629 to 1,040 redemptions/s with steal alone, so a figure without it cannot be
// compared with another.
type HostCPU struct {
	Busy  float64 `json:"busy_pct"`
	Steal float64 `json:"steal_pct"`
	CPUs  int     `json:"cpus,omitempty"` // what Busy and Steal are shares of
}

// cpuMsPer is how many milliseconds of the whole box's CPU each of n events took, when Busy was
// measured over wall: a cost that holds whoever on the box spent it (server, database, load
// generator, node). 0 when unknown.
func (h *HostCPU) cpuMsPer(n int, wall time.Duration) float64 {
	if h == nil || h.CPUs == 0 || n <= 0 {
		return 0
	}
	return h.Busy / 100 * float64(h.CPUs) * float64(wall.Milliseconds()) / float64(n)
}

// cpuTimes is /proc/stat's aggregate line (jiffies per state since boot) and how many CPUs it
// sums.
type cpuTimes struct {
	total, idle, steal uint64
	cpus               int // the "cpuN" lines
	ok                 bool
}

// readHostCPU reads /proc/stat; on a system without it the phase reports no host figures.
func readHostCPU() cpuTimes {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return cpuTimes{}
	}
	defer f.Close()
	return parseCPUTimes(f)
}

// parseCPUTimes reads the aggregate "cpu" line: user nice system idle iowait irq softirq steal
// (guest time is already counted in user and nice); and counts the CPUs' own lines.
func parseCPUTimes(r io.Reader) cpuTimes {
	var t cpuTimes
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 && len(fields[0]) > 3 && strings.HasPrefix(fields[0], "cpu") {
			t.cpus++
			continue
		}
		if len(fields) < 9 || fields[0] != "cpu" {
			continue
		}
		for i, f := range fields[1:9] {
			v, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return cpuTimes{}
			}
			t.total += v
			switch i {
			case 3, 4: // idle, iowait
				t.idle += v
			case 7:
				t.steal = v
			}
		}
		t.ok = true
	}
	if !t.ok {
		return cpuTimes{}
	}
	return t
}

// until is the share of the CPUs' time between a and b that was busy and stolen; nil when either
// reading failed or no time passed.
func (a cpuTimes) until(b cpuTimes) *HostCPU {
	if !a.ok || !b.ok || b.total <= a.total {
		return nil
	}
	total := float64(b.total - a.total)
	return &HostCPU{
		Busy:  100 * float64((b.total-a.total)-(b.idle-a.idle)-(b.steal-a.steal)) / total,
		Steal: 100 * float64(b.steal-a.steal) / total,
		CPUs:  b.cpus,
	}
}
