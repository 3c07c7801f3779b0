//go:build !linux

package checker

import "syscall"

// scriptAttr puts a script in its own process group (there is no
// parent-death signal outside Linux).
func scriptAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
