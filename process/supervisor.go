package process

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/logging"
)

// Supervisor is keepalived's parent process: it starts the VRRP child,
// relays signals to it, tells systemd what the child reports, and starts a
// new child when one dies (keepalived/vrrp/vrrp_daemon.c
// vrrp_respawn_thread, lib/scheduler.c calc_restart_delay and
// report_child_status). The exported fields are its configuration.
type Supervisor struct {
	Logger *slog.Logger
	// Prog and Args are the command line (without the program name) the
	// child is re-executed with, so that `ps` shows the same for both, as
	// with keepalived's fork; Cwd is the original working directory.
	Prog string
	Args []string
	Cwd  string
	// ConfigFile is the configuration's path, which the parent names at
	// each reload as keepalived's parent does when it re-reads it.
	ConfigFile string
	// IdentSuffix is the syslog ident suffix handed to the child.
	IdentSuffix string
	// VRRPPid is the child's pidfile, resolved here and handed down.
	VRRPPid string
	// NetNS is -s / net_namespace: Parent.Run has moved the whole process
	// into it; the spawner thread enters it too, so that a Supervisor run
	// on its own still starts the child (and scripts) inside it.
	NetNS   string
	Respawn bool // false with -R
	// ChildWait is child_wait_time: how long the child has to stop.
	ChildWait time.Duration
	// Scripts are global_defs' startup and shutdown scripts (nil: none).
	Scripts *Scripts
	// Detail is -D: script runs are logged.
	Detail bool
	// Notify speaks to systemd (nil: not under systemd).
	Notify *Notifier
	// Watchdog is the WATCHDOG=1 period; 0 = off.
	Watchdog time.Duration
	// ParentDump, if set, writes keepalived_parent.data on SIGUSR1 (the
	// caller renders it: the process model knows nothing of the daemon).
	ParentDump func()
	// Reload is what the parent does at a reload before it tells the
	// child (reload_check_config, reload_file); ReloadRead, if set,
	// re-reads it from the configuration at each reload.
	Reload     ReloadSettings
	ReloadRead func() ReloadSettings

	// startNS is the network namespace the command was started in, handed
	// to the child on fd 4 (nil: none).
	startNS *os.File

	spawn       chan spawnReq
	events      chan childEvent
	child       *childProc // nil while none runs
	startTime   time.Time  // of the last child
	nextDelay   int        // seconds, calc_restart_delay's next_restart_delay
	terminating bool
	readySent   bool
	// checking: a reload check runs; reloadQueued: a SIGHUP came meanwhile.
	checking     bool
	reloadQueued bool
	checked      chan reloadChecked
	// timed fires at the reload_time_file time; stopTimer ends its watch.
	timed     chan struct{}
	stopTimer func()
}

// childProc is one VRRP child.
type childProc struct {
	pid   int
	cmd   *exec.Cmd
	ready bool
	// permanent is the exit status the child announced before exiting on a
	// permanent error (1 fatal, 2 config, 4 missing permission); 0 if none.
	// A Go runtime crash also exits with 2, so only an announced status is
	// taken as permanent: a crashed child is respawned.
	permanent int
}

// childEvent is a status line from the child, or its exit.
type childEvent struct {
	pid    int
	line   string
	exited bool
	state  *os.ProcessState
}

type spawnReq struct {
	cmd  *exec.Cmd
	done chan error
}

// startSpawner starts the goroutine that forks every child, locked to its
// OS thread for the life of the process: PR_SET_PDEATHSIG fires when the
// *thread* that forked the child exits, and the Go runtime may end other
// threads. With -s, that thread enters the network namespace first (where
// Parent.Run has already moved every thread: then a no-op), so the child
// runs inside it.
func (s *Supervisor) startSpawner() error {
	s.spawn = make(chan spawnReq)
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked, see above
		if s.NetNS != "" {
			if err := enterNetns(s.NetNS); err != nil {
				ready <- err
				return // the locked thread is discarded with this goroutine
			}
		}
		ready <- nil
		for r := range s.spawn {
			r.done <- r.cmd.Start()
		}
	}()
	return <-ready
}

// startCmd starts cmd from the spawner thread.
func (s *Supervisor) startCmd(cmd *exec.Cmd) error {
	done := make(chan error, 1)
	s.spawn <- spawnReq{cmd: cmd, done: done}
	return <-done
}

