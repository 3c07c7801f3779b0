package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// TestSoak: 5% packet loss on the LAN for 120 s at advert_int 1: an
// nftables rule in the switch namespace's bridge forward hook drops each
// frame the bridge forwards with probability 5% (numgen random; this
// kernel has no sch_netem). Three adverts in a row
// must be lost for a backup to take over, so neither ours nor keepalived
// may fail over spuriously. Behind KAGO_SOAK=1 (make soak);
// KGE_SOAK_SECONDS shortens it.
func TestSoak(t *testing.T) {
	testenv.NeedRoot(t)
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
			rules := "table bridge kge {\n chain loss {\n  type filter hook forward priority 0; policy accept;\n  numgen random mod 100 < 5 counter drop\n }\n}\n"
			cmd := exec.Command("ip", "netns", "exec", l.Switch, "nft", "-f", "-")
			cmd.Stdin = strings.NewReader(rules)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nft (package nftables): %v\n%s", err, out)
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
			counters, _ := exec.Command("ip", "netns", "exec", l.Switch, "nft", "list", "chain", "bridge", "kge", "loss").Output()
			dropped := regexp.MustCompile(`packets (\d+)`).FindStringSubmatch(string(counters))
			adv := l.Wire.Packets(start, AdvertFrom("lb1", 51))
			backup := l.Wire.Packets(start, AdvertFrom("lb2", 51))
			o := p.Prober.Longest(start)
			m := Measure{Scenario: fmt.Sprintf("5%% loss, %d s", secs), Impls: c.String(), Event: start, Outage: o, NewMaster: "lb1",
				Note: fmt.Sprintf("%s frames dropped by the bridge; backup adverts: %d; lb1 adverts: %d",
					strings.Join(dropped[1:], ""), len(backup), len(adv))}
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
