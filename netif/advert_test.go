package netif

import (
	"encoding/binary"
	"net/netip"
)

// testAdvert builds a VRRP advert by hand (RFC 3768 section 5.1, RFC 5798
// section 5.1), so these tests do not depend on the vrrp package. For v3
// IPv4 the checksum covers the pseudo-header with dst; for IPv6 the kernel
// fills it (IPV6_CHECKSUM), so it is left 0 here.
type testAdvert struct {
	version   int // 2 or 3
	vrid      uint8
	prio      uint8
	intervalS int // v2 seconds
	intervalC int // v3 centiseconds
	pass      string
	addrs     []netip.Addr
}

func (a testAdvert) encode(src, dst netip.Addr) []byte {
	b := []byte{byte(a.version<<4 | 1), a.vrid, a.prio, byte(len(a.addrs)), 0, 0, 0, 0}
	if a.version == 2 {
		if a.pass != "" {
			b[4] = 1
		}
		b[5] = byte(a.intervalS)
	} else {
		binary.BigEndian.PutUint16(b[4:], uint16(a.intervalC)&0x0fff)
	}
	for _, ip := range a.addrs {
		b = append(b, ip.AsSlice()...)
	}
	v6 := dst.Is6()
	if a.version == 2 && !v6 {
		var auth [8]byte
		copy(auth[:], a.pass)
		b = append(b, auth[:]...)
	}
	if v6 {
		return b
	}
	var s uint32
	if a.version == 3 {
		s = sumBytes(s, src.AsSlice())
		s = sumBytes(s, dst.AsSlice())
		s += protoVRRP
		s += uint32(len(b))
	}
	binary.BigEndian.PutUint16(b[6:], ^fold(sumBytes(s, b)))
	return b
}

// checksumOK verifies a received advert's checksum as keepalived does.
func checksumOK(p []byte, src, dst netip.Addr, version int) bool {
	var s uint32
	if src.Is6() {
		a16, d16 := src.As16(), dst.As16()
		s = pseudoSum6(a16, d16, uint32(len(p)), protoVRRP)
	} else if version == 3 {
		s = sumBytes(s, src.AsSlice())
		s = sumBytes(s, dst.AsSlice())
		s += protoVRRP
		s += uint32(len(p))
	}
	return fold(sumBytes(s, p)) == 0xffff
}
