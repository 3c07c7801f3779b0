package cli

import (
	"syscall"
)

// keepalived's signals on Linux with glibc (lib/signals.h): SIGRTMIN is 34
// there (glibc keeps 32 and 33 for itself), so SIGJSON is 36 and
// SIGSTATS_CLEAR is SIGRTMAX-1 = 63.
const (
	sigJSON       = syscall.Signal(36)
	sigStatsClear = syscall.Signal(63)
)

// signalFuncs maps keepalived's --signum names to signals
// (lib/signals.c get_signum; names are case-sensitive there too).
var signalFuncs = map[string]syscall.Signal{
	"STOP":        syscall.SIGTERM,
	"RELOAD":      syscall.SIGHUP,
	"DATA":        syscall.SIGUSR1,
	"STATS":       syscall.SIGUSR2,
	"STATS_CLEAR": sigStatsClear,
	"JSON":        sigJSON,
}

// signum returns the signal keepalived uses for the function name.
func signum(name string) (syscall.Signal, bool) {
	s, ok := signalFuncs[name]
	return s, ok
}

// relayedSignals are the signals the supervising parent passes on to its
// VRRP child (keepalived/core/main.c propagate_signal, plus the dump
// signals, which reach keepalived's children because `kill` aims at them
// directly or at the whole group; we relay them so that `kill -USR1
// $(cat /run/keepalived.pid)` works too).
var relayedSignals = []syscall.Signal{
	syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2, sigStatsClear, sigJSON,
}
