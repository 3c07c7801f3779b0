package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"testing"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// tools is built once by TestMain when the root tiers run.
var tools *Tools

func TestMain(m *testing.M) {
	if testenv.RootTests() {
		testenv.RemoveStale(Prefix)
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

// needOurs fails the test when our daemon could not be built. Before our
// daemon existed, KGE_SKIP_OURS=1 turned this into a skip for lab work.
func needOurs(t testing.TB) {
	t.Helper()
	testenv.NeedRoot(t)
	if tools.OursErr == nil {
		return
	}
	if os.Getenv("KGE_SKIP_OURS") == "1" {
		t.Skipf("e2e: KGE_SKIP_OURS=1 and our daemon is not available: %v", tools.OursErr)
	}
	t.Fatalf("e2e: our daemon is not available: %v", tools.OursErr)
}

// needLong skips t unless KGE_LONG=1 (make test-long) or KAGO_BENCH_HA=1
// (make bench-ha): the scenarios that measure (AH mixed pairs, the rolling
// migration, track_process against a 2-second script) and whose behaviour
// shorter default tests already prove, kept out of make test so that the
// whole suite stays under 15 minutes.
func needLong(t testing.TB) {
	t.Helper()
	testenv.NeedRoot(t)
	if !longTier() {
		t.Skip("e2e: a long scenario; set KGE_LONG=1 (make test-long)")
	}
}

// longTier reports whether the long tier runs (KGE_LONG=1 or
// KAGO_BENCH_HA=1): needLong's test, for the tables that run a cheap part
// in make test and the whole of it in the long tier.
func longTier() bool {
	return os.Getenv("KGE_LONG") == "1" || os.Getenv("KAGO_BENCH_HA") == "1"
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }

// needKA243 skips t, saying why, when keepalived 2.4.3 is not built (no
// tarball at ../shared/peers, or `make peer-2.4.3` not run).
func needKA243(t testing.TB) {
	t.Helper()
	testenv.NeedRoot(t)
	if tools.KA243Err != nil {
		t.Skip(tools.KA243Err)
	}
}
