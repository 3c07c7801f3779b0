package process

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// enterNetns moves the calling thread into the named network namespace
// (ip netns add NAME: /run/netns/NAME).
func enterNetns(name string) error {
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		return fmt.Errorf("process: netns %s: %w", name, err)
	}
	defer f.Close()
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("process: setns %s: %w", name, err)
	}
	return nil
}

// enterNetnsProcess moves every thread of this process into the named
// network namespace, as keepalived's set_namespaces does for its
// single-threaded main process before it forks: from here on nothing of
// ours (this process, the background parent, the VRRP child, scripts)
// runs in the namespace it was started in. setns(2) changes only the
// calling thread, so the Go runtime repeats it on all of its threads
// (AllThreadsSyscall); threads it makes later are cloned from one already
// inside. A cgo build cannot do that: the error is then errThreadsStay.
func enterNetnsProcess(name string) error {
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		return fmt.Errorf("process: netns %s: %w", name, err)
	}
	defer f.Close()
	_, _, errno := syscall.AllThreadsSyscall(unix.SYS_SETNS, f.Fd(), unix.CLONE_NEWNET, 0)
	switch errno {
	case 0:
		return nil
	case syscall.ENOTSUP:
		return fmt.Errorf("process: setns %s: %w", name, errThreadsStay)
	}
	return fmt.Errorf("process: setns %s: %w", name, errno)
}

// childAttr makes the VRRP child die with the thread that forked it
// (PR_SET_PDEATHSIG: SIGTERM, so that it shuts down gracefully).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
