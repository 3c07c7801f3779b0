package process

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/logging"
)

// StartReport is the background parent's start-up pipe to the command that
// made it (Daemonize): one line, "ok" once the pidfile is written, or the
// reason it is not. Report on a StartReport without a pipe does nothing.
type StartReport struct{ f *os.File }

// StartReport opens the pipe the command handed the background parent
// (nothing in any other process).
func (e Env) StartReport() *StartReport {
	if e.readyFD < 0 {
		return &StartReport{}
	}
	unix.CloseOnExec(e.readyFD)
	return &StartReport{f: os.NewFile(uintptr(e.readyFD), "ready")}
}

// Report sends msg and closes the pipe; later reports are dropped.
func (r *StartReport) Report(msg string) {
	if r == nil || r.f == nil {
		return
	}
	fmt.Fprintln(r.f, msg)
	r.f.Close()
	r.f = nil
}

// Parent is keepalived's main process once the command line and the
// configuration's globals are read: the pidfile check, daemonising, the
// pidfile, then supervision of the VRRP child.
type Parent struct {
	Logger *slog.Logger
	Env    Env
	// Started reports the start-up to the command that daemonised us.
	Started *StartReport
	// Stderr is where the command reports a background process that failed.
	Stderr io.Writer
	// DontFork is -n: supervise in this process.
	DontFork bool
	Paths    Paths
	// Version names what stopped in the last log line.
	Version string
	// Supervisor is the supervision; Run fills its Logger, VRRPPid and
	// Cwd.
	Supervisor Supervisor
}

// Run runs the parent and returns its exit status.
func (p *Parent) Run() int {
	lg := p.Logger
	if runtime.GOOS != "linux" {
		lg.Error(ErrUnsupported.Error())
		if p.Stderr != nil {
			fmt.Fprintf(p.Stderr, "keepalived: %v (%s); check-config and -t work here\n", ErrUnsupported, runtime.GOOS)
		}
		return ExitFatal
	}
	// keepalived enters net_namespace before its already-running check
	// and before it daemonises (main.c set_namespaces), so that none of
	// its processes stays in the namespace it was started in; the
	// background parent inherits it, and entering again is a no-op.
	// The pidfile paths and the syslog ident (from the namespace and
	// instance names) were settled before, as keepalived's. A cgo build
	// cannot move its threads: it warns, and only its child enters.
	if ns := p.Supervisor.NetNS; ns != "" {
		// The namespace we were started in, for the VRRP child's
		// process-events connector: the background parent inherits it
		// from the command.
		if p.Env.startNS == nil {
			if f, err := os.Open("/proc/thread-self/ns/net"); err == nil {
				p.Env.startNS = f
			}
		}
		p.Supervisor.startNS = p.Env.startNS
		if err := enterNetnsProcess(ns); errors.Is(err, errThreadsStay) {
			lg.Warn(fmt.Sprintf("The parent process stays outside network namespace %s (%v); the VRRP child runs in it", ns, err), slog.String("netns", ns), logging.Err(err))
		} else if err != nil {
			lg.Error(fmt.Sprintf("Unable to set network namespace %s - exiting (%v)", ns, err), slog.String("netns", ns), logging.Err(err))
			p.Started.Report(fmt.Sprintf("unable to set network namespace %s: %v", ns, err))
			return ExitFatal
		}
	}
	if p.Env.Role != RoleDaemon {
		if CheckPidfile(p.Paths.Main, lg) == PidfileRunning || CheckPidfile(p.Paths.VRRP, lg) == PidfileRunning {
			// keepalived exits 0 here too (keepalived_main: report_stopped = false).
			lg.Info("daemon is already running")
			return ExitOK
		}
		if !p.DontFork {
			return p.daemonize()
		}
	} else {
		_ = os.Chdir("/")
	}

	SetName(Name)
	dirMade := false
	if p.Paths.Dir != "" {
		if err := os.Mkdir(p.Paths.Dir, 0o755); err == nil {
			dirMade = true
			// 0755 whatever the umask, as keepalived's create_pid_dir.
			_ = os.Chmod(p.Paths.Dir, 0o755)
		} else if !errors.Is(err, os.ErrExist) {
			lg.Info("Unable to create directory "+p.Paths.Dir, logging.File(p.Paths.Dir), logging.Err(err))
		}
	}
	pid := os.Getpid()
	if err := WritePidfile(p.Paths.Main, pid); err != nil {
		lg.Info("pidfile_write : Cannot open "+p.Paths.Main+" pidfile", logging.File(p.Paths.Main), logging.Err(err))
		return ExitFatal
	}
	p.Started.Report("ok")

	s := &p.Supervisor
	s.Logger = lg
	s.VRRPPid = p.Paths.VRRP
	if s.Cwd == "" {
		s.Cwd = p.Env.Cwd
	}
	code := s.Run()

	RemovePidfile(p.Paths.Main, pid)
	if dirMade {
		os.Remove(p.Paths.Dir) // only when empty, as keepalived's remove_pid_dir
	}
	if s.Detail {
		lg.Info(cpuUsage()) // keepalived's -D line (main.c), before "Stopped"
	}
	lg.Info("Stopped " + p.Version)
	return code
}

// daemonize is xdaemon for a runtime that cannot fork: it re-executes the
// binary with the same arguments in a new session, stdio on /dev/null, and
// waits (up to 5 s) for the background parent to write its pidfile, so that
// the pidfile exists when the command returns.
func (p *Parent) daemonize() int {
	lg := p.Logger
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		lg.Info("xdaemon: "+err.Error(), logging.Err(err))
		return ExitFatal
	}
	defer devnull.Close()
	r, w, err := os.Pipe()
	if err != nil {
		lg.Info("xdaemon: "+err.Error(), logging.Err(err))
		return ExitFatal
	}
	defer r.Close()
	cwd, _ := os.Getwd()
	cmd := exec.Command(selfExe, p.Supervisor.Args...)
	cmd.Args[0] = p.Supervisor.Prog
	cmd.Env = append(os.Environ(), envRole+"="+roleDaemon, envCwd+"="+cwd, envReadyFD+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.ExtraFiles = []*os.File{w}
	if ns := p.Env.startNS; ns != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, ns) // fd 4 = startNSFD
		cmd.Env = append(cmd.Env, envStartNS+"="+strconv.Itoa(startNSFD))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		lg.Info(fmt.Sprintf("xdaemon: fork error(%v)", err), logging.Err(err))
		return ExitFatal
	}
	w.Close()
	_ = cmd.Process.Release()
	_ = r.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(r).ReadString('\n')
	if strings.TrimSpace(line) == "ok" {
		return ExitOK
	}
	if line != "" && p.Stderr != nil {
		fmt.Fprintf(p.Stderr, "keepalived: background process: %s", line)
	}
	return ExitFatal
}

// EnableCoreDumps is -m: no core-size limit, and Go's crash traceback mode
// so that a fatal error dumps core.
func EnableCoreDumps(lg *slog.Logger) {
	lim := unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &lim); err != nil {
		lg.Info(fmt.Sprintf("Failed to set core file size limit: %v", err), logging.Err(err))
	}
	os.Setenv("GOTRACEBACK", "crash")
}
