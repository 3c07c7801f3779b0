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

// childAttr makes the VRRP child die with the thread that forked it
// (PR_SET_PDEATHSIG: SIGTERM, so that it shuts down gracefully).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
