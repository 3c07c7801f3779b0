package vrrp

// auth_type AH: keepalived's IPsec Authentication Header for VRRPv2 over
// IPv4 (RFC 2338 section 5.3.6.3, RFC 2402), as keepalived 2.2.7 sends
// and checks it (vrrp.c vrrp_build_ipsecah, vrrp_update_pkt,
// vrrp_in_chk_ipsecah; vrrp_ipsecah.c), written from its description.
//
// An AH advert is IP protocol 51: the 20-byte IPv4 header, then 24 bytes
// of AH, then the VRRP packet (auth type 2, its 8 authentication bytes
// zero):
//
//	0      next header: 112 (VRRP)
//	1      payload length: 4 (32-bit words minus 2)
//	2..3   reserved, zero
//	4..7   SPI: the sender's IPv4 address
//	8..11  sequence number
//	12..23 ICV: the first 12 bytes of HMAC-MD5(password, M)
//
// The key is the 8 password bytes, zero padded. M is the IPv4 header with
// its mutable fields zero (TOS, fragment field, checksum, and for unicast
// the TTL), then the AH header with the ICV zero, then the VRRP packet.
// The IP identification and total length are covered, so the core builds
// the whole datagram (as keepalived builds its send buffer) and owns the
// IP identification of an AH instance.
//
// One 32-bit counter serves both directions, as keepalived's
// ipsecah_counter does: each advert sent increments it (stopping below
// 0xFFFFFFFE, the "cycle" mark), an advert received must carry a sequence
// number above it and sets it, a master that hears a lower priority advert
// takes that advert's number plus one, and an instance that becomes master
// after the counter cycled starts again from zero. That is what lets a
// backup that takes over continue above its old master's numbers.

import (
	"crypto/hmac"
	"crypto/md5"
	"encoding/binary"
	"hash"
	"net/netip"
)

// AH sizes and numbers.
const (
	ProtoAH         = 51 // IP protocol of an AH advert
	AHLen           = 24 // the AH header keepalived sends
	ahICVLen        = 12 // HMAC-MD5-96
	ahPayloadLen    = 4  // AH's length field: (24 / 4) - 2
	ahICVOffset     = 12
	ahSeqCycle      = 0xFFFFFFFD // keepalived stops counting above it
	ahDatagramExtra = ipv4HdrLen + AHLen
)

// ahState is an AH instance's counter, IP identification and keyed MAC.
type ahState struct {
	seq   uint32 // ipsecah_counter.seq_number
	cycle bool   // ipsecah_counter.cycle
	ipID  uint16 // the IP identification of the last advert sent
	key   [AuthLen]byte
	mac   hash.Hash // HMAC-MD5 keyed with key; Reset between uses

	sum [md5.Size]byte
	hdr [60 + AHLen]byte // a received IP header and AH with the mutable fields zeroed
}

func newAHState(key [AuthLen]byte) *ahState {
	return &ahState{key: key, mac: hmac.New(md5.New, key[:])}
}

// rekey takes a new password, keeping the counters (a reload keeps them).
func (s *ahState) rekey(key [AuthLen]byte) {
	if key != s.key {
		s.key, s.mac = key, hmac.New(md5.New, key[:])
	}
}

// nextSend advances the counter and the IP identification for one
// advert (every unicast copy of it carries the same ones).
func (s *ahState) nextSend() {
	s.ipID++
	if s.ipID == 0 {
		s.ipID = 1 // the kernel fills an identification of 0 itself
	}
	if s.seq > ahSeqCycle {
		s.cycle = true
	} else {
		s.seq++
	}
}

