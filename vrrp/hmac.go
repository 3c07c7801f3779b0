package vrrp

// auth_hmac: keepalived 2.4's authenticated advert trailer
// (vrrp_auth_hmac.c, vrrp.c vrrp_auth_ext_verify), written from its
// description, byte-compatible with keepalived 2.4.3.
//
// After the VRRP PDU (and outside its IPv4 checksum) comes a 28-byte
// trailer:
//
//	0      ext_type (1: HMAC-SHA256 truncated to 128 bits)
//	1      key_id
//	2..3   reserved, zero
//	4..7   sec:    the sequence's UTC seconds
//	8..9   subsec: 1/65536 s
//	10..11 ctr:    a counter within one stamp
//	12..27 the first 16 bytes of HMAC-SHA256(key, M)
//
// where M is a 20-byte pseudo-header (4 or 6, the version, the VRID, 0,
// the sender's address), then the PDU and the trailer's first 12 bytes
// with the VRRP checksum read as zero, then 16 zero bytes in place of the
// HMAC. The IP header and the destination are not covered: one signature
// serves every unicast copy, and the kernel's IPv6 checksum (which covers
// the trailer) does not feed it. The sequence (sec<<32 | subsec<<16 | ctr)
// grows per advert; a receiver keeps the highest it accepted per unicast
// peer, or per source in a four-slot table for multicast.

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"hash"
	"net/netip"
	"time"
)

// Sizes and identifiers of the trailer.
const (
	HMACTrailerLen = 28
	HMACTypeSHA256 = 1
	hmacLen        = 16
	hmacSignedLen  = HMACTrailerLen - hmacLen // the trailer bytes before the HMAC
	hmacPseudoLen  = 20
	hmacMcastSlots = 4
)

// HMACMode is what a node does with adverts lacking a valid trailer.
type HMACMode uint8

const (
	// HMACEnforce signs and drops unsigned or bad adverts.
	HMACEnforce HMACMode = iota
	// HMACPermissive signs and accepts unsigned adverts.
	HMACPermissive
	// HMACReceiveOnly sends unsigned adverts; a trailer received is checked.
	HMACReceiveOnly
)

func (m HMACMode) String() string {
	switch m {
	case HMACPermissive:
		return "permissive"
	case HMACReceiveOnly:
		return "receive-only"
	}
	return "enforce"
}

// HMACKey is one configured key.
type HMACKey struct {
	ID  uint8
	Key []byte
}

// HMACConfig is an instance's auth_hmac (nil in Config: not configured).
type HMACConfig struct {
	Keys      []HMACKey
	ActiveKey uint8
	Mode      HMACMode
	// AntiReplayTime: a trailer's seconds must lie within TimeWindow of
	// our clock (anti_replay time); otherwise the sequence need only grow.
	AntiReplayTime bool
	TimeWindow     time.Duration // whole seconds
}

// HMACResult is the outcome of checking a trailer.
type HMACResult uint8

const (
	HMACOK HMACResult = iota
	HMACMalformed
	HMACUnknownKey
	HMACBadHMAC
	HMACStale
	HMACReplay
	// HMACMissing: no trailer where one was required (enforce).
	HMACMissing
)

func (r HMACResult) String() string {
	return [...]string{"OK", "MALFORMED", "UNKNOWN_KEY", "BAD_HMAC", "STALE", "REPLAY", "MISSING"}[r]
}

// HMACStats are keepalived 2.4.3's auth_ext_* counters.
type HMACStats struct {
	Missing    uint64 `json:"auth_ext_missing"`
	Malformed  uint64 `json:"auth_ext_malformed"`
	UnknownKey uint64 `json:"auth_ext_unknown_key"`
	InvalidMAC uint64 `json:"auth_ext_invalid_hmac"`
	Stale      uint64 `json:"auth_ext_stale"`
	Replay     uint64 `json:"auth_ext_replay"`
}

// Sub returns the counters accumulated since base.
func (s HMACStats) Sub(b HMACStats) HMACStats {
	return HMACStats{s.Missing - b.Missing, s.Malformed - b.Malformed, s.UnknownKey - b.UnknownKey,
		s.InvalidMAC - b.InvalidMAC, s.Stale - b.Stale, s.Replay - b.Replay}
}

type replayMark struct {
	valid bool
	seq   uint64
}

type mcastSender struct {
	addr     netip.Addr
	mark     replayMark
	lastUsed uint32 // LRU rank; 0: empty
}

type hmacKeyState struct {
	id  uint8
	mac hash.Hash // keyed once; Reset between uses
}

