package cli

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
)

// supervisor is keepalived's parent process: it starts the VRRP child,
// relays signals to it, tells systemd what the child reports, and starts a
// new child when one dies (keepalived/vrrp/vrrp_daemon.c
// vrrp_respawn_thread, lib/scheduler.c calc_restart_delay and
// report_child_status).
type supervisor struct {
	a        *app
	lg       *slog.Logger
	logf     func(string, ...any)
	notify   *notifier
	watchdog time.Duration // WATCHDOG=1 period; 0 = off
	netns    string        // -s / net_namespace: the child runs in this network namespace
	respawn  bool          // false with -R
	// childWait is child_wait_time: how long the child has to stop.
	childWait time.Duration
	// vrrpPid is the child's pidfile and identSuffix its syslog ident
	// suffix, resolved here and handed down.
	vrrpPid string
	globals runGlobals

	spawn       chan spawnReq
	events      chan childEvent
	child       *childProc // nil while none runs
	startTime   time.Time  // of the last child
	nextDelay   int        // seconds, calc_restart_delay's next_restart_delay
	terminating bool
	readySent   bool
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
// threads. With -s, that thread enters the network namespace first, so the
// child (all its threads) runs inside it while the parent stays outside.
func (s *supervisor) startSpawner() error {
	s.spawn = make(chan spawnReq)
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked, see above
		if s.netns != "" {
			if err := enterNetns(s.netns); err != nil {
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

// enterNetns moves the calling thread into the named network namespace
// (ip netns add NAME: /run/netns/NAME).
func enterNetns(name string) error {
	f, err := os.Open("/run/netns/" + name)
	if err != nil {
		return fmt.Errorf("cli: netns %s: %w", name, err)
	}
	defer f.Close()
	if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("cli: setns %s: %w", name, err)
	}
	return nil
}

// startCmd starts cmd from the spawner thread.
func (s *supervisor) startCmd(cmd *exec.Cmd) error {
	done := make(chan error, 1)
	s.spawn <- spawnReq{cmd: cmd, done: done}
	return <-done
}

// startChild re-executes this binary as the VRRP child, with the same
// arguments (so `ps` shows the same command line for both, as with
// keepalived's fork), the same stdio, and a status pipe on fd 3.
func (s *supervisor) startChild() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd := exec.Command(selfExe, s.a.rawArgs...)
	cmd.Args[0] = s.a.prog
	cmd.Env = append(childEnv(os.Environ()),
		envRole+"="+roleVRRP,
		envParent+"="+strconv.Itoa(os.Getpid()),
		envCwd+"="+s.a.cwd,
		envVRRPPid+"="+s.vrrpPid,
		envIdent+"="+s.a.identSuffix)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // fd 3 = childStatusFD
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	err = s.startCmd(cmd)
	w.Close()
	if err != nil {
		r.Close()
		return err
	}
	c := &childProc{pid: cmd.Process.Pid, cmd: cmd}
	s.child = c
	s.startTime = time.Now()
	s.logf("Starting VRRP child process, pid=%d", c.pid)

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

// run supervises until the parent is told to stop or the child fails
// permanently, and returns the parent's exit status.
func (s *supervisor) run() int {
	s.events = make(chan childEvent, 64)
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGUSR1,
		syscall.SIGUSR2, sigJSON, sigStatsClear, syscall.SIGPIPE)
	defer signal.Stop(sigs)

	if err := s.startSpawner(); err != nil {
		s.logf("Unable to set network namespace %s - exiting (%v)", s.netns, err)
		return exitFatal
	}
	s.globals.runGlobalScript("startup", s.lg, s.a.opts.logDetail > 0, s.startCmd)
	if err := s.startChild(); err != nil {
		s.logf("VRRP child process: fork error(%v)", err)
		return exitFatal
	}
	defer s.globals.runGlobalScript("shutdown", s.lg, s.a.opts.logDetail > 0, s.startCmd)
	var restart, kill <-chan time.Time
	var wdTick <-chan time.Time
	if s.watchdog > 0 {
		t := time.NewTicker(s.watchdog)
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
				s.notify.Stopping()
				if s.child == nil {
					return exitOK
				}
				s.child.cmd.Process.Signal(syscall.SIGTERM)
				kill = time.After(s.childWait)
			case syscall.SIGHUP:
				if s.terminating {
					continue
				}
				if s.child == nil {
					// keepalived restarts a missing child on reload.
					restart = nil
					if err := s.startChild(); err != nil {
						s.logf("VRRP child process: fork error(%v)", err)
					}
					continue
				}
				s.child.cmd.Process.Signal(sig)
			default:
				if s.child != nil {
					s.child.cmd.Process.Signal(sig)
				}
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
					s.logf("VRRP child process: fork error(%v)", err)
					restart = time.After(time.Second)
				}
			}
		case <-wdTick:
			if s.child != nil && s.child.ready {
				s.notify.Watchdog()
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
				return exitOK
			}
			if code, permanent := s.report(c, ev.state); permanent {
				e := unix.EINVAL
				if code == exitMissingPermission {
					e = unix.EPERM
				}
				s.notify.Errno(int(e))
				return code
			}
			if !s.respawn {
				s.lg.Error(fmt.Sprintf("VRRP child process(%d) died: Exiting", c.pid))
				s.notify.Stopping()
				return exitOK
			}
			s.lg.Error(fmt.Sprintf("VRRP child process(%d) died: Respawning", c.pid))
			delay := nextRestartDelay(time.Since(s.startTime), &s.nextDelay)
			if delay > 0 || time.Since(s.startTime) < time.Minute {
				s.logf("Restart of VRRP process delayed %d seconds to limit respawn rate", delay)
			}
			if delay == 0 {
				if err := s.startChild(); err != nil {
					s.logf("VRRP child process: fork error(%v)", err)
					restart = time.After(time.Second)
				}
			} else {
				restart = time.After(time.Duration(delay) * time.Second)
			}
		}
	}
}

