package e2e

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestVIPConflictVMAC: TestVIPConflict's split brain (nftables in the
// switch drops IP protocol 112 between lb1 and lb2) with use_vmac on both
// of ours: both masters answer for the VIP from the same virtual MAC
// 00:00:5e:00:01:33, so each sees the other only as its own MAC sent by
// another host (netif's Twin). Both must report the conflict. The second
// claim that confirms it comes with the other's next probe or GARP burst
// (every 5 s), so this takes up to two probe intervals, not one.
func TestVIPConflictVMAC(t *testing.T) {
	needOurs(t)
	l := newLAN(t, 2)
	o := pairOpts{}
	vmacConf := func(c string) string {
		c = strings.Replace(c, "    interface eth0\n", "    interface eth0\n    use_vmac\n", 1)
		// The VIP on the VMAC (a "dev eth0" would put it on eth0, answered
		// from eth0's own MAC).
		return strings.Replace(c, fmt.Sprintf("%s dev eth0", lbVIPPrefix()), lbVIPPrefix(), 1)
	}
	m, b := l.Host("lb1"), l.Host("lb2")
	m.WriteConf(vmacConf(Conf("lb1", o.instance(l, 1, true))))
	b.WriteConf(vmacConf(Conf("lb2", o.instance(l, 2, false))))
	m.StartDaemon(Ours)
	waitVIP(t, m, lanVIP, 8*time.Second)
	b.StartDaemon(Ours)
	time.Sleep(1500 * time.Millisecond)
	if b.HasAddr(lanVIP) {
		t.Fatalf("lb2 holds the VIP beside a live master")
	}
	if out, err := m.Run("ip", "-o", "link", "show", "vrrp.51"); err != nil || !strings.Contains(out, "00:00:5e:00:01:33") {
		t.Fatalf("lb1 has no VMAC vrrp.51 with 00:00:5e:00:01:33: %v\n%s", err, out)
	}
	rules := "table bridge kgc {\n chain vrrp {\n  type filter hook forward priority 0; policy accept;\n  ether type ip ip protocol 112 counter drop\n }\n}\n"
	cmd := exec.Command("ip", "netns", "exec", l.Switch, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(rules)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft (package nftables): %v\n%s", err, out)
	}
	waitVIP(t, b, lanVIP, 8*time.Second)
	both := time.Now()
	if !m.HasAddr(lanVIP) {
		t.Fatalf("lb1 lost the VIP: not a split brain")
	}
	line := fmt.Sprintf("VIP conflict: %s on vrrp.51 is also answered by 00:00:5e:00:01:33 (our own MAC, sent by another host", lanVIP)
	seen := map[*Host]time.Duration{}
	for deadline := both.Add(25 * time.Second); len(seen) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for _, h := range []*Host{m, b} {
			if _, ok := seen[h]; !ok && strings.Contains(h.Daemon().LogText(), line) {
				seen[h] = time.Since(both)
			}
		}
	}
	for _, h := range []*Host{m, b} {
		delay, ok := seen[h]
		if !ok {
			t.Errorf("%s did not report the use_vmac conflict within 25 s of both being master:\n%s", h.Name, h.Daemon().LogText())
			continue
		}
		t.Logf("conflict-delay %s %v", h.Name, delay.Round(10*time.Millisecond))
		for _, ln := range strings.Split(h.Daemon().LogText(), "\n") {
			if strings.Contains(ln, "VIP conflict") || strings.Contains(ln, "Entering") {
				t.Logf("%s: %s", h.Name, ln)
			}
		}
		if !h.HasAddr(lanVIP) {
			t.Errorf("%s dropped the VIP without a conflict policy", h.Name)
		}
	}
}

// lbVIPPrefix is the VIP as the generic configurations write it.
func lbVIPPrefix() string { return fmt.Sprintf("%s/24", lanVIP) }
