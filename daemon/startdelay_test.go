package daemon

import (
	"strings"
	"testing"
	"time"
)

// TestStartupDelayStaysBackupBesideRunningMaster: a node with a higher
// priority (and preempt) that boots beside a running master, with
// vrrp_startup_delay 5, sends no advert at all for the delay: it discards
// the master's adverts and its down timer counts from the end of the delay
// (keepalived's vrrp_delayed_start_time). Without the delay it would
// preempt after its down timer (3.4 s), so this fails if the keyword does
// nothing. After the delay it does take over, at delay + down timer.
func TestStartupDelayStaysBackupBesideRunningMaster(t *testing.T) {
	for _, tc := range []struct {
		name     string
		delay    time.Duration
		firstAdv time.Duration // b's first advert after it started
	}{
		{"no delay", 0, 3414062 * time.Microsecond},
		{"vrrp_startup_delay 5", 5 * time.Second, 8414062 * time.Microsecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
			cfgB := configOf(vi("VI_1", 51, "eth0", 150, "10.0.0.100/24"))
			cfgB.Global.StartupDelay = tc.delay
			b := newHarness(t, cfgB, eth("eth0", true, "10.0.0.2/24"))
			p := newPair(t, a, b)
			a.start()
			p.advance(10 * time.Second)
			if !a.host.has("10.0.0.100/24", "eth0") {
				t.Fatal("a is not master after 10 s alone")
			}
			b.now = a.now
			b.start()
			b.host.take()
			p.advance(tc.firstAdv - time.Microsecond)
			if got := b.host.take(); len(got) != 0 {
				t.Fatalf("b acted before %v:\n%s", tc.firstAdv, join(got))
			}
			if st := b.d.insts[0].state.String(); st != "BACKUP" {
				t.Fatalf("b is %s during the delay, want BACKUP", st)
			}
			p.advance(time.Microsecond)
			if got := join(b.host.take()); !strings.Contains(got, "prio 150") {
				t.Fatalf("b sent no advert at %v:\n%s", tc.firstAdv, got)
			}
			logs := join(b.takeLogs())
			if tc.delay > 0 {
				for _, want := range []string{"+10s Delaying startup for 5 seconds", "+15s Delayed start completed"} {
					if !strings.Contains(logs, want) {
						t.Errorf("b's logs lack %q:\n%s", want, logs)
					}
				}
			} else if strings.Contains(logs, "Delaying startup") {
				t.Errorf("b delayed without vrrp_startup_delay:\n%s", logs)
			}
		})
	}
}
