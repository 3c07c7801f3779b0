package process

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/logging"
)

// keepalived 2.2.7's pidfile locations (RUNSTATEDIR=/run, lib/pidfile.h).
const (
	runStateDir = "/run"
	pidDir      = "/run/keepalived"
)

// Paths are the parent's and the VRRP child's pidfiles.
type Paths struct {
	Main, VRRP string
	// Dir is the directory keepalived creates for them with use_pid_dir
	// (and removes at exit when empty), or "".
	Dir string
}

// PidfilePaths resolves the pidfiles as keepalived_main does: -p and -r
// win; otherwise `instance NAME` gives /run/keepalived/keepalived_NAME.pid
// and vrrp_NAME.pid, use_pid_dir (implied by instance and by a network
// namespace, -s included) gives /run/keepalived/keepalived.pid and
// vrrp.pid, and the default is /run/keepalived.pid and /run/vrrp.pid.
func PidfilePaths(mainFlag, vrrpFlag string, usePidDir bool, instance string) Paths {
	p := Paths{Main: mainFlag, VRRP: vrrpFlag}
	if instance != "" {
		usePidDir = true
		if p.Main == "" {
			p.Main = filepath.Join(pidDir, "keepalived_"+instance+".pid")
		}
		if p.VRRP == "" {
			p.VRRP = filepath.Join(pidDir, "vrrp_"+instance+".pid")
		}
	}
	if usePidDir {
		p.Dir = pidDir
		if p.Main == "" {
			p.Main = filepath.Join(pidDir, "keepalived.pid")
		}
		if p.VRRP == "" {
			p.VRRP = filepath.Join(pidDir, "vrrp.pid")
		}
	}
	if p.Main == "" {
		p.Main = filepath.Join(runStateDir, "keepalived.pid")
	}
	if p.VRRP == "" {
		p.VRRP = filepath.Join(runStateDir, "vrrp.pid")
	}
	return p
}

// ControlSocketPath is where the VRRP child listens for `status` and
// `reload --plan`: beside its pidfile, same name with .ctl (/run/vrrp.ctl),
// so that every keepalived with its own pidfiles has its own socket and a
// client given the same -r finds it.
func ControlSocketPath(vrrpPidfile string) string {
	return strings.TrimSuffix(vrrpPidfile, ".pid") + ".ctl"
}

// WritePidfile writes "PID\n", refusing to follow a symlink (keepalived's
// pidfile_write). A pidfile it creates is mode 0644 whatever the umask
// (keepalived clears those bits of the mask around its open); one that
// already exists keeps its mode.
func WritePidfile(path string, pid int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
	if err == nil {
		err = f.Chmod(0o644)
	} else if errors.Is(err, fs.ErrExist) {
		f, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return fmt.Errorf("process: pidfile: %w", err)
	}
	if _, err := fmt.Fprintf(f, "%d\n", pid); err != nil {
		f.Close()
		return fmt.Errorf("process: pidfile: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("process: pidfile: %w", err)
	}
	return nil
}

// RemovePidfile removes path if it still names pid (a new run may already
// have replaced it).
func RemovePidfile(path string, pid int) {
	if got, err := ReadPidfile(path); err == nil && got == pid {
		os.Remove(path)
	}
}

// ReadPidfile returns the PID a pidfile holds.
func ReadPidfile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("process: pidfile %s: no PID in %q", path, strings.TrimSpace(string(b)))
	}
	return pid, nil
}

// PidfileStatus is what a pidfile says about a running keepalived.
type PidfileStatus int

const (
	PidfileAbsent  PidfileStatus = iota + 1 // no file
	PidfileStale                            // removed: garbage, a dead PID, or not keepalived
	PidfileRunning                          // names a live keepalived
)

// CheckPidfile is keepalived's process_running, made stricter: besides a
// PID that no longer exists, a PID that is alive but is not a keepalived
// (its PID was reused, e.g. after a reboot with a persistent /run) and a
// file without a PID are stale and removed, rather than blocking the start.
// lg receives keepalived's messages.
func CheckPidfile(path string, lg *slog.Logger) PidfileStatus {
	pid, err := ReadPidfile(path)
	if errors.Is(err, os.ErrNotExist) {
		return PidfileAbsent
	}
	if err != nil {
		lg.Info("Error reading pid file "+path, logging.File(path), logging.Err(err))
		os.Remove(path)
		return PidfileStale
	}
	if pid == os.Getpid() || unix.Kill(pid, 0) == unix.ESRCH || !IsKeepalived(pid) {
		lg.Info("Remove a zombie pid file "+path, logging.File(path), logging.PID(pid))
		os.Remove(path)
		return PidfileStale
	}
	return PidfileRunning
}

// IsKeepalived reports whether process pid is named keepalived (ours or the
// real one), by /proc/PID/comm. An unreadable comm counts as yes, to err on
// the side of not starting twice.
func IsKeepalived(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	return strings.TrimSpace(string(b)) == Name
}