// startChild re-executes this binary as the VRRP child, with the same
// arguments (so `ps` shows the same command line for both, as with
// keepalived's fork), the same stdio, and a status pipe on fd 3.
func (s *Supervisor) startChild() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(selfExe, s.Args...)
	cmd.Args[0] = s.Prog
	cmd.Env = append(os.Environ(),
		envRole+"="+roleVRRP,
		envParent+"="+strconv.Itoa(os.Getpid()),
		envCwd+"="+s.Cwd,
		envVRRPPid+"="+s.VRRPPid,
		envIdent+"="+s.IdentSuffix)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // fd 3 = statusFD
	if s.startNS != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, s.startNS) // fd 4 = startNSFD
		cmd.Env = append(cmd.Env, envStartNS+"="+strconv.Itoa(startNSFD))
	}
	cmd.SysProcAttr = childAttr()
	err = s.startCmd(cmd)
	w.Close()
	if err != nil {
		r.Close()
		return err
	}
	c := &childProc{pid: cmd.Process.Pid, cmd: cmd}
	s.child = c
	s.startTime = time.Now()
	s.Logger.Info(fmt.Sprintf("Starting VRRP child process, pid=%d", c.pid), logging.PID(c.pid))

	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer r.Close()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			s.events <- childEvent{pid: c.pid, line: sc.Text()}
		}
	}()
	go func() {
		_ = cmd.Wait()
		// Every status line (an "exit N" above all) before the exit itself.
		select {
		case <-readerDone:
		case <-time.After(2 * time.Second):
		}
		s.events <- childEvent{pid: c.pid, exited: true, state: cmd.ProcessState}
	}()
	return nil
}

// Run supervises until the parent is told to stop or the child fails
// permanently, and returns the parent's exit status.
func (s *Supervisor) Run() int {
	s.events = make(chan childEvent, 64)
	s.checked = make(chan reloadChecked, 1)
	s.timed = make(chan struct{})
	s.restartReloadTimer()
	defer func() {
		if s.stopTimer != nil {
			s.stopTimer()
		}
	}()
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1,
		syscall.SIGUSR2, SigJSON, SigStatsClear, syscall.SIGPIPE)
	defer signal.Stop(sigs)

	if err := s.startSpawner(); err != nil {
		s.Logger.Info(fmt.Sprintf("Unable to set network namespace %s - exiting (%v)", s.NetNS, err), slog.String("netns", s.NetNS), logging.Err(err))
		return ExitFatal
	}
	s.Scripts.Run("startup", s.Logger, s.Detail, s.startCmd)
	if err := s.startChild(); err != nil {
		s.forkError(err)
		return ExitFatal
	}
	defer s.Scripts.Run("shutdown", s.Logger, s.Detail, s.startCmd)
	var restart, kill <-chan time.Time
	var wdTick <-chan time.Time
	if s.Watchdog > 0 {
		t := time.NewTicker(s.Watchdog)
		defer t.Stop()
		wdTick = t.C
	}
	for {
		select {
		case sig := <-sigs:
			switch sig {
			case syscall.SIGPIPE:
			case syscall.SIGTERM, syscall.SIGINT:
				if s.terminating {
					continue
				}
				s.terminating = true
				s.logf("Stopping")
				s.Notify.Stopping()
				if s.child == nil {
					return ExitOK
				}
				s.child.cmd.Process.Signal(syscall.SIGTERM)
				kill = time.After(s.ChildWait)
			case syscall.SIGHUP:
				if s.terminating {
					continue
				}
				if s.child == nil {
					// keepalived restarts a missing child on reload.
					restart = nil
					if err := s.startChild(); err != nil {
						s.forkError(err)
					}
					continue
				}
				s.hangup()
			default:
				if s.child != nil {
					s.child.cmd.Process.Signal(sig)
				}
				if sig == syscall.SIGUSR1 && s.ParentDump != nil {
					s.Logger.Info(fmt.Sprintf("Printing parent data for process(%d) on signal", os.Getpid()))
					s.ParentDump()
				}
			}
		case <-s.timed:
			// keepalived's reload timer sends itself SIGHUP.
			if !s.terminating && s.child != nil {
				s.hangup()
			} else {
				s.restartReloadTimer()
			}
		case r := <-s.checked:
			s.checking = false
			if r.ok && !s.terminating {
				s.reloadNow(true)
			} else if s.stopTimer == nil {
				s.restartReloadTimer() // a timed reload that failed its check
			}
			if s.reloadQueued && !s.terminating {
				s.reloadQueued = false
				s.hangup()
			}
		case <-kill:
			if s.child != nil {
				s.logf("VRRP process failed to die - forcing termination")
				s.child.cmd.Process.Kill()
			}
		case <-restart:
			restart = nil
			if !s.terminating && s.child == nil {
				if err := s.startChild(); err != nil {
					s.forkError(err)
					restart = time.After(time.Second)
				}
			}
		case <-wdTick:
			if s.child != nil && s.child.ready {
				s.Notify.Watchdog()
			}
		case ev := <-s.events:
			if s.child == nil || ev.pid != s.child.pid {
				continue
			}
			if !ev.exited {
				s.onStatus(s.child, ev.line)
				continue
			}
			c := s.child
			s.child = nil
			if s.terminating {
				return ExitOK
			}
			if code, permanent := s.report(c, ev.state); permanent {
				e := unix.EINVAL
				if code == ExitMissingPermission {
					e = unix.EPERM
				}
				s.Notify.Errno(int(e))
				return code
			}
			if !s.Respawn {
				s.Logger.Error(fmt.Sprintf("VRRP child process(%d) died: Exiting", c.pid), logging.PID(c.pid))
				s.Notify.Stopping()
				return ExitOK
			}
			s.Logger.Error(fmt.Sprintf("VRRP child process(%d) died: Respawning", c.pid), logging.PID(c.pid))
			delay := nextRestartDelay(time.Since(s.startTime), &s.nextDelay)
			if delay > 0 || time.Since(s.startTime) < time.Minute {
				s.Logger.Info(fmt.Sprintf("Restart of VRRP process delayed %d seconds to limit respawn rate", delay), slog.Int("delay_seconds", delay))
			}
			if delay == 0 {
				if err := s.startChild(); err != nil {
					s.forkError(err)
					restart = time.After(time.Second)
				}
			} else {
				restart = time.After(time.Duration(delay) * time.Second)
			}
		}
	}
}