// appendAHHeaders appends the IPv4 header and the AH header (ICV zero) of
// an AH advert from src to dst whose VRRP packet of vrrpLen bytes follows.
func appendAHHeaders(b []byte, src, dst netip.Addr, id uint16, ttl uint8, seq uint32, vrrpLen int) []byte {
	tot := ahDatagramExtra + vrrpLen
	var s, d [4]byte
	if src.Is4() || src.Is4In6() {
		s = src.Unmap().As4()
	}
	if dst.Is4() || dst.Is4In6() {
		d = dst.Unmap().As4()
	}
	b = append(b, 0x45, 0xc0, byte(tot>>8), byte(tot), byte(id>>8), byte(id), 0, 0, ttl, ProtoAH, 0, 0)
	b = append(b, s[:]...)
	b = append(b, d[:]...)
	b = append(b, ProtoVRRP, ahPayloadLen, 0, 0)
	b = append(b, s[:]...) // SPI: the source address
	b = binary.BigEndian.AppendUint32(b, seq)
	return append(b, make([]byte, ahICVLen)...)
}

// icv computes the ICV of the datagram whose IPv4 header and AH header
// are hdrs (copied, mutable fields and ICV zeroed) and whose VRRP part is
// rest, into s.sum.
func (s *ahState) icv(hdrs, rest []byte, unicast bool) []byte {
	h := s.hdr[:len(hdrs)]
	copy(h, hdrs)
	h[1] = 0          // TOS
	h[6], h[7] = 0, 0 // flags and fragment offset
	h[10], h[11] = 0, 0
	if unicast {
		h[8] = 0 // TTL
	}
	ihl := int(h[0]&0x0f) * 4
	clear(h[ihl+ahICVOffset : ihl+AHLen])
	s.mac.Reset()
	s.mac.Write(h)
	s.mac.Write(rest)
	return s.mac.Sum(s.sum[:0])[:ahICVLen]
}

// sign fills the ICV of an AH datagram the core built (20-byte IPv4
// header, AH, VRRP).
func (s *ahState) sign(dgram []byte, unicast bool) {
	sum := s.icv(dgram[:ahDatagramExtra], dgram[ahDatagramExtra:], unicast)
	copy(dgram[ipv4HdrLen+ahICVOffset:ahDatagramExtra], sum)
}

// ahResult is the outcome of vrrp_in_chk_ipsecah.
type ahResult uint8

const (
	ahOK ahResult = iota
	ahBadICV
	ahBadSPI
	ahReplay
)

// check is vrrp_in_chk_ipsecah on a received advert whose IPv4 header and
// AH header are hdrs and whose VRRP part is rest: the ICV, the SPI against
// the source address, then the sequence number against the counter, which
// a good advert advances. seq is the advert's sequence number.
func (s *ahState) check(hdrs, rest []byte, unicast bool) (res ahResult, seq uint32) {
	ihl := int(hdrs[0]&0x0f) * 4
	ah := hdrs[ihl:]
	seq = binary.BigEndian.Uint32(ah[8:12])
	want := s.icv(hdrs, rest, unicast)
	if !hmac.Equal(want, ah[ahICVOffset:AHLen]) {
		return ahBadICV, seq
	}
	if [4]byte(ah[4:8]) != [4]byte(hdrs[12:16]) {
		return ahBadSPI, seq
	}
	if seq <= s.seq {
		return ahReplay, seq
	}
	s.seq = seq
	return ahOK, seq
}

// SplitAH splits an AH advert datagram, as the core sends it or as a
// simulator delivers it, into the IPv4 and AH headers the ICV covers and
// the VRRP part (what Received.AH and Received.Packet carry). ok is false
// when dgram is not an IPv4 datagram of protocol 51 holding a whole AH
// header.
func SplitAH(dgram []byte) (hdrs, vrrp []byte, ok bool) {
	if len(dgram) < ipv4HdrLen || dgram[0]>>4 != 4 || dgram[9] != ProtoAH {
		return nil, nil, false
	}
	ihl := int(dgram[0]&0x0f) * 4
	if ihl < ipv4HdrLen || len(dgram) < ihl+AHLen {
		return nil, nil, false
	}
	return dgram[:ihl+AHLen], dgram[ihl+AHLen:], true
}
