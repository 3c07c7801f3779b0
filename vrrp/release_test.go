package vrrp

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

// masterAt brings an instance of c to MASTER and past its delayed
// gratuitous ARPs, returning it and the time of its next advert.
func masterAt(t *testing.T, c Config) (*Instance, time.Time) {
	t.Helper()
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	now := t0
	for i := 0; i < 100 && !(in.State() == StateMaster && in.Settled()); i++ {
		d, ok := in.NextDeadline()
		if !ok {
			t.Fatal("no deadline")
		}
		now = d
		in.Step(now, nil)
	}
	if in.State() != StateMaster || !in.Settled() {
		t.Fatalf("state %v, settled %v: want a settled MASTER", in.State(), in.Settled())
	}
	d, _ := in.NextDeadline()
	return in, d
}

// TestReleasedStepAllocatesNothing: a master's advert costs no allocation
// once its caller gives the actions back, for multicast and for unicast to
// several peers (the daemon's steady state at 1,000 instances).
func TestReleasedStepAllocatesNothing(t *testing.T) {
	uni := baseCfg()
	uni.UnicastPeers = []netip.Addr{peer, netip.MustParseAddr("10.0.0.3")}
	for name, c := range map[string]Config{"multicast": baseCfg(), "unicast": uni} {
		in, next := masterAt(t, c)
		sends := 0
		allocs := testing.AllocsPerRun(100, func() {
			for _, a := range in.Step(next, nil) {
				if _, ok := a.(*SendAdvert); ok {
					sends++
				}
			}
			in.Release()
			next = next.Add(time.Second)
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per advert Step, want 0", name, allocs)
		}
		if want := 101 * (1 + len(c.UnicastPeers) - min(len(c.UnicastPeers), 1)); sends != want {
			t.Errorf("%s: %d adverts in 101 Steps, want %d", name, sends, want)
		}
	}
}

// TestUnreleasedStepKeepsItsPackets: actions the caller keeps (no
// Release) are never overwritten by later Steps, and Release after a
// nested Step does not hand back buffers still in use.
func TestUnreleasedStepKeepsItsPackets(t *testing.T) {
	c := baseCfg()
	c.UnicastPeers = []netip.Addr{peer, netip.MustParseAddr("10.0.0.3")}
	in, next := masterAt(t, c)
	first := in.Step(next, nil)
	var kept [][]byte
	var dsts []netip.Addr
	for _, a := range first {
		s := a.(*SendAdvert)
		kept = append(kept, bytes.Clone(s.Packet))
		dsts = append(dsts, s.Dst)
	}
	if len(kept) != 2 {
		t.Fatalf("%d adverts, want one per peer", len(kept))
	}
	// Later Steps at another priority, released or not, must leave the
	// first Step's packets and actions as they were.
	in.Step(next.Add(time.Second), Priority{Effective: 50})
	in.Release()
	in.Step(next.Add(2*time.Second), nil)
	in.Release()
	for i, a := range first {
		s := a.(*SendAdvert)
		if !bytes.Equal(s.Packet, kept[i]) || s.Dst != dsts[i] {
			t.Errorf("advert %d of a kept Step changed: % x to %v, was % x to %v", i, s.Packet, s.Dst, kept[i], dsts[i])
		}
	}
}
