package vrrp

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

var (
	t0    = time.Unix(5000, 0)
	self  = netip.MustParseAddr("10.0.0.1")
	peer  = netip.MustParseAddr("10.0.0.2")
	lower = netip.MustParseAddr("10.0.0.0")
	vip   = netip.MustParseAddr("10.0.0.100")
)

func baseCfg() Config {
	return complete(Config{
		Name: "VI_1", VRID: 51, Version: 2, Priority: 100, AdvertInt: time.Second,
		VIPs: []netip.Addr{vip}, Src: self,
		GarpMasterDelay: 5 * time.Second, GarpMasterRepeat: 5, GarpMasterRefreshRepeat: 1,
		GarpLowerPrioDelay: 5 * time.Second, GarpLowerPrioRepeat: 5,
	})
}

func mustInstance(t *testing.T, c Config) *Instance {
	t.Helper()
	in, err := NewInstance(complete(c))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// pkt builds an advert as a peer with cfg c would send it.
func pkt(c Config, prio uint8, src, dst netip.Addr) []byte {
	a := Advert{Version: uint8(c.Version), VRID: c.VRID, Priority: prio, AuthType: c.AuthType,
		AdverInt: c.AdvertInt, IPv6: c.IPv6, Addrs: c.VIPs, AuthData: c.AuthPass}
	return a.AppendEncode(nil, src, dst)
}

func rx(c Config, prio uint8, src netip.Addr) Received {
	p := pkt(c, prio, src, MulticastGroup4)
	return Received{Src: src, Dst: MulticastGroup4, TTL: 255, IPLen: 20 + len(p), Packet: p}
}

// describe renders actions one per line for comparison.
func describe(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		switch a := a.(type) {
		case *SendAdvert:
			rel := ""
			if a.Released {
				rel = " released" // vrrp_restore_interface's (-D "sent 0 priority")
			}
			fmt.Fprintf(&b, "advert prio %d -> %v%s\n", a.Priority, a.Dst, rel)
		case Transition:
			fmt.Fprintf(&b, "%v -> %v (%s)\n", a.From, a.To, a.Reason)
		case AddVIPs:
			b.WriteString("add VIPs\n")
		case DelVIPs:
			b.WriteString("del VIPs\n")
		case Announce:
			fmt.Fprintf(&b, "garp x%d %v\n", a.Repeat, a.Addrs)
		case Log:
			fmt.Fprintf(&b, "log %s\n", a.Msg)
		case NotifyRxLowerPri:
			b.WriteString("notify rx lower pri\n")
		case GroupTransition:
			fmt.Fprintf(&b, "group %s -> %v\n", a.Group, a.To)
		}
	}
	return b.String()
}

// becomeMaster starts an instance alone and runs it until it is master.
func becomeMaster(t *testing.T, in *Instance) (time.Time, []Action) {
	t.Helper()
	in.Step(t0, Startup{})
	d, ok := in.NextDeadline()
	if !ok {
		t.Fatal("no deadline")
	}
	acts := in.Step(d, nil)
	if in.Status().State != StateMaster {
		t.Fatalf("state %v after down timer", in.Status().State)
	}
	return d, acts
}

// TestBecomeMasterOrder: the advert goes first, then the transition, the
// VIPs and the gratuitous ARPs (RFC 5798 section 6.4.1, keepalived
// vrrp_state_master_tx); the second burst comes garp_master_delay later.
func TestBecomeMasterOrder(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, acts := becomeMaster(t, in)
	if want := t0.Add(3609375 * time.Microsecond); !at.Equal(want) {
		t.Errorf("master at %v, want %v", at.Sub(t0), want.Sub(t0))
	}
	want := "log Receive advertisement timeout\nadvert prio 100 -> 224.0.0.18\nBACKUP -> MASTER (master down timer expired)\nadd VIPs\ngarp x5 [10.0.0.100]\n"
	if got := describe(acts); got != want {
		t.Errorf("actions:\n%s\nwant:\n%s", got, want)
	}
	d, _ := in.NextDeadline()
	if d.Sub(at) != time.Second {
		t.Errorf("next deadline after %v", d.Sub(at))
	}
	// Second burst at +5 s, between adverts.
	var garps []time.Duration
	for now := at; now.Before(at.Add(12 * time.Second)); {
		now, _ = in.NextDeadline()
		for _, a := range in.Step(now, nil) {
			if _, ok := a.(Announce); ok {
				garps = append(garps, now.Sub(at))
			}
		}
	}
	if !reflect.DeepEqual(garps, []time.Duration{5 * time.Second}) {
		t.Errorf("delayed garps at %v", garps)
	}
	if st := in.Stats(); st.BecomeMaster != 1 || st.AdvertSent != 13 {
		t.Errorf("stats %+v", st)
	}
}

