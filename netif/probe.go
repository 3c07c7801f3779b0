package netif

import (
	"net"
	"net/netip"
)

// VIP conflict probes: a master asks the segment who answers for each of
// its VIPs; an answer from a MAC that is not ours means a second host holds
// the address (a second master whose adverts do not reach us, or a host
// squatting it). keepalived has nothing of the kind.
//
// Why an ARP probe (sender IP 0.0.0.0, RFC 5227 section 2.1.1) and not a
// request from the VIP: a request whose sender IP is the VIP is a
// gratuitous ARP in all but name, and every host that hears it updates its
// cache entry for the VIP to the sender's MAC; a probe from a master that
// has lost (or not yet won) the address would pull traffic to it. A sender
// IP of 0 updates no cache (Linux arp_process, RFC 5227), and Linux still
// answers it whenever the target is one of its local addresses (its
// duplicate address detection case: a reply unicast to the probe's sender
// MAC). The IPv6 counterpart is a duplicate address detection neighbour
// solicitation (source ::, RFC 4862 section 5.4.2), which a holder answers
// with a neighbour advertisement to all nodes, again without touching
// anyone's neighbour cache entry for the VIP.
//
// A second master's own gratuitous ARPs and unsolicited NAs name the VIP
// and its MAC too, so ParseClaim reads those as well: a split brain is
// usually heard the moment the other node becomes master.

// Probe frame sizes.
const (
	ARPProbeLen = 14 + 28      // Ethernet + ARP
	NSProbeLen  = 14 + 40 + 24 // Ethernet + IPv6 + NS (no option: the source is ::)
)

// ProbeAnswer is one claim for an address heard on an interface from a
// MAC other than the interface's own, or from the interface's own MAC but
// sent by another host (Twin).
type ProbeAnswer struct {
	Ifname string
	Addr   netip.Addr
	MAC    net.HardwareAddr
	// Own is the interface's MAC (what the other host saw us probe from).
	Own net.HardwareAddr
	// Twin: MAC is Own, and the frame came from the wire, not from this
	// host. With use_vmac both masters of a VRID have the same virtual MAC
	// (00:00:5e:00:01:VRID), so the other master is seen only this way: its
	// gratuitous ARPs, its answers, and its own conflict probes for the
	// address (an ARP probe from our MAC that we did not send) all carry our
	// MAC. The packet sockets are bound to one protocol, so the kernel never
	// hands them a frame this host sent (those reach ETH_P_ALL taps only);
	// the packet type is checked all the same (PACKET_OUTGOING is never a
	// twin), and a MAC that two of this host's interfaces share is never
	// taken for a twin.
	Twin bool
}

// AppendARPProbe appends an ARP probe for vip from mac: Ethernet broadcast,
// ARP request, sender mac/0.0.0.0, target 00:00:00:00:00:00/vip.
func AppendARPProbe(b []byte, mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	vip = vip.Unmap()
	if len(mac) != 6 || !vip.Is4() {
		return b, errFrame
	}
	ip := vip.As4()
	b = append(b, broadcastMAC...)
	b = append(b, mac...)
	b = append(b, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01)
	b = append(b, mac...)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	return append(b, ip[:]...), nil
}

// AppendNSProbe appends a duplicate address detection neighbour
// solicitation for vip from mac: Ethernet 33:33:ff:xx:xx:xx, IPv6 source
// ::, destination the VIP's solicited-node group, hop limit 255; ICMPv6 135
// with target vip and no option (RFC 4861 forbids a source link-layer
// option with an unspecified source).
func AppendNSProbe(b []byte, mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	if len(mac) != 6 || !vip.Is6() || vip.Is4In6() {
		return b, errFrame
	}
	t := vip.As16()
	var src [16]byte
	dst := [16]byte{0: 0xff, 1: 0x02, 11: 0x01, 12: 0xff, 13: t[13], 14: t[14], 15: t[15]}
	b = append(b, 0x33, 0x33, 0xff, t[13], t[14], t[15])
	b = append(b, mac...)
	b = append(b, 0x86, 0xdd)
	const plen = 24
	b = append(b, 0x60, 0, 0, 0, 0, plen, 58, 255)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	icmp := len(b)
	b = append(b, 135, 0, 0, 0, 0, 0, 0, 0)
	b = append(b, t[:]...)
	cs := ^fold(sumBytes(pseudoSum6(src, dst, plen, 58), b[icmp:]))
	b[icmp+2], b[icmp+3] = byte(cs>>8), byte(cs)
	return b, nil
}

