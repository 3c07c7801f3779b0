package netif

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/mdlayher/packet"
	"golang.org/x/sys/unix"
)

func listenIn(t *testing.T, ns string, cfg ConnConfig) Conn {
	t.Helper()
	c := in(t, ns, func() (Conn, error) { return ListenVRRP(cfg) })
	t.Cleanup(func() { c.Close() })
	return c
}

func recvWithin(t *testing.T, c Conn, d time.Duration) (Packet, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	p, err := c.Recv(ctx)
	if err == nil {
		p.Payload = bytes.Clone(p.Payload)
	}
	return p, err
}

func ifindex(t *testing.T, l *lab, ns, ifname string) int {
	t.Helper()
	var links []struct {
		Ifindex int `json:"ifindex"`
	}
	l.jsonOf(ns, &links, "link", "show", "dev", ifname)
	return links[0].Ifindex
}

func linkLocal(t *testing.T, ns, ifname string) netip.Addr {
	t.Helper()
	lk := in(t, ns, func() (Link, error) { return NewLinks().Lookup(ifname) })
	a, ok := lk.LinkLocal6()
	if !ok {
		t.Fatalf("%s %s: no link-local address in %v", ns, ifname, lk.Addrs)
	}
	return a
}

// TestVRRPSendRecv sends adverts between two namespaces over a veth and
// checks what the receiver's Conn reports: RFC 5798 section 5.1.1.3 (TTL
// 255 for multicast) and the control-message fields.
func TestVRRPSendRecv(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	bIdx := ifindex(t, l, b, "eth0")
	llA := linkLocal(t, a, "eth0")
	llB := linkLocal(t, b, "eth0")
	v4a, v4b := netip.MustParseAddr("10.9.0.1"), netip.MustParseAddr("10.9.0.2")
	g6a, g6b := netip.MustParseAddr("2001:db8:9::1"), netip.MustParseAddr("2001:db8:9::2")

	tests := []struct {
		name     string
		ipv6     bool
		group    netip.Addr // zero: unicast
		srcA     netip.Addr
		bindB    netip.Addr
		dst      netip.Addr
		ttl      uint8
		version  int
		wantTTL  uint8
		wantIPv4 bool
	}{
		{name: "v2 ipv4 multicast", group: Group4, srcA: v4a, dst: Group4, ttl: 255, version: 2, wantTTL: 255},
		{name: "v3 ipv4 multicast", group: Group4, srcA: v4a, dst: Group4, ttl: 255, version: 3, wantTTL: 255},
		{name: "v3 ipv4 other group", group: netip.MustParseAddr("224.0.0.117"), srcA: v4a, dst: netip.MustParseAddr("224.0.0.117"), ttl: 255, version: 3, wantTTL: 255},
		{name: "v2 ipv4 unicast ttl 7", srcA: v4a, bindB: v4b, dst: v4b, ttl: 7, version: 2, wantTTL: 7},
		{name: "v3 ipv6 multicast", ipv6: true, group: Group6, srcA: llA, dst: Group6, ttl: 255, version: 3, wantTTL: 255},
		{name: "v3 ipv6 unicast link-local", ipv6: true, srcA: llA, bindB: llB, dst: llB, ttl: 9, version: 3, wantTTL: 9},
		{name: "v3 ipv6 unicast global", ipv6: true, srcA: g6a, bindB: g6b, dst: g6b, ttl: 255, version: 3, wantTTL: 255},
		{name: "v3 ipv6 unicast default hop limit", ipv6: true, srcA: g6a, bindB: g6b, dst: g6b, ttl: 0, version: 3, wantTTL: 64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ca := listenIn(t, a, ConnConfig{Ifname: "eth0", IPv6: tc.ipv6, Group: tc.group, Src: tc.srcA})
			cb := listenIn(t, b, ConnConfig{Ifname: "eth0", IPv6: tc.ipv6, Group: tc.group, Src: tc.bindB})
			adv := testAdvert{version: tc.version, vrid: 51, prio: 100, intervalS: 1, intervalC: 100, addrs: []netip.Addr{netip.MustParseAddr("10.9.0.100")}}
			if tc.ipv6 {
				adv.addrs = []netip.Addr{netip.MustParseAddr("fe80::100")}
			}
			payload := adv.encode(tc.srcA, tc.dst)
			if err := ca.Send(payload, tc.srcA, tc.dst, tc.ttl); err != nil {
				t.Fatalf("send: %v", err)
			}
			p, err := recvWithin(t, cb, 2*time.Second)
			if err != nil {
				t.Fatalf("recv: %v", err)
			}
			if p.Src != tc.srcA || p.Dst != tc.dst || p.TTL != tc.wantTTL || p.Ifindex != bIdx {
				t.Errorf("got src %s dst %s ttl %d ifindex %d, want %s %s %d %d", p.Src, p.Dst, p.TTL, p.Ifindex, tc.srcA, tc.dst, tc.wantTTL, bIdx)
			}
			if !tc.ipv6 {
				if p.IPLen != 20+len(payload) || p.AH {
					t.Errorf("IPLen %d AH %v, want %d false", p.IPLen, p.AH, 20+len(payload))
				}
				if !bytes.Equal(p.Payload, payload) {
					t.Errorf("payload\n got %x\nwant %x", p.Payload, payload)
				}
			} else {
				// the kernel filled the checksum at offset 6
				if len(p.Payload) != len(payload) || !bytes.Equal(p.Payload[:6], payload[:6]) || !bytes.Equal(p.Payload[8:], payload[8:]) {
					t.Errorf("payload\n got %x\nwant %x (checksum aside)", p.Payload, payload)
				}
				if p.IPLen != 0 {
					t.Errorf("IPLen %d for IPv6", p.IPLen)
				}
			}
			if !checksumOK(p.Payload, p.Src, p.Dst, tc.version) {
				t.Errorf("checksum of %x from %s to %s does not verify", p.Payload, p.Src, p.Dst)
			}
		})
	}
}

