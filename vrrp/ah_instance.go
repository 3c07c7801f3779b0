package vrrp

// How an Instance uses its auth_type AH state (ah.go): the checks of
// vrrp_check_packet and vrrp_in_chk_ipsecah, in keepalived 2.2.7's words
// and counters.

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrAHNextHeader drops an AH datagram that does not carry VRRP
// (keepalived ignores it without a log line or a counter of its own).
var ErrAHNextHeader = &DropReason{"other_dropped", "AH header for another protocol"}

// applyAH (re)builds the AH state from the configuration, keeping the
// counters across a reload as keepalived does.
func (in *Instance) applyAH() {
	if in.cfg.AuthType != AuthAH {
		in.ah = nil
		return
	}
	if in.ah == nil {
		in.ah = newAHState(in.cfg.AuthPass)
		return
	}
	in.ah.rekey(in.cfg.AuthPass)
}

// ahHeaderLen is the IPv4 header length of a received AH datagram, or an
// error when its AH header is not the 24 bytes keepalived sends.
func ahHeaderLen(hdrs []byte) (int, error) {
	if len(hdrs) < ipv4HdrLen {
		return 0, errors.New("short")
	}
	ihl := int(hdrs[0]&0x0f) * 4
	if ihl < ipv4HdrLen || len(hdrs) != ihl+AHLen {
		return 0, errors.New("bad length")
	}
	return ihl, nil
}

// ahCheck runs the AH checks on an advert whose auth type matched: the
// next header must be VRRP, then the ICV, the SPI and the sequence number
// (each failure logged as keepalived logs it and counted in auth_failure).
func (in *Instance) ahCheck(r *Received, ihl int) bool {
	if r.AH[ihl] != ProtoVRRP {
		in.drop(ErrAHNextHeader)
		return false
	}
	res, seq := in.ah.check(r.AH, r.Packet, len(in.cfg.UnicastPeers) > 0)
	switch res {
	case ahBadICV:
		in.logf("IPSEC-AH : invalid IPSEC HMAC-MD5 value. Due to fields mutation or bad password !")
	case ahBadSPI:
		// keepalived prints both as the in-memory 32-bit integers, and
		// names no instance.
		in.emit(Log{Msg: fmt.Sprintf("IPSEC AH : invalid IPSEC SPI value. %d and expect %d",
			binary.NativeEndian.Uint32(r.AH[12:16]), binary.NativeEndian.Uint32(r.AH[ihl+4:ihl+8])), Bare: true})
	case ahReplay:
		in.logf("IPSEC-AH : sequence number %d already processed. Packet dropped. Local(%d)", seq, in.ah.seq)
	}
	if res != ahOK {
		in.drop(ErrAuthFailure)
		return false
	}
	if in.state == StateBackup {
		in.ah.cycle = false
	}
	in.ahRxSeq = seq
	return true
}
