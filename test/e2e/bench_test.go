package e2e

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// TestHABench runs every scenario with every combo (ours+ours, the mixed
// pairs, keepalived+keepalived) and the seeds with the mixed pairs and
// keepalived, then the footprint comparison, and writes the tables to
// $KGE_BENCH_OUT (make bench-ha: BENCHMARKS-ha.md). Behind KAGO_BENCH_HA=1.
func TestHABench(t *testing.T) {
	testenv.NeedRoot(t)
	if os.Getenv("KAGO_BENCH_HA") != "1" {
		t.Skip("e2e: set KAGO_BENCH_HA=1 (make bench-ha)")
	}
	// The raw figures, one line per measure; kept where $KGE_RESULTS says.
	results := os.Getenv("KGE_RESULTS")
	if results == "" {
		results = filepath.Join(t.TempDir(), "results.tsv")
		t.Setenv("KGE_RESULTS", results)
	}
	t.Run("scenarios", func(t *testing.T) {
		for _, s := range scenarios {
			t.Run(s.Name, func(t *testing.T) {
				for _, c := range allCombos {
					t.Run(c.String(), func(t *testing.T) {
						for _, m := range s.Run(t, c) {
							report(t, m)
						}
					})
				}
			})
		}
	})
	t.Run("seeds", func(t *testing.T) {
		for _, s := range seeds {
			t.Run(s.Name, func(t *testing.T) {
				for _, c := range allCombos {
					t.Run(c.String(), func(t *testing.T) { runSeed(t, s, [2]Impl{c.M, c.B}) })
				}
			})
		}
	})
	t.Run("hmac", runHMACBench)
	t.Run("footprint", func(t *testing.T) { runFootprints(t) })
	// Rendered from the results file, so a run in parts (-run
	// 'TestHABench/scenarios/sigkill' ..., the same KGE_RESULTS) renders
	// whole with -run 'TestHABench/^$'.
	if out := os.Getenv("KGE_BENCH_OUT"); out != "" {
		rows, fp := readResults(t, results)
		if err := os.WriteFile(out, []byte(renderBench(rows, fp)), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", out)
	}
}

type row struct {
	Scenario, Impls            string
	Takeover, Garp, Out, Bound time.Duration
	Note                       string
}

func readResults(t *testing.T, path string) ([]row, []footprint) {
	f, err := os.Open(path)
	if err != nil {
		t.Logf("no results: %v", err)
		return nil, nil
	}
	defer f.Close()
	var rows []row
	var fps []footprint
	sc := bufio.NewScanner(f)
	us := func(s string) time.Duration {
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Duration(n) * time.Microsecond
	}
	for sc.Scan() {
		if fp, ok := strings.CutPrefix(sc.Text(), "#footprint\t"); ok {
			var x footprint
			var impl string
			var secs int
			if _, err := fmt.Sscanf(strings.ReplaceAll(fp, "\t", " "), "%s %d %d %d %g %d", &impl, &x.Instances, &x.Procs, &x.RSSKiB, &x.CPUPercent, &secs); err == nil {
				x.Impl, x.Role = Impl(impl), "master of all"
				fps = append(fps, x)
			}
			continue
		}
		f := strings.SplitN(sc.Text(), "\t", 7)
		if len(f) < 7 {
			continue
		}
		rows = append(rows, row{Scenario: f[0], Impls: f[1], Takeover: us(f[2]), Garp: us(f[3]), Out: us(f[4]), Bound: us(f[5]), Note: f[6]})
	}
	return rows, fps
}

func ms(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 0, 64)
}

