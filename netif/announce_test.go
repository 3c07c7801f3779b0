package netif

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var macA = net.HardwareAddr{2, 0, 0, 0, 9, 1}

// TestAnnounceSeenByNeighbour sends gratuitous ARPs and unsolicited NAs
// and checks the frames a neighbour receives, byte for byte (reference
// section 6.6), and that the neighbour's kernel takes the NA.
func TestAnnounceSeenByNeighbour(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	an := in(t, a, func() (Announcer, error) { return NewAnnouncer(), nil })
	defer an.(*announcer).Close()
	arpB := capture(t, b, "eth0", unix.ETH_P_ARP)
	ip6B := capture(t, b, "eth0", unix.ETH_P_IPV6)

	vip4 := netip.MustParseAddr("10.9.0.100")
	vip6 := netip.MustParseAddr("2001:db8:9::100")
	if err := an.Announce("eth0", []netip.Addr{vip4, vip6}); err != nil {
		t.Log("x")
		t.Fatal(err)
	}
	garp := arpB.next(t, func(f []byte) bool { return len(f) >= GARPLen && bytes.Equal(f[28:32], vip4.AsSlice()) })
	want, _ := AppendGARP(nil, macA, vip4)
	if !bytes.Equal(garp, want) {
		t.Errorf("GARP\n got %x\nwant %x", garp, want)
	}
	// independent field checks (reference 6.6)
	if !bytes.Equal(garp[0:6], broadcastMAC) || !bytes.Equal(garp[6:12], macA) || garp[21] != 1 ||
		!bytes.Equal(garp[22:28], macA) || !bytes.Equal(garp[32:38], broadcastMAC) || !bytes.Equal(garp[38:42], vip4.AsSlice()) {
		t.Errorf("GARP fields wrong: %x", garp)
	}
	na := ip6B.next(t, func(f []byte) bool { return len(f) >= NALen && f[20] == 58 && f[54] == 136 })
	wantNA, _ := AppendUnsolicitedNA(nil, macA, vip6, false)
	if !bytes.Equal(na, wantNA) {
		t.Errorf("NA\n got %x\nwant %x", na, wantNA)
	}
	if na[21] != 255 || na[58] != naOverride || !bytes.Equal(na[22:38], vip6.AsSlice()) {
		t.Errorf("NA hop limit %d flags %#x src %x", na[21], na[58], na[22:38])
	}
	if !checksumOKICMP6(na) {
		t.Errorf("NA checksum does not verify: %x", na)
	}

	// with forwarding on, the Router flag is set
	l.sysctl(a, "net.ipv6.conf.eth0.forwarding=1")
	if err := an.Announce("eth0", []netip.Addr{vip6}); err != nil {
		t.Fatal(err)
	}
	na = ip6B.next(t, func(f []byte) bool { return len(f) >= NALen && f[20] == 58 && f[54] == 136 })
	if na[58] != naOverride|naRouter {
		t.Errorf("NA flags %#x with forwarding on, want Router|Override", na[58])
	}
}

// TestAnnounceReopen: an interface deleted and created again (new index)
// still gets its announcements; a NOARP interface gets none.
func TestAnnounceReopen(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	an := in(t, a, func() (Announcer, error) { return NewAnnouncer(), nil })
	defer an.(*announcer).Close()
	vip := netip.MustParseAddr("10.9.0.100")
	must(t, an.Announce("eth0", []netip.Addr{vip}))

	l.ip(a, "link", "del", "eth0")
	l.veth(a, "eth0", "02:00:00:00:09:11", b, "eth0", "")
	arpB := capture(t, b, "eth0", unix.ETH_P_ARP)
	must(t, an.Announce("eth0", []netip.Addr{vip}))
	f := arpB.next(t, func(f []byte) bool { return len(f) >= GARPLen && bytes.Equal(f[28:32], vip.AsSlice()) })
	if !bytes.Equal(f[6:12], []byte{2, 0, 0, 0, 9, 0x11}) {
		t.Errorf("after re-creation, GARP from %x, want the new MAC", f[6:12])
	}

	l.ip(a, "link", "set", "eth0", "arp", "off")
	must(t, an.Announce("eth0", []netip.Addr{vip}))
	arpB.c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 1500)
	for {
		n, _, err := arpB.c.ReadFrom(buf)
		if err != nil {
			break // timeout: nothing sent, as wanted
		}
		if n >= GARPLen && bytes.Equal(buf[28:32], vip.AsSlice()) {
			t.Fatalf("GARP sent on a NOARP interface: %x", buf[:n])
		}
	}
	if err := an.Announce("nosuch0", []netip.Addr{vip}); err == nil {
		t.Error("announce on a missing interface: no error")
	}
}

func checksumOKICMP6(f []byte) bool {
	ip := f[14:]
	plen := uint32(ip[4])<<8 | uint32(ip[5])
	s := pseudoSum6([16]byte(ip[8:24]), [16]byte(ip[24:40]), plen, 58)
	return fold(sumBytes(s, ip[40:40+plen])) == 0xffff
}
