package testenv

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRootTestsFollowsTheVariable(t *testing.T) {
	t.Setenv(NoRootEnv, "1")
	if RootTests() {
		t.Errorf("RootTests with %s=1", NoRootEnv)
	}
	t.Setenv(NoRootEnv, "")
	if got, want := RootTests(), os.Geteuid() == 0; got != want {
		t.Errorf("RootTests = %v with %s unset, euid %d", got, NoRootEnv, os.Geteuid())
	}
}

func TestBufferConcurrentWriters(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Write([]byte("ab"))
				_ = b.String()
			}
		}()
	}
	wg.Wait()
	if got := b.Len(); got != 1600 {
		t.Errorf("Len = %d, want 1600", got)
	}
	if s := b.String(); strings.Count(s, "ab") != 800 {
		t.Errorf("String has %d \"ab\", want 800", strings.Count(s, "ab"))
	}
	b.Reset()
	if b.Len() != 0 {
		t.Errorf("Len after Reset = %d", b.Len())
	}
}

func TestNameIsUniquePerCall(t *testing.T) {
	a, b := Name("kgz", "x"), Name("kgz", "x")
	if a == b || !strings.HasPrefix(a, "kgz") || !strings.HasSuffix(a, "-x") {
		t.Errorf("Name: %q, %q", a, b)
	}
}

// TestPair: a Pair's eth0 ends are joined (a veth end is in state UP only
// when its peer is up too) and carry their addresses, and its namespaces
// are gone after the test.
func TestPair(t *testing.T) {
	state := func(brief string) string { // `ip -br`: name, state, addresses
		if f := strings.Fields(brief); len(f) > 1 {
			return f[1]
		}
		return ""
	}
	var a, b string
	t.Run("pair", func(t *testing.T) {
		a, b = Pair(t, "kgz", "10.66.0.1/24", "10.66.0.2/24")
		for ns, addr := range map[string]string{a: "10.66.0.1/24", b: "10.66.0.2/24"} {
			// The operational state follows the carrier a moment later.
			var out string
			for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
				if out = IP(t, "-n", ns, "-br", "addr", "show", "dev", "eth0"); state(out) == "UP" {
					break
				}
			}
			if state(out) != "UP" || !strings.Contains(out, addr) {
				t.Errorf("eth0 in %s: %q, want UP with %s", ns, out, addr)
			}
		}
	})
	if a == "" {
		t.Skip("the root tiers do not run")
	}
	for _, ns := range []string{a, b} {
		if _, err := os.Stat(Path(ns)); !os.IsNotExist(err) {
			t.Errorf("%s still exists after its test (%v)", ns, err)
		}
	}
}

// TestRemoveStale deletes a namespace of a pid that does not exist and
// keeps one of a live process.
func TestRemoveStale(t *testing.T) {
	NeedRoot(t)
	dead := "kgzstale99999-1-x" // pid 99999: not running here (checked below)
	if _, err := os.Stat("/proc/99999"); err == nil {
		t.Skip("pid 99999 exists")
	}
	live := "kgzstale1-1-x" // pid 1 is always alive
	for _, n := range []string{dead, live} {
		if err := AddNetns(n); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { DelNetns(n) })
	}
	RemoveStale("kgzstale")
	if _, err := os.Stat(Path(dead)); !os.IsNotExist(err) {
		t.Errorf("%s not removed", dead)
	}
	if _, err := os.Stat(Path(live)); err != nil {
		t.Errorf("%s removed: %v", live, err)
	}
}
