package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestNetNamespaceWholeProcess: with -s NAME or global_defs net_namespace
// NAME, every thread of the parent and of the VRRP child runs in network
// namespace NAME, whatever namespace the command was started in (here
// another throwaway one, never the root namespace), as keepalived enters
// it before it forks; in the foreground (-n) and daemonised, and still
// after a SIGHUP reload and a respawn of the child.
func TestNetNamespaceWholeProcess(t *testing.T) {
	for _, tc := range []struct {
		name       string
		option     bool // -s, else net_namespace in the file
		foreground bool
	}{
		{"-s/foreground", true, true},
		{"net_namespace/foreground", false, true},
		{"net_namespace/daemonised", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetns(t)     // where everything must run: has eth0
			outer := newNetns(t) // where the command is started
			mustRun(t, "ip", "-n", outer.name, "link", "del", "eth0")
			conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
			var args []string
			if tc.option {
				args = append(args, "-s", n.name)
			} else {
				b, err := os.ReadFile(conf)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(conf, []byte("net_namespace "+n.name+"\n"+string(b)), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args = append(append(args, "-f", conf), n.pidArgs()...)
			var out func() string
			if tc.foreground {
				k := outer.startFG(t, nil, args...)
				out = k.out.String
			} else {
				logFile := filepath.Join(n.dir, "k.log")
				t.Cleanup(func() {
					killPidfile(n.mainPid())
					killPidfile(n.vrrpPid())
				})
				full := append([]string{"netns", "exec", outer.name, binary, "-G", "-g" + logFile}, args...)
				if b, err := exec.Command("ip", full...).CombinedOutput(); err != nil {
					t.Fatalf("start: %v: %s", err, b)
				}
				out = func() string { b, _ := os.ReadFile(logFile); return string(b) }
			}
			parent, child := n.waitPids(t, out)
			if !waitFor(5*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
				t.Fatalf("VIP not added in %s\n%s", n.name, out())
			}
			want := netnsID(t, n.name)
			if got := netnsID(t, outer.name); got == want {
				t.Fatalf("namespaces %s and %s are the same (%s)", n.name, outer.name, got)
			}
			checkThreadsIn(t, "parent", parent, want, outer.name)
			checkThreadsIn(t, "VRRP child", child, want, outer.name)

			// A reload: the parent hands SIGHUP to the child, both stay.
			if !waitFor(5*time.Second, func() bool { return strings.Contains(out(), "Startup complete") }) {
				t.Fatalf("no start-up complete\n%s", out())
			}
			syscall.Kill(parent, syscall.SIGHUP)
			if !waitFor(5*time.Second, func() bool { return strings.Contains(out(), "Reload complete") }) {
				t.Fatalf("no reload happened\n%s", out())
			}
			checkThreadsIn(t, "parent after reload", parent, want, outer.name)
			checkThreadsIn(t, "VRRP child after reload", child, want, outer.name)

			// A respawn: the new child is started inside too.
			syscall.Kill(child, syscall.SIGKILL)
			var next int
			if !waitFor(5*time.Second, func() bool {
				next, _ = readPid(n.vrrpPid())
				return next != child && alive(next)
			}) {
				t.Fatalf("no new VRRP child after SIGKILL\n%s", out())
			}
			checkThreadsIn(t, "respawned VRRP child", next, want, outer.name)
			if !waitFor(6*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
				t.Errorf("respawned child did not take the VIP in %s\n%s", n.name, out())
			}
		})
	}
}

// netnsID is the network namespace of /run/netns/NAME as readlink of
// /proc/PID/ns/net shows it ("net:[INODE]").
func netnsID(t *testing.T, name string) string {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+name, &st); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("net:[%d]", st.Ino)
}

// checkThreadsIn fails the test unless every thread of pid is in network
// namespace want (one thread left behind is a process half outside).
func checkThreadsIn(t *testing.T, what string, pid int, want, startedIn string) {
	t.Helper()
	root, _ := os.Readlink("/proc/self/ns/net") // the test's: the root one
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("%s %d: no threads: %v", what, pid, err)
	}
	for _, task := range tasks {
		ns, err := os.Readlink(fmt.Sprintf("/proc/%d/task/%s/ns/net", pid, task.Name()))
		if err != nil {
			t.Fatalf("%s %d thread %s: %v", what, pid, task.Name(), err)
		}
		if ns != want {
			where := "the namespace it was started in (" + startedIn + ")"
			if ns == root {
				where = "the root namespace"
			}
			t.Errorf("%s %d thread %s is in %s %s, want %s", what, pid, task.Name(), where, ns, want)
		}
	}
}
