package checker

import "syscall"

// scriptAttr puts a script in its own process group and has it terminated
// if the thread that started it dies (PR_SET_PDEATHSIG).
func scriptAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
