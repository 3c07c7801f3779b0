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
	t.Run("hmac", runKA243Bench(authHMAC))
	t.Run("plain243", runKA243Bench(authPlain))
	t.Run("footprint", func(t *testing.T) { runFootprints(t) })
	// Rendered from the results file, so a run in parts (-run
	// 'TestHABench/scenarios/sigkill' ..., the same KGE_RESULTS) renders
	// whole with -run 'TestHABench/^$'.
	if out := os.Getenv("KGE_BENCH_OUT"); out != "" {
		rows, fp := readResults(t, results)
		old, _ := os.ReadFile(out)
		if err := os.WriteFile(out, []byte(keepHandWritten(string(old), renderBench(rows, fp))), 0o644); err != nil {
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

// handMarker starts the hand-written part of BENCHMARKS-ha.md (runs made
// by hand, with their commands), which a new render keeps as it is.
const handMarker = "<!-- Hand-written sections below: make bench-ha keeps them as they are. -->"

// keepHandWritten appends to a new render the hand-written part of the
// file it replaces (from handMarker on), if it has one.
func keepHandWritten(old, rendered string) string {
	if i := strings.Index(old, handMarker); i >= 0 {
		return rendered + "\n" + old[i:]
	}
	return rendered
}

// isKA243Row reports whether a row is one of the keepalived 2.4.3 pair
// tables (TestHABench/hmac and /plain243, runKA243: "hmac SCENARIO",
// "plain SCENARIO").
func isKA243Row(scenario string) bool {
	for _, a := range ka243Auths {
		if strings.HasPrefix(scenario, a.Name+" ") {
			return true
		}
	}
	return false
}

// groupRows groups rows by scenario in first-seen order; a scenario
// measured again for a pairing (a run in parts) keeps its latest figures.
func groupRows(rows []row) (order []string, byScen map[string][]row) {
	byScen = map[string][]row{}
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
	return order, byScen
}

// writeRows writes the per-pairing table of the scenarios in order.
func writeRows(b *strings.Builder, order []string, byScen map[string][]row, notes bool) {
	if notes {
		b.WriteString("| scenario | master+backup | client outage ms | takeover ms | GARP ms | protocol bound ms | notes |\n|---|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| scenario | master+backup | client outage ms | takeover ms | GARP ms | protocol bound ms |\n|---|---|---|---|---|---|\n")
	}
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
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |", s, r.Impls, ms(r.Out), tk, g, bound)
			if notes {
				fmt.Fprintf(b, " %s |", r.Note)
			}
			b.WriteString("\n")
		}
	}
}

