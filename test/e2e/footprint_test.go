package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// footprint is the resources one daemon run used.
type footprint struct {
	Impl       Impl
	Instances  int
	Role       string
	Procs      int
	RSSKiB     int64
	CPUPercent float64
}

// footprintConf renders n instances over ifaces interfaces (n/ifaces
// VRIDs each), all state MASTER, advert_int 1, one /32 VIP each.
func footprintConf(n, ifaces int) string {
	var insts []Instance
	per := (n + ifaces - 1) / ifaces
	for i := 0; i < ifaces && len(insts) < n; i++ {
		for v := 1; v <= per && len(insts) < n; v++ {
			vip := netip.AddrFrom4([4]byte{10, byte(100 + i), byte(v / 250), byte(1 + v%250)})
			insts = append(insts, Instance{Name: fmt.Sprintf("VI_%d_%d", i, v), State: "MASTER", Iface: fmt.Sprintf("eth%d", i),
				VRID: v, Prio: 100, AdvertInt: "1", VIPs: []netip.Prefix{netip.PrefixFrom(vip, 32)}})
		}
	}
	return Conf("fp", insts...)
}

// runFootprints measures keepalived and ours, idle with 1 and with 1,000
// instances, one node alone (master of everything), for 60 s each
// (KGE_FOOTPRINT_SECONDS overrides).
func runFootprints(t *testing.T) []footprint {
	secs := 60
	if s, err := strconv.Atoi(os.Getenv("KGE_FOOTPRINT_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	var out []footprint
	for _, n := range []int{1, 1000} {
		for _, impl := range []Impl{Keepalived, Ours} {
			t.Run(fmt.Sprintf("%s-%d", impl, n), func(t *testing.T) {
				if impl == Ours {
					needOurs(t)
				}
				f := measureFootprint(t, impl, n, time.Duration(secs)*time.Second)
				t.Logf("%s, %d instances: %d processes, RSS %.1f MB, CPU %.2f%%", impl, n, f.Procs, float64(f.RSSKiB)/1024, f.CPUPercent)
				out = append(out, f)
				if path := os.Getenv("KGE_RESULTS"); path != "" {
					if fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
						fmt.Fprintf(fh, "#footprint\t%s\t%d\t%d\t%d\t%.3f\t%d\n", f.Impl, f.Instances, f.Procs, f.RSSKiB, f.CPUPercent, secs)
						fh.Close()
					}
				}
			})
		}
	}
	return out
}

func measureFootprint(t *testing.T, impl Impl, n int, window time.Duration) footprint {
	testenv.NeedRoot(t)
	var ifs []IfaceSpec
	for i := 0; i < 4; i++ {
		ifs = append(ifs, IfaceSpec{Name: fmt.Sprintf("eth%d", i), Addrs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, byte(i), 11}), 24)}})
	}
	l := New(t, tools, HostSpec{Name: "lb1", Ifaces: ifs})
	h := l.Host("lb1")
	h.WriteConf(footprintConf(n, 4))
	d := h.StartDaemon(impl)
	// Wait until it holds every VIP (master of all instances).
	deadline := time.Now().Add(120 * time.Second)
	started := time.Now()
	for {
		if c := countAddrs(h); c >= n {
			t.Logf("%s: all %d VIPs up %v after start", impl, n, time.Since(started).Round(100*time.Millisecond))
			break
		}
		if d.Exited() {
			t.Fatalf("%s exited: %v", impl, d.ExitErr())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: only %d of %d VIPs up after 120 s", impl, countAddrs(h), n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	procs := h.ProcsNamed("keepalived")
	if len(procs) == 0 {
		t.Fatalf("%s: no keepalived process on the host", impl)
	}
	cpu0 := cpuTicks(procs)
	t0 := time.Now()
	time.Sleep(window)
	cpu1 := cpuTicks(procs)
	el := time.Since(t0)
	var rss int64
	for _, p := range h.ProcsNamed("keepalived") {
		rss += vmRSS(p.PID)
	}
	const hz = 100 // USER_HZ on Linux
	return footprint{Impl: impl, Instances: n, Role: "master of all", Procs: len(procs), RSSKiB: rss,
		CPUPercent: float64(cpu1-cpu0) / hz / el.Seconds() * 100}
}

func countAddrs(h *Host) int {
	b, err := exec.Command("ip", "-n", h.NS, "-o", "-4", "addr", "show").Output()
	if err != nil {
		return 0
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, " 10.1") && strings.Contains(l, "/32") {
			n++
		}
	}
	return n
}

func cpuTicks(ps []Proc) int64 {
	var sum int64
	for _, p := range ps {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.PID))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		// fields after comm: state(0) ppid(1) ... utime(11) stime(12)
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		sum += u + st
	}
	return sum
}

func vmRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return 0
}
