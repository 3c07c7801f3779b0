package netif

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestVRRPReceiveAH: a Conn with AH set listens on protocol 51 and hands
// over the VRRP part after the AH header (RFC 2338 section 5.3.6.3, as
// keepalived's auth_type AH sends it), flagged AH.
func TestVRRPReceiveAH(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4, AH: true})
	plain := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4})

	src := netip.MustParseAddr("10.9.0.1")
	vrrp := testAdvert{version: 2, vrid: 60, prio: 100, intervalS: 1, addrs: []netip.Addr{netip.MustParseAddr("10.9.0.160")}}.encode(src, Group4)
	ah := []byte{112, 4, 0, 0, 10, 9, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	pkt := AppendIPv4Header(nil, src, Group4, 99, 255, protoAH, len(ah)+len(vrrp))
	pkt = append(append(pkt, ah...), vrrp...)
	// send it from a with a plain IPPROTO_RAW socket
	err := WithNetns(nsPath(a), func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_RAW)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, "eth0"); err != nil {
			return err
		}
		return unix.Sendto(fd, pkt, 0, &unix.SockaddrInet4{Addr: Group4.As4()})
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := recvWithin(t, cb, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !p.AH || !bytes.Equal(p.Payload, vrrp) || p.IPLen != len(pkt) || p.Src != src || p.TTL != 255 {
		t.Errorf("got AH %v IPLen %d src %s ttl %d payload %x; want AH, %d, %s, 255, %x", p.AH, p.IPLen, p.Src, p.TTL, p.Payload, len(pkt), src, vrrp)
	}
	if want := pkt[:20+len(ah)]; !bytes.Equal(p.AHHeader[:10], want[:10]) || !bytes.Equal(p.AHHeader[12:], want[12:]) {
		t.Errorf("AH header % x, want % x (checksum aside)", p.AHHeader, want)
	}
	if p, err := recvWithin(t, plain, 100*time.Millisecond); err == nil {
		t.Errorf("a protocol-112 Conn received an AH packet: %+v", p)
	}
}

// TestVRRPSendAH: an AH Conn sends the datagram it is given as it is
// (the VRRP core builds it: the ICV covers the IP header), the kernel
// filling in only the IP checksum, and refuses what is not an IPv4
// datagram of protocol 51.
func TestVRRPSendAH(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	src := netip.MustParseAddr("10.9.0.1")
	ca := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4, Src: src, AH: true})
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4, AH: true})
	capB := capture(t, b, "eth0", unix.ETH_P_IP)
	vrrp := testAdvert{version: 2, vrid: 62, prio: 100, intervalS: 1, addrs: []netip.Addr{netip.MustParseAddr("10.9.0.162")}}.encode(src, Group4)
	ah := []byte{112, 4, 0, 0, 10, 9, 0, 1, 0, 0, 0, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	dgram := AppendIPv4Header(nil, src, Group4, 4242, 255, protoAH, len(ah)+len(vrrp))
	dgram = append(append(dgram, ah...), vrrp...)
	must(t, ca.Send(dgram, src, Group4, 255))
	f := capB.next(t, func(f []byte) bool { return len(f) > 34 && f[23] == protoAH })
	got := bytes.Clone(f[14:])
	if len(got) != len(dgram) || got[10] == 0 && got[11] == 0 {
		t.Fatalf("sent % x, want % x with the kernel's checksum", got, dgram)
	}
	got[10], got[11] = 0, 0
	if !bytes.Equal(got, dgram) {
		t.Errorf("on the wire % x\nwant       % x", got, dgram)
	}
	p, err := recvWithin(t, cb, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !p.AH || !bytes.Equal(p.Payload, vrrp) || len(p.AHHeader) != 44 {
		t.Errorf("received AH %v header %d bytes payload % x", p.AH, len(p.AHHeader), p.Payload)
	}
	if err := ca.Send(vrrp, src, Group4, 255); err == nil {
		t.Error("an AH Conn sent a bare VRRP payload")
	}
}

// TestVRRPOnVMAC: adverts sent on a use_vmac interface leave with the
// virtual MAC as Ethernet source (reference 6.1, 6.9).
func TestVRRPOnVMAC(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	vm := in(t, a, NewVMACs)
	defer vm.(*vmacs).Close()
	name, _, err := vm.EnsureVMAC("eth0", "", VMACAddr(61, false), false)
	if err != nil {
		t.Fatal(err)
	}
	l.ip(a, "addr", "add", "10.9.0.161/24", "dev", name)
	src := netip.MustParseAddr("10.9.0.1")
	c := listenIn(t, a, ConnConfig{Ifname: name, Group: Group4, Src: src})
	capB := capture(t, b, "eth0", unix.ETH_P_IP)
	payload := testAdvert{version: 2, vrid: 61, prio: 100, intervalS: 1, addrs: []netip.Addr{netip.MustParseAddr("10.9.0.161")}}.encode(src, Group4)
	must(t, c.Send(payload, src, Group4, 255))
	f := capB.next(t, func(f []byte) bool { return len(f) > 34 && f[23] == protoVRRP })
	if !bytes.Equal(f[6:12], VMACAddr(61, false)) {
		t.Errorf("advert from MAC %x, want the VMAC's %s", f[6:12], VMACAddr(61, false))
	}
}
