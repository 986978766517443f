// Package threadnice sets the scheduling priority of the OS thread a goroutine runs on: the
// server raises its acceptances' threads and lowers its backups'.
package threadnice

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// RunAtNice locks the calling goroutine to its OS thread for good and sets that thread's nice
// value. Raising a thread's priority (a negative nice) needs CAP_SYS_NICE or a matching
// RLIMIT_NICE (systemd: LimitNICE=); without them it fails and the thread keeps its priority.
func RunAtNice(nice int) error {
	runtime.LockOSThread()
	return unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), nice)
}

// Nice is the calling thread's nice value.
func Nice() (int, error) {
	p, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
	return 20 - p, err // the system call returns 20 − nice
}