// writeRatios writes ours+ours against the reference pairing ref, per
// scenario measured with both.
func writeRatios(b *strings.Builder, order []string, byScen map[string][]row, ref combo, refName string) {
	fmt.Fprintf(b, "| scenario | outage ours ms | outage %[1]s ms | ratio | takeover ours ms | takeover %[1]s ms | ratio | ours - bound ms |\n|---|---|---|---|---|---|---|---|\n", refName)
	for _, s := range order {
		var o, k *row
		for i, r := range byScen[s] {
			switch r.Impls {
			case oo.String():
				o = &byScen[s][i]
			case ref.String():
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
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", s, ms(o.Out), ms(k.Out), ratio(o.Out, k.Out),
			ms(o.Takeover), ms(k.Takeover), ratio(o.Takeover, k.Takeover), over)
	}
}

// renderKA243 writes the section of the keepalived 2.4.3 pair rows
// (TestHABench/hmac and /plain243), "" when there are none: every row,
// the takeovers of the four pairings side by side, and ours+ours against
// 2.4.3+2.4.3. Rows are ordered by scenario (ka243Scenarios), auth_hmac
// then plain.
func renderKA243(rows []row) string {
	order, byScen := groupRows(rows)
	if len(order) == 0 {
		return ""
	}
	rank := func(s string) int {
		for i, x := range ka243Scenarios {
			for j, a := range ka243Auths {
				if s == a.Name+" "+x.Name {
					return i*len(ka243Auths) + j
				}
			}
		}
		return len(ka243Scenarios) * len(ka243Auths)
	}
	sort.SliceStable(order, func(i, j int) bool { return rank(order[i]) < rank(order[j]) })
	var b strings.Builder
	b.WriteString("\n## keepalived 2.4.3 pairs, with and without auth_hmac, same run\n\n")
	b.WriteString(ka243Preamble)
	writeRows(&b, order, byScen, false)
	b.WriteString("\nTakeover ms (event to the new master's first advert) of each pairing, master+backup, beside the reference keepalived-2.4.3+keepalived-2.4.3:\n\n")
	b.WriteString("| scenario | protocol bound | ")
	for i, c := range hmacCombos {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(c.String())
	}
	b.WriteString(" |\n|---|---|" + strings.Repeat("---|", len(hmacCombos)) + "\n")
	for _, s := range order {
		bound := ""
		for _, r := range byScen[s] {
			if r.Bound > 0 {
				bound = ms(r.Bound)
			}
		}
		fmt.Fprintf(&b, "| %s | %s |", s, bound)
		for _, c := range hmacCombos {
			cell := ""
			for _, r := range byScen[s] {
				if r.Impls == c.String() {
					cell = "-"
					if r.Takeover > 0 {
						cell = ms(r.Takeover)
					}
				}
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n(-: no takeover, as nopreempt-back wants: the old master stays backup.)\n\n")
	b.WriteString("Ratio = ours+ours / keepalived-2.4.3+keepalived-2.4.3, with the same authentication (below 1: ours is faster).\n\n")
	writeRatios(&b, order, byScen, k3k3, "keepalived-2.4.3")
	return b.String()
}

const ka243Preamble = `The same LAN and measures, v2, advert_int 1, ` + "`hmac`" + ` rows with auth_hmac
enforce on both nodes (keys 1 and 2, key 1 active), ` + "`plain`" + ` rows without
it (auth_type PASS, as the keepalived 2.2.7 pairs above): sigkill,
sigterm, preempt-back (the old master restarted takes the VIP back;
takeover is to its first advert) and nopreempt-back (it stays backup, VIP
on lb2), for ours+ours, ours beside keepalived 2.4.3 in each role, and
keepalived 2.4.3 alone, one scenario's four pairings after another.

`

// renderBench writes the markdown: per scenario, one line per combo and the
// ratio of ours+ours to keepalived+keepalived; the keepalived 2.4.3 pair
// rows (with and without auth_hmac) in their own section.
func renderBench(rows []row, fp []footprint) string {
	var main, ka243Rows []row
	for _, r := range rows {
		if isKA243Row(r.Scenario) {
			ka243Rows = append(ka243Rows, r)
		} else {
			main = append(main, r)
		}
	}
	rows = main
	var b strings.Builder
	b.WriteString("# High availability, measured: keepalived-go beside keepalived 2.2.7\n\n")
	fmt.Fprintf(&b, "Generated on %s (%s) by `make bench-ha`, i.e. `KAGO_BENCH_HA=1 KGE_SLACK=300ms KGE_BENCH_OUT=$PWD/BENCHMARKS-ha.md go test -count=1 -timeout 90m -run TestHABench -v ./test/e2e/`, "+
		"or by `sudo test/e2e/bench-parts.sh`, which runs the same tests part by part into one results file and renders it (a part measures one scenario with all four pairings, so each row of a scenario comes from the same run).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), hostSummary())
	b.WriteString(benchPreamble)
	order, byScen := groupRows(rows)
	b.WriteString("Pairings are named master+backup: `ours+keepalived` is keepalived-go on lb1 (the master, priority 100) and keepalived 2.2.7 on lb2.\n\n")
	writeRows(&b, order, byScen, true)
	b.WriteString("\n## Ours against keepalived, same run\n\n")
	b.WriteString("Ratio = ours+ours / keepalived+keepalived (below 1: ours is faster). Takeover is the figure the protocol bounds; the client outage adds the client's reaction to the gratuitous ARPs.\n\n")
	writeRatios(&b, order, byScen, kk, "keepalived")
	b.WriteString(renderKA243(ka243Rows))
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

// TestRenderBench: the keepalived 2.4.3 pair rows (TestHABench/hmac and
// /plain243) get their own section, ordered by scenario then auth, with the
// pairings' takeovers side by side and ours+ours against 2.4.3+2.4.3, and
// stay out of the keepalived 2.2.7 tables; a re-render keeps the
// hand-written part.
func TestRenderBench(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	rows := []row{
		{Scenario: "sigkill", Impls: "ours+ours", Takeover: ms(3150), Garp: ms(3155), Out: ms(3170), Bound: ms(3148)},
		{Scenario: "sigkill", Impls: "keepalived+keepalived", Takeover: ms(3152), Garp: ms(3156), Out: ms(3171), Bound: ms(3148)},
		{Scenario: "hmac nopreempt-back", Impls: "ours+keepalived-2.4.3"},
		{Scenario: "plain sigkill", Impls: "keepalived-2.4.3+ours", Takeover: ms(3153), Garp: ms(3158), Out: ms(3160), Bound: ms(3148)},
		{Scenario: "plain sigkill", Impls: "keepalived-2.4.3+keepalived-2.4.3", Takeover: ms(3155), Garp: ms(3160), Out: ms(3170), Bound: ms(3148)},
		{Scenario: "hmac sigkill", Impls: "ours+ours", Takeover: ms(3151), Garp: ms(3159), Out: ms(3157), Bound: ms(3148)},
		{Scenario: "hmac sigkill", Impls: "keepalived-2.4.3+keepalived-2.4.3", Takeover: ms(3152), Garp: ms(3162), Out: ms(3167), Bound: ms(3148)},
	}
	got := renderBench(rows, nil)
	main, part, ok := strings.Cut(got, "## keepalived 2.4.3 pairs, with and without auth_hmac, same run")
	if !ok {
		t.Fatalf("no keepalived 2.4.3 section:\n%s", got)
	}
	if strings.Contains(main, "hmac ") || strings.Contains(main, "plain ") {
		t.Errorf("keepalived 2.4.3 rows in the keepalived 2.2.7 tables:\n%s", main)
	}
	for _, want := range []string{
		"| hmac sigkill | ours+ours | 3157 | 3151 | 3159 | 3148 |\n",
		"| hmac sigkill | keepalived-2.4.3+keepalived-2.4.3 | 3167 | 3152 | 3162 | 3148 |\n",
		"| plain sigkill | keepalived-2.4.3+ours | 3160 | 3153 | 3158 | 3148 |\n",
		"| hmac nopreempt-back | ours+keepalived-2.4.3 | 0 |  |  |  |\n",
		"| scenario | protocol bound | ours+ours | ours+keepalived-2.4.3 | keepalived-2.4.3+ours | keepalived-2.4.3+keepalived-2.4.3 |\n",
		"| hmac sigkill | 3148 | 3151 |  |  | 3152 |\n",
		"| plain sigkill | 3148 |  |  | 3153 | 3155 |\n",
		"| hmac nopreempt-back |  |  | - |  |  |\n",
		"| scenario | outage ours ms | outage keepalived-2.4.3 ms | ratio |",
		"| hmac sigkill | 3157 | 3167 | 1.00 | 3151 | 3152 | 1.00 | 3 |\n",
	} {
		if !strings.Contains(part, want) {
			t.Errorf("keepalived 2.4.3 section lacks %q:\n%s", want, part)
		}
	}
	// By scenario, then auth_hmac before plain: not in the results' order.
	if i, j, k := strings.Index(part, "| hmac sigkill | ours+ours"), strings.Index(part, "| plain sigkill | keepalived-2.4.3+ours"),
		strings.Index(part, "| hmac nopreempt-back | ours+keepalived-2.4.3"); !(i >= 0 && i < j && j < k) {
		t.Errorf("rows out of order (hmac sigkill %d, plain sigkill %d, hmac nopreempt-back %d):\n%s", i, j, k, part)
	}
	if !strings.Contains(main, "| sigkill | 3170 | 3171 | 1.00 | 3150 | 3152 | 1.00 | 2 |\n") {
		t.Errorf("keepalived 2.2.7 ratio row missing:\n%s", main)
	}
	if s := renderBench(rows[:2], nil); strings.Contains(s, "2.4.3") {
		t.Errorf("a keepalived 2.4.3 section without its rows:\n%s", s)
	}
	old := "# old render\n\n" + handMarker + "\n\n## By hand\n\nkept\n"
	if got := keepHandWritten(old, "# new\n"); got != "# new\n\n"+handMarker+"\n\n## By hand\n\nkept\n" {
		t.Errorf("keepHandWritten = %q", got)
	}
	if got := keepHandWritten("# old, nothing by hand\n", "# new\n"); got != "# new\n" {
		t.Errorf("keepHandWritten without a marker = %q", got)
	}
}
