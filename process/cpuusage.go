package process

import (
	"fmt"
	"syscall"
)

// cpuUsage is the parent's -D line at exit (keepalived's main.c): its own
// CPU time and that of its reaped children (the VRRP process).
func cpuUsage() string {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) string { return fmt.Sprintf("%d.%06d", t.Sec, t.Usec) }
	return fmt.Sprintf("CPU usage (self/children) user: %s/%s system: %s/%s", tv(self.Utime), tv(kids.Utime), tv(self.Stime), tv(kids.Stime))
}
