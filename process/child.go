package process

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/logging"
)

// VRRP is what the VRRP child runs: package daemon's Daemon as package cli
// composes it. Every method but Run is safe to call while Run runs.
type VRRP interface {
	// Run runs until ctx is cancelled (a graceful stop) or it fails.
	Run(ctx context.Context) error
	// Ready waits until every instance has started; an error means Run
	// gave up (its error follows from Run).
	Ready() error
	// Reload applies the configuration on disk, or refuses it whole.
	Reload() error
	// DumpData, DumpStats and DumpJSON write keepalived's dump files
	// (SIGUSR1, SIGUSR2 / SIGSTATS_CLEAR, SIGJSON).
	DumpData() error
	DumpStats(clear bool) error
	DumpJSON() error
}

// Child is keepalived's VRRP child (vrrp_daemon.c start_vrrp_child): its
// pidfile, the VRRP side, signals, and reports to the parent on fd 3.
type Child struct {
	Logger *slog.Logger
	// VRRPPid is the child's pidfile.
	VRRPPid string
	// Start builds the VRRP side. On a permanent failure it logs why and
	// returns the exit status that says so (ExitFatal, ExitConfig,
	// ExitMissingPermission); the parent then stops instead of respawning.
	Start func() (VRRP, int)
	// Running, if set, is called once the VRRP side is ready (-d dumps
	// the configuration then).
	Running func()
	// Reloaded, if set, is called after each successful reload;
	// BeforeReload, if set, before each reload (config_save_dir's "pre").
	Reloaded     func()
	BeforeReload func()
}

// Run runs the child and returns its exit status.
func (c *Child) Run() int {
	lg := c.Logger
	SetName(Name)
	status := io.Writer(io.Discard)
	if f := os.NewFile(statusFD, "status"); f != nil {
		unix.CloseOnExec(statusFD) // scripts must not inherit it
		status = f
		defer f.Close()
	}
	report := func(line string) { fmt.Fprintln(status, line) }
	permanent := func(code int) int {
		report("exit " + strconv.Itoa(code))
		return code
	}

	pid := os.Getpid()
	if err := WritePidfile(c.VRRPPid, pid); err != nil {
		lg.Info("VRRP child process: cannot write pidfile", logging.File(c.VRRPPid), logging.Err(err))
		return ExitOK // keepalived exits 0 here, and is respawned
	}
	defer RemovePidfile(c.VRRPPid, pid)

	// Caught from before Start (one that comes meanwhile waits in sigs)
	// and never let go: keepalived sets them to SIG_IGN once it stops
	// (signal_handler_destroy), and Go's default for SIGTERM, SIGINT and
	// SIGHUP is death, which would skip the pidfile's and the control
	// socket's removal. A SIGKILLed parent sends the stop signal more than
	// once: the kernel sends PR_SET_PDEATHSIG each time the child passes
	// from a dying thread of the parent to the next, milliseconds apart on
	// a loaded machine. Neither signal.Stop nor signal.Ignore serves: one
	// restores the default, and a signal that is in Go's handler while
	// the other runs still gets the default action. Once the loop has
	// ended, what comes is dropped (sigs is full or unread).
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1,
		syscall.SIGUSR2, SigStatsClear, SigJSON, syscall.SIGPIPE)

	var v VRRP
	var code int
	OnFreshStack(func() { v, code = c.Start() })
	if code != ExitOK || v == nil {
		if code == ExitOK {
			code = ExitFatal
		}
		return permanent(code)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	runDone := make(chan error, 1)
	go func() { runDone <- v.Run(ctx) }()
	if err := v.Ready(); err != nil {
		runErr := <-runDone
		lg.Info(fmt.Sprintf("VRRP child process: cannot start: %v", runErr), logging.Err(runErr))
		if errors.Is(runErr, os.ErrPermission) {
			return permanent(ExitMissingPermission)
		}
		return permanent(ExitFatal)
	}
	report("ready")
	if c.Running != nil {
		c.Running()
	}

	stopping := false
	for {
		select {
		case err := <-runDone:
			if err != nil {
				lg.Info(fmt.Sprintf("VRRP child process: %v", err), logging.Err(err))
				return ExitProgramError
			}
			if !stopping {
				// Run returned without being asked to: let the parent respawn us.
				lg.Info("VRRP child process: the VRRP loop stopped unexpectedly")
				return ExitProgramError
			}
			return ExitOK
		case sig := <-sigs:
			switch sig {
			case syscall.SIGTERM, syscall.SIGINT:
				if !stopping {
					stopping = true
					report("stopping")
					cancel()
				}
			case syscall.SIGHUP:
				if stopping {
					continue
				}
				report("reloading")
				if c.BeforeReload != nil {
					c.BeforeReload()
				}
				var err error
				OnFreshStack(func() { err = v.Reload() })
				if err != nil {
					report("reload-failed " + strings.ReplaceAll(err.Error(), "\n", "; "))
				} else {
					if c.Reloaded != nil {
						c.Reloaded()
					}
					report("reloaded")
				}
			// The daemon logs keepalived's "Printing VRRP ... on signal".
			case syscall.SIGUSR1:
				logIfErr(lg, "data dump", v.DumpData())
			case syscall.SIGUSR2:
				logIfErr(lg, "stats dump", v.DumpStats(false))
			case SigStatsClear:
				logIfErr(lg, "stats dump", v.DumpStats(true))
			case SigJSON:
				logIfErr(lg, "JSON dump", v.DumpJSON())
			}
		}
	}
}

func logIfErr(lg *slog.Logger, what string, err error) {
	if err != nil {
		lg.Error(fmt.Sprintf("%s failed: %v", what, err), logging.Err(err))
	}
}