// TestGarpRefresh: with garp_master_refresh the refresh burst is sent with
// the first advert after the refresh interval has passed (keepalived checks
// it when sending adverts, strictly after).
func TestGarpRefresh(t *testing.T) {
	c := baseCfg()
	c.GarpMasterDelay = 0
	c.GarpMasterRefresh = 3 * time.Second
	c.GarpMasterRefreshRepeat = 2
	in := mustInstance(t, c)
	at, _ := becomeMaster(t, in)
	var got []string
	for now := at; now.Before(at.Add(10 * time.Second)); {
		now, _ = in.NextDeadline()
		for _, a := range in.Step(now, nil) {
			if g, ok := a.(Announce); ok {
				got = append(got, fmt.Sprintf("%v x%d", now.Sub(at), g.Repeat))
			}
		}
	}
	if want := []string{"4s x2", "8s x2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("refresh bursts %v, want %v", got, want)
	}
}

// TestMasterLowerPriorityAdvert: a master hearing a lower priority answers
// at once with an advert, gratuitous ARPs now and again after
// garp_lower_prio_delay, and notify_master_rx_lower_pri (reference 6.5).
func TestMasterLowerPriorityAdvert(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, _ := becomeMaster(t, in)
	now := at.Add(300 * time.Millisecond)
	acts := in.Step(now, rx(baseCfg(), 90, peer))
	want := "log Received advert from 10.0.0.2 with lower priority 90, ours 100, forcing new election\n" +
		"advert prio 100 -> 224.0.0.18\ngarp x5 [10.0.0.100]\nnotify rx lower pri\n"
	if got := describe(acts); got != want {
		t.Errorf("actions:\n%s\nwant:\n%s", got, want)
	}
	// The advert timer restarts from the received advert.
	if d, _ := in.NextDeadline(); !d.Equal(now.Add(time.Second)) {
		t.Errorf("next deadline %v after the advert", d.Sub(now))
	}
	// lower_prio_no_advert: no answer, and the timer is left alone.
	c := baseCfg()
	c.LowerPrioNoAdvert = true
	c.GarpLowerPrioRepeat = 0
	in2 := mustInstance(t, c)
	at2, _ := becomeMaster(t, in2)
	acts = in2.Step(at2.Add(300*time.Millisecond), rx(c, 90, peer))
	want = "log Received advert from 10.0.0.2 with lower priority 90, ours 100\nnotify rx lower pri\n"
	if got := describe(acts); got != want {
		t.Errorf("lower_prio_no_advert actions:\n%s\nwant:\n%s", got, want)
	}
	if d, _ := in2.NextDeadline(); !d.Equal(at2.Add(time.Second)) {
		t.Errorf("advert timer moved to %v", d.Sub(at2))
	}
}

