package vrrp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Wire constants (RFC 3768 section 5, RFC 5798 section 5).
const (
	TypeAdvert  = 1   // the only VRRP packet type
	ProtoVRRP   = 112 // IP protocol number
	TTL         = 255 // IPv4 TTL / IPv6 hop limit of multicast adverts
	PrioOwner   = 255 // the address owner
	PrioStop    = 0   // "resigning" priority of a stopping master
	AuthNone    = 0
	AuthPass    = 1
	AuthAH      = 2 // IPsec AH (IP protocol 51) before the VRRP part: ah.go
	AuthLen     = 8 // v2 IPv4 authentication data, always present
	HeaderLen   = 8
	MaxAddrs    = 255
	maxV3Centis = 0x0fff
	centisecond = 10 * time.Millisecond
	ipv4HdrLen  = 20 // IPv4 header without options
)

// Default multicast groups (RFC 5798 section 5.1.1.2 / 5.1.2.2).
var (
	MulticastGroup4 = netip.AddrFrom4([4]byte{224, 0, 0, 18})
	MulticastGroup6 = netip.MustParseAddr("ff02::12")
)

// DropReason is the sentinel behind every advert the core drops. Counter
// names the keepalived statistics counter it is counted in (Stats' JSON
// name), or one of our own (checksum_err, version_err, other_dropped) where
// keepalived counts nothing.
type DropReason struct {
	Counter string
	text    string
}

func (d *DropReason) Error() string { return "vrrp: " + d.text }

// Sentinels returned (wrapped) by Decode and counted by Instance.Step.
var (
	ErrTooShort          = &DropReason{"packet_len_err", "packet too short"}
	ErrLength            = &DropReason{"packet_len_err", "packet length does not match its address count"}
	ErrIPLength          = &DropReason{"packet_len_err", "ip total length does not match received length"}
	ErrTTL               = &DropReason{"ip_ttl_err", "invalid ttl/hop limit"}
	ErrVersion           = &DropReason{"version_err", "wrong version"}
	ErrInvalidAuthType   = &DropReason{"invalid_authtype", "invalid auth type"}
	ErrAuthTypeMismatch  = &DropReason{"authtype_mismatch", "auth type mismatch"}
	ErrAuthFailure       = &DropReason{"auth_failure", "authentication failure"}
	ErrAdvertInterval    = &DropReason{"advert_interval_err", "advertisement interval mismatch"}
	ErrType              = &DropReason{"invalid_type_rcvd", "invalid packet type"}
	ErrAddrCount         = &DropReason{"addr_list_err", "unexpected address count"}
	ErrAddrList          = &DropReason{"addr_list_err", "address list mismatch"}
	ErrCastMismatch      = &DropReason{"addr_list_err", "unicast/multicast mismatch"}
	ErrChecksum          = &DropReason{"checksum_err", "invalid checksum"}
	ErrUnicastSrc        = &DropReason{"other_dropped", "unicast source is not a peer"}
	ErrPeerTTL           = &DropReason{"ip_ttl_err", "ttl/hop limit outside the peer's range"}
	ErrVRID              = &DropReason{"other_dropped", "wrong vrid"}
	ErrNotRunning        = &DropReason{"other_dropped", "instance not in BACKUP or MASTER"}
	ErrUnsupportedFamily = &DropReason{"other_dropped", "address family mismatch"}
)

// CounterOf returns the Stats counter name an error from Decode is counted
// in, or "" if err is not a drop reason.
func CounterOf(err error) string {
	var d *DropReason
	if errors.As(err, &d) {
		return d.Counter
	}
	return ""
}

// Advert is one VRRP advertisement (the VRRP part only, no IP header).
//
// Decode does not allocate: the addresses stay in the decoded buffer (read
// them with NumAddrs, Addr or AppendAddrs) and Addrs is left nil. To build
// an advert, set Addrs; AppendEncode uses Addrs when it is non-nil, else the
// decoded address bytes, so decode -> encode round trips.
type Advert struct {
	Version  uint8 // 2 or 3
	Type     uint8 // 1
	VRID     uint8
	Priority uint8
	AuthType uint8 // v2 only
	// AdverInt is whole seconds (v2) or centiseconds (v3), as on the wire.
	AdverInt time.Duration
	IPv6     bool
	Addrs    []netip.Addr
	AuthData [AuthLen]byte // v2 IPv4 only
	Checksum uint16        // as read by Decode; computed by AppendEncode
	// ChecksumAsV2 makes AppendEncode leave the IPv4 pseudo-header out of a
	// VRRPv3 checksum (v3_checksum_as_v2).
	ChecksumAsV2 bool

	raw []byte // decoded address bytes, aliasing Decode's input
}

