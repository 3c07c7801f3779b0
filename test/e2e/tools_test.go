package e2e

// What the tools around keepalived see of a daemon (issue 14): VyOS's
// inotify wait for a dump, the notify_fifo order of a sync group's start.
// Each test runs real keepalived 2.2.7 beside ours on the same
// configuration, so a test that could only pass against ours would show.

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// toolsConf is the configuration of the report in issue 14: two instances
// in a sync group, one with a unicast peer and an excluded VIP, the other
// tracking an unweighted script, notify scripts and a notify_fifo.
func toolsConf(script string) string {
	return fmt.Sprintf(`global_defs {
    router_id kge14
    notify_fifo /etc/keepalived/fifo
}
vrrp_script chk {
    script "%s"
    interval 1
    fall 1
    rise 1
}
vrrp_sync_group VG1 {
    group {
        VI_1
        VI_2
    }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    unicast_src_ip 10.31.0.1
    unicast_peer {
        10.31.0.2
    }
    virtual_ipaddress {
        10.31.0.100/24
    }
    virtual_ipaddress_excluded {
        10.31.9.9/32
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth1
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        10.32.0.100/24
    }
    track_script {
        chk
    }
}
`, script)
}

// newToolsHost is one host with eth0 10.31.0.1/24 and eth1 10.32.0.1/24
// running impl on toolsConf, and the reader of its notify_fifo.
func newToolsHost(t *testing.T, impl Impl, script string) (*Host, *Daemon, <-chan string) {
	t.Helper()
	needRoot(t)
	if impl == Ours {
		needOurs(t)
	}
	l := New(t, tools, HostSpec{Name: "lb1", Ifaces: []IfaceSpec{
		{Name: "eth0", Addrs: []netip.Prefix{mustPrefix("10.31.0.1/24")}},
		{Name: "eth1", Addrs: []netip.Prefix{mustPrefix("10.32.0.1/24")}},
	}})
	h := l.Host("lb1")
	h.WriteConf(toolsConf(script))
	d := h.StartDaemon(impl)
	fifo := filepath.Join(h.Dir, "etc-keepalived", "fifo")
	lines := make(chan string, 64)
	go func() {
		// The daemon creates the FIFO and holds it open: what it writes
		// before we open it waits in the pipe.
		for i := 0; i < 500; i++ {
			if fi, err := os.Stat(fifo); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		f, err := os.OpenFile(fifo, os.O_RDONLY, 0)
		if err != nil {
			close(lines)
			return
		}
		t.Cleanup(func() { f.Close() })
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if !d.WaitLog("Startup complete", 10*time.Second) {
		t.Fatalf("%s did not complete its start-up:\n%s", impl, d.LogText())
	}
	return h, d, lines
}

// waitCloseWrite does what VyOS's wait_for_file_write_complete does: watch
// dir with inotify, run send (the signal), and wait for IN_CLOSE_WRITE on
// name. It returns the events seen on the way, for the failure message.
func waitCloseWrite(dir, name string, timeout time.Duration, send func() error) ([]string, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_ALL_EVENTS); err != nil {
		return nil, err
	}
	if err := send(); err != nil {
		return nil, err
	}
	var seen []string
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 100); err != nil && err != unix.EINTR {
			return seen, err
		}
		n, err := unix.Read(fd, buf)
		if err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return seen, err
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nm := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
			off += unix.SizeofInotifyEvent + int(ev.Len)
			seen = append(seen, fmt.Sprintf("%#x %s", ev.Mask, nm))
			if nm == name && ev.Mask&unix.IN_CLOSE_WRITE != 0 {
				return seen, nil
			}
		}
	}
	return seen, fmt.Errorf("no IN_CLOSE_WRITE on %s within %v", name, timeout)
}

// TestDumpsSeenByInotify: every dump, and the parent's keepalived_parent.data
// on SIGUSR1, ends with IN_CLOSE_WRITE on its final name, the event VyOS's
// `show vrrp` waits for (it timed out after 30 s on every dump of ours).
func TestDumpsSeenByInotify(t *testing.T) {
	for _, impl := range []Impl{Keepalived, Ours} {
		t.Run(string(impl), func(t *testing.T) {
			h, d, _ := newToolsHost(t, impl, "/bin/true")
			tmp := filepath.Join(h.Dir, "tmp")
			for _, tc := range []struct {
				sig  syscall.Signal
				file string
			}{
				{syscall.SIGUSR1, "keepalived.data"},
				{syscall.SIGUSR1, "keepalived_parent.data"},
				{syscall.SIGUSR2, "keepalived.stats"},
				{syscall.Signal(36), "keepalived.json"}, // SIGRTMIN+2, keepalived --signum=JSON
			} {
				seen, err := waitCloseWrite(tmp, tc.file, 10*time.Second, func() error { return d.Signal(tc.sig) })
				if err != nil {
					t.Errorf("%v: %v; events: %v", tc.sig, err, seen)
					continue
				}
				b, err := os.ReadFile(filepath.Join(tmp, tc.file))
				if err != nil || len(b) == 0 {
					t.Errorf("%s after IN_CLOSE_WRITE: %d bytes, %v", tc.file, len(b), err)
				}
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 4 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("%s holds %v, want the four dumps and nothing else", tmp, names)
			}
		})
	}
}

// TestSyncGroupStartNotifies: a sync group whose member tracks an
// unweighted script starts with keepalived's first notify_fifo lines:
// the tracking member BACKUP, the other BACKUP, the group BACKUP; and
// when the script fails at once, the member FAULT then the group FAULT.
// Never "(VI_n) Entering FAULT STATE (init)" and a FAULT notification
// for a start that went well.
func TestSyncGroupStartNotifies(t *testing.T) {
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{"/bin/true", []string{`INSTANCE "VI_2" BACKUP 100`, `INSTANCE "VI_1" BACKUP 100`, `GROUP "VG1" BACKUP 0`}},
		{"/bin/false", []string{`INSTANCE "VI_2" FAULT 100`, `GROUP "VG1" FAULT 0`}},
	} {
		for _, impl := range []Impl{Keepalived, Ours} {
			t.Run(string(impl)+" "+filepath.Base(tc.script), func(t *testing.T) {
				_, d, lines := newToolsHost(t, impl, tc.script)
				var got []string
				timeout := time.After(10 * time.Second)
				for len(got) < len(tc.want) {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("notify_fifo closed after %q\n%s", got, d.LogText())
						}
						got = append(got, l)
					case <-timeout:
						t.Fatalf("notify_fifo: %q within 10 s, want %q\n%s", got, tc.want, d.LogText())
					}
				}
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("first notify_fifo lines:\n%s\nwant (keepalived 2.2.7):\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
				if log := d.LogText(); strings.Contains(log, "Entering FAULT STATE (init)") {
					t.Errorf("start logged a FAULT (init):\n%s", log)
				}
			})
		}
	}
}
