package parser

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBenchConfigTest times `keepalived -t -f testdata/lots.conf`, real
// keepalived 2.2.7 against ours (built from ./cmd/keepalived), both inside
// the network namespace kgp-bench whose interfaces eth0..eth3 make
// the config valid there, and reports the ratio and our peak RSS. It runs
// only with KAGO_BENCH=1 (as root): `make bench` sets it.
//
//	KAGO_BENCH=1 go test ./parser -run TestBenchConfigTest -v
func TestBenchConfigTest(t *testing.T) {
	if os.Getenv("KAGO_BENCH") != "1" {
		t.Skip("set KAGO_BENCH=1 to time keepalived -t against ours")
	}
	if os.Geteuid() != 0 || os.Getenv("KAGO_NO_ROOT_TESTS") == "1" {
		t.Skip("needs root for the network namespace")
	}
	real, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("real keepalived is not installed")
	}
	if strings.HasPrefix(real, "/usr/local/") {
		real = "/usr/sbin/keepalived" // never time ourselves against ourselves
	}
	ns := "kgp-bench"
	setupNetns(t, ns)
	ours := filepath.Join(t.TempDir(), "keepalived")
	build := exec.Command("go", "build", "-o", ours, "./cmd/keepalived")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ours: %v\n%s", err, out)
	}
	conf, _ := filepath.Abs(lotsPath)
	const runs = 21
	kaTime, kaRSS, kaRC := timeRuns(t, ns, runs, real, "-t", "-f", conf)
	ourTime, ourRSS, ourRC := timeRuns(t, ns, runs, ours, "-t", "-f", conf)
	if kaRC != 0 || ourRC != 0 {
		t.Errorf("exit statuses: keepalived %d, ours %d (both should accept the file in %s)", kaRC, ourRC, ns)
	}
	ratio := float64(ourTime) / float64(kaTime)
	t.Logf("keepalived -t: median %v, peak RSS %d KiB", kaTime, kaRSS)
	t.Logf("ours       -t: median %v, peak RSS %d KiB", ourTime, ourRSS)
	t.Logf("ours/keepalived time ratio: %.2f (%d runs each, %d CPUs, %s)", ratio, runs, runtime.NumCPU(), loadavg())
}

// setupNetns creates ns with interfaces eth0..eth3 (up), removed at the
// end of the test. They are veth ends (peers kgpN), since this kernel has
// no dummy driver; for `-t` only their existence matters.
func setupNetns(t *testing.T, ns string) {
	t.Helper()
	run := func(args ...string) {
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	_ = exec.Command("ip", "netns", "del", ns).Run()
	run("netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	run("-n", ns, "link", "set", "lo", "up")
	for i := 0; i < 4; i++ {
		ifn := fmt.Sprintf("eth%d", i)
		run("-n", ns, "link", "add", ifn, "type", "veth", "peer", "name", fmt.Sprintf("kgp%d", i))
		run("-n", ns, "addr", "add", fmt.Sprintf("192.0.2.%d/24", 10+i), "dev", ifn)
		run("-n", ns, "link", "set", ifn, "up")
	}
}

// timeRuns runs the command n times in ns and returns the median wall time
// of the command itself (measured around the exec of `ip netns exec`,
// which costs both sides the same), the largest peak RSS, and the last
// exit status.
func timeRuns(t *testing.T, ns string, n int, argv ...string) (time.Duration, int64, int) {
	t.Helper()
	var times []time.Duration
	var rss int64
	rc := 0
	for i := 0; i < n; i++ {
		cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		el := time.Since(start)
		rc = 0
		if ee, ok := err.(*exec.ExitError); ok {
			rc = ee.ExitCode()
		} else if err != nil {
			t.Fatalf("%v: %v", argv, err)
		}
		if i == 0 && rc != 0 {
			t.Logf("%s: exit %d:\n%s", argv[0], rc, lastLines(stderr.String(), 5))
		}
		times = append(times, el)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > rss {
			rss = ru.Maxrss
		}
	}
	slices.Sort(times)
	return times[len(times)/2], rss, rc
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	f := strings.Fields(string(b))
	return "load average " + f[0]
}