// HMACAuth is one instance's signing and checking state. It is pure: the
// time comes from the caller. Checking a good advert allocates nothing.
type HMACAuth struct {
	cfg     HMACConfig
	keys    []hmacKeyState
	sendSeq uint64

	peers   []netip.Addr // unicast peers, replay marks beside them
	marks   []replayMark
	mcast   [hmacMcastSlots]mcastSender
	lruTick uint32

	pseudo [hmacPseudoLen]byte
	sum    [sha256.Size]byte
}

// NewHMACAuth keys the MACs of cfg. peers are the unicast peers (none:
// multicast, replay marks by source address).
func NewHMACAuth(cfg HMACConfig, peers []netip.Addr) *HMACAuth {
	a := &HMACAuth{}
	a.Reconfigure(cfg, peers)
	return a
}

// Reconfigure takes new keys and settings, keeping the send sequence and
// the marks of peers that stay (a reload must not reopen a replay window).
func (a *HMACAuth) Reconfigure(cfg HMACConfig, peers []netip.Addr) {
	a.cfg = cfg
	a.keys = a.keys[:0]
	for _, k := range cfg.Keys {
		a.keys = append(a.keys, hmacKeyState{id: k.ID, mac: hmac.New(sha256.New, k.Key)})
	}
	marks := make([]replayMark, len(peers))
	for i, p := range peers {
		for j, q := range a.peers {
			if p == q {
				marks[i] = a.marks[j]
			}
		}
	}
	a.peers, a.marks = append([]netip.Addr(nil), peers...), marks
}

// Mode is the configured mode.
func (a *HMACAuth) Mode() HMACMode { return a.cfg.Mode }

// Config is the configuration in use.
func (a *HMACAuth) Config() HMACConfig { return a.cfg }

// TrailerLen is what the trailer adds to our adverts: 0 in receive-only.
func (a *HMACAuth) TrailerLen() int {
	if a == nil || a.cfg.Mode == HMACReceiveOnly {
		return 0
	}
	return HMACTrailerLen
}

func (a *HMACAuth) key(id uint8) hash.Hash {
	for i := range a.keys {
		if a.keys[i].id == id {
			return a.keys[i].mac
		}
	}
	return nil
}

// seqAfter is RFC 1982 serial number order on the 64-bit sequence.
func seqAfter(x, y uint64) bool { return int64(x-y) > 0 }

// clockSeq packs a wall-clock reading: seconds, then 1/65536 s, counter 0.
func clockSeq(now time.Time) uint64 {
	sub := uint64(now.Nanosecond()) << 16 / 1e9
	return uint64(uint32(now.Unix()))<<32 | sub<<16
}

// NextSeq is the sequence of our next advert: the clock, or the last one
// plus one when the clock has not moved past it. In time mode a sequence
// stranded more than the window ahead of the clock (the clock was stepped
// back) restarts from the clock, as receivers would reject it anyway.
func (a *HMACAuth) NextSeq(now time.Time) uint64 {
	clk := clockSeq(now)
	if seqAfter(clk, a.sendSeq) {
		a.sendSeq = clk
		return clk
	}
	ahead := int32(uint32(a.sendSeq>>32) - uint32(clk>>32))
	if a.cfg.AntiReplayTime && int64(ahead) > int64(a.cfg.TimeWindow/time.Second) {
		a.sendSeq = clk
	} else {
		a.sendSeq++
	}
	return a.sendSeq
}

// SetSendSeq sets the last sequence sent (tests; a restarted sender starts
// from the clock).
func (a *HMACAuth) SetSendSeq(seq uint64) { a.sendSeq = seq }

func (a *HMACAuth) setPseudo(version int, vrid uint8, src netip.Addr) {
	p := &a.pseudo
	*p = [hmacPseudoLen]byte{}
	p[1], p[2] = uint8(version), vrid
	if src.Is4() || src.Is4In6() {
		p[0] = 4
		v4 := src.Unmap().As4()
		copy(p[4:], v4[:])
	} else {
		p[0] = 6
		v6 := src.As16()
		copy(p[4:], v6[:])
	}
}

var hmacZeros [hmacLen]byte

// mac computes the truncated HMAC of signed (the PDU and the trailer's
// first 12 bytes) into a.sum[:hmacLen].
func (a *HMACAuth) mac(h hash.Hash, signed []byte) []byte {
	h.Reset()
	h.Write(a.pseudo[:])
	h.Write(signed[:6])
	h.Write(hmacZeros[:2])
	h.Write(signed[8:])
	h.Write(hmacZeros[:])
	return h.Sum(a.sum[:0])[:hmacLen]
}