// renderBench writes the markdown: per scenario, one line per combo and the
// ratio of ours+ours to keepalived+keepalived.
func renderBench(rows []row, fp []footprint) string {
	var b strings.Builder
	b.WriteString("# High availability, measured: keepalived-go beside keepalived 2.2.7\n\n")
	fmt.Fprintf(&b, "Generated on %s (%s) by `make bench-ha`, i.e. `KAGO_BENCH_HA=1 KGE_SLACK=300ms KGE_BENCH_OUT=$PWD/BENCHMARKS-ha.md go test -count=1 -timeout 90m -run TestHABench -v ./test/e2e/`, "+
		"or by `sudo test/e2e/bench-parts.sh`, which runs the same tests part by part into one results file and renders it (a part measures one scenario with all four pairings, so each row of a scenario comes from the same run).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), hostSummary())
	b.WriteString(benchPreamble)
	// A scenario measured again (a run in parts) keeps its latest figures.
	byScen := map[string][]row{}
	var order []string
	for _, r := range rows {
		if _, ok := byScen[r.Scenario]; !ok {
			order = append(order, r.Scenario)
		}
		kept := byScen[r.Scenario][:0]
		for _, o := range byScen[r.Scenario] {
			if o.Impls != r.Impls {
				kept = append(kept, o)
			}
		}
		byScen[r.Scenario] = append(kept, r)
	}
	b.WriteString("Pairings are named master+backup: `ours+keepalived` is keepalived-go on lb1 (the master, priority 100) and keepalived 2.2.7 on lb2.\n\n")
	b.WriteString("| scenario | master+backup | client outage ms | takeover ms | GARP ms | protocol bound ms | notes |\n|---|---|---|---|---|---|---|\n")
	for _, s := range order {
		for _, r := range byScen[s] {
			bound := ""
			if r.Bound > 0 {
				bound = ms(r.Bound)
			}
			tk := ""
			if r.Takeover > 0 {
				tk = ms(r.Takeover)
			}
			g := ""
			if r.Garp > 0 {
				g = ms(r.Garp)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", s, r.Impls, ms(r.Out), tk, g, bound, r.Note)
		}
	}
	b.WriteString("\n## Ours against keepalived, same run\n\n")
	b.WriteString("Ratio = ours+ours / keepalived+keepalived (below 1: ours is faster). Takeover is the figure the protocol bounds; the client outage adds the client's reaction to the gratuitous ARPs.\n\n")
	b.WriteString("| scenario | outage ours ms | outage keepalived ms | ratio | takeover ours ms | takeover keepalived ms | ratio | ours - bound ms |\n|---|---|---|---|---|---|---|---|\n")
	for _, s := range order {
		var o, k *row
		for i, r := range byScen[s] {
			switch r.Impls {
			case oo.String():
				o = &byScen[s][i]
			case kk.String():
				k = &byScen[s][i]
			}
		}
		if o == nil || k == nil {
			continue
		}
		ratio := func(a, b time.Duration) string {
			if b <= 0 {
				return "-"
			}
			return strconv.FormatFloat(float64(a)/float64(b), 'f', 2, 64)
		}
		over := "-"
		if o.Bound > 0 && o.Takeover > 0 {
			over = strconv.FormatFloat(float64(o.Takeover-o.Bound)/float64(time.Millisecond), 'f', 0, 64)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", s, ms(o.Out), ms(k.Out), ratio(o.Out, k.Out),
			ms(o.Takeover), ms(k.Takeover), ratio(o.Takeover, k.Takeover), over)
	}
	if len(fp) > 0 {
		b.WriteString("\n## Footprint, same run\n\n")
		b.WriteString(footprintPreamble)
		b.WriteString("| daemon | instances | role | processes | RSS total MB | CPU % of one core (60 s) |\n|---|---|---|---|---|---|\n")
		last := map[string]footprint{}
		var keys []string
		for _, f := range fp {
			k := fmt.Sprintf("%06d %s", f.Instances, f.Impl)
			if _, ok := last[k]; !ok {
				keys = append(keys, k)
			}
			last[k] = f // measured again: the latest counts
		}
		sort.Strings(keys)
		for _, k := range keys {
			f := last[k]
			fmt.Fprintf(&b, "| %s | %d | %s | %d | %.1f | %.2f |\n", f.Impl, f.Instances, f.Role, f.Procs, float64(f.RSSKiB)/1024, f.CPUPercent)
		}
	}
	return b.String()
}

const benchPreamble = `How: a namespace LAN (test/e2e/lab.go): lb1 (priority 100) and lb2
(priority 90, advert_int 1 unless said) with nginx, a client requesting the VIP
every 10 ms on a fresh connection (250 ms timeout). Events are fired 500 ms
after an advert of the master (50 ms at advert_int 0.1), seen by tcpdump on
the bridge ports; times are kernel timestamps.

- **client outage**: the longest time the client went without a successful
  answer after the event (completion to completion; 10 ms is no outage).
- **takeover**: event to the new master's first advert on the wire.
- **GARP**: event to its first gratuitous ARP for the VIP.
- **protocol bound**: after a crash, the master-down interval (3 x advert_int
  + skew) minus the 500 ms already elapsed since the last advert; after a
  graceful stop, the backup's skew time ((256-90)/256 s for v2).

`

const footprintPreamble = `One node alone on the LAN (so master of every instance), idle apart
from VRRP, after 5 s of warm-up. RSS: the sum of VmRSS of every process of the
daemon (keepalived's parent and VRRP child; ours likewise), from /proc. CPU:
utime+stime of those processes over 60 s, from /proc/PID/stat. 1,000
instances: 4 interfaces x 250 VRIDs, advert_int 1, one VIP each.

`

func hostSummary() string {
	n := 0
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "processor") {
			n++
		}
	}
	u, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return fmt.Sprintf("%d CPUs, Linux %s", n, strings.TrimSpace(string(u)))
}
