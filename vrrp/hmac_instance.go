package vrrp

// How an Instance uses its auth_hmac state (hmac.go): a trailer on every
// advert it signs, and the checks of vrrp_auth_ext_verify in
// vrrp_check_packet, with keepalived 2.4.3's counters and log lines (each
// kind logged once until the instance changes state or master, as its
// log_rate_limited_error does).

import "net/netip"

// Rate-limit flags of the auth_hmac log lines.
const (
	hmacLogMissing uint8 = 1 << iota
	hmacLogUnicastSrc
	hmacLogMalformed
	hmacLogUnknownKey
	hmacLogBadHMAC
	hmacLogStale
	hmacLogReplay
	hmacLogSkew
)

// hmacLogState is what clears the rate-limit flags.
type hmacLogState struct {
	flags  uint8
	state  State
	master netip.Addr
}

// applyHMAC (re)builds the signing state from the configuration, keeping
// the sequence and replay marks across a reload.
func (in *Instance) applyHMAC() {
	if in.cfg.HMAC == nil {
		in.hmac = nil
		return
	}
	if in.hmac == nil {
		in.hmac = NewHMACAuth(*in.cfg.HMAC, in.cfg.UnicastPeers)
		return
	}
	in.hmac.Reconfigure(*in.cfg.HMAC, in.cfg.UnicastPeers)
}

// HMAC is the instance's auth_hmac state, nil when not configured.
func (in *Instance) HMAC() *HMACAuth { return in.hmac }

// hmacSeq is the sequence of the advert being sent: one per logical
// advert, every unicast copy carrying it.
func (in *Instance) hmacSeq() uint64 {
	if in.hmac.TrailerLen() == 0 {
		return 0
	}
	return in.hmac.NextSeq(in.now)
}

// appendHMAC signs the PDU of pduLen bytes at the end of b.
func (in *Instance) appendHMAC(b []byte, pduLen int, seq uint64) []byte {
	if in.hmac.TrailerLen() == 0 {
		return b
	}
	return in.hmac.AppendTrailer(b, pduLen, in.cfg.Version, in.cfg.VRID, in.cfg.Src, seq)
}

// hmacSplit cuts a trailer off p when the instance uses auth_hmac and p is
// exactly a trailer longer than its header says (padding never reaches
// that much), as keepalived detects it.
func (in *Instance) hmacSplit(p []byte, pduLen int) (pdu, tr []byte) {
	if in.hmac != nil && len(p) == pduLen+HMACTrailerLen {
		return p[:pduLen], p[pduLen:]
	}
	return p, nil
}

func (in *Instance) hmacLogf(flag uint8, f string, a ...any) {
	ls := &in.hmacLog
	if ls.state != in.state || ls.master != in.masterAddr {
		*ls = hmacLogState{state: in.state, master: in.masterAddr}
	}
	if ls.flags&flag != 0 {
		return
	}
	ls.flags |= flag
	in.logf(f, a...)
}

// hmacCheck is vrrp_auth_ext_verify: false drops the advert (counted).
func (in *Instance) hmacCheck(r *Received, pdu, tr []byte) bool {
	h := in.hmac
	s := &in.stats.HMACStats
	if tr == nil {
		if h.Mode() != HMACEnforce {
			return true
		}
		s.Missing++
		in.hmacLogf(hmacLogMissing, "missing authentication trailer from %v", r.Src)
		return false
	}
	if len(in.cfg.UnicastPeers) > 0 && !h.IsPeer(r.Src) {
		in.hmacLogf(hmacLogUnicastSrc, "unicast source address %v not a unicast peer", r.Src)
		in.drop(ErrUnicastSrc)
		return false
	}
	res, skew, keyID := h.Verify(in.now, in.cfg.Version, in.cfg.VRID, r.Src, pdu, tr)
	window := int32(h.cfg.TimeWindow / 1e9)
	switch res {
	case HMACOK:
		if h.cfg.AntiReplayTime && (skew > window/2 || skew < -(window/2)) {
			in.hmacLogf(hmacLogSkew, "authentication clock skew %d sec from %v approaching window %d sec", skew, r.Src, window)
		}
		return true
	case HMACMalformed:
		s.Malformed++
		in.hmacLogf(hmacLogMalformed, "malformed authentication trailer from %v", r.Src)
	case HMACUnknownKey:
		s.UnknownKey++
		in.hmacLogf(hmacLogUnknownKey, "unknown authentication key id %d from %v", keyID, r.Src)
	case HMACBadHMAC:
		s.InvalidMAC++
		in.hmacLogf(hmacLogBadHMAC, "invalid authentication HMAC from %v", r.Src)
	case HMACStale:
		s.Stale++
		in.hmacLogf(hmacLogStale, "stale authentication trailer from %v, clock skew %d sec exceeds window %d sec", r.Src, skew, window)
	case HMACReplay:
		s.Replay++
		in.hmacLogf(hmacLogReplay, "replayed authentication trailer from %v", r.Src)
	}
	return false
}
