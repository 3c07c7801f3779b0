// Package testenv is the test environment every package's tests share: the
// one gate of the root tiers, a buffer safe for concurrent writers, and the
// namespace lab (throwaway network namespaces joined by veth pairs).
//
// The root gate. Tests that need root (network namespaces, switching users,
// root-owned paths) run when the process is root and KAGO_NO_ROOT_TESTS is
// not 1; that variable is the only one that turns them off (`make
// test-unit` sets it). Long opt-in tiers keep their own variables, listed
// in DEVELOPERS.md.
//
// The lab. Nothing here switches the test's own thread into a namespace:
// set-up goes through `ip -n NS ...`, and every namespace is deleted by
// t.Cleanup, also when the test fails. Names are <prefix><pid>-<n>-<what>
// (prefix kg<pkg>, for instance kgn for netif), so parallel test
// processes never collide and RemoveStale can find what a killed run
// left behind.
package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// NoRootEnv is the environment variable that, set to 1, skips every test
// that needs root.
const NoRootEnv = "KAGO_NO_ROOT_TESTS"

// RootTests reports whether the root tiers run: the process is root and
// NoRootEnv is not 1.
func RootTests() bool {
	return os.Geteuid() == 0 && os.Getenv(NoRootEnv) != "1"
}

// NeedRoot skips the test unless RootTests.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if os.Getenv(NoRootEnv) == "1" {
		t.Skip(NoRootEnv + "=1")
	}
}

// Buffer is a bytes.Buffer safe for writers on other goroutines (a child
// process's output, a logger) and a test reading it meanwhile. The zero
// value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Len is the number of bytes written so far.
func (b *Buffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Len()
}

// Reset empties the buffer.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.b.Reset()
}

// Run runs name with args and returns its standard output; the test fails
// with the command and its standard error when it does not exit 0.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// IP runs `ip args...` (see Run).
func IP(t testing.TB, args ...string) string {
	t.Helper()
	return Run(t, "ip", args...)
}

// AddNetns creates network namespace name with lo up. A namespace of that
// name is deleted first (one a killed run left). Callers that order their
// own clean-up (the e2e lab) use it with DelNetns; tests use Netns.
func AddNetns(name string) error {
	_ = DelNetns(name)
	for _, args := range [][]string{
		{"netns", "add", name},
		{"-n", name, "link", "set", "lo", "up"},
	} {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			if args[0] != "netns" {
				_ = DelNetns(name)
			}
			return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
		}
	}
	return nil
}

// DelNetns deletes network namespace name; processes still in it keep it
// alive until they end.
func DelNetns(name string) error {
	if _, err := os.Stat("/run/netns/" + name); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return exec.Command("ip", "netns", "del", name).Run()
}

// Netns creates network namespace name with lo up (AddNetns), deleted when
// the test ends. It skips the test unless RootTests.
func Netns(t testing.TB, name string) string {
	t.Helper()
	NeedRoot(t)
	if err := AddNetns(name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = DelNetns(name) })
	return name
}

// Path is the file of namespace name, for setns.
func Path(name string) string { return "/run/netns/" + name }

var seq atomic.Int32

// Name returns a namespace name unique to this process and call:
// <prefix><pid>-<n>-<what> (pid modulo 100000, to stay within IFNAMSIZ
// where the name prefixes an interface).
func Name(prefix, what string) string {
	return fmt.Sprintf("%s%d-%d-%s", prefix, os.Getpid()%100000, seq.Add(1), what)
}

// RemoveStale deletes the namespaces named <prefix><pid>-... (as Name
// makes them) whose test process is gone: what a run killed before its
// clean-up left behind. Namespaces of other live processes are left
// alone; those under this process's own pid are a dead run's, so call it
// (from TestMain) before this process makes any.
func RemoveStale(prefix string) {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], prefix) {
			continue
		}
		digits, _, _ := strings.Cut(strings.TrimPrefix(f[0], prefix), "-")
		pid, err := strconv.Atoi(digits)
		if err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil && pid != os.Getpid()%100000 {
			continue
		}
		_ = DelNetns(f[0])
	}
}

// Veth joins nsA/ifA and nsB/ifB with a veth pair (nsA may equal nsB),
// with the given MACs where not empty, both ends up. The pair is created
// inside nsA with its peer placed straight into nsB, so no interface ever
// appears in the root namespace.
func Veth(t testing.TB, nsA, ifA, macA, nsB, ifB, macB string) {
	t.Helper()
	args := []string{"-n", nsA, "link", "add", ifA}
	if macA != "" {
		args = append(args, "address", macA)
	}
	args = append(args, "type", "veth", "peer", "name", ifB, "netns", nsB)
	if macB != "" {
		args = append(args, "address", macB)
	}
	IP(t, args...)
	IP(t, "-n", nsA, "link", "set", ifA, "up")
	IP(t, "-n", nsB, "link", "set", ifB, "up")
}

// Pair creates two namespaces Name(prefix, "a") and Name(prefix, "b")
// joined by a veth pair named eth0 on both sides, up, with addrA and addrB
// (prefixes such as 10.88.0.1/24) on them.
func Pair(t testing.TB, prefix, addrA, addrB string) (a, b string) {
	t.Helper()
	a, b = Netns(t, Name(prefix, "a")), Netns(t, Name(prefix, "b"))
	Veth(t, a, "eth0", "", b, "eth0", "")
	IP(t, "-n", a, "addr", "add", addrA, "dev", "eth0")
	IP(t, "-n", b, "addr", "add", addrB, "dev", "eth0")
	return a, b
}

// Ifaces gives namespace ns the interfaces eth0 .. eth<n-1>, up: veth
// ends whose peers (peer0 ...) stay down in ns. For `-t` runs, where only
// the interfaces' existence matters.
func Ifaces(t testing.TB, ns string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		ifn := fmt.Sprintf("eth%d", i)
		IP(t, "-n", ns, "link", "add", ifn, "type", "veth", "peer", "name", fmt.Sprintf("peer%d", i))
		IP(t, "-n", ns, "link", "set", ifn, "up")
	}
}

// Sysctl sets key=value pairs inside ns.
func Sysctl(t testing.TB, ns string, kv ...string) {
	t.Helper()
	Run(t, "ip", append([]string{"netns", "exec", ns, "sysctl", "-q", "-w"}, kv...)...)
}

// WaitLinkLocal waits up to 5 s until ifname in ns has an IPv6 link-local
// address that is no longer tentative (a socket bound to it works).
func WaitLinkLocal(t testing.TB, ns, ifname string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		out := IP(t, "-n", ns, "-6", "addr", "show", "dev", ifname, "scope", "link")
		if strings.Contains(out, "fe80::") && !strings.Contains(out, "tentative") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s %s: no link-local address after 5 s", ns, ifname)
}
