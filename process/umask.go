package process

import (
	"log/slog"
	"sync/atomic"
	"syscall"

	"github.com/keepalived-go/keepalived/config"
)

// The file-creation mask, as keepalived 2.2.7 keeps it (lib/utils.c
// umask_val, main.c set_umask, global_parser.c umask_handler): the process
// starts with 0177 (DefaultUmask), -u replaces it for good, and otherwise
// the configuration's umask replaces it each time the file is read (the
// parent at start, the VRRP child at start and at each reload). Every file
// the processes create follows it: the dumps (0666 less the mask), the
// notify FIFOs (0644 less the mask), and what scripts create, since they
// inherit it. Pidfiles are always 0644, as keepalived makes them.

// umaskFromCmdline is set once -u has been applied.
var umaskFromCmdline atomic.Bool

// SetStartUmask sets the mask the process starts with: -u's value when
// fromCmdline (the configuration's umask is then ignored), else
// keepalived's DefaultUmask.
func SetStartUmask(mask int, fromCmdline bool) {
	if fromCmdline {
		umaskFromCmdline.Store(true)
		syscall.Umask(mask & 0o777)
		return
	}
	syscall.Umask(config.DefaultUmask)
}

// UmaskFromCmdline reports whether -u set the mask.
func UmaskFromCmdline() bool { return umaskFromCmdline.Load() }

// ApplyConfigUmask takes the configuration's umask, if it has one, as the
// process's mask; with -u given it logs keepalived's line instead. A
// configuration without umask leaves the mask as it is (keepalived does
// not reset it on a reload either).
func ApplyConfigUmask(g *config.Global, lg *slog.Logger) {
	if g == nil || g.Umask == nil {
		return
	}
	if umaskFromCmdline.Load() {
		if lg != nil {
			lg.Info("umask command line option specified, ignoring config option")
		}
		return
	}
	syscall.Umask(int(*g.Umask & 0o777))
}
