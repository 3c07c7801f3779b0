package process

import (
	"syscall"
)

// keepalived's signals on Linux with glibc (lib/signals.h): SIGRTMIN is 34
// there (glibc keeps 32 and 33 for itself), so SIGJSON is 36 and
// SIGSTATS_CLEAR is SIGRTMAX-1 = 63.
const (
	SigJSON       = syscall.Signal(36)
	SigStatsClear = syscall.Signal(63)
)

// signalFuncs maps keepalived's --signum names to signals
// (lib/signals.c get_signum; names are case-sensitive there too).
var signalFuncs = map[string]syscall.Signal{
	"STOP":        syscall.SIGTERM,
	"RELOAD":      syscall.SIGHUP,
	"DATA":        syscall.SIGUSR1,
	"STATS":       syscall.SIGUSR2,
	"STATS_CLEAR": SigStatsClear,
	"JSON":        SigJSON,
}

// Signum returns the signal keepalived uses for the function name.
func Signum(name string) (syscall.Signal, bool) {
	s, ok := signalFuncs[name]
	return s, ok
}