// TestVRRPIPv4Header checks the IPv4 header on the wire, captured by a
// packet socket in the neighbour: keepalived's TOS 0xc0, no DF, an ID that
// is never 0 and increments, protocol 112, MAC of the sender.
func TestVRRPIPv4Header(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	src := netip.MustParseAddr("10.9.0.1")
	ca := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4, Src: src})
	capB := capture(t, b, "eth0", unix.ETH_P_IP)
	payload := testAdvert{version: 2, vrid: 7, prio: 150, intervalS: 1, addrs: []netip.Addr{netip.MustParseAddr("10.9.0.7")}}.encode(src, Group4)
	var ids []uint16
	for i := 0; i < 3; i++ {
		if err := ca.Send(payload, src, Group4, 255); err != nil {
			t.Fatal(err)
		}
		f := capB.next(t, func(f []byte) bool { return len(f) > 23 && f[14+9] == protoVRRP })
		ip := f[14:]
		wantMAC := net.HardwareAddr{0x01, 0x00, 0x5e, 0x00, 0x00, 0x12}
		if !bytes.Equal(f[0:6], wantMAC) || !bytes.Equal(f[6:12], []byte{2, 0, 0, 0, 9, 1}) {
			t.Errorf("ethernet dst %x src %x", f[0:6], f[6:12])
		}
		if ip[0] != 0x45 || ip[1] != 0xc0 || ip[6] != 0 || ip[7] != 0 || ip[8] != 255 || ip[9] != 112 {
			t.Errorf("IP header %x: want 45 c0 ... flags/frag 0000 ttl ff proto 70", ip[:20])
		}
		if fold(sumBytes(0, ip[:20])) != 0xffff {
			t.Errorf("IP header checksum wrong: %x", ip[:20])
		}
		ids = append(ids, uint16(ip[4])<<8|uint16(ip[5]))
		if !bytes.Equal(ip[20:20+len(payload)], payload) {
			t.Errorf("payload on the wire %x want %x", ip[20:], payload)
		}
	}
	if ids[0] == 0 || ids[1] != ids[0]+1 || ids[2] != ids[1]+1 {
		t.Errorf("IP IDs %v: want non-zero and incrementing", ids)
	}
}

