package daemon

import (
	"strings"
	"testing"
	"time"
)

// pair runs two daemons on one virtual clock, each advert one sends
// delivered to the other at once (one segment, no loss).
type pair struct {
	a, b *harness
}

func newPair(t *testing.T, a, b *harness) *pair {
	a.host.wire, b.host.wire = true, true
	b.t0, b.now = a.t0, a.now
	return &pair{a: a, b: b}
}

// deliver carries queued adverts across until none is left.
func (p *pair) deliver() {
	for i := 0; i < 1000; i++ {
		moved := false
		for _, x := range [][2]*harness{{p.a, p.b}, {p.b, p.a}} {
			from, to := x[0], x[1]
			from.host.mu.Lock()
			out := from.host.out
			from.host.out = nil
			from.host.mu.Unlock()
			for _, pkt := range out {
				moved = true
				if len(to.d.insts) > 0 && to.d.insts[0].conn != nil {
					to.d.onPacket(to.now, rxPacket{conn: to.d.insts[0].conn, pkt: pkt})
				}
			}
		}
		if !moved {
			return
		}
	}
}

// advance moves both clocks, firing timers in time order.
func (p *pair) advance(dt time.Duration) {
	end := p.a.now.Add(dt)
	for i := 0; i < 100000; i++ {
		p.deliver()
		na, oka := p.a.d.nextDeadline()
		nb, okb := p.b.d.nextDeadline()
		var h *harness
		var next time.Time
		switch {
		case oka && (!okb || !nb.Before(na)):
			h, next = p.a, na
		case okb:
			h, next = p.b, nb
		}
		if h == nil || next.After(end) {
			break
		}
		if next.After(p.a.now) {
			p.a.now, p.b.now = next, next
		}
		h.d.onTimer(h.now)
	}
	p.a.now, p.b.now = end, end
	p.deliver()
}

// TestPairElectionAndGracefulHandover: two daemons elect the higher
// priority; when it stops (SIGTERM) the other takes over after its skew
// time (0.609375 s for priority 100, reference 6.4), not the full
// master-down interval.
func TestPairElectionAndGracefulHandover(t *testing.T) {
	a := newHarness(t, configOf(vi("VI_1", 51, "eth0", 150, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	b := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.2/24"))
	p := newPair(t, a, b)
	a.start()
	b.start()
	p.advance(10 * time.Second)
	if !a.host.has("10.0.0.100/24", "eth0") || b.host.has("10.0.0.100/24", "eth0") {
		t.Fatalf("after election: a has VIP %v, b has VIP %v", a.host.has("10.0.0.100/24", "eth0"), b.host.has("10.0.0.100/24", "eth0"))
	}
	b.host.take()
	a.d.shutdown(a.now)
	p.deliver()
	p.advance(609374 * time.Microsecond)
	if b.host.has("10.0.0.100/24", "eth0") {
		t.Fatal("b took over before its skew time")
	}
	p.advance(time.Microsecond)
	if !b.host.has("10.0.0.100/24", "eth0") {
		t.Fatalf("b did not take over within its skew time:\n%s", join(b.host.take()))
	}
	if a.host.has("10.0.0.100/24", "eth0") {
		t.Error("VIP on both hosts")
	}
	if logs := join(b.takeLogs()); !strings.Contains(logs, "+10.609375s (VI_1) Entering MASTER STATE") {
		t.Errorf("b's logs:\n%s", logs)
	}
}

// TestPairReloadKeepsBackupQuiet: reloading the master with an unchanged
// configuration never lets the backup take over.
func TestPairReloadKeepsBackupQuiet(t *testing.T) {
	cfgA := configOf(vi("VI_1", 51, "eth0", 150, "10.0.0.100/24"))
	a := newHarness(t, cfgA, eth("eth0", true, "10.0.0.1/24"))
	b := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.2/24"))
	p := newPair(t, a, b)
	a.start()
	b.start()
	p.advance(10 * time.Second)
	b.notify.take()
	for i := 0; i < 5; i++ {
		if err := a.d.applyReload(a.now, configOf(vi("VI_1", 51, "eth0", 150, "10.0.0.100/24"))); err != nil {
			t.Fatal(err)
		}
		p.advance(700 * time.Millisecond)
	}
	p.advance(5 * time.Second)
	if n := b.notify.take(); len(n) != 0 {
		t.Errorf("backup changed state during the master's reloads: %v", n)
	}
	if b.host.has("10.0.0.100/24", "eth0") {
		t.Error("backup took the VIP")
	}
}
