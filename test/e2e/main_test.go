package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// tools is built once by TestMain when the root tiers run.
var tools *Tools

func rootTestsEnabled() bool {
	return os.Geteuid() == 0 && os.Getenv("KAGO_NO_ROOT_TESTS") != "1"
}

func TestMain(m *testing.M) {
	if rootTestsEnabled() {
		removeStaleNamespaces()
		dir, err := os.MkdirTemp("", "kge-tools-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Chmod(dir, 0o755)
		tools, err = BuildTools(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.RemoveAll(dir)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// removeStaleNamespaces deletes kge<pid>-* namespaces whose test process is
// gone (a run killed before its cleanup).
func removeStaleNamespaces() {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.HasPrefix(f[0], Prefix) {
			continue
		}
		digits, _, _ := strings.Cut(strings.TrimPrefix(f[0], Prefix), "-")
		pid, err := strconv.Atoi(digits)
		if err != nil {
			continue
		}
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil && pid != os.Getpid()%100000 {
			continue
		}
		exec.Command("ip", "netns", "del", f[0]).Run()
	}
}

// needRoot skips a test of the root tiers when they are disabled.
func needRoot(t testing.TB) {
	t.Helper()
	if !rootTestsEnabled() {
		t.Skip("e2e: needs root (unset KAGO_NO_ROOT_TESTS and run as root)")
	}
}

// needOurs fails the test when our daemon could not be built. Before our
// daemon existed, KGE_SKIP_OURS=1 turned this into a skip for lab work.
func needOurs(t testing.TB) {
	t.Helper()
	needRoot(t)
	if tools.OursErr == nil {
		return
	}
	if os.Getenv("KGE_SKIP_OURS") == "1" {
		t.Skipf("e2e: KGE_SKIP_OURS=1 and our daemon is not available: %v", tools.OursErr)
	}
	t.Fatalf("e2e: our daemon is not available: %v", tools.OursErr)
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }

// needKA243 skips t, saying why, when keepalived 2.4.3 is not built (no
// tarball at ../shared/peers, or `make peer-2.4.3` not run).
func needKA243(t testing.TB) {
	t.Helper()
	needRoot(t)
	if tools.KA243Err != nil {
		t.Skip(tools.KA243Err)
	}
}
