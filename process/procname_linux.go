package process

import (
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SetName names every thread of this process name: PR_SET_NAME for the
// calling thread and /proc/self/task/*/comm for the others, the
// thread-group leader included, whose name is the process's
// /proc/PID/comm. Threads started later inherit it.
func SetName(name string) {
	if p, err := unix.BytePtrFromString(name); err == nil {
		_ = unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(p)), 0, 0, 0)
	}
	tasks, _ := filepath.Glob("/proc/self/task/*/comm")
	for _, t := range tasks {
		_ = os.WriteFile(t, []byte(name), 0)
	}
}
