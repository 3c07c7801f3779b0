package e2e

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestSoak: 5% packet loss on every bridge port (tc netem, both directions
// of every host's link) for 120 s at advert_int 1. Three adverts in a row
// must be lost for a backup to take over, so neither ours nor keepalived
// may fail over spuriously. Behind KAGO_SOAK=1 (make soak);
// KGE_SOAK_SECONDS shortens it.
func TestSoak(t *testing.T) {
	needRoot(t)
	if os.Getenv("KAGO_SOAK") != "1" {
		t.Skip("e2e: set KAGO_SOAK=1 (make soak)")
	}
	secs := 120
	if s, err := strconv.Atoi(os.Getenv("KGE_SOAK_SECONDS")); err == nil && s > 0 {
		secs = s
	}
	for _, c := range allCombos {
		t.Run("loss5/"+c.String(), func(t *testing.T) {
			p := startPair(t, c.M, c.B, pairOpts{})
			l := p.L
			for _, h := range []*Host{p.M, p.B, l.Host("c1")} {
				for _, port := range h.Ports {
					// netem on the switch side of the port: what the host receives.
					l.must("ip", "netns", "exec", l.Switch, "tc", "qdisc", "add", "dev", port, "root", "netem", "loss", "5%")
				}
				// and on the host side: what it sends.
				l.must("ip", "netns", "exec", h.NS, "tc", "qdisc", "add", "dev", h.Iface(), "root", "netem", "loss", "5%")
			}
			start := time.Now()
			spurious := ""
			for time.Since(start) < time.Duration(secs)*time.Second {
				time.Sleep(time.Second)
				if h := holders(l, lanVIP, "lb1", "lb2"); len(h) != 1 || h[0] != "lb1" {
					spurious = fmt.Sprintf("VIP held by %v at +%v", h, time.Since(start).Round(time.Second))
					break
				}
			}
			adv := l.Wire.Packets(start, AdvertFrom("lb1", 51))
			backup := l.Wire.Packets(start, AdvertFrom("lb2", 51))
			o := p.Prober.Longest(start)
			m := Measure{Scenario: fmt.Sprintf("5%% loss, %d s", secs), Impls: c.String(), Event: start, Outage: o, NewMaster: "lb1",
				Note: fmt.Sprintf("%d master adverts seen leaving lb1 (of ~%d sent); backup adverts: %d; longest advert interval %v",
					len(adv), secs, len(backup), advertGap(adv).Round(time.Millisecond))}
			report(t, m)
			if spurious != "" {
				t.Errorf("spurious failover under 5%% loss: %s", spurious)
			}
			if len(backup) > 0 {
				t.Errorf("spurious failover under 5%% loss: the backup sent %d adverts, first %v", len(backup), backup[0])
			}
		})
	}
}