// TestMasterTieBreak: in MASTER an equal-priority advert from a higher
// address wins, from a lower one loses (RFC 3768 section 6.4.3); in BACKUP
// equal priority is simply accepted (reference 6.5).
func TestMasterTieBreak(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, _ := becomeMaster(t, in)
	acts := in.Step(at.Add(time.Millisecond), rx(baseCfg(), 100, lower))
	if in.Status().State != StateMaster || !strings.Contains(describe(acts), "lower priority 100, ours 100") {
		t.Errorf("lower address: %v\n%s", in.Status().State, describe(acts))
	}
	acts = in.Step(at.Add(2*time.Millisecond), rx(baseCfg(), 100, peer))
	want := "log Master received advert from 10.0.0.2 with same priority 100 but higher IP address than ours\n" +
		"MASTER -> BACKUP (equal priority advert from higher address)\ndel VIPs\n"
	if got := describe(acts); got != want {
		t.Errorf("higher address:\n%s\nwant:\n%s", got, want)
	}
	// BACKUP accepts the equal advert from the lower address and restarts
	// its down timer.
	now := at.Add(time.Second)
	in.Step(now, rx(baseCfg(), 100, lower))
	if d, _ := in.NextDeadline(); !d.Equal(now.Add(3609375*time.Microsecond)) || in.Status().MasterAddr != lower {
		t.Errorf("backup deadline %v master %v", d.Sub(now), in.Status().MasterAddr)
	}
}

// TestBackupPriorityZero: a backup hearing priority 0 takes over after its
// skew time only (RFC 3768 section 6.4.2).
func TestBackupPriorityZero(t *testing.T) {
	c := baseCfg()
	c.Priority = 90
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	now := t0.Add(time.Second)
	in.Step(now, rx(baseCfg(), 100, peer))
	in.Step(now.Add(time.Second), rx(baseCfg(), 0, peer))
	if d, _ := in.NextDeadline(); d.Sub(now.Add(time.Second)) != 648437*time.Microsecond {
		t.Errorf("deadline after priority 0: %v", d.Sub(now.Add(time.Second)))
	}
	if st := in.Stats(); st.PriZeroRcvd != 1 || st.AdvertRcvd != 2 {
		t.Errorf("stats %+v", st)
	}
}

// TestMasterPriorityZero: a master hearing priority 0 answers with an
// advert and stays master (RFC 3768 section 6.4.3).
func TestMasterPriorityZero(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, _ := becomeMaster(t, in)
	acts := in.Step(at.Add(time.Millisecond), rx(baseCfg(), 0, peer))
	if got := describe(acts); got != "advert prio 100 -> 224.0.0.18\n" || in.Status().State != StateMaster {
		t.Errorf("actions %q state %v", got, in.Status().State)
	}
}