// onStatus acts on one line from the child.
func (s *supervisor) onStatus(c *childProc, line string) {
	word, arg, _ := strings.Cut(line, " ")
	switch word {
	case "ready":
		c.ready = true
		if !s.readySent {
			s.logf("Startup complete")
		}
		s.readySent = true
		s.notify.Ready("VRRP child running, pid " + strconv.Itoa(c.pid))
		// Spawning the child (fork, exec, the status pipe) was this
		// process's last burst of work: from here on it waits. Go to the
		// idle pace and drop the image pages start-up touched (memory.go).
		quietDown()
	case "reloading":
		s.notify.Reloading()
	case "reloaded":
		s.logf("Reload complete")
		s.notify.Ready("")
	case "reload-failed":
		s.logf("Reload failed, the running configuration is kept: %s", arg)
		s.notify.Ready("reload failed: " + arg)
	case "exit":
		if n, err := strconv.Atoi(arg); err == nil {
			c.permanent = n
		}
	}
}

// report is keepalived's report_child_status: it logs how the child ended
// and says whether that was a permanent error that ends the parent too.
func (s *supervisor) report(c *childProc, st *os.ProcessState) (int, bool) {
	prog := fmt.Sprintf("VRRP child process(%d)", c.pid)
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok {
		return 0, false
	}
	switch {
	case ws.Exited():
		n := ws.ExitStatus()
		if c.permanent == n && isPermanentExit(n) {
			s.logf("%s exited with permanent error %s. Terminating", prog, permanentName(n))
			return n, true
		}
		if n != 0 {
			s.logf("%s exited with status %d", prog, n)
		}
	case ws.Signaled():
		sig := ws.Signal()
		s.logf("%s exited due to signal %d (%s)", prog, int(sig), capitalize(sig.String()))
	}
	return 0, false
}

// isPermanentExit is true for keepalived's "don't respawn" statuses.
func isPermanentExit(n int) bool {
	return n == exitFatal || n == exitConfig || n == exitMissingPermission || n == exitNoConfig
}

func permanentName(n int) string {
	switch n {
	case exitConfig:
		return "CONFIG"
	case exitMissingPermission:
		return "missing permission"
	case exitNoConfig:
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