// NumAddrs is the number of addresses (Addrs or the decoded ones).
func (a *Advert) NumAddrs() int {
	if a.Addrs != nil {
		return len(a.Addrs)
	}
	return len(a.raw) / a.addrLen()
}

// Addr returns address i (0 <= i < NumAddrs).
func (a *Advert) Addr(i int) netip.Addr {
	if a.Addrs != nil {
		return a.Addrs[i]
	}
	if a.IPv6 {
		return netip.AddrFrom16([16]byte(a.raw[i*16 : i*16+16]))
	}
	return netip.AddrFrom4([4]byte(a.raw[i*4 : i*4+4]))
}

// AppendAddrs appends the advert's addresses to dst.
func (a *Advert) AppendAddrs(dst []netip.Addr) []netip.Addr {
	for i, n := 0, a.NumAddrs(); i < n; i++ {
		dst = append(dst, a.Addr(i))
	}
	return dst
}

// HasAddr reports whether ip is among the advert's addresses.
func (a *Advert) HasAddr(ip netip.Addr) bool {
	for i, n := 0, a.NumAddrs(); i < n; i++ {
		if a.Addr(i) == ip {
			return true
		}
	}
	return false
}

func (a *Advert) addrLen() int {
	if a.IPv6 {
		return 16
	}
	return 4
}

// Len is the encoded length of the advert.
func (a *Advert) Len() int {
	n := HeaderLen + a.NumAddrs()*a.addrLen()
	if a.Version == 2 && !a.IPv6 {
		n += AuthLen
	}
	return n
}

// ExpectedLen is the length a VRRP packet must have given its version
// and address count byte (keepalived's expected_vrrp_pkt_len).
func ExpectedLen(version, naddr uint8, ipv6 bool) int {
	if ipv6 {
		return HeaderLen + int(naddr)*16
	}
	n := HeaderLen + int(naddr)*4
	if version == 2 {
		n += AuthLen
	}
	return n
}

// Decode parses and validates one VRRP packet (no IP header). src and dst
// are the IP addresses it travelled between; they are needed to verify the
// checksum of IPv4 VRRPv3 and of IPv6 (pass invalid addresses to skip that
// check: for IPv6 the kernel has verified it already). Errors wrap one of
// the DropReason sentinels. Decode does not allocate.
func Decode(b []byte, ipv6 bool, src, dst netip.Addr) (Advert, error) {
	var a Advert
	if len(b) < HeaderLen {
		return a, fmt.Errorf("%w: %d bytes", ErrTooShort, len(b))
	}
	a.Version = b[0] >> 4
	a.Type = b[0] & 0x0f
	a.VRID = b[1]
	a.Priority = b[2]
	a.IPv6 = ipv6
	naddr := b[3]
	a.Checksum = binary.BigEndian.Uint16(b[6:8])
	switch a.Version {
	case 2:
		a.AuthType = b[4]
		a.AdverInt = time.Duration(b[5]) * time.Second
	case 3:
		a.AdverInt = time.Duration(binary.BigEndian.Uint16(b[4:6])&maxV3Centis) * centisecond
	default:
		return a, fmt.Errorf("%w: %d", ErrVersion, a.Version)
	}
	if want := ExpectedLen(a.Version, naddr, ipv6); len(b) != want {
		return a, fmt.Errorf("%w: length %d and expect %d", ErrLength, len(b), want)
	}
	if a.Type != TypeAdvert {
		return a, fmt.Errorf("%w: %d", ErrType, a.Type)
	}
	al := a.addrLen()
	a.raw = b[HeaderLen : HeaderLen+int(naddr)*al]
	if a.Version == 2 && !ipv6 {
		copy(a.AuthData[:], b[HeaderLen+int(naddr)*al:])
	}
	if a.Version == 2 && a.AuthType > AuthAH {
		return a, fmt.Errorf("%w: %d", ErrInvalidAuthType, a.AuthType)
	}
	if (a.Version == 3 || ipv6) && (!src.IsValid() || !dst.IsValid()) {
		return a, nil
	}
	if !VerifyChecksum(b, ipv6, src, dst) {
		return a, fmt.Errorf("%w: 0x%04x", ErrChecksum, a.Checksum)
	}
	return a, nil
}