// TestDrops: every dropped advert is logged in keepalived's words and
// counted in keepalived's counter (reference 6.3), and a dropped advert
// does not restart a backup's down timer.
func TestDrops(t *testing.T) {
	good := rx(baseCfg(), 110, peer)
	authCfg := baseCfg()
	authCfg.AuthType, authCfg.AuthPass = AuthPass, [8]byte{'s', 'e', 'c', 'r', 'e', 't'}
	tests := []struct {
		name    string
		cfg     func(*Config)
		mutate  func(r *Received)
		log     string
		counter func(Stats) uint64
	}{
		{"too short", nil, func(r *Received) { r.Packet = r.Packet[:6] }, "VRRP packet too short - 6 bytes", func(s Stats) uint64 { return s.PacketLenErr }},
		{"length beyond count", nil, func(r *Received) { r.Packet = append(r.Packet, 0, 0, 0, 0) }, "vrrp packet too long, length 44 and expect 40", func(s Stats) uint64 { return s.PacketLenErr }},
		{"count beyond length", nil, func(r *Received) { r.Packet[3] = 200 }, "vrrp packet too short, length 40 and expect 836", func(s Stats) uint64 { return s.PacketLenErr }},
		{"ttl", nil, func(r *Received) { r.TTL = 254 }, "invalid TTL/HL. Received 254 and expect 255", func(s Stats) uint64 { return s.IPTTLErr }},
		{"version length first", nil, func(r *Received) { r.Packet[0] = 0x31 }, "vrrp packet too long, length 40 and expect 32", func(s Stats) uint64 { return s.PacketLenErr }},
		{"version", nil, func(r *Received) { r.Packet[0] = 0x31; r.Packet = r.Packet[:len(r.Packet)-8]; r.IPLen = 0 }, "wrong version. Received 3 and expect 2", func(s Stats) uint64 { return s.VersionErr }},
		{"invalid auth type", nil, func(r *Received) { r.Packet[4] = 3 }, "Invalid auth type: 3", func(s Stats) uint64 { return s.InvalidAuthType }},
		{"auth type mismatch", func(c *Config) { *c = authCfg }, nil, "received a 0 auth, expecting 1!", func(s Stats) uint64 { return s.AuthTypeMismatch }},
		{"auth failure", func(c *Config) { *c = authCfg }, func(r *Received) {
			p := pkt(authCfg, 110, peer, MulticastGroup4)
			p[len(p)-1] = 'x'
			r.Packet = p
		}, "received an invalid passwd!", func(s Stats) uint64 { return s.AuthFailure }},
		{"advert interval", func(c *Config) { c.AdvertInt = 2 * time.Second }, nil, "advertisement interval mismatch mine=2 sec rcv'd=1 sec", func(s Stats) uint64 { return s.AdvertIntervalErr }},
		{"type", nil, func(r *Received) { r.Packet[0] = 0x22 }, "Invalid packet type. 2 and expect 1", func(s Stats) uint64 { return s.InvalidTypeRcvd }},
		{"address count", func(c *Config) { c.VIPs = append(c.VIPs, netip.MustParseAddr("10.0.0.101")) }, nil, "received an unexpected ip number count 1, expected 2!", func(s Stats) uint64 { return s.AddrListErr }},
		{"ip total length", nil, func(r *Received) { r.IPLen = 100 }, "ip_tot_len mismatch against received length. 100 and received 40", func(s Stats) uint64 { return s.PacketLenErr }},
		{"checksum", nil, func(r *Received) { r.Packet[7] ^= 1 }, "Invalid VRRPv2 checksum", func(s Stats) uint64 { return s.ChecksumErr }},
		{"unicast to multicast instance", nil, func(r *Received) { r.Dst = self }, "Expected multicast packet but received unicast packet", func(s Stats) uint64 { return s.AddrListErr }},
		{"address list", func(c *Config) { c.VIPs = []netip.Addr{netip.MustParseAddr("10.0.0.99")} }, nil, "ip address associated with VRID 51 not present in MASTER advert: 10.0.0.99", func(s Stats) uint64 { return s.AddrListErr }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := baseCfg()
			if tt.cfg != nil {
				tt.cfg(&c)
			}
			r := good
			r.Packet = append([]byte(nil), good.Packet...)
			if tt.mutate != nil {
				tt.mutate(&r)
			}
			in := mustInstance(t, c)
			in.Step(t0, Startup{})
			d0, _ := in.NextDeadline()
			acts := in.Step(t0.Add(time.Second), r)
			if got := describe(acts); got != "log "+tt.log+"\n" {
				t.Errorf("actions %q, want log %q", got, tt.log)
			}
			st := in.Stats()
			if tt.counter(st) != 1 {
				t.Errorf("counter not 1: %+v", st)
			}
			if st.AdvertRcvd != 0 && tt.name != "address list" {
				t.Errorf("advert_rcvd %d", st.AdvertRcvd)
			}
			if d, _ := in.NextDeadline(); !d.Equal(d0) {
				t.Errorf("down timer moved by %v", d.Sub(d0))
			}
		})
	}
}

// TestSkipCheckAdvAddr: with skip_check_adv_addr a backup checks the
// address list only for an advert from a new source (reference 6.3).
func TestSkipCheckAdvAddr(t *testing.T) {
	c := baseCfg()
	c.SkipCheckAdvAddr = true
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	other := c
	other.VIPs = []netip.Addr{netip.MustParseAddr("10.0.0.99")}
	in.Step(t0.Add(time.Second), rx(other, 110, peer))
	if st := in.Stats(); st.AddrListErr != 1 {
		t.Fatalf("first advert from a new source not checked: %+v", st)
	}
	in.Step(t0.Add(2*time.Second), rx(c, 110, peer))
	in.Step(t0.Add(3*time.Second), rx(other, 110, peer))
	if st := in.Stats(); st.AddrListErr != 1 || st.AdvertRcvd != 3 {
		t.Errorf("same source not skipped: %+v", st)
	}
}

