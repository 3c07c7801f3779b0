// Package proc tests keepalived-go's process model with the real binary:
// daemonising, pidfiles, the process name, the supervising parent and its
// VRRP child, respawn, signals relayed, sd_notify, the control socket.
// Every daemon runs inside a throwaway network namespace (kgx-*) with a
// veth pair; nothing runs in the root namespace. Real keepalived tests of
// others may run at the same time, so processes are always matched by the
// PIDs of our own pidfiles, never by name alone.
package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// binary is the keepalived binary built once for the package.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kgx-proc-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "keepalived")
	build := exec.Command("go", "build", "-o", binary, "github.com/keepalived-go/keepalived/cmd/keepalived")
	// Without cgo, as `make build` (a cgo build's parent cannot enter
	// net_namespace: process.errThreadsStay).
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// needRoot skips the tests that start a daemon (in a namespace) unless
// the root tiers run; only the option tests that start nothing run
// without root.
func needRoot(t *testing.T) {
	t.Helper()
	testenv.NeedRoot(t)
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("iproute2 missing")
	}
}

var nsCounter atomic.Int32

// netns is one namespace with a veth pair eth0 (10.77.N.1/24) - eth1.
type netns struct {
	name string
	dir  string // per-test files: config, pidfiles, logs, dumps
}

func newNetns(t *testing.T) *netns {
	t.Helper()
	needRoot(t)
	n := &netns{
		name: fmt.Sprintf("kgx-p%d-%d", os.Getpid()%100000, nsCounter.Add(1)),
		dir:  t.TempDir(),
	}
	testenv.Netns(t, n.name)
	testenv.Veth(t, n.name, "eth0", "", n.name, "eth1", "")
	testenv.IP(t, "-n", n.name, "addr", "add", "10.77.0.1/24", "dev", "eth0")
	return n
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// conf writes a configuration with one instance (priority 255: master at
// once) and returns its path.
func (n *netns) conf(t *testing.T, name, vips string) string {
	t.Helper()
	text := fmt.Sprintf(`global_defs {
  router_id kgx_proc
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 255
  advert_int 1
  virtual_ipaddress {
%s  }
}
`, vips)
	p := filepath.Join(n.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// backupConf writes n.dir/k.conf: global_defs with router_id id and the
// lines of globals (each ending in a newline), then one BACKUP instance
// VI_1 on eth0 (VRID 51, priority 100, 10.77.0.100/24), and returns its
// path: the configuration of the tests of one global_defs keyword.
func (n *netns) backupConf(t *testing.T, id, globals string) string {
	t.Helper()
	text := fmt.Sprintf(`global_defs {
  router_id %s
%s}
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`, id, globals)
	p := filepath.Join(n.dir, "k.conf")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func (n *netns) mainPid() string { return filepath.Join(n.dir, "keepalived.pid") }
func (n *netns) vrrpPid() string { return filepath.Join(n.dir, "vrrp.pid") }

// pidArgs are -p and -r into the test's directory.
func (n *netns) pidArgs() []string { return []string{"-p", n.mainPid(), "-r", n.vrrpPid()} }

// hasAddr reports whether eth0 carries addr.
func (n *netns) hasAddr(addr string) bool {
	out, _ := exec.Command("ip", "-n", n.name, "-br", "addr", "show", "dev", "eth0").Output()
	return strings.Contains(string(out), " "+addr+"/")
}

// fg is a keepalived started with -n in a namespace.
type fg struct {
	cmd    *exec.Cmd
	out    *testenv.Buffer
	done   chan struct{}
	status syscall.WaitStatus
}

// startFG starts `keepalived -n -l -G args...` in the namespace (its own
// process group, killed whole at cleanup) and returns at once.
func (n *netns) startFG(t *testing.T, env []string, args ...string) *fg {
	t.Helper()
	return n.startBin(t, binary, env, args...)
}

// startBin is startFG with another keepalived binary (keepalived 2.2.7's,
// to compare).
func (n *netns) startBin(t *testing.T, bin string, env []string, args ...string) *fg {
	t.Helper()
	full := append([]string{"netns", "exec", n.name, bin, "-n", "-l", "-G"}, args...)
	cmd := exec.Command("ip", full...)
	out := &testenv.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(append(os.Environ(), "TMPDIR="+n.dir), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f := &fg{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		f.status = cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(f.done)
	}()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		killPidfile(n.vrrpPid())
		<-f.done
		if t.Failed() {
			t.Logf("keepalived output:\n%s", out.String())
		}
	})
	return f
}

// exited waits up to d for the process to end.
func (f *fg) exited(d time.Duration) bool {
	select {
	case <-f.done:
		return true
	case <-time.After(d):
		return false
	}
}

// killPidfile SIGKILLs the process a pidfile names, if it is a keepalived.
func killPidfile(path string) {
	if pid, err := readPid(path); err == nil && comm(pid) == "keepalived" {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// alive is true for a process that exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] != 'Z'
}

// statField returns field n (1-based, as in proc(5)) of /proc/PID/stat.
func statField(pid, n int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	v, _ := strconv.Atoi(fields[n-3])
	return v
}

func ppid(pid int) int { return statField(pid, 4) }
func sid(pid int) int  { return statField(pid, 6) }

// waitFor polls cond every 20 ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}

// waitPids waits for both pidfiles to name live processes and returns them.
func (n *netns) waitPids(t *testing.T, out func() string) (parent, child int) {
	t.Helper()
	ok := waitFor(5*time.Second, func() bool {
		var err1, err2 error
		parent, err1 = readPid(n.mainPid())
		child, err2 = readPid(n.vrrpPid())
		return err1 == nil && err2 == nil && alive(parent) && alive(child)
	})
	if !ok {
		t.Fatalf("pidfiles not written with live PIDs (parent %d child %d)\n%s", parent, child, out())
	}
	return parent, child
}

// noFile reports whether path does not exist.
func noFile(path string) bool {
	_, err := os.Lstat(path)
	return os.IsNotExist(err)
}