// AppendEncode appends the encoded advert to b, with the checksum computed
// as keepalived computes it for an advert sent from src to dst: VRRPv2 over
// IPv4 without a pseudo-header (RFC 3768 section 5.3.8), VRRPv3 over IPv4
// and anything over IPv6 with the pseudo-header (RFC 5798 section 5.2.8).
// It does not allocate when b has room.
func (a *Advert) AppendEncode(b []byte, src, dst netip.Addr) []byte {
	ipv6 := a.IPv6 || dst.Is6() && !dst.Is4In6()
	start := len(b)
	version := a.Version
	if version != 2 {
		version = 3
	}
	typ := a.Type
	if typ == 0 {
		typ = TypeAdvert
	}
	n := a.NumAddrs()
	if n > MaxAddrs {
		n = MaxAddrs
	}
	b = append(b, version<<4|typ&0x0f, a.VRID, a.Priority, uint8(n))
	if version == 2 {
		b = append(b, a.AuthType, uint8(a.AdverInt/time.Second))
	} else {
		b = binary.BigEndian.AppendUint16(b, uint16(a.AdverInt/centisecond)&maxV3Centis)
	}
	b = append(b, 0, 0)
	for i := 0; i < n; i++ {
		ip := a.Addr(i)
		if ipv6 {
			a16 := ip.As16()
			b = append(b, a16[:]...)
		} else {
			a4 := ip.Unmap().As4()
			b = append(b, a4[:]...)
		}
	}
	if version == 2 && !ipv6 {
		b = append(b, a.AuthData[:]...)
	}
	pkt := b[start:]
	var sum uint16
	if a.ChecksumAsV2 && !ipv6 {
		sum = checksumBare(pkt)
	} else {
		sum = Checksum(pkt, ipv6, src, dst)
	}
	binary.BigEndian.PutUint16(pkt[6:8], sum)
	a.Checksum = sum
	return b
}

// Checksum computes the checksum field of the VRRP packet pkt (the field
// itself is taken as zero) as keepalived does: VRRPv2 over IPv4 sums the
// packet only, header, addresses and the 8 authentication bytes; VRRPv3 over
// IPv4 adds the IPv4 pseudo-header (src, dst, 0, 112, length) with dst the
// real destination (the peer for unicast); IPv6 (either version) adds the
// IPv6 pseudo-header, which the kernel computes itself (IPV6_CHECKSUM).
func Checksum(pkt []byte, ipv6 bool, src, dst netip.Addr) uint16 {
	if len(pkt) < HeaderLen {
		return 0
	}
	var sum uint32
	switch {
	case ipv6:
		s, d := src.As16(), dst.As16()
		sum = sumWords(sum, s[:])
		sum = sumWords(sum, d[:])
		sum += uint32(len(pkt)>>16) + uint32(len(pkt)&0xffff)
		sum += ProtoVRRP
	case pkt[0]>>4 == 3:
		s, d := src.Unmap().As4(), dst.Unmap().As4()
		sum = sumWords(sum, s[:])
		sum = sumWords(sum, d[:])
		sum += ProtoVRRP
		sum += uint32(len(pkt) & 0xffff)
	}
	sum = sumWords(sum, pkt[:6])
	sum = sumWords(sum, pkt[8:])
	return ^fold(sum)
}

// checksumBare is the checksum of pkt alone, without a pseudo-header (a
// VRRPv2 IPv4 one, or a VRRPv3 IPv4 one with v3_checksum_as_v2).
func checksumBare(pkt []byte) uint16 {
	if len(pkt) < HeaderLen {
		return 0
	}
	sum := sumWords(0, pkt[:6])
	sum = sumWords(sum, pkt[8:])
	return ^fold(sum)
}

// VerifyChecksum reports whether the checksum field of pkt is right for an
// advert sent from src to dst (see Checksum).
func VerifyChecksum(pkt []byte, ipv6 bool, src, dst netip.Addr) bool {
	if len(pkt) < HeaderLen {
		return false
	}
	return Checksum(pkt, ipv6, src, dst) == binary.BigEndian.Uint16(pkt[6:8])
}

// sumWords adds b to a one's complement accumulator as big-endian 16-bit
// words, an odd trailing byte padded with zero.
func sumWords(sum uint32, b []byte) uint32 {
	for len(b) >= 2 {
		sum += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
		if sum >= 0x80000000 {
			sum = sum&0xffff + sum>>16
		}
	}
	if len(b) == 1 {
		sum += uint32(b[0]) << 8
	}
	return sum
}

func fold(sum uint32) uint16 {
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return uint16(sum)
}