// ParseClaim reads one Ethernet frame and returns the address it claims
// and the MAC claiming it: the sender of an ARP request or reply whose
// sender IP is not 0.0.0.0 (probes claim nothing), or the target of an
// ICMPv6 neighbour advertisement with the MAC of its target link-layer
// option (else the frame's source). mac is a view on frame. ok is false
// for anything else, malformed frames included.
func ParseClaim(frame []byte) (addr netip.Addr, mac net.HardwareAddr, ok bool) {
	if len(frame) < 14 {
		return addr, nil, false
	}
	switch {
	case frame[12] == 0x08 && frame[13] == 0x06:
		a := frame[14:]
		if len(a) < 28 || a[0] != 0 || a[1] != 1 || a[2] != 0x08 || a[3] != 0 || a[4] != 6 || a[5] != 4 ||
			a[6] != 0 || (a[7] != 1 && a[7] != 2) {
			return addr, nil, false
		}
		ip := netip.AddrFrom4([4]byte(a[14:18]))
		if ip.IsUnspecified() {
			return addr, nil, false
		}
		return ip, net.HardwareAddr(a[8:14]), true
	case frame[12] == 0x86 && frame[13] == 0xdd:
		p := frame[14:]
		if len(p) < 40+24 || p[0]>>4 != 6 || p[6] != 58 || p[40] != 136 || p[41] != 0 {
			return addr, nil, false
		}
		plen := int(p[4])<<8 | int(p[5])
		if plen < 24 || 40+plen > len(p) {
			return addr, nil, false
		}
		icmp := p[40 : 40+plen]
		ip := netip.AddrFrom16([16]byte(icmp[8:24]))
		mac = net.HardwareAddr(frame[6:12])
		for opts := icmp[24:]; len(opts) >= 8; {
			n := int(opts[1]) * 8
			if n == 0 || n > len(opts) {
				break
			}
			if opts[0] == 2 && n == 8 {
				mac = net.HardwareAddr(opts[2:8])
			}
			opts = opts[n:]
		}
		return ip, mac, true
	}
	return addr, nil, false
}

// ParseARPProbe reads one Ethernet frame and returns the target address
// and the sender MAC of an ARP probe (an ARP request with sender IP
// 0.0.0.0, RFC 5227): what a keepalived-go master sends to ask who else
// holds its VIP. It claims nothing, so only a probe from a twin of our own
// MAC matters (see ProbeAnswer.Twin). mac is a view on frame.
func ParseARPProbe(frame []byte) (addr netip.Addr, mac net.HardwareAddr, ok bool) {
	if len(frame) < 14+28 || frame[12] != 0x08 || frame[13] != 0x06 {
		return addr, nil, false
	}
	a := frame[14:]
	if a[0] != 0 || a[1] != 1 || a[2] != 0x08 || a[3] != 0 || a[4] != 6 || a[5] != 4 || a[6] != 0 || a[7] != 1 {
		return addr, nil, false
	}
	if !netip.AddrFrom4([4]byte(a[14:18])).IsUnspecified() {
		return addr, nil, false
	}
	ip := netip.AddrFrom4([4]byte(a[24:28]))
	if ip.IsUnspecified() {
		return addr, nil, false
	}
	return ip, net.HardwareAddr(a[8:14]), true
}

// Prober sends VIP conflict probes and reports what other hosts claim.
// Probe opens the interface's listening sockets on first use; from then
// on every claim heard on that interface, from a MAC that is not the
// interface's own, for an address ever probed there is sent on Answers
// (dropped when the reader is behind: a conflict repeats). Whether the
// address still matters is the caller's business. The Linux one is
// NewProber.
type Prober interface {
	Probe(ifname string, addrs []netip.Addr) error
	Answers() <-chan ProbeAnswer
	Close() error
}