// TestUnicastChecks: unicast source and per-peer TTL range checks.
func TestUnicastChecks(t *testing.T) {
	c := baseCfg()
	c.UnicastPeers = []netip.Addr{peer}
	c.PeerTTL = map[netip.Addr][2]uint8{peer: {250, 255}}
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	mk := func(src netip.Addr, ttl uint8) Received {
		p := pkt(c, 110, src, self)
		return Received{Src: src, Dst: self, TTL: ttl, IPLen: 20 + len(p), Packet: p}
	}
	acts := in.Step(t0.Add(time.Second), mk(netip.MustParseAddr("10.0.0.9"), 255))
	if got := describe(acts); got != "log unicast source address 10.0.0.9 not a unicast peer\n" {
		t.Errorf("%q", got)
	}
	acts = in.Step(t0.Add(2*time.Second), mk(peer, 64))
	if got := describe(acts); got != "log TTL/HL 64 not in range 250 - 255\n" {
		t.Errorf("%q", got)
	}
	in.Step(t0.Add(3*time.Second), mk(peer, 250))
	if st := in.Stats(); st.IPTTLErr != 1 || st.OtherDropped != 1 || st.AdvertRcvd != 3 || in.Status().MasterAddr != peer {
		t.Errorf("stats %+v", st)
	}
}

// TestFaultFromMaster: FAULT from MASTER logs first, sends priority 0
// twice and removes the VIPs; pri_zero_sent counts once, as keepalived's
// does (reference 6.5).
func TestFaultFromMaster(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, _ := becomeMaster(t, in)
	acts := in.Step(at.Add(time.Millisecond), Fault{Key: "eth0", On: true})
	// leave_master's advert on the way to FAULT, then
	// vrrp_restore_interface's (the one -D logs).
	want := "MASTER -> FAULT (fault eth0)\nadvert prio 0 -> 224.0.0.18\nadvert prio 0 -> 224.0.0.18 released\ndel VIPs\n"
	if got := describe(acts); got != want {
		t.Errorf("actions:\n%s\nwant:\n%s", got, want)
	}
	// No VRRP timer runs in FAULT; only the delayed GARP burst of the
	// mastership is still scheduled (keepalived's timer thread), and it
	// sends nothing without VIPs.
	if d, ok := in.NextDeadline(); !ok || !d.Equal(at.Add(5*time.Second)) {
		t.Errorf("FAULT deadline %v %v", d.Sub(at), ok)
	} else if acts := in.Step(d, nil); len(acts) != 0 {
		t.Errorf("delayed GARP in FAULT: %s", describe(acts))
	}
	at = at.Add(5 * time.Second)
	// Adverts are ignored in FAULT.
	in.Step(at.Add(2*time.Millisecond), rx(baseCfg(), 110, peer))
	if st := in.Stats(); st.AdvertRcvd != 0 || st.PriZeroSent != 1 || st.AdvertSent != 3 {
		t.Errorf("stats %+v", st)
	}
	// A second source then both clear: BACKUP with a full down timer.
	in.Step(at.Add(3*time.Millisecond), Fault{Key: "chk", On: true})
	if acts := in.Step(at.Add(4*time.Millisecond), Fault{Key: "eth0"}); len(acts) != 0 {
		t.Errorf("one of two faults cleared: %s", describe(acts))
	}
	now := at.Add(5 * time.Millisecond)
	acts = in.Step(now, Fault{Key: "chk"})
	if got := describe(acts); got != "FAULT -> BACKUP (fault cleared chk)\n" {
		t.Errorf("%q", got)
	}
	if d, _ := in.NextDeadline(); d.Sub(now) != 3609375*time.Microsecond {
		t.Errorf("down timer %v", d.Sub(now))
	}
}

