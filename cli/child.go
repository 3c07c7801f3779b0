package cli

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
	"time"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/daemon"
)

// runChild is keepalived's VRRP child (vrrp_daemon.c start_vrrp_child):
// pidfile, package daemon, signals, and reports to the parent on fd 3.
func (a *app) runChild() int {
	o := &a.opts
	ppid, _ := strconv.Atoi(os.Getenv(envParent))
	vrrpPid := os.Getenv(envVRRPPid)
	a.identSuffix = os.Getenv(envIdent)
	for _, e := range []string{envParent, envVRRPPid, envIdent} {
		os.Unsetenv(e)
	}
	restoreGODEBUG()
	// The parent may have died between fork and PR_SET_PDEATHSIG taking
	// effect; keepalived checks the same thing.
	if ppid == 0 || os.Getppid() != ppid {
		return exitOK
	}
	setProcessName(processName)

	status := io.Writer(io.Discard)
	if f := os.NewFile(childStatusFD, "status"); f != nil {
		unix.CloseOnExec(childStatusFD) // scripts must not inherit it
		status = f
		defer f.Close()
	}
	report := func(line string) { fmt.Fprintln(status, line) }

	settings, closeLogs := a.logSettings("Keepalived_vrrp")
	defer closeLogs()
	lg := newLogger(settings)
	logf := func(format string, args ...any) { lg.Info(fmt.Sprintf(format, args...)) }
	permanent := func(code int) int {
		report("exit " + strconv.Itoa(code))
		return code
	}

	if vrrpPid == "" {
		vrrpPid = pidfilePaths(o.pidFile, o.vrrpPidFile, false, "").VRRP
	}
	pid := os.Getpid()
	if err := writePidfile(vrrpPid, pid); err != nil {
		logf("VRRP child process: cannot write pidfile")
		return exitOK // keepalived exits 0 here, and is respawned
	}
	defer removePidfile(vrrpPid, pid)

	host, err := newLinuxHost()
	if err != nil {
		logf("Unable to open the host's netlink and packet sockets: %v", err)
		if errors.Is(err, os.ErrPermission) {
			return permanent(exitMissingPermission)
		}
		return permanent(exitFatal)
	}
	var d *daemon.Daemon
	onFreshStack(func() {
		d, err = daemon.New(daemon.Options{
			ConfigFile:      o.configFile,
			ConfigID:        o.configID,
			Logger:          lg,
			Host:            host,
			DontReleaseVRRP: o.dontReleaseVRRP,
			ReleaseVIPs:     o.releaseVIPs,
			StatusAddr:      o.statusAddr,
			StrictConfig:    o.strictConfig,
			// The collector's pace and the image pages follow the daemon's
			// bursts of work (start-up, reloads, failovers): see memory.go.
			Busy:  busyPace,
			Quiet: quietDown,
		})
	})
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			logf("VRRP child process: %v", err)
			return permanent(exitMissingPermission)
		}
		// daemon.ErrConfig and every other failure to load: keepalived's
		// KEEPALIVED_EXIT_CONFIG, which stops the parent too; a failed
		// strict include check stops keepalived with 6 instead.
		logf("Stopping - configuration error: %v", err)
		if errors.Is(err, daemon.ErrIncludeCheck) {
			return permanent(exitNoConfig)
		}
		return permanent(exitConfig)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1,
		syscall.SIGUSR2, sigStatsClear, sigJSON, syscall.SIGPIPE)
	defer signal.Stop(sigs)

	runDone := make(chan error, 1)
	go func() { runDone <- d.Run(ctx) }()

	ctl := &controlServer{
		d: d, lg: lg, started: time.Now(), configFile: o.configFile, configID: o.configID,
		parentPID: ppid,
	}
	sock := controlSocketPath(vrrpPid)
	if err := ctl.listen(sock); err != nil {
		logf("control socket %s: %v (status and reload --plan unavailable)", sock, err)
	} else {
		defer ctl.close()
	}

	// d.Status goes through the daemon's loop, which serves requests only
	// once every instance has started: no error means "running"; an error
	// means Run gave up (its error follows on runDone).
	var runErr error
	_, statusErr := d.Status()
	ready := statusErr == nil
	if !ready {
		runErr = <-runDone
	}
	if !ready {
		logf("VRRP child process: cannot start: %v", runErr)
		if errors.Is(runErr, os.ErrPermission) {
			return permanent(exitMissingPermission)
		}
		return permanent(exitFatal)
	}
	report("ready")
	trimImage() // start-up is over: see memory.go
	if o.dumpConf {
		// -d: keepalived dumps its configuration to the log; ours is the
		// resolved model of `check-config --dump`, one log line per line
		// (after start: d.Config asks the running loop).
		if b, err := config.DumpJSON(d.Config()); err == nil {
			for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
				lg.Info(l)
			}
		}
	}

	stopping := false
	for {
		select {
		case err := <-runDone:
			if err != nil {
				logf("VRRP child process: %v", err)
				return exitProgramError
			}
			if !stopping {
				// Run returned without being asked to: let the parent respawn us.
				logf("VRRP child process: the VRRP loop stopped unexpectedly")
				return exitProgramError
			}
			return exitOK
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
				var err error
				onFreshStack(func() { err = d.Reload() })
				if err != nil {
					report("reload-failed " + oneLine(err.Error()))
				} else {
					ctl.reloaded(time.Now())
					report("reloaded")
					trimImage()
				}
			// The daemon logs keepalived's "Printing VRRP ... on signal".
			case syscall.SIGUSR1:
				logIfErr(lg, "data dump", d.DumpData())
			case syscall.SIGUSR2:
				logIfErr(lg, "stats dump", d.DumpStats(false))
			case sigStatsClear:
				logIfErr(lg, "stats dump", d.DumpStats(true))
			case sigJSON:
				logIfErr(lg, "JSON dump", d.DumpJSON())
			}
		}
	}
}

func logIfErr(lg *slog.Logger, what string, err error) {
	if err != nil {
		lg.Error(fmt.Sprintf("%s failed: %v", what, err))
	}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }
