package e2e

import (
	"testing"
	"time"
)

// The pairs every failover scenario runs with: two of ours, and mixed pairs
// with ours in each role. keepalived+keepalived is the baseline.
var failoverPairs = []struct{ master, backup Impl }{
	{Ours, Ours},
	{Ours, Keepalived},
	{Keepalived, Ours},
	{Keepalived, Keepalived},
}

// TestFailoverSIGKILL: the master's daemon dies with SIGKILL (its whole
// process group) and its nginx with it. The backup must take over within
// the master-down interval (3 x advert_int + skew, counted from the last
// advert) and the client be served again right after its gratuitous ARPs.
func TestFailoverSIGKILL(t *testing.T) {
	for _, pp := range failoverPairs {
		t.Run(implsName(pp.master, pp.backup), func(t *testing.T) {
			p := startPair(t, pp.master, pp.backup, pairOpts{})
			m := p.failover("sigkill", p.crashBound(), p.crash)
			report(t, m)
			checkWithin(t, "takeover after SIGKILL", m.Takeover, m.Bound, 150*time.Millisecond)
			checkWithin(t, "client outage after SIGKILL", m.Outage.Dur(), m.Takeover, 400*time.Millisecond)
		})
	}
}

// TestFailoverSIGTERM: the master is stopped gracefully; it sends a
// priority-0 advert and the backup takes over after its skew time.
func TestFailoverSIGTERM(t *testing.T) {
	for _, pp := range failoverPairs {
		t.Run(implsName(pp.master, pp.backup), func(t *testing.T) {
			p := startPair(t, pp.master, pp.backup, pairOpts{})
			m := p.failover("sigterm", p.skew(), func() {
				d := p.M.Daemon()
				d.Signal(15)
				go d.Wait(5 * time.Second)
			})
			report(t, m)
			checkWithin(t, "takeover after SIGTERM", m.Takeover, m.Bound, 150*time.Millisecond)
			checkWithin(t, "client outage after SIGTERM", m.Outage.Dur(), m.Takeover, 400*time.Millisecond)
			if !p.M.Daemon().Wait(5 * time.Second) {
				t.Errorf("master did not exit within 5 s of SIGTERM")
			}
			if p.M.HasAddr(lanVIP) {
				t.Errorf("stopped master still holds the VIP")
			}
		})
	}
}