// TestStartupFault: faults known before Startup give FAULT (init).
func TestStartupFault(t *testing.T) {
	in := mustInstance(t, baseCfg())
	in.Step(t0, Fault{Key: "eth0", On: true})
	acts := in.Step(t0, Startup{})
	if got := describe(acts); got != "INIT -> FAULT (init)\n" {
		t.Errorf("%q", got)
	}
}

// TestShutdown: a master sends priority 0 and removes its VIPs; a backup
// just stops (reference 6.7).
func TestShutdown(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, _ := becomeMaster(t, in)
	acts := in.Step(at.Add(time.Millisecond), Shutdown{})
	if got := describe(acts); got != "advert prio 0 -> 224.0.0.18 released\ndel VIPs\nMASTER -> STOP (shutdown)\n" {
		t.Errorf("%q", got)
	}
	if st := in.Stats(); st.PriZeroSent != 1 {
		t.Errorf("stats %+v", st)
	}
	if _, ok := in.NextDeadline(); ok {
		t.Error("deadline after shutdown")
	}
	b := mustInstance(t, baseCfg())
	b.Step(t0, Startup{})
	if got := describe(b.Step(t0.Add(time.Second), Shutdown{})); got != "BACKUP -> STOP (shutdown)\n" {
		t.Errorf("%q", got)
	}
}

// TestPriorityBackupTimer: a priority change in BACKUP moves the running
// down timer by the difference of the down intervals (vrrp_track.c
// vrrp_set_effective_priority).
func TestPriorityBackupTimer(t *testing.T) {
	in := mustInstance(t, baseCfg())
	in.Step(t0, Startup{})
	acts := in.Step(t0.Add(time.Second), Priority{Effective: 200})
	if got := describe(acts); got != "log Changing effective priority from 100 to 200\n" {
		t.Errorf("%q", got)
	}
	// 3.609375 - (156-56)/256 s = 3.609375 - 0.390625.
	if d, _ := in.NextDeadline(); d.Sub(t0) != 3218750*time.Microsecond {
		t.Errorf("deadline %v", d.Sub(t0))
	}
	if acts := in.Step(t0.Add(2*time.Second), Priority{Effective: 200}); len(acts) != 0 {
		t.Errorf("unchanged priority: %s", describe(acts))
	}
}

// TestOwnerConflict: two owners: keepalived 2.2.7 drops its own priority to
// 254 for good and then yields to the other owner (reference 5.5).
func TestOwnerConflict(t *testing.T) {
	c := baseCfg()
	c.Priority, c.WantMaster = 255, true
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	if d, _ := in.NextDeadline(); d.Sub(t0) != time.Microsecond {
		t.Fatalf("owner deadline %v", d.Sub(t0))
	}
	in.Step(t0.Add(time.Microsecond), nil)
	acts := in.Step(t0.Add(time.Second/2), rx(c, 255, peer))
	got := describe(acts)
	if !strings.Contains(got, "CONFIGURATION ERROR") || !strings.Contains(got, "higher priority 255, ours 254") || in.Status().State != StateBackup {
		t.Errorf("%s", got)
	}
}

