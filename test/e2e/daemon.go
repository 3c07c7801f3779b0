package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Impl names a VRRP daemon implementation.
type Impl string

const (
	// Ours is keepalived-go, built from ./cmd/keepalived.
	Ours Impl = "ours"
	// Keepalived is Debian's keepalived 2.2.7.
	Keepalived Impl = "keepalived"
	// Keepalived243 is keepalived 2.4.3 (auth_hmac), built by `make peer-2.4.3`.
	Keepalived243 Impl = "keepalived-2.4.3"
)

// DefaultKA243 is where `make peer-2.4.3` leaves keepalived 2.4.3's binary.
const DefaultKA243 = "/var/cache/keepalived-go/keepalived-2.4.3/keepalived/keepalived"

// Tools are the binaries the lab runs.
type Tools struct {
	Dir        string
	Lab        string // kgelab (init, probe)
	Ours       string // our daemon, named keepalived so `killall keepalived` finds it
	OursErr    error  // why Ours could not be built, if it could not
	Keepalived string // real keepalived 2.2.7
	// KA243 is keepalived 2.4.3 ($KAGO_KA243, else DefaultKA243); KA243Err
	// says why it cannot run, and a test needing it skips with that.
	KA243    string
	KA243Err error
}

// BuildTools builds kgelab and our daemon into dir. Our daemon is taken from
// $KAGO_BIN when set. A failure to build ours is recorded, not returned: the
// keepalived-only scenarios still run.
func BuildTools(dir string) (*Tools, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	t := &Tools{Dir: dir, Lab: filepath.Join(dir, "kgelab"), Keepalived: "/usr/sbin/keepalived"}
	if out, err := goBuild(root, t.Lab, "./test/e2e/cmd/kgelab"); err != nil {
		return nil, fmt.Errorf("e2e: build kgelab: %v\n%s", err, out)
	}
	t.KA243 = DefaultKA243
	if p := os.Getenv("KAGO_KA243"); p != "" {
		t.KA243 = p
	}
	if _, err := os.Stat(t.KA243); err != nil {
		t.KA243Err = fmt.Errorf("e2e: keepalived 2.4.3 is not built (make peer-2.4.3 needs ../shared/peers/keepalived-2.4.3.tar.gz): %v", err)
	}
	if p := os.Getenv("KAGO_BIN"); p != "" {
		t.Ours = p
	} else {
		t.Ours = filepath.Join(dir, "ours", "keepalived")
		if out, err := goBuild(root, t.Ours, "./cmd/keepalived"); err != nil {
			t.OursErr = fmt.Errorf("e2e: build our daemon: %v\n%s", err, out)
		}
	}
	return t, nil
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("e2e: find module root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func goBuild(root, out, pkg string) ([]byte, error) {
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = root
	return cmd.CombinedOutput()
}

// Binary returns the path of impl's binary.
func (t *Tools) Binary(impl Impl) string {
	switch impl {
	case Ours:
		return t.Ours
	case Keepalived243:
		return t.KA243
	}
	return t.Keepalived
}

// Daemon is one run of a VRRP daemon on a host, in the foreground (-n) as
// keepalived.service runs it, logging to the console (-l) into a log file.
type Daemon struct {
	Host *Host
	Impl Impl
	Log  string // path of the log file
	proc *child // nsenter, whose child is the daemon's main process
}

// DaemonArgs are the flags every lab daemon gets, as Debian's unit runs
// keepalived (--dont-fork) plus console logging with detail.
var DaemonArgs = []string{"-n", "-l", "-D", "-f", "/etc/keepalived/keepalived.conf"}

// StartDaemon starts impl on the host with /etc/keepalived/keepalived.conf.
func (h *Host) StartDaemon(impl Impl) *Daemon {
	t := h.Lab.T
	t.Helper()
	if impl == Ours && h.Lab.Tools.OursErr != nil {
		t.Fatalf("e2e: our daemon is not available: %v", h.Lab.Tools.OursErr)
	}
	if impl == Keepalived243 && h.Lab.Tools.KA243Err != nil {
		t.Skip(h.Lab.Tools.KA243Err)
	}
	h.mu.Lock()
	h.nstart++
	n := h.nstart
	h.mu.Unlock()
	bin := h.Lab.Tools.Binary(impl)
	d := &Daemon{Host: h, Impl: impl, Log: filepath.Join(h.Dir, "log", fmt.Sprintf("keepalived-%d-%s.log", n, impl))}
	logf, err := os.Create(d.Log)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{bin}, DaemonArgs...)
	// systemctl start keepalived (from a check script) starts the same thing.
	start := fmt.Sprintf("#!/bin/sh\ncd / && setsid %s >>%s 2>&1 </dev/null &\n", strings.Join(args, " "), filepath.Join(h.Dir, "log", "keepalived-systemctl.log"))
	writeFile(t, filepath.Join(h.Dir, "bin", "keepalived-start"), start, 0o755)
	cmd := h.Command(args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if d.proc, err = startChild(cmd, func() { logf.Close() }); err != nil {
		t.Fatalf("e2e: start %s on %s: %v", impl, h.Name, err)
	}
	h.mu.Lock()
	h.daemon = d
	h.mu.Unlock()
	return d
}

// Daemon returns the host's most recently started daemon, or nil.
func (h *Host) Daemon() *Daemon {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.daemon
}

// MainPID returns the daemon's main process (the child of nsenter), as the
// root PID namespace numbers it, or 0 when it is gone.
func (d *Daemon) MainPID() int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		if d.Exited() {
			return 0
		}
		if kids := descendants(d.proc.Pid()); len(kids) > 0 {
			return kids[0]
		}
		if time.Now().After(deadline) {
			return 0
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Signal sends sig to the daemon's main process, as `kill -SIG $(cat pidfile)`.
func (d *Daemon) Signal(sig syscall.Signal) error {
	pid := d.MainPID()
	if pid == 0 {
		return errors.New("e2e: daemon is not running")
	}
	return syscall.Kill(pid, sig)
}

// Kill is a hard crash: SIGKILL to the daemon's whole process group and to
// every process named keepalived left on the host, at once, so no part of
// the daemon can send a priority-0 advert or remove the VIP.
func (d *Daemon) Kill() {
	d.proc.SignalGroup(syscall.SIGKILL)
	for _, p := range d.Host.ProcsNamed("keepalived") {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	d.Wait(3 * time.Second)
}

// Stop sends SIGTERM and waits up to timeout for the daemon to exit.
func (d *Daemon) Stop(timeout time.Duration) bool {
	d.Signal(syscall.SIGTERM)
	return d.Wait(timeout)
}

// Wait waits up to timeout for the daemon to exit and reports whether it did.
func (d *Daemon) Wait(timeout time.Duration) bool {
	select {
	case <-d.proc.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// Exited reports whether the daemon has exited.
func (d *Daemon) Exited() bool { return d.proc.Exited() }

// ExitErr is the daemon's exit status once it has exited.
func (d *Daemon) ExitErr() error {
	<-d.proc.done
	return d.proc.err
}

// LogText returns the daemon's log so far.
func (d *Daemon) LogText() string {
	b, _ := os.ReadFile(d.Log)
	return string(b)
}

// WaitLog waits up to timeout for the daemon's log to contain s.
func (d *Daemon) WaitLog(s string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(d.LogText(), s) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}
