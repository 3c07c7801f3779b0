package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestVIPConflict: an nftables rule in the switch drops IP protocol 112
// between lb1 and lb2 (everything else, ARP included, still crosses), so
// both become MASTER of the same VIP. Both of our daemons must report the
// conflict (issue 15: within 5 s of the second master; asserted with a
// generous timeout, the delay measured and logged as "conflict-delay").
// keepalived 2.2.7 in the same scenario reports nothing: its run is behind
// KAGO_BENCH_HA=1 (make bench-ha) or KGE_CONFLICT_KK=1, to keep the default
// tier short, and asserts that its log has no such line.
func TestVIPConflict(t *testing.T) {
	combos := []combo{oo}
	if os.Getenv("KAGO_BENCH_HA") == "1" || os.Getenv("KGE_CONFLICT_KK") == "1" {
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
