package process

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNextRestartDelay(t *testing.T) {
	// keepalived's calc_restart_delay: quick deaths back off 0 (at once),
	// 1, 2, 4, 8, 16, 32, 60, 60 s; a child that ran a minute resets it.
	next := 0
	var got []int
	for range 9 {
		got = append(got, nextRestartDelay(time.Second, &next))
	}
	want := []int{0, 1, 2, 4, 8, 16, 32, 60, 60}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if d := nextRestartDelay(time.Minute, &next); d != 0 || next != 0 {
		t.Errorf("after a minute: delay %d next %d, want 0 0", d, next)
	}
	if d := nextRestartDelay(59*time.Second, &next); d != 0 || next != 1 {
		t.Errorf("first quick death after reset: delay %d next %d, want 0 1", d, next)
	}
}

func TestPidfilePaths(t *testing.T) {
	tests := []struct {
		name       string
		main, vrrp string
		usePidDir  bool
		instance   string
		want       Paths
	}{
		{"defaults", "", "", false, "", Paths{Main: "/run/keepalived.pid", VRRP: "/run/vrrp.pid"}},
		{"flags win", "/a.pid", "/b.pid", true, "x", Paths{Main: "/a.pid", VRRP: "/b.pid", Dir: "/run/keepalived"}},
		{"pid dir", "", "", true, "", Paths{Main: "/run/keepalived/keepalived.pid", VRRP: "/run/keepalived/vrrp.pid", Dir: "/run/keepalived"}},
		{"instance", "", "", false, "lb1", Paths{Main: "/run/keepalived/keepalived_lb1.pid", VRRP: "/run/keepalived/vrrp_lb1.pid", Dir: "/run/keepalived"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, PidfilePaths(tt.main, tt.vrrp, tt.usePidDir, tt.instance)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := ControlSocketPath("/run/vrrp.pid"); got != "/run/vrrp.ctl" {
		t.Errorf("control socket %q", got)
	}
}

func TestCheckPidfile(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{}
	logf := slog.New(rec)
	p := filepath.Join(dir, "k.pid")

	if got := CheckPidfile(p, logf); got != PidfileAbsent {
		t.Errorf("absent: %v", got)
	}
	os.WriteFile(p, []byte("garbage\n"), 0o644)
	if got := CheckPidfile(p, logf); got != PidfileStale {
		t.Errorf("garbage: %v", got)
	}
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("garbage pidfile not removed")
	}
	// A PID that cannot exist (above pid_max).
	os.WriteFile(p, []byte("99999999\n"), 0o644)
	if got := CheckPidfile(p, logf); got != PidfileStale {
		t.Errorf("dead pid: %v", got)
	}
	// A live process that is not keepalived (this test binary): stale.
	WritePidfile(p, os.Getppid())
	if got := CheckPidfile(p, logf); got != PidfileStale {
		t.Errorf("live non-keepalived pid: %v", got)
	}
	want := []string{"Error reading pid file " + p, "Remove a zombie pid file " + p, "Remove a zombie pid file " + p}
	if diff := cmp.Diff(want, rec.msgs); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

func TestWritePidfileRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "k.pid")
	os.Symlink(target, link)
	if err := WritePidfile(link, 42); err == nil {
		t.Errorf("wrote through a symlink")
	}
	p := filepath.Join(dir, "ok.pid")
	if err := WritePidfile(p, 42); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "42\n" {
		t.Errorf("content %q", b)
	}
	RemovePidfile(p, 43) // not ours any more: kept
	if _, err := os.Stat(p); err != nil {
		t.Errorf("removed a pidfile naming another PID")
	}
	RemovePidfile(p, 42)
	if _, err := os.Stat(p); !os.IsNotExist(err) {
		t.Errorf("own pidfile not removed")
	}
}

func TestNotifier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify")
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv("NOTIFY_SOCKET", path)
	n := NewNotifier()
	if os.Getenv("NOTIFY_SOCKET") != "" {
		t.Errorf("NOTIFY_SOCKET left for the children")
	}
	n.Ready("up")
	n.Reloading()
	n.Stopping()
	srv.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 512)
	var got []string
	for range 3 {
		k, err := srv.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:k]))
	}
	if want := "READY=1\nMAINPID=" + strconv.Itoa(os.Getpid()) + "\nSTATUS=up"; got[0] != want {
		t.Errorf("ready %q, want %q", got[0], want)
	}
	if !strings.HasPrefix(got[1], "RELOADING=1\nMONOTONIC_USEC=") || len(got[1]) < len("RELOADING=1\nMONOTONIC_USEC=1") {
		t.Errorf("reloading %q", got[1])
	}
	if got[2] != "STOPPING=1" {
		t.Errorf("stopping %q", got[2])
	}
	var none *Notifier
	if err := none.Ready(""); err != nil {
		t.Errorf("nil notifier: %v", err)
	}
}

func TestWatchdogInterval(t *testing.T) {
	t.Setenv("WATCHDOG_USEC", "4000000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	if d, ok := WatchdogInterval(); !ok || d != 2*time.Second {
		t.Errorf("got %v %v, want 2s", d, ok)
	}
	t.Setenv("WATCHDOG_USEC", "4000000")
	t.Setenv("WATCHDOG_PID", "1")
	if _, ok := WatchdogInterval(); ok {
		t.Errorf("watchdog meant for another PID accepted")
	}
}

// recorder is a slog.Handler keeping the messages.
type recorder struct{ msgs []string }

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }
