package procwatch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/internal/testenv"
	"golang.org/x/sys/unix"
)

// needRoot: the process-events connector needs root.
func needRoot(t *testing.T) { t.Helper(); testenv.NeedRoot(t) }

// uniqueSleep copies sleep(1) under a name no other process has, so the
// block counts only what the test starts.
func uniqueSleep(t *testing.T) (path, comm string) {
	t.Helper()
	comm = fmt.Sprintf("kgpw%d", os.Getpid()%1000000)
	path = filepath.Join(t.TempDir(), comm)
	src, err := os.Open("/bin/sleep")
	if err != nil {
		t.Skip(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	return path, comm
}

// watchStartAndKill runs the block over the real kernel: a process that
// starts gains the quorum, its death loses it, each seen through the
// connector.
func watchStartAndKill(t *testing.T, start func(context.Context, []*config.TrackProcess) (*Watcher, []Change)) {
	path, comm := uniqueSleep(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, initial := start(ctx, []*config.TrackProcess{block("t", comm)})
	check(t, "initial", []Change{{Name: "t", Up: false}}, initial)
	if w.Polling() {
		t.Fatal("polling: the connector was not usable")
	}
	cmd := exec.Command(path, "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	check(t, "started", []Change{gained("t")}, []Change{next(t, w)})
	cmd.Process.Kill()
	check(t, "killed", []Change{lost("t")}, []Change{next(t, w)})
	cmd.Wait()
}

func TestConnectorSeesStartAndDeath(t *testing.T) {
	needRoot(t)
	watchStartAndKill(t, func(ctx context.Context, b []*config.TrackProcess) (*Watcher, []Change) {
		return Start(ctx, b, NewHost(nil), Options{})
	})
}

// TestConnectorFromAnotherNetns: in a network namespace of its own (as
// with net_namespace or ip netns exec) the connector refuses the
// subscription; the socket is opened in the initial namespace instead.
func TestConnectorFromAnotherNetns(t *testing.T) {
	needRoot(t)
	watchStartAndKill(t, func(ctx context.Context, b []*config.TrackProcess) (*Watcher, []Change) {
		type res struct {
			w  *Watcher
			cs []Change
		}
		r := make(chan res, 1)
		go func() {
			runtime.LockOSThread() // never unlocked: the thread ends with us
			if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
				t.Errorf("unshare: %v", err)
				r <- res{}
				return
			}
			if _, err := openConnector(nil); err == nil {
				t.Errorf("the connector answered in a new network namespace; this test tests nothing")
			}
			w, cs := Start(ctx, b, NewHost(nil), Options{})
			r <- res{w, cs}
		}()
		got := <-r
		if got.w == nil {
			t.FailNow()
		}
		return got.w, got.cs
	})
}

func TestProcFSReadsItself(t *testing.T) {
	procs, err := ProcFS{Root: "/proc"}.Scan(true, true)
	if err != nil {
		t.Skip(err)
	}
	me, ok := procs[os.Getpid()]
	if !ok {
		t.Fatalf("own pid %d not in the scan of %d processes", os.Getpid(), len(procs))
	}
	exe := filepath.Base(os.Args[0])
	if len(exe) > 15 {
		exe = exe[:15]
	}
	if me.Comm != exe || me.Zombie {
		t.Errorf("own entry %q zombie %v; want comm %q", me.Comm, me.Zombie, exe)
	}
	one, ok := (ProcFS{Root: "/proc"}).Read(os.Getpid(), true, true)
	if !ok || one.Comm != exe || string(one.Cmdline[:len(os.Args[0])]) != os.Args[0] {
		t.Errorf("Read(self) = %q %q %v", one.Comm, one.Cmdline, ok)
	}
	if _, ok := (ProcFS{Root: "/proc"}).Read(1<<30, true, false); ok {
		t.Errorf("Read of a pid that cannot exist succeeded")
	}
}

func TestParseStat(t *testing.T) {
	cases := []struct {
		in     string
		comm   string
		zombie bool
		ok     bool
	}{
		{"1 (systemd) S 0 1 1", "systemd", false, true},
		{"42 (nginx) Z 1 42 42\n", "nginx", true, true},
		{"7 (a b) R 1", "a b", false, true},
		{"7 (a)b) R 1", "a", false, true}, // keepalived stops at the first ')'
		{"7 (x", "", false, false},
		{"7 (x)", "", false, false},
		{"", "", false, false},
	}
	for _, c := range cases {
		comm, z, ok := parseStat([]byte(c.in))
		if comm != c.comm || z != c.zombie || ok != c.ok {
			t.Errorf("parseStat(%q) = %q, %v, %v; want %q, %v, %v", c.in, comm, z, ok, c.comm, c.zombie, c.ok)
		}
	}
}

// TestSubscribeRefusedInPIDNamespace: in a PID namespace of its own (a
// container), the events' PIDs are not the ones /proc shows, so Subscribe
// refuses and the watcher polls, with one warning.
func TestSubscribeRefusedInPIDNamespace(t *testing.T) {
	if os.Getenv("KGPW_IN_PIDNS") == "1" {
		path, comm := uniqueSleep(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var warned strings.Builder
		log := slog.New(slog.NewTextHandler(&warned, nil))
		w, _ := Start(ctx, []*config.TrackProcess{block("t", comm)}, NewHost(nil), Options{Log: log, Poll: 50 * time.Millisecond})
		if !w.Polling() {
			t.Fatal("not polling in a PID namespace of its own")
		}
		if n := strings.Count(warned.String(), "polling /proc"); n != 1 || !strings.Contains(warned.String(), "not in the initial PID namespace") {
			t.Fatalf("%d polling warnings in %q; want one naming the PID namespace", n, warned.String())
		}
		cmd := exec.Command(path, "30")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		check(t, "started (seen by polling)", []Change{gained("t")}, []Change{next(t, w)})
		cmd.Process.Kill()
		check(t, "killed (seen by polling)", []Change{lost("t")}, []Change{next(t, w)})
		cmd.Wait()
		return
	}
	needRoot(t)
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip(err)
	}
	cmd := exec.Command("unshare", "--pid", "--fork", "--mount-proc", os.Args[0], "-test.run=^TestSubscribeRefusedInPIDNamespace$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "KGPW_IN_PIDNS=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS") {
		t.Fatalf("in a PID namespace: %v\n%s", err, out)
	}
}

// TestSubscribeSetsRcvBuf: process_monitor_rcv_bufs is the connector
// socket's SO_RCVBUF, read back from the socket Subscribe opened (the
// kernel doubles what is set, and caps SO_RCVBUF at net.core.rmem_max);
// with process_monitor_rcv_bufs_force it is set with SO_RCVBUFFORCE and
// passes that cap; without the keyword the kernel's default stays.
func TestSubscribeSetsRcvBuf(t *testing.T) {
	needRoot(t)
	b, err := os.ReadFile("/proc/sys/net/core/rmem_max")
	if err != nil {
		t.Skip(err)
	}
	var rmemMax int
	if _, err := fmt.Sscan(strings.TrimSpace(string(b)), &rmemMax); err != nil {
		t.Fatal(err)
	}
	small := 40960
	if small > rmemMax {
		small = rmemMax / 2
	}
	big := rmemMax + 65536
	readBack := func(o SubscribeOptions) int {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		h := NewHost(nil).(*linuxHost)
		got := -1
		h.opened = func(fd int) {
			if got, err = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := h.Subscribe(ctx, o); err != nil {
			t.Skip(err)
		}
		return got
	}
	def := readBack(SubscribeOptions{})
	if got := readBack(SubscribeOptions{RcvBuf: small}); got != 2*small {
		t.Errorf("process_monitor_rcv_bufs %d: SO_RCVBUF %d, want %d (default %d)", small, got, 2*small, def)
	}
	if got := readBack(SubscribeOptions{RcvBuf: big}); got != 2*rmemMax {
		t.Errorf("process_monitor_rcv_bufs %d without force: SO_RCVBUF %d, want rmem_max's %d", big, got, 2*rmemMax)
	}
	if got := readBack(SubscribeOptions{RcvBuf: big, RcvBufForce: true}); got != 2*big {
		t.Errorf("process_monitor_rcv_bufs %d with force: SO_RCVBUF %d, want %d", big, got, 2*big)
	}
	if def == 2*small || def == 2*big {
		t.Errorf("the kernel's default %d equals a size the test sets: it cannot tell them apart", def)
	}
}