// TestVRRPFiltering checks what a Conn must not receive: another group, a
// packet on another interface, unicast on a multicast conn.
func TestVRRPFiltering(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	// a second link between a and b: eth1
	l.veth(a, "eth1", "", b, "eth1", "")
	l.ip(a, "addr", "add", "10.8.0.1/24", "dev", "eth1")
	l.ip(b, "addr", "add", "10.8.0.2/24", "dev", "eth1")
	src := netip.MustParseAddr("10.9.0.1")
	other := netip.MustParseAddr("224.0.0.19")

	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4})
	aOther := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: other})
	aEth1 := listenIn(t, a, ConnConfig{Ifname: "eth1", Group: Group4})
	aEth0 := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4})
	// b also listens on eth1 with the group, so the eth1 packet is wanted
	// there: proof that it was sent.
	cbEth1 := listenIn(t, b, ConnConfig{Ifname: "eth1", Group: Group4})
	// and a unicast-mode conn in b on eth0
	cbUni := listenIn(t, b, ConnConfig{Ifname: "eth0", Src: netip.MustParseAddr("10.9.0.2")})

	mk := func(vrid uint8, dst netip.Addr) []byte {
		return testAdvert{version: 2, vrid: vrid, prio: 100, intervalS: 1, addrs: []netip.Addr{src}}.encode(src, dst)
	}
	must(t, aOther.Send(mk(1, other), src, other, 255))
	must(t, aEth1.Send(mk(2, Group4), netip.MustParseAddr("10.8.0.1"), Group4, 255))
	must(t, aEth0.Send(mk(3, netip.MustParseAddr("10.9.0.2")), src, netip.MustParseAddr("10.9.0.2"), 255))
	must(t, aEth0.Send(mk(4, Group4), src, Group4, 255))

	p, err := recvWithin(t, cb, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if p.Payload[1] != 4 {
		t.Errorf("multicast conn on eth0 got VRID %d first, want only 4 (other group, eth1 and unicast must not arrive)", p.Payload[1])
	}
	if p, err := recvWithin(t, cbEth1, 2*time.Second); err != nil || p.Payload[1] != 2 {
		t.Errorf("eth1 conn: %v VRID %v, want 2", err, p.Payload)
	}
	if p, err := recvWithin(t, cbUni, 2*time.Second); err != nil || p.Payload[1] != 3 {
		t.Errorf("unicast conn: %v %v, want VRID 3", err, p.Payload)
	}
	for name, c := range map[string]Conn{"multicast eth0": cb, "unicast eth0": cbUni} {
		if p, err := recvWithin(t, c, 200*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: unexpected %v %x", name, err, p.Payload)
		}
	}
	// no multicast loop: a's own conn on eth0 hears nothing of its own
	if p, err := recvWithin(t, aEth0, 100*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("sender heard itself: %v %x", err, p.Payload)
	}
}

// TestVRRPRecvCancel checks that Recv returns on ctx end and on Close.
func TestVRRPRecvCancel(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	c := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := c.Recv(ctx); done <- err }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("after cancel: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Recv did not return after cancel")
	}
	// a new context works again after the old one ended
	if _, err := recvWithin(t, c, 50*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second Recv: %v", err)
	}
	go func() { _, err := c.Recv(context.Background()); done <- err }()
	time.Sleep(50 * time.Millisecond)
	c.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("after Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Recv did not return after Close")
	}
	if err := c.Send([]byte{0x21}, netip.Addr{}, Group4, 255); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
}

// TestVRRPRecvAllocs: Recv allocates nothing per packet.
func TestVRRPRecvAllocs(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	src := netip.MustParseAddr("10.9.0.1")
	ca := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4, Src: src})
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4})
	payload := testAdvert{version: 2, vrid: 1, prio: 100, intervalS: 1, addrs: []netip.Addr{src}}.encode(src, Group4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	allocs := testing.AllocsPerRun(200, func() {
		if err := ca.Send(payload, src, Group4, 255); err != nil {
			t.Fatal(err)
		}
		if _, err := cb.Recv(ctx); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Send+Recv allocate %.1f times per packet, want 0", allocs)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// capturer reads whole frames from a packet socket in a namespace.
type capturer struct {
	c *packet.Conn
}

func capture(t *testing.T, ns, ifname string, proto int) *capturer {
	t.Helper()
	c := in(t, ns, func() (*packet.Conn, error) {
		ifi, err := net.InterfaceByName(ifname)
		if err != nil {
			return nil, err
		}
		return packet.Listen(ifi, packet.Raw, proto, nil)
	})
	t.Cleanup(func() { c.Close() })
	return &capturer{c: c}
}

// next returns the next frame for which match is true (within 2 s).
func (c *capturer) next(t *testing.T, match func([]byte) bool) []byte {
	t.Helper()
	buf := make([]byte, 2048)
	deadline := time.Now().Add(2 * time.Second)
	c.c.SetReadDeadline(deadline)
	for {
		n, _, err := c.c.ReadFrom(buf)
		if err != nil {
			t.Fatalf("capture: %v", err)
		}
		if match(buf[:n]) {
			return bytes.Clone(buf[:n])
		}
	}
}

// TestVRRPInterfaceGone: Send fails once the Conn's interface is deleted,
// and a Conn opened on the re-created interface works again.
func TestVRRPInterfaceGone(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	src := netip.MustParseAddr("10.9.0.1")
	c := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4, Src: src})
	payload := testAdvert{version: 2, vrid: 5, prio: 100, intervalS: 1, addrs: []netip.Addr{src}}.encode(src, Group4)
	must(t, c.Send(payload, src, Group4, 255))
	l.ip(a, "link", "del", "eth0")
	if err := c.Send(payload, src, Group4, 255); err == nil {
		t.Error("Send on a deleted interface: no error")
	}
	l.veth(a, "eth0", "", b, "eth0", "")
	l.ip(a, "addr", "add", "10.9.0.1/24", "dev", "eth0")
	c2 := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4, Src: src})
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4})
	must(t, c2.Send(payload, src, Group4, 255))
	if _, err := recvWithin(t, cb, 2*time.Second); err != nil {
		t.Errorf("after re-creation: %v", err)
	}
}