// TestOldUnicastChecksumDetect: a v3 unicast instance receiving adverts
// with keepalived <= 1.3.6's checksum switches to it for good, sending
// with the group in the pseudo-header from then on (reference 6.2).
func TestOldUnicastChecksumDetect(t *testing.T) {
	c := baseCfg()
	c.Version, c.UnicastPeers = 3, []netip.Addr{peer}
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	old := pkt(c, 110, peer, MulticastGroup4) // checksum over the group
	acts := in.Step(t0.Add(time.Second), Received{Src: peer, Dst: self, TTL: 255, Packet: old})
	if got := describe(acts); got != "log Setting unicast VRRPv3 checksum to old version\n" {
		t.Errorf("%q", got)
	}
	// From now on its adverts to the peer carry the old checksum.
	in.Step(t0.Add(1500*time.Millisecond), Received{Src: peer, Dst: self, TTL: 255, Packet: pkt(c, 0, peer, MulticastGroup4)})
	var sent []SendAdvert
	for i := 0; i < 3 && len(sent) == 0; i++ {
		d, _ := in.NextDeadline()
		for _, a := range in.Step(d, nil) {
			if s, ok := a.(*SendAdvert); ok {
				sent = append(sent, *s)
			}
		}
	}
	if len(sent) == 0 || !VerifyChecksum(sent[0].Packet, false, self, MulticastGroup4) || sent[0].Dst != peer {
		t.Errorf("adverts after the switch: %+v", sent)
	}
	c.UnicastChecksum = ChecksumCompatNever
	never := mustInstance(t, c)
	never.Step(t0, Startup{})
	never.Step(t0.Add(time.Second), Received{Src: peer, Dst: self, TTL: 255, Packet: old})
	if st := never.Stats(); st.ChecksumErr != 1 {
		t.Errorf("never: %+v", st)
	}
}

// TestNewInstanceValidation covers the configurations the core refuses.
func TestNewInstanceValidation(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
	}{
		{"vrid 0", func(c *Config) { c.VRID = 0 }},
		{"version 4", func(c *Config) { c.Version = 4 }},
		{"priority 0", func(c *Config) { c.Priority = 0 }},
		{"v2 fractional interval", func(c *Config) { c.AdvertInt = 1500 * time.Millisecond }},
		{"v3 interval too long", func(c *Config) { c.Version, c.AdvertInt = 3, 41*time.Second }},
		{"v3 interval not centiseconds", func(c *Config) { c.Version, c.AdvertInt = 3, 15*time.Millisecond }},
		{"family mismatch", func(c *Config) { c.VIPs = []netip.Addr{netip.MustParseAddr("fe80::1")} }},
		{"auth type 3", func(c *Config) { c.AuthType = 3 }},
		{"auth AH with auth_hmac", func(c *Config) {
			c.AuthType = AuthAH
			c.HMAC = &HMACConfig{Keys: []HMACKey{{ID: 1, Key: []byte("k")}}, ActiveKey: 1}
		}},
		{"down timer adverts", func(c *Config) { c.DownTimerAdverts = 101 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := baseCfg()
			tt.mod(&c)
			if _, err := NewInstance(c); err == nil {
				t.Error("accepted")
			}
		})
	}
	// Strict mode forces keepalived's settings.
	c := baseCfg()
	c.Strict, c.PreemptDelay, c.DownTimerAdverts, c.HigherPrioSendAdvert = true, time.Second, 5, true
	got := mustInstance(t, c).Config()
	if got.PreemptDelay != 0 || got.DownTimerAdverts != 3 || !got.LowerPrioNoAdvert || got.HigherPrioSendAdvert || got.GarpLowerPrioRepeat != 0 {
		t.Errorf("strict config %+v", got)
	}
}

// TestReconfigureKeepsMaster: a reconfigured master stays master, sends an
// advert at once with the new priority, keeps its VIPs (reference 6.8) and
// announces the addresses the reload added.
func TestReconfigureKeepsMaster(t *testing.T) {
	in := mustInstance(t, baseCfg())
	at, _ := becomeMaster(t, in)
	c := baseCfg()
	c.Priority = 150
	acts := in.Step(at.Add(100*time.Millisecond), Reconfigure{Config: c})
	if got := describe(acts); got != "advert prio 150 -> 224.0.0.18\n" || in.Status().State != StateMaster || !in.Status().VIPsSet {
		t.Errorf("%q %+v", got, in.Status())
	}
	c.VIPs = append(c.VIPs, netip.MustParseAddr("10.0.0.101"))
	acts = in.Step(at.Add(200*time.Millisecond), Reconfigure{Config: c})
	// Only the added address is announced, after the advert (keepalived
	// announces every VIP, before it; the old ones never moved).
	if got := describe(acts); got != "advert prio 150 -> 224.0.0.18\ngarp x5 [10.0.0.101]\n" {
		t.Errorf("VIP added: %q", got)
	}
}
