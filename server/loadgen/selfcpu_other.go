//go:build !unix

package loadgen

import "time"

// ownCPU is the CPU time this process has used so far; not known on this system.
func ownCPU() (time.Duration, bool) { return 0, false }
