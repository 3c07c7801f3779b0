package netif

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
)

var probeMAC = net.HardwareAddr{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}

// TestARPProbeFrame: sender IP 0.0.0.0 (no cache learns from it), target
// the VIP, broadcast; and ParseClaim reads nothing into it.
func TestARPProbeFrame(t *testing.T) {
	b, err := AppendARPProbe(nil, probeMAC, netip.MustParseAddr("10.0.0.100"))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1,
		0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 10, 0, 0, 100,
	}
	if !bytes.Equal(b, want) || len(b) != ARPProbeLen {
		t.Errorf("probe\n got % x\nwant % x", b, want)
	}
	if _, _, ok := ParseClaim(b); ok {
		t.Errorf("a probe (sender IP 0) was read as a claim")
	}
	if _, err := AppendARPProbe(nil, probeMAC, netip.MustParseAddr("fe80::1")); err == nil {
		t.Errorf("IPv6 address accepted for an ARP probe")
	}
}

// TestNSProbeFrame: source ::, solicited-node destination, a checksum
// that verifies, no option.
func TestNSProbeFrame(t *testing.T) {
	vip := netip.MustParseAddr("2001:db8::1:2:3")
	b, err := AppendNSProbe(nil, probeMAC, vip)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != NSProbeLen {
		t.Fatalf("length %d, want %d", len(b), NSProbeLen)
	}
	if !bytes.Equal(b[:6], []byte{0x33, 0x33, 0xff, 0x02, 0x00, 0x03}) {
		t.Errorf("ethernet dst % x", b[:6])
	}
	ip := b[14:]
	var zero [16]byte
	if !bytes.Equal(ip[8:24], zero[:]) || ip[7] != 255 || ip[6] != 58 {
		t.Errorf("ipv6 header % x", ip[:40])
	}
	dst := netip.AddrFrom16([16]byte(ip[24:40]))
	if dst != netip.MustParseAddr("ff02::1:ff02:3") {
		t.Errorf("dst %s", dst)
	}
	icmp := ip[40:]
	if icmp[0] != 135 || netip.AddrFrom16([16]byte(icmp[8:24])) != vip {
		t.Errorf("icmp % x", icmp)
	}
	if s := fold(sumBytes(pseudoSum6(zero, [16]byte(ip[24:40]), 24, 58), icmp)); s != 0xffff {
		t.Errorf("checksum does not verify: %#x", s)
	}
	if _, _, ok := ParseClaim(b); ok {
		t.Errorf("an NS was read as a claim")
	}
}

// TestParseClaim: a GARP, an ARP reply and an NA name their address and
// MAC; truncated frames are refused, never a panic.
func TestParseClaim(t *testing.T) {
	other := net.HardwareAddr{0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee}
	garp, _ := AppendGARP(nil, other, netip.MustParseAddr("10.0.0.100"))
	reply := append([]byte(nil), garp...)
	reply[14+7] = 2 // op reply
	na, _ := AppendUnsolicitedNA(nil, other, netip.MustParseAddr("2001:db8::100"), false)
	for _, c := range []struct {
		name  string
		frame []byte
		addr  string
	}{
		{"garp", garp, "10.0.0.100"},
		{"arp reply", reply, "10.0.0.100"},
		{"na", na, "2001:db8::100"},
	} {
		addr, mac, ok := ParseClaim(c.frame)
		if !ok || addr != netip.MustParseAddr(c.addr) || !bytes.Equal(mac, other) {
			t.Errorf("%s: %v %s %s", c.name, ok, addr, mac)
		}
		for n := 0; n < len(c.frame); n++ {
			if _, _, ok := ParseClaim(c.frame[:n]); ok && n < 14+28 {
				t.Errorf("%s: truncated to %d accepted", c.name, n)
			}
		}
	}
	// An NA without the target link-layer option: the frame's source.
	bare := append([]byte(nil), na[:14+40+24]...)
	bare[14+5] = 24
	if _, mac, ok := ParseClaim(bare); !ok || !bytes.Equal(mac, other) {
		t.Errorf("bare NA: %v %s", ok, mac)
	}
}

func FuzzParseClaim(f *testing.F) {
	g, _ := AppendGARP(nil, probeMAC, netip.MustParseAddr("10.0.0.1"))
	n, _ := AppendUnsolicitedNA(nil, probeMAC, netip.MustParseAddr("2001:db8::1"), true)
	f.Add(g)
	f.Add(n)
	f.Fuzz(func(t *testing.T, b []byte) { ParseClaim(b) })
}

// TestParseARPProbe: our probe's target and sender MAC are read back; a
// request with a sender IP (a claim), a reply, a probe with no target and
// short or foreign frames are not probes.
func TestParseARPProbe(t *testing.T) {
	b, err := AppendARPProbe(nil, probeMAC, netip.MustParseAddr("10.0.0.100"))
	if err != nil {
		t.Fatal(err)
	}
	addr, mac, ok := ParseARPProbe(b)
	if !ok || addr != netip.MustParseAddr("10.0.0.100") || !bytes.Equal(mac, probeMAC) {
		t.Errorf("probe read as %v %s %v, want 10.0.0.100 %s true", addr, mac, ok, probeMAC)
	}
	claim := append([]byte(nil), b...)
	copy(claim[14+14:], []byte{10, 0, 0, 1}) // a sender IP: a request, not a probe
	reply := append([]byte(nil), b...)
	reply[14+7] = 2
	noTarget := append([]byte(nil), b...)
	copy(noTarget[14+24:], []byte{0, 0, 0, 0})
	ip := append([]byte(nil), b...)
	ip[13] = 0x00 // EtherType 0x0800
	for name, f := range map[string][]byte{"request with a sender IP": claim, "reply": reply, "no target": noTarget,
		"IPv4 frame": ip, "short": b[:30], "empty": nil} {
		if _, _, ok := ParseARPProbe(f); ok {
			t.Errorf("%s read as a probe", name)
		}
	}
}