// AppendTrailer appends a signed trailer with sequence seq to b, whose
// last pduLen bytes are the VRRP PDU just encoded, sent from src. Nothing
// is appended in receive-only mode. With the active key missing (only a
// broken configuration) the HMAC is left zero, which every receiver rejects.
func (a *HMACAuth) AppendTrailer(b []byte, pduLen int, version int, vrid uint8, src netip.Addr, seq uint64) []byte {
	if a.TrailerLen() == 0 {
		return b
	}
	start := len(b) - pduLen
	b = append(b, HMACTypeSHA256, a.cfg.ActiveKey, 0, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(seq>>32))
	b = binary.BigEndian.AppendUint16(b, uint16(seq>>16))
	b = binary.BigEndian.AppendUint16(b, uint16(seq))
	h := a.key(a.cfg.ActiveKey)
	if h == nil {
		return append(b, hmacZeros[:]...)
	}
	a.setPseudo(version, vrid, src)
	return append(b, a.mac(h, b[start:])...)
}

// Verify checks the trailer tr of the PDU pdu (tr follows pdu on the
// wire), received from src at now, and on success raises src's replay
// mark. skew is our clock minus the trailer's seconds (time mode). The
// stale check runs before the HMAC so that replayed captures cost no
// digest; the mark only moves once the HMAC is good.
func (a *HMACAuth) Verify(now time.Time, version int, vrid uint8, src netip.Addr, pdu, tr []byte) (res HMACResult, skew int32, keyID uint8) {
	if len(tr) != HMACTrailerLen {
		return HMACMalformed, 0, 0
	}
	keyID = tr[1]
	if tr[0] != HMACTypeSHA256 || tr[2] != 0 || tr[3] != 0 {
		return HMACMalformed, 0, keyID
	}
	sec := binary.BigEndian.Uint32(tr[4:8])
	seq := uint64(sec)<<32 | uint64(binary.BigEndian.Uint16(tr[8:10]))<<16 | uint64(binary.BigEndian.Uint16(tr[10:12]))
	window := int64(a.cfg.TimeWindow / time.Second)
	if a.cfg.AntiReplayTime {
		skew = int32(uint32(now.Unix()) - sec)
		if int64(skew) > window || int64(skew) < -window {
			return HMACStale, skew, keyID
		}
	}
	h := a.key(keyID)
	if h == nil {
		return HMACUnknownKey, skew, keyID
	}
	a.setPseudo(version, vrid, src)
	// The MAC runs over the PDU and the trailer head as they lie in one
	// buffer; when they do not (a caller's copy), hash them in turn.
	var got []byte
	if n := len(pdu); cap(pdu) >= n+hmacSignedLen && &pdu[:n+1][n] == &tr[0] {
		got = a.mac(h, pdu[:n+hmacSignedLen])
	} else {
		h.Reset()
		h.Write(a.pseudo[:])
		h.Write(pdu[:6])
		h.Write(hmacZeros[:2])
		h.Write(pdu[8:])
		h.Write(tr[:hmacSignedLen])
		h.Write(hmacZeros[:])
		got = h.Sum(a.sum[:0])[:hmacLen]
	}
	if subtle.ConstantTimeCompare(got, tr[hmacSignedLen:]) != 1 {
		return HMACBadHMAC, skew, keyID
	}
	mark := a.markOf(src)
	if mark == nil {
		return HMACReplay, skew, keyID
	}
	if mark.valid && a.cfg.AntiReplayTime {
		// A mark outside the window orders nothing the window lets in:
		// expiring it lets a sender reset by a clock step back in.
		age := int64(int32(uint32(now.Unix()) - uint32(mark.seq>>32)))
		if age > window || age < -window {
			mark.valid = false
		}
	}
	if mark.valid && !seqAfter(seq, mark.seq) {
		return HMACReplay, skew, keyID
	}
	mark.valid, mark.seq = true, seq
	return HMACOK, skew, keyID
}

// IsPeer reports whether src is a configured unicast peer (unicast mode).
func (a *HMACAuth) IsPeer(src netip.Addr) bool {
	for _, p := range a.peers {
		if p == src {
			return true
		}
	}
	return false
}

// markOf is src's replay mark: its peer's, or its multicast slot (taking
// the least recently used one for a new source). nil: unicast, not a peer.
func (a *HMACAuth) markOf(src netip.Addr) *replayMark {
	if len(a.peers) > 0 {
		for i, p := range a.peers {
			if p == src {
				return &a.marks[i]
			}
		}
		return nil
	}
	a.lruTick++
	if a.lruTick == 0 {
		a.lruTick = 1
	}
	var victim *mcastSender
	for i := range a.mcast {
		s := &a.mcast[i]
		if s.lastUsed != 0 && s.addr == src {
			s.lastUsed = a.lruTick
			return &s.mark
		}
		if victim == nil || s.lastUsed < victim.lastUsed {
			victim = s
		}
	}
	*victim = mcastSender{addr: src, lastUsed: a.lruTick}
	return &victim.mark
}
