package process

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Notifier speaks systemd's sd_notify protocol (sd_notify(3)): one datagram
// of newline-separated VAR=value assignments to the unix socket named by
// $NOTIFY_SOCKET ('@' at the start means the abstract namespace). A nil
// Notifier (no $NOTIFY_SOCKET) does nothing.
type Notifier struct {
	addr string
}

// NewNotifier reads $NOTIFY_SOCKET and removes it from the environment, so
// that the VRRP child and the scripts it runs do not talk to systemd in our
// name (keepalived's systemd_unset_notify). It returns nil when unset.
func NewNotifier() *Notifier {
	addr := os.Getenv("NOTIFY_SOCKET")
	os.Unsetenv("NOTIFY_SOCKET")
	if addr == "" {
		return nil
	}
	return &Notifier{addr: addr}
}

// Notify sends the assignments as one datagram.
func (n *Notifier) Notify(assignments ...string) error {
	if n == nil {
		return nil
	}
	addr := n.addr
	if strings.HasPrefix(addr, "@") {
		addr = "\x00" + addr[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		return fmt.Errorf("process: sd_notify: %w", err)
	}
	defer c.Close()
	_ = c.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(strings.Join(assignments, "\n"))); err != nil {
		return fmt.Errorf("process: sd_notify: %w", err)
	}
	return nil
}

// Ready is READY=1 with our PID as MAINPID, as keepalived sends it.
func (n *Notifier) Ready(status string) error {
	a := []string{"READY=1", "MAINPID=" + strconv.Itoa(os.Getpid())}
	if status != "" {
		a = append(a, "STATUS="+status)
	}
	return n.Notify(a...)
}

// Reloading is RELOADING=1 with MONOTONIC_USEC, which systemd's
// Type=notify-reload requires and older systemd ignores.
func (n *Notifier) Reloading() error {
	return n.Notify("RELOADING=1", "MONOTONIC_USEC="+strconv.FormatInt(monotonicUsec(), 10))
}

// Stopping is STOPPING=1.
func (n *Notifier) Stopping() error { return n.Notify("STOPPING=1") }

// Errno is ERRNO=n, sent before giving up on a permanent error.
func (n *Notifier) Errno(e int) error { return n.Notify("ERRNO=" + strconv.Itoa(e)) }

// Watchdog is WATCHDOG=1.
func (n *Notifier) Watchdog() error { return n.Notify("WATCHDOG=1") }

// WatchdogInterval returns half of $WATCHDOG_USEC when the watchdog is
// meant for us ($WATCHDOG_PID unset or our PID), as sd_watchdog_enabled(3)
// says to ping. It unsets both so the child does not inherit them.
func WatchdogInterval() (time.Duration, bool) {
	usec := os.Getenv("WATCHDOG_USEC")
	pid := os.Getenv("WATCHDOG_PID")
	os.Unsetenv("WATCHDOG_USEC")
	os.Unsetenv("WATCHDOG_PID")
	if usec == "" {
		return 0, false
	}
	if pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return 0, false
	}
	u, err := strconv.ParseUint(usec, 10, 63)
	if err != nil || u == 0 {
		return 0, false
	}
	return time.Duration(u) * time.Microsecond / 2, true
}

func monotonicUsec() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Sec*1e6 + ts.Nsec/1e3
}
