package process

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// setRealtime puts every thread of the process under SCHED_RR at prio,
// with SCHED_RESET_ON_FORK (keepalived's sched_setscheduler(getpid(),
// SCHED_RR | SCHED_RESET_ON_FORK); Linux applies a policy per thread, and
// keepalived has one).
func setRealtime(prio int) error {
	return eachThread(func(tid int) error {
		attr := unix.SchedAttr{Policy: unix.SCHED_RR, Flags: unix.SCHED_FLAG_RESET_ON_FORK, Priority: uint32(prio)}
		return unix.SchedSetAttr(tid, &attr, 0)
	})
}

// setNice is setpriority(PRIO_PROCESS) on every thread (Linux keeps a
// nice value per thread).
func setNice(nice int) error {
	return eachThread(func(tid int) error { return unix.Setpriority(unix.PRIO_PROCESS, tid, nice) })
}

// setAffinity is sched_setaffinity on every thread; threads made later
// inherit it from the thread that makes them.
func setAffinity(cpus []int) error {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return eachThread(func(tid int) error { return unix.SchedSetaffinity(tid, &set) })
}

// eachThread runs f on every thread of the process (one that ended
// meanwhile is no error).
func eachThread(f func(tid int) error) error {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if err := f(tid); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
