//go:build !linux

package process

import (
	"fmt"
	"syscall"
)

// enterNetns: network namespaces are Linux's.
func enterNetns(name string) error {
	return fmt.Errorf("process: netns %s: %w", name, ErrUnsupported)
}

// enterNetnsProcess: network namespaces are Linux's.
func enterNetnsProcess(name string) error { return enterNetns(name) }

// childAttr: no parent-death signal outside Linux (the parent does not
// run there: Parent.Run refuses).
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
