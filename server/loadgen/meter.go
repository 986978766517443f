package loadgen

import "time"

// meter measures what a phase cost the machine: the whole box's CPU, and the load generator's
// own share of it. A same-box run charges the load generator's work to whichever design it
// drives, so the split says how much of a ratio is the client's.
type meter struct {
	host  cpuTimes
	own   time.Duration
	ownOK bool
	start time.Time
}

func startMeter() meter {
	m := meter{host: readHostCPU(), start: time.Now()}
	m.own, m.ownOK = ownCPU()
	return m
}

// finish fills in p's host figures and the load generator's CPU; p's counts must be set. The
// box's CPU per confirmed redemption is what the box spent from start to finish (the wait for
// the last confirmations included) over the redemptions confirmed in that time.
func (m meter) finish(p *Phase) {
	wall := time.Since(m.start)
	p.Host = m.host.until(readHostCPU())
	if own, ok := ownCPU(); ok && m.ownOK && wall > 0 {
		p.LoadgenCPU = float64(own-m.own) / float64(wall)
	}
	p.BoxCPUPerConfirmedMs = p.Host.cpuMsPer(p.Confirmed, wall)
}