// logf logs a keepalived line that has no facts worth an attribute.
func (s *Supervisor) logf(line string) { s.Logger.Info(line) }

// forkError logs a child that could not be started.
func (s *Supervisor) forkError(err error) {
	s.Logger.Info(fmt.Sprintf("VRRP child process: fork error(%v)", err), logging.Err(err))
}

// onStatus acts on one line from the child.
func (s *Supervisor) onStatus(c *childProc, line string) {
	word, arg, _ := strings.Cut(line, " ")
	switch word {
	case "ready":
		c.ready = true
		if !s.readySent {
			s.logf("Startup complete")
		}
		s.readySent = true
		s.Notify.Ready("VRRP child running, pid " + strconv.Itoa(c.pid))
		// Spawning the child (fork, exec, the status pipe) was this
		// process's last burst of work: from here on it waits.
		ReturnMemory()
	case "reloading":
		s.Notify.Reloading()
	case "reloaded":
		s.logf("Reload complete")
		s.Notify.Ready("")
	case "reload-failed":
		s.Logger.Info("Reload failed, the running configuration is kept: "+arg, logging.Reason(arg))
		s.Notify.Ready("reload failed: " + arg)
	case "exit":
		if n, err := strconv.Atoi(arg); err == nil {
			c.permanent = n
		}
	}
}

// report is keepalived's report_child_status: it logs how the child ended
// and says whether that was a permanent error that ends the parent too.
func (s *Supervisor) report(c *childProc, st *os.ProcessState) (int, bool) {
	prog := fmt.Sprintf("VRRP child process(%d)", c.pid)
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok {
		return 0, false
	}
	switch {
	case ws.Exited():
		n := ws.ExitStatus()
		if c.permanent == n && isPermanentExit(n) {
			s.Logger.Info(fmt.Sprintf("%s exited with permanent error %s. Terminating", prog, permanentName(n)), logging.PID(c.pid), slog.Int(logging.KeyStatus, n))
			return n, true
		}
		if n != 0 {
			s.Logger.Info(fmt.Sprintf("%s exited with status %d", prog, n), logging.PID(c.pid), slog.Int(logging.KeyStatus, n))
		}
	case ws.Signaled():
		sig := ws.Signal()
		s.Logger.Info(fmt.Sprintf("%s exited due to signal %d (%s)", prog, int(sig), capitalize(sig.String())), logging.PID(c.pid), slog.Int(logging.KeySignal, int(sig)))
	}
	return 0, false
}

// isPermanentExit is true for keepalived's "don't respawn" statuses.
func isPermanentExit(n int) bool {
	return n == ExitFatal || n == ExitConfig || n == ExitMissingPermission || n == ExitNoConfig
}

func permanentName(n int) string {
	switch n {
	case ExitConfig:
		return "CONFIG"
	case ExitMissingPermission:
		return "missing permission"
	case ExitNoConfig:
		return "CONFIG (include check)"
	}
	return "FATAL"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// nextRestartDelay is keepalived's calc_restart_delay: a child that ran for
// a minute or more is restarted at once and resets the back-off; otherwise
// the delay returned is the current one (0 the first time) and the next one
// doubles from 1 s up to 60 s (1, 2, 4, 8, 16, 32, 60).
func nextRestartDelay(ran time.Duration, next *int) int {
	if ran >= time.Minute {
		*next = 0
		return 0
	}
	d := *next
	switch {
	case d == 0:
		*next = 1
	case d > 30:
		*next = 60
	default:
		*next = d * 2
	}
	return d
}
