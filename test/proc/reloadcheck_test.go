package proc

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// dirEvents records the names created and deleted in dir (inotify), so a
// file that exists only for a moment is still seen.
type dirEvents struct {
	mu     sync.Mutex
	events []string // "create NAME", "delete NAME"
}

func watchDir(t *testing.T, dir string) *dirEvents {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_DELETE); err != nil {
		t.Fatal(err)
	}
	d := &dirEvents{}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil || n <= 0 {
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := string(bytes.TrimRight(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)], "\x00"))
				kind := "create"
				if ev.Mask&unix.IN_DELETE != 0 {
					kind = "delete"
				}
				d.mu.Lock()
				d.events = append(d.events, kind+" "+name)
				d.mu.Unlock()
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}()
	t.Cleanup(func() { unix.Close(fd) })
	return d
}

func (d *dirEvents) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.events
	d.events = nil
	return e
}

// TestReloadCheckConfig: with reload_check_config LOG, a reload first runs
// the configuration test into LOG; a file that fails it is not reloaded
// (keepalived's "New config failed validation, see LOG for details", the
// running configuration untouched), one that passes is. With reload_file
// MARK, MARK exists while the parent reads the file (created, then
// removed, at each reload). Run with keepalived-go and keepalived 2.2.7;
// it fails if either keyword has no effect.
func TestReloadCheckConfig(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			n := newNetns(t)
			checkLog := filepath.Join(n.dir, "check.log")
			mark := filepath.Join(n.dir, "reload.mark")
			conf := filepath.Join(n.dir, "k.conf")
			write := func(prio string) {
				text := fmt.Sprintf(`global_defs {
  router_id kgx_reload
  reload_check_config %s
  reload_file %s
}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority %s
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`, checkLog, mark, prio)
				if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("100")
			k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
			parent, _ := n.waitPids(t, k.out.String)
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering BACKUP STATE") }) {
				t.Fatalf("no BACKUP state\n%s", k.out.String())
			}
			ev := watchDir(t, n.dir)

			// A file -t refuses: checked, not reloaded.
			write("300")
			before := len(k.out.String())
			syscall.Kill(parent, syscall.SIGHUP)
			failLine := "New config failed validation, see " + checkLog + " for details"
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), failLine) }) {
				t.Fatalf("no %q\n%s", failLine, k.out.String())
			}
			time.Sleep(time.Second)
			if after := k.out.String()[before:]; strings.Contains(after, "Reloading") {
				t.Errorf("reloaded a file that failed the check:\n%s", after)
			}
			if b, _ := os.ReadFile(checkLog); !strings.Contains(string(b), "Priority not valid") {
				t.Errorf("check log %s does not hold the finding:\n%s", checkLog, b)
			}
			if got := strings.Join(ev.take(), ","); !strings.Contains(got, "create reload.mark") || !strings.Contains(got, "delete reload.mark") {
				t.Errorf("reload_file events %q, want it created and removed", got)
			}

			// A file that passes: reloaded.
			write("110")
			before = len(k.out.String())
			syscall.Kill(parent, syscall.SIGHUP)
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String()[before:], "Reloading") }) {
				t.Fatalf("a file that passes the check was not reloaded\n%s", k.out.String()[before:])
			}
			time.Sleep(time.Second)
			if strings.Contains(k.out.String()[before:], failLine) {
				t.Errorf("a good file failed validation\n%s", k.out.String()[before:])
			}
			if _, err := os.Stat(mark); err == nil {
				t.Errorf("reload file left behind")
			}
			if got := strings.Join(ev.take(), ","); !strings.Contains(got, "create reload.mark") || !strings.Contains(got, "delete reload.mark") {
				t.Errorf("reload_file events %q, want it created and removed", got)
			}
		})
	}
}
