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

	"github.com/keepalived-go/keepalived/internal/testenv"
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
	testenv.NeedRoot(t)
	real, err := exec.LookPath("keepalived")
	if err != nil {
		t.Skip("real keepalived is not installed")
	}
	if strings.HasPrefix(real, "/usr/local/") {
		real = "/usr/sbin/keepalived" // never time ourselves against ourselves
	}
	ns := fmt.Sprintf("kgp-bench-%d", os.Getpid()) // one per test run
	setupNetns(t, ns)
	ours := filepath.Join(t.TempDir(), "keepalived")
	build := exec.Command("go", "build", "-o", ours, "./cmd/keepalived")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building ours: %v\n%s", err, out)
	}
	conf, _ := filepath.Abs(lotsPath)
	const runs = 31
	var ka, our runStats
	for i := 0; i < runs; i++ { // interleaved, so both see the same load
		ka.add(t, ns, real, "-t", "-f", conf)
		our.add(t, ns, ours, "-t", "-f", conf)
	}
	if ka.rc != 0 || our.rc != 0 {
		t.Errorf("exit statuses: keepalived %d, ours %d (both should accept the file in %s)", ka.rc, our.rc, ns)
	}
	t.Logf("keepalived -t: median wall %v, median CPU %v, peak RSS %d KiB", ka.median(ka.wall), ka.median(ka.cpu), ka.rss)
	t.Logf("ours       -t: median wall %v, median CPU %v, peak RSS %d KiB", our.median(our.wall), our.median(our.cpu), our.rss)
	t.Logf("ours/keepalived ratio: wall %.2f, CPU %.2f (%d interleaved runs each, %d CPUs, %s)",
		float64(our.median(our.wall))/float64(ka.median(ka.wall)),
		float64(our.median(our.cpu))/float64(ka.median(ka.cpu)), runs, runtime.NumCPU(), loadavg())
}

// runStats collects the runs of one command.
type runStats struct {
	wall, cpu []time.Duration
	rss       int64 // KiB, the largest seen
	rc        int   // exit status of the last run
}

// setupNetns creates ns with interfaces eth0..eth3 (up, 192.0.2.10-13/24),
// removed at the end of the test. They are veth ends (testenv.Ifaces),
// since this kernel has no dummy driver; for `-t` only their existence
// matters.
func setupNetns(t *testing.T, ns string) {
	t.Helper()
	testenv.Netns(t, ns)
	testenv.Ifaces(t, ns, 4)
	for i := 0; i < 4; i++ {
		testenv.IP(t, "-n", ns, "addr", "add", fmt.Sprintf("192.0.2.%d/24", 10+i), "dev", fmt.Sprintf("eth%d", i))
	}
}

// add runs argv once in ns (through `ip netns exec`, which execs it, so
// the rusage is the command's own, its waited-for children included).
func (r *runStats) add(t *testing.T, ns string, argv ...string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, argv...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	el := time.Since(start)
	r.rc = 0
	if ee, ok := err.(*exec.ExitError); ok {
		r.rc = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	if len(r.wall) == 0 && r.rc != 0 {
		t.Logf("%s: exit %d:\n%s", argv[0], r.rc, lastLines(stderr.String(), 5))
	}
	r.wall = append(r.wall, el)
	r.cpu = append(r.cpu, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > r.rss {
		r.rss = ru.Maxrss
	}
}

func (r *runStats) median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
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
