package netif

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestLAN: three hosts on a bridge, as in the end-to-end lab. A multicast
// advert reaches both others, unicast only its peer, and a gratuitous ARP
// every neighbour.
func TestLAN(t *testing.T) {
	l := newLab(t)
	h := l.lan(3)
	src := netip.MustParseAddr("10.9.0.1")
	c1 := listenIn(t, h[0], ConnConfig{Ifname: "eth0", Group: Group4, Src: src})
	m2 := listenIn(t, h[1], ConnConfig{Ifname: "eth0", Group: Group4})
	m3 := listenIn(t, h[2], ConnConfig{Ifname: "eth0", Group: Group4})
	u2 := listenIn(t, h[1], ConnConfig{Ifname: "eth0", Src: netip.MustParseAddr("10.9.0.2")})
	u3 := listenIn(t, h[2], ConnConfig{Ifname: "eth0", Src: netip.MustParseAddr("10.9.0.3")})
	arp3 := capture(t, h[2], "eth0", unix.ETH_P_ARP)

	adv := testAdvert{version: 3, vrid: 9, prio: 150, intervalC: 100, addrs: []netip.Addr{netip.MustParseAddr("10.9.0.100")}}
	must(t, c1.Send(adv.encode(src, Group4), src, Group4, 255))
	peer := netip.MustParseAddr("10.9.0.3")
	must(t, c1.Send(adv.encode(src, peer), src, peer, 255))
	for name, c := range map[string]Conn{"h2 multicast": m2, "h3 multicast": m3, "h3 unicast": u3} {
		p, err := recvWithin(t, c, 2*time.Second)
		if err != nil || p.Src != src || p.TTL != 255 || p.Payload[1] != 9 || !checksumOK(p.Payload, p.Src, p.Dst, 3) {
			t.Errorf("%s: %v %+v", name, err, p)
		}
	}
	if p, err := recvWithin(t, u2, 200*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("h2 heard a unicast advert for h3: %v %+v", err, p)
	}

	an := in(t, h[0], func() (Announcer, error) { return NewAnnouncer(), nil })
	defer an.(*announcer).Close()
	vip := netip.MustParseAddr("10.9.0.100")
	must(t, an.Announce("eth0", []netip.Addr{vip}))
	f := arp3.next(t, func(f []byte) bool { return len(f) >= GARPLen && bytes.Equal(f[28:32], vip.AsSlice()) })
	checkGARP(t, f, []byte{2, 0, 0, 0, 9, 1}, vip)
}
