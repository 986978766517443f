package pipeline

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func defaultOwner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s:%d:%d", host, os.Getpid(), time.Now().UnixNano())
}

// ownerGone reports whether a lease owner named in the default format is a process on this host
// that no longer runs, so its lease can be taken without waiting for it to expire. Anything else
// (another host, another format, a live process) is not gone.
func ownerGone(owner string) bool {
	parts := strings.Split(owner, ":")
	if len(parts) != 3 {
		return false
	}
	host, _ := os.Hostname()
	pid, err := strconv.Atoi(parts[1])
	if parts[0] != host || err != nil || pid <= 0 || pid == os.Getpid() {
		return false
	}
	// Signal 0 checks for existence without touching the process.
	err = syscall.Kill(pid, 0)
	return errors.Is(err, syscall.ESRCH)
}
