package netif

import (
	"context"
	"net/netip"
	"testing"
)

// Kernel benchmarks (root): see BENCHMARKS-netif.md for figures.

// BenchmarkVRRPRoundTrip: one IPv4 multicast advert sent by our Conn in one
// namespace and received by our Conn in the other, over a veth.
func BenchmarkVRRPRoundTrip(b *testing.B) {
	for _, v6 := range []bool{false, true} {
		name := "ipv4"
		if v6 {
			name = "ipv6"
		}
		b.Run(name, func(b *testing.B) {
			l := newLab(b)
			na, nb := l.pair()
			src, group := netip.MustParseAddr("10.9.0.1"), Group4
			if v6 {
				group = Group6
				src = linkLocalB(b, na)
			}
			ca := in(b, na, func() (Conn, error) { return ListenVRRP(ConnConfig{Ifname: "eth0", IPv6: v6, Group: group, Src: src}) })
			cb := in(b, nb, func() (Conn, error) { return ListenVRRP(ConnConfig{Ifname: "eth0", IPv6: v6, Group: group}) })
			defer ca.Close()
			defer cb.Close()
			payload := testAdvert{version: 3, vrid: 1, prio: 100, intervalC: 100, addrs: []netip.Addr{src}}.encode(src, group)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := ca.Send(payload, src, group, 255); err != nil {
					b.Fatal(err)
				}
				if _, err := cb.Recv(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func linkLocalB(b *testing.B, ns string) netip.Addr {
	lk := in(b, ns, func() (Link, error) { return NewLinks().Lookup("eth0") })
	a, _ := lk.LinkLocal6()
	return a
}

// BenchmarkAnnounce: one gratuitous ARP and one unsolicited NA.
func BenchmarkAnnounce(b *testing.B) {
	l := newLab(b)
	na, _ := l.pair()
	an := in(b, na, func() (Announcer, error) { return NewAnnouncer(), nil })
	defer an.(*announcer).Close()
	addrs := []netip.Addr{netip.MustParseAddr("10.9.0.100"), netip.MustParseAddr("2001:db8:9::100")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := an.Announce("eth0", addrs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddDelVIP: one VIP added and removed through netlink.
func BenchmarkAddDelVIP(b *testing.B) {
	l := newLab(b)
	na, _ := l.pair()
	ad := in(b, na, NewAddresses)
	defer ad.(*nlAddresses).Close()
	vip := Address{Prefix: netip.MustParsePrefix("10.9.0.100/24"), Dev: "eth0"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := ad.AddAddr(vip); err != nil {
			b.Fatal(err)
		}
		if err := ad.DelAddr(vip); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLinkEvent: from a netlink "set down" (or up) to the LinkEvent
// arriving on the Watch channel.
func BenchmarkLinkEvent(b *testing.B) {
	l := newLab(b)
	na, _ := l.pair()
	setUp := linkSetter(b, na, "eth0")
	lev, _, _ := watchLinks(b, na)
	wait := func(up bool) {
		for ev := range lev {
			if ev.Ifname == "eth0" && ev.Up == up {
				return
			}
		}
	}
	wait(true)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		up := i%2 == 1
		if err := setUp(up); err != nil {
			b.Fatal(err)
		}
		wait(up)
	}
}
