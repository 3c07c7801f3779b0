package daemon

import (
	"fmt"
	"syscall"
)

// stoppedLine is the VRRP process's last line, keepalived's log_stopping
// (lib/utils.c): "Stopped", or with -D the CPU time used by the process
// and by its reaped children (scripts), the children's part only when
// there is one.
func stoppedLine(detail bool) string {
	if !detail {
		return "Stopped"
	}
	var self, kids syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &self) != nil || syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids) != nil {
		return "Stopped"
	}
	if kids.Utime.Sec != 0 || kids.Utime.Usec != 0 {
		return fmt.Sprintf("Stopped - used (self/children) %s/%s user time, %s/%s system time",
			tv(self.Utime), tv(kids.Utime), tv(self.Stime), tv(kids.Stime))
	}
	return fmt.Sprintf("Stopped - used %s user time, %s system time", tv(self.Utime), tv(self.Stime))
}

// tv prints a timeval as keepalived does, seconds.microseconds (6 digits).
func tv(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
