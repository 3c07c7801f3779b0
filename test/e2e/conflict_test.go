package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestVIPConflict: an nftables rule in the switch drops IP protocol 112
// between lb1 and lb2 (everything else, ARP included, still crosses), so
// both become MASTER of the same VIP. Both of our daemons must report the
// conflict (issue 15: within 5 s of the second master; asserted with a
// generous timeout, the delay measured and logged as "conflict-delay").
// keepalived 2.2.7 in the same scenario reports nothing: its run is behind
// KAGO_BENCH_HA=1 (make bench-ha) or KGE_CONFLICT_ALL=1, to keep the default
// tier short, and asserts that its log has no such line; so is the policy
// run (TestVIPConflictPolicy).
func TestVIPConflict(t *testing.T) {
	combos := []combo{oo}
	if os.Getenv("KAGO_BENCH_HA") == "1" || os.Getenv("KGE_CONFLICT_ALL") == "1" {
		combos = append(combos, kk)
	}
	for _, c := range combos {
		t.Run(c.String(), func(t *testing.T) {
			p := startPair(t, c.M, c.B, pairOpts{})
			l := p.L
			rules := "table bridge kgc {\n chain vrrp {\n  type filter hook forward priority 0; policy accept;\n  ether type ip ip protocol 112 counter drop\n }\n}\n"
			cmd := exec.Command("ip", "netns", "exec", l.Switch, "nft", "-f", "-")
			cmd.Stdin = strings.NewReader(rules)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nft (package nftables): %v\n%s", err, out)
			}
			cut := time.Now()
			waitVIP(t, p.B, lanVIP, 8*time.Second)
			both := time.Now()
			if !p.M.HasAddr(lanVIP) {
				t.Fatalf("lb1 lost the VIP: not a split brain")
			}
			t.Logf("both master %v after the cut", both.Sub(cut).Round(time.Millisecond))
			line := fmt.Sprintf("VIP conflict: %s on eth0 is also answered by", lanVIP)
			switch c {
			case oo:
				// Both logs are watched together: each host's delay is when
				// its line was first seen (10 ms polling).
				seen := map[*Host]time.Duration{}
				hosts := []*Host{p.M, p.B}
				for deadline := both.Add(15 * time.Second); len(seen) < 2 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
					for _, h := range hosts {
						if _, ok := seen[h]; !ok && strings.Contains(h.Daemon().LogText(), line) {
							seen[h] = time.Since(both)
						}
					}
				}
				for _, h := range hosts {
					log := h.Daemon().LogText()
					delay, ok := seen[h]
					if !ok {
						t.Errorf("%s did not report the conflict within 15 s of both being master:\n%s", h.Name, log)
						continue
					}
					t.Logf("conflict-delay %s %v", h.Name, delay.Round(10*time.Millisecond))
					if delay > 5*time.Second+slack() {
						t.Errorf("%s reported the conflict %v after both were master, want within 5 s", h.Name, delay)
					}
					for _, ln := range strings.Split(log, "\n") {
						if strings.Contains(ln, "VIP conflict") || strings.Contains(ln, "Entering") {
							t.Logf("%s: %s", h.Name, ln)
						}
					}
				}
				// Reported once, still MASTER on both (no policy configured).
				time.Sleep(6 * time.Second)
				for _, h := range []*Host{p.M, p.B} {
					if n := strings.Count(h.Daemon().LogText(), line); n != 1 {
						t.Errorf("%s logged the conflict %d times after more probes, want once", h.Name, n)
					}
					if !h.HasAddr(lanVIP) {
						t.Errorf("%s dropped the VIP without a conflict policy", h.Name)
					}
				}
			case kk:
				time.Sleep(8 * time.Second)
				bad := regexp.MustCompile(`(?i)conflict|duplicate|another host`)
				for _, h := range []*Host{p.M, p.B} {
					log := h.Daemon().LogText()
					if m := bad.FindString(log); m != "" {
						t.Errorf("keepalived on %s logged %q: expected nothing", h.Name, m)
					}
					for _, ln := range strings.Split(strings.TrimSpace(log), "\n") {
						t.Logf("keepalived %s: %s", h.Name, ln)
					}
				}
			}
		})
	}
}

// TestVIPConflictPolicy: the same split brain with
// keepalived_go_conflict_policy lower-mac-yields on both of ours (set by a
// reload): exactly one node yields (FAULT for the hold), and the VIP ends
// on exactly one host. Behind KGE_CONFLICT_ALL=1 or KAGO_BENCH_HA=1.
func TestVIPConflictPolicy(t *testing.T) {
	if os.Getenv("KAGO_BENCH_HA") != "1" && os.Getenv("KGE_CONFLICT_ALL") != "1" {
		t.Skip("e2e: set KGE_CONFLICT_ALL=1")
	}
	p := startPair(t, Ours, Ours, pairOpts{})
	l := p.L
	for i, h := range []*Host{p.M, p.B} {
		conf := Conf(h.Name, p.Opts.instance(l, i+1, i == 0))
		conf = strings.Replace(conf, "global_defs {\n", "global_defs {\n    keepalived_go_conflict_policy lower-mac-yields\n    keepalived_go_conflict_hold 20\n", 1)
		h.WriteConf(conf)
		h.Daemon().Signal(syscall.SIGHUP)
	}
	for _, h := range []*Host{p.M, p.B} {
		if !h.Daemon().WaitLog("Reload finished", 5*time.Second) {
			t.Fatalf("%s: no reload", h.Name)
		}
	}
	rules := "table bridge kgc {\n chain vrrp {\n  type filter hook forward priority 0; policy accept;\n  ether type ip ip protocol 112 counter drop\n }\n}\n"
	cmd := exec.Command("ip", "netns", "exec", l.Switch, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft (package nftables): %v\n%s", err, out)
	}
	waitVIP(t, p.B, lanVIP, 8*time.Second)
	both := time.Now()
	const yielded = "(keepalived_go_conflict_policy lower-mac-yields) - entering FAULT for 20s"
	var yielder, keeper *Host
	for deadline := both.Add(10 * time.Second); yielder == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for i, h := range []*Host{p.M, p.B} {
			if strings.Contains(h.Daemon().LogText(), yielded) {
				yielder, keeper = h, []*Host{p.B, p.M}[i]
			}
		}
	}
	if yielder == nil {
		t.Fatalf("nobody yielded within 10 s:\nlb1:\n%s\nlb2:\n%s", p.M.Daemon().LogText(), p.B.Daemon().LogText())
	}
	t.Logf("%s yielded %v after both were master", yielder.Name, time.Since(both).Round(10*time.Millisecond))
	time.Sleep(3 * time.Second)
	if h := holders(l, lanVIP, "lb1", "lb2"); len(h) != 1 || h[0] != keeper.Name {
		t.Errorf("VIP held by %v, want [%s]", h, keeper.Name)
	}
	if strings.Contains(keeper.Daemon().LogText(), yielded) {
		t.Errorf("both yielded")
	}
}
