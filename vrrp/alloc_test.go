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

// TestMasterAdvertStepAllocatesNothing: a master's advert costs no
// allocation, for multicast and for unicast to several peers (the
// daemon's steady state at 1,000 instances), and each Step sends the
// adverts it should.
func TestMasterAdvertStepAllocatesNothing(t *testing.T) {
	uni := baseCfg()
	uni.UnicastPeers = []netip.Addr{peer, netip.MustParseAddr("10.0.0.3")}
	ah, ahUni := ahCfg(100, self), ahCfg(100, self)
	ahUni.UnicastPeers = uni.UnicastPeers
	for name, c := range map[string]Config{"multicast": baseCfg(), "unicast": uni, "AH multicast": ah, "AH unicast": ahUni} {
		in, next := masterAt(t, c)
		sends := 0
		allocs := testing.AllocsPerRun(100, func() {
			for _, a := range in.Step(next, nil) {
				if _, ok := a.(*SendAdvert); ok {
					sends++
				}
			}
			next = next.Add(time.Second)
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per advert Step, want 0", name, allocs)
		}
		if want := 101 * max(len(c.UnicastPeers), 1); sends != want {
			t.Errorf("%s: %d adverts in 101 Steps, want %d", name, sends, want)
		}
	}
}

// TestBackupReceiveAllocatesNothing: a backup checking and accepting its
// master's advert (received by pointer, as the daemon hands it over)
// allocates nothing, and the advert does restart its down timer.
func TestBackupReceiveAllocatesNothing(t *testing.T) {
	c := baseCfg()
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	r := rx(c, 200, peer)
	now := t0
	allocs := testing.AllocsPerRun(100, func() {
		now = now.Add(time.Second)
		if acts := in.Step(now, &r); len(acts) != 0 {
			t.Fatalf("actions %q, want none", describe(acts))
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per received advert, want 0", allocs)
	}
	if in.State() != StateBackup || in.Stats().AdvertRcvd != 101 {
		t.Errorf("state %v, %d adverts counted: want BACKUP, 101", in.State(), in.Stats().AdvertRcvd)
	}
	if d, _ := in.NextDeadline(); d != now.Add(in.downTimer()) {
		t.Errorf("deadline %v after the last advert, want %v", d.Sub(now), in.downTimer())
	}
}

// TestAHBackupReceiveAllocatesNothing: checking an AH advert (ICV, SPI,
// sequence number) allocates nothing either; each advert is a new one of
// a running master, so none is a replay.
func TestAHBackupReceiveAllocatesNothing(t *testing.T) {
	m, next := masterAt(t, ahCfg(200, peer))
	in := mustInstance(t, ahCfg(100, self))
	in.Step(t0, Startup{})
	var rs []Received
	for i := 0; i < 102; i++ {
		rs = append(rs, ahSends(t, m, m.Step(next, nil))...)
		next = next.Add(time.Second)
	}
	now, i := t0, 0
	allocs := testing.AllocsPerRun(100, func() {
		now = now.Add(time.Second)
		if acts := in.Step(now, &rs[i]); len(acts) != 0 {
			t.Fatalf("actions %q, want none", describe(acts))
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per received AH advert, want 0", allocs)
	}
	if st := in.Stats(); in.State() != StateBackup || st.AdvertRcvd != 101 || st.AuthFailure != 0 {
		t.Errorf("state %v, stats %+v: want BACKUP, 101 received, no auth failure", in.State(), st)
	}
}

// TestSyncGroupMemberReceiveAllocatesNothing: the same for a backup
// member of a sync group, stepped through its group.
func TestSyncGroupMemberReceiveAllocatesNothing(t *testing.T) {
	c1, c2 := baseCfg(), baseCfg()
	c2.Name, c2.VRID = "VI_2", 52
	m1, m2 := mustInstance(t, c1), mustInstance(t, c2)
	g := NewSyncGroup("G", []*Instance{m1, m2})
	g.StepSeq(t0, "VI_1", Startup{})
	g.StepSeq(t0, "VI_2", Startup{})
	r1, r2 := rx(c1, 200, peer), rx(c2, 200, peer)
	now := t0
	allocs := testing.AllocsPerRun(100, func() {
		now = now.Add(time.Second)
		g.StepSeq(now, "VI_1", &r1)
		if acts := g.StepSeq(now, "VI_2", &r2); len(acts) != 0 {
			t.Fatalf("%d actions, want none", len(acts))
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per pair of received adverts, want 0", allocs)
	}
	if m1.State() != StateBackup || m2.Stats().AdvertRcvd != 101 {
		t.Errorf("states %v %v, %d adverts: want BACKUP and 101", m1.State(), m2.State(), m2.Stats().AdvertRcvd)
	}
}

// TestStepReusesItsMemory is the contract of Step: the actions it returns
// are valid until the next Step, which reuses their memory; a caller that
// keeps a packet copies it, and its copy is what was sent.
func TestStepReusesItsMemory(t *testing.T) {
	c := baseCfg()
	c.UnicastPeers = []netip.Addr{peer, netip.MustParseAddr("10.0.0.3")}
	in, next := masterAt(t, c)
	first := in.Step(next, nil)
	var kept [][]byte
	for _, a := range first {
		kept = append(kept, bytes.Clone(a.(*SendAdvert).Packet))
	}
	if len(kept) != 2 {
		t.Fatalf("%d adverts, want one per peer", len(kept))
	}
	in.Step(next.Add(time.Second/2), Priority{Effective: 50})
	second := in.Step(next.Add(time.Second), nil)
	var adv *SendAdvert
	for _, a := range second {
		if s, ok := a.(*SendAdvert); ok {
			adv = s
			break
		}
	}
	if adv == nil || adv.Priority != 50 || adv.Packet[2] != 50 {
		t.Fatalf("second Step's advert %+v, want priority 50", adv)
	}
	if &second[0] != &first[0] {
		t.Error("the second Step's action list is not the first one's memory")
	}
	if kept[0][2] != 100 {
		t.Errorf("the copy of the first advert has priority %d, want 100", kept[0][2])
	}
}

// TestPeekVRID reads the VRID and version of a raw packet, and refuses
// what cannot name one.
func TestPeekVRID(t *testing.T) {
	p := pkt(baseCfg(), 100, peer, MulticastGroup4)
	if vrid, ver, ok := PeekVRID(p); !ok || vrid != 51 || ver != 2 {
		t.Errorf("PeekVRID = %d, %d, %v; want 51, 2, true", vrid, ver, ok)
	}
	for _, b := range [][]byte{nil, {0x21}} {
		if _, _, ok := PeekVRID(b); ok {
			t.Errorf("PeekVRID(% x) ok, want false", b)
		}
	}
}
