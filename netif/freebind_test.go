package netif

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestVRRPUnicastTentativeSource: a unicast conn whose IPv6 source is
// still in duplicate address detection (added without nodad) opens at
// once, and its adverts reach the peer once the address is usable. The
// bind used to fail with EADDRNOTAVAIL, which left the instance in FAULT
// (keepalived 2.4.3 binds with IPV6_FREEBIND).
func TestVRRPUnicastTentativeSource(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	src, dst := netip.MustParseAddr("2001:db8:77::1"), netip.MustParseAddr("2001:db8:77::2")
	l.ip(b, "addr", "add", dst.String()+"/64", "dev", "eth0", "nodad")
	// The lab turns DAD off; turn it back on for A's eth0 (about 2 s).
	l.sysctl(a, "net.ipv6.conf.eth0.accept_dad=1", "net.ipv6.conf.eth0.dad_transmits=2")
	l.ip(a, "addr", "add", src.String()+"/64", "dev", "eth0")
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", IPv6: true, Src: dst})
	ca := listenIn(t, a, ConnConfig{Ifname: "eth0", IPv6: true, Src: src})
	if out := l.ip(a, "-6", "addr", "show", "dev", "eth0", "tentative"); !strings.Contains(out, src.String()) {
		t.Fatalf("%s no longer tentative when the conn opened; the test proves nothing:\n%s", src, out)
	}
	payload := testAdvert{version: 3, vrid: 77, prio: 100, intervalC: 100, addrs: []netip.Addr{netip.MustParseAddr("2001:db8:77::100")}}.encode(src, dst)
	deadline := time.Now().Add(10 * time.Second)
	for {
		_ = ca.Send(payload, src, dst, 255) // may fail while tentative
		p, err := recvWithin(t, cb, 300*time.Millisecond)
		if err == nil && p.Src == src && p.Payload[1] == 77 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no advert from %s reached %s within 10 s (last: %v)", src, dst, err)
		}
	}
}

// TestVRRPUnicastSourceNotYetConfigured: an IPv4 unicast conn opens before
// its source address exists (IP_FREEBIND, as keepalived 2.4.3), and sends
// from it once the address is added.
func TestVRRPUnicastSourceNotYetConfigured(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	src, dst := netip.MustParseAddr("10.9.7.1"), netip.MustParseAddr("10.9.0.2")
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Src: dst})
	ca := listenIn(t, a, ConnConfig{Ifname: "eth0", Src: src})
	l.ip(a, "addr", "add", src.String()+"/24", "dev", "eth0")
	l.ip(b, "route", "add", "10.9.7.0/24", "dev", "eth0")
	payload := testAdvert{version: 2, vrid: 78, prio: 100, intervalS: 1, addrs: []netip.Addr{netip.MustParseAddr("10.9.7.100")}}.encode(src, dst)
	if err := ca.Send(payload, src, dst, 255); err != nil {
		t.Fatalf("send: %v", err)
	}
	p, err := recvWithin(t, cb, 2*time.Second)
	if err != nil || p.Src != src || p.Payload[1] != 78 {
		t.Fatalf("recv: %v %+v", err, p)
	}
}
