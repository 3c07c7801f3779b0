package vrrp

import (
	"net/netip"
	"testing"
	"time"
)

// TestV3ChecksumAsV2 covers keepalived 2.3's v3_checksum_as_v2: our
// VRRPv3 IPv4 adverts carry the checksum without the pseudo-header, and a
// received advert's checksum is not enforced.
func TestV3ChecksumAsV2(t *testing.T) {
	a := Advert{Version: 3, VRID: 51, Priority: 100, AdverInt: time.Second, Addrs: []netip.Addr{vip}, ChecksumAsV2: true}
	b := a.AppendEncode(nil, self, MulticastGroup4)
	if VerifyChecksum(b, false, self, MulticastGroup4) {
		t.Error("the pseudo-header is still in the checksum")
	}
	if got, want := a.Checksum, checksumBare(b); got != want {
		t.Errorf("checksum %04x, want %04x (no pseudo-header)", got, want)
	}
	// An advert with the RFC checksum and one with the bare checksum are
	// both taken by an instance with the option, and the bare one is
	// refused without it.
	c := baseCfg()
	c.Version = 3
	bare := a.AppendEncode(nil, peer, MulticastGroup4)
	for _, as := range []bool{true, false} {
		c.V3ChecksumAsV2 = as
		in := mustInstance(t, c)
		in.Step(t0, Startup{})
		in.Step(t0.Add(100*time.Millisecond), Received{Src: peer, Dst: MulticastGroup4, TTL: 255, IPLen: 20 + len(bare), Packet: bare})
		st := in.Stats()
		if as && (st.ChecksumErr != 0 || st.AdvertRcvd != 1) {
			t.Errorf("with v3_checksum_as_v2: %+v", st)
		}
		if !as && st.ChecksumErr != 1 {
			t.Errorf("without v3_checksum_as_v2: %+v", st)
		}
	}
	// Our own adverts follow the option.
	c.V3ChecksumAsV2 = true
	c.Priority, c.WantMaster = PrioOwner, true
	in := mustInstance(t, c)
	in.Step(t0, Startup{})
	var sent []SendAdvert
	for _, act := range in.Step(t0.Add(time.Microsecond), nil) {
		if s, ok := act.(*SendAdvert); ok {
			sent = append(sent, *s)
		}
	}
	if len(sent) == 0 || VerifyChecksum(sent[0].Packet, false, self, MulticastGroup4) {
		t.Errorf("sent %+v", sent)
	}
}

// TestOwnerIgnoreAdverts covers keepalived 2.3's owner_ignore_adverts: an
// address owner drops adverts (here a peer also at 255, which otherwise
// is a configuration error that demotes us to 254 and BACKUP).
func TestOwnerIgnoreAdverts(t *testing.T) {
	c := baseCfg()
	c.Priority, c.WantMaster = PrioOwner, true
	for _, ignore := range []bool{false, true} {
		c.OwnerIgnoreAdverts = ignore
		in := mustInstance(t, c)
		in.Step(t0, Startup{})
		in.Step(t0.Add(time.Microsecond), nil)
		if in.Status().State != StateMaster {
			t.Fatalf("owner not master at start: %v", in.Status().State)
		}
		in.Step(t0.Add(time.Second/2), rx(c, PrioOwner, peer))
		st := in.Stats()
		if ignore && (st.AdvertRcvd != 0 || in.Status().State != StateMaster) {
			t.Errorf("ignoring: received %d, state %v", st.AdvertRcvd, in.Status().State)
		}
		if !ignore && (st.AdvertRcvd != 1 || in.Status().State != StateBackup) {
			t.Errorf("not ignoring: received %d, state %v", st.AdvertRcvd, in.Status().State)
		}
	}
}
