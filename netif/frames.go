package netif

import (
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
)

// Frame builders for gratuitous ARP and unsolicited neighbour
// advertisements, byte for byte as keepalived 2.2.7 builds them
// (vrrp_arp.c send_gratuitous_arp_immediate, vrrp_ndisc.c
// ndisc_send_unsolicited_na_immediate). Pure functions: the golden tests and
// fuzz targets exercise them without a socket.

// Frame sizes.
const (
	GARPLen = 14 + 28          // Ethernet + ARP, not padded (keepalived sends 42 bytes)
	NALen   = 14 + 40 + 24 + 8 // Ethernet + IPv6 + NA + target link-layer option
)

var errFrame = errors.New("netif: frame needs a 6-byte MAC and an address of the right family")

var broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// AppendGARP appends keepalived's gratuitous ARP for vip from mac: Ethernet
// dst broadcast, src mac, type ARP; ARP request (op 1), sender mac/vip,
// target ff:ff:ff:ff:ff:ff/vip.
func AppendGARP(b []byte, mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	vip = vip.Unmap()
	if len(mac) != 6 || !vip.Is4() {
		return b, errFrame
	}
	ip := vip.As4()
	b = append(b, broadcastMAC...)
	b = append(b, mac...)
	b = append(b, 0x08, 0x06) // ETH_P_ARP
	b = append(b,
		0x00, 0x01, // hardware type Ethernet
		0x08, 0x00, // protocol IPv4
		6, 4, // address lengths
		0x00, 0x01, // op request
	)
	b = append(b, mac...)
	b = append(b, ip[:]...)
	b = append(b, broadcastMAC...)
	return append(b, ip[:]...), nil
}

// NA flags (RFC 4861 section 4.4).
const (
	naRouter   = 0x80
	naOverride = 0x20
)

// AppendUnsolicitedNA appends keepalived's unsolicited neighbour
// advertisement for vip from mac: Ethernet dst 33:33:00:00:00:01, src mac;
// IPv6 src vip, dst ff02::1, hop limit 255, traffic class 0; ICMPv6 136
// with Override (and Router when router is true), target vip, option Target
// Link-Layer Address = mac; ICMPv6 checksum over the IPv6 pseudo-header.
func AppendUnsolicitedNA(b []byte, mac net.HardwareAddr, vip netip.Addr, router bool) ([]byte, error) {
	if len(mac) != 6 || !vip.Is6() || vip.Is4In6() {
		return b, errFrame
	}
	src := vip.As16()
	dst := [16]byte{0: 0xff, 1: 0x02, 15: 0x01}
	b = append(b, 0x33, 0x33, 0, 0, 0, 1)
	b = append(b, mac...)
	b = append(b, 0x86, 0xdd) // ETH_P_IPV6
	const plen = 24 + 8
	b = append(b, 0x60, 0, 0, 0, 0, plen, 58 /* ICMPv6 */, 255)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	icmp := len(b)
	var flags byte = naOverride
	if router {
		flags |= naRouter
	}
	b = append(b, 136, 0, 0, 0, flags, 0, 0, 0)
	b = append(b, src[:]...)
	b = append(b, 2, 1) // option Target Link-Layer Address, 8 bytes
	b = append(b, mac...)
	sum := pseudoSum6(src, dst, plen, 58)
	cs := ^fold(sumBytes(sum, b[icmp:]))
	binary.BigEndian.PutUint16(b[icmp+2:], cs)
	return b, nil
}

// pseudoSum6 is the unfolded sum of the IPv6 pseudo-header (RFC 8200
// section 8.1).
func pseudoSum6(src, dst [16]byte, length uint32, next byte) uint32 {
	var s uint32
	s = sumBytes(s, src[:])
	s = sumBytes(s, dst[:])
	s += length >> 16
	s += length & 0xffff
	s += uint32(next)
	return s
}

func sumBytes(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return uint16(s)
}