// TestVRRPFiltering6: the IPv6 Conn hears only its group on its interface.
func TestVRRPFiltering6(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	l.veth(a, "eth1", "", b, "eth1", "")
	l.waitLinkLocal(a, "eth1")
	l.waitLinkLocal(b, "eth1")
	other := netip.MustParseAddr("ff02::13")
	llA0, llA1 := linkLocal(t, a, "eth0"), linkLocal(t, a, "eth1")

	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", IPv6: true, Group: Group6})
	cbEth1 := listenIn(t, b, ConnConfig{Ifname: "eth1", IPv6: true, Group: Group6})
	aOther := listenIn(t, a, ConnConfig{Ifname: "eth0", IPv6: true, Group: other})
	aEth1 := listenIn(t, a, ConnConfig{Ifname: "eth1", IPv6: true, Group: Group6})
	aEth0 := listenIn(t, a, ConnConfig{Ifname: "eth0", IPv6: true, Group: Group6})
	mk := func(vrid uint8) []byte {
		return testAdvert{version: 3, vrid: vrid, prio: 100, intervalC: 100, addrs: []netip.Addr{netip.MustParseAddr("fe80::1")}}.encode(llA0, Group6)
	}
	must(t, aOther.Send(mk(1), llA0, other, 255))
	must(t, aEth1.Send(mk(2), llA1, Group6, 255))
	must(t, aEth0.Send(mk(3), llA0, Group6, 255))
	if p, err := recvWithin(t, cb, 2*time.Second); err != nil || p.Payload[1] != 3 {
		t.Errorf("eth0 conn: %v, VRID %v; want only 3", err, p.Payload)
	}
	if p, err := recvWithin(t, cbEth1, 2*time.Second); err != nil || p.Payload[1] != 2 || p.Src != llA1 {
		t.Errorf("eth1 conn: %v %+v; want VRID 2 from %s", err, p, llA1)
	}
	if p, err := recvWithin(t, cb, 200*time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("eth0 conn heard more: %v %x", err, p.Payload)
	}
}

// TestVRRPRecvOversize: a datagram longer than any valid advert (here
// 10,000 bytes on a link of MTU 16,000) is read truncated to the receive
// buffer, with the IP header's length intact so that the core counts it as
// a length error, and the conn goes on receiving.
func TestVRRPRecvOversize(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	l.ip(a, "link", "set", "eth0", "mtu", "16000")
	l.ip(b, "link", "set", "eth0", "mtu", "16000")
	src := netip.MustParseAddr("10.9.0.1")
	ca := listenIn(t, a, ConnConfig{Ifname: "eth0", Group: Group4})
	cb := listenIn(t, b, ConnConfig{Ifname: "eth0", Group: Group4})
	big := make([]byte, 10000)
	copy(big, testAdvert{version: 2, vrid: 7, prio: 100, intervalS: 1, addrs: []netip.Addr{src}}.encode(src, Group4))
	must(t, ca.Send(big, src, Group4, 255))
	p, err := recvWithin(t, cb, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if p.IPLen != 20+len(big) || len(p.Payload) >= len(big) || len(p.Payload) != rxBufSize-20 {
		t.Errorf("oversize datagram: IP length %d, payload %d bytes; want %d and %d (truncated)", p.IPLen, len(p.Payload), 20+len(big), rxBufSize-20)
	}
	ok := testAdvert{version: 2, vrid: 8, prio: 100, intervalS: 1, addrs: []netip.Addr{src}}.encode(src, Group4)
	must(t, ca.Send(ok, src, Group4, 255))
	p, err = recvWithin(t, cb, 2*time.Second)
	if err != nil || p.IPLen != 20+len(ok) || len(p.Payload) != len(ok) || p.Payload[1] != 8 {
		t.Errorf("after the oversize one: %v, IP length %d, payload % x; want the VRID 8 advert whole", err, p.IPLen, p.Payload)
	}
}
