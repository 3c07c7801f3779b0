package vrrp

// The receive path: keepalived's vrrp_check_packet and the BACKUP and
// MASTER handlers of an advert (vrrp.c, vrrp_scheduler.c).

import (
	"net/netip"
	"time"
)

// PeekVRID reads the VRID and the version of a received VRRP packet (the
// VRRP part, no IP header) before any check, so that the caller can hand
// it to the instance of that VRID on the socket it arrived on (the family
// is the socket's). ok is false when the packet is too short to name a
// VRID; anything longer goes to the instance, which checks the rest and
// counts what it drops.
func PeekVRID(pkt []byte) (vrid, version uint8, ok bool) {
	if len(pkt) < 2 {
		return 0, 0, false
	}
	return pkt[1], pkt[0] >> 4, true
}

// drop counts a dropped advert in the counter its reason names.
func (in *Instance) drop(r *DropReason) {
	s := &in.stats
	switch r.Counter {
	case "packet_len_err":
		s.PacketLenErr++
	case "ip_ttl_err":
		s.IPTTLErr++
	case "version_err":
		s.VersionErr++
	case "invalid_authtype":
		s.InvalidAuthType++
	case "authtype_mismatch":
		s.AuthTypeMismatch++
	case "auth_failure":
		s.AuthFailure++
	case "advert_interval_err":
		s.AdvertIntervalErr++
	case "invalid_type_rcvd":
		s.InvalidTypeRcvd++
	case "addr_list_err":
		s.AddrListErr++
	case "checksum_err":
		s.ChecksumErr++
	default:
		s.OtherDropped++
	}
}

// check is vrrp_check_packet: the checks in keepalived's order, each drop
// logged in its words and counted. It returns the parsed header or nil.
func (in *Instance) check(r *Received, hd *Advert, checkAddr bool) bool {
	p := r.Packet
	c := &in.cfg
	unicast := len(c.UnicastPeers) > 0
	iphl := 0
	if !c.IPv6 {
		iphl = r.IPHdrLen
		if iphl == 0 {
			iphl = ipv4HdrLen
		}
	}
	// rxHdr is what came before the VRRP part, expHdr what should have.
	rxHdr, expHdr, ahIHL := iphl, iphl, 0
	if !c.IPv6 {
		if (r.AH != nil) != (c.AuthType == AuthAH) {
			if r.AH != nil {
				in.logf("Received AH header but auth type not AH")
			} else {
				in.logf("No AH header but auth type is AH")
			}
			in.drop(ErrAuthTypeMismatch)
			return false
		}
		if r.AH != nil {
			ihl, err := ahHeaderLen(r.AH)
			if err != nil {
				in.drop(ErrLength)
				return false
			}
			ahIHL, rxHdr, expHdr = ihl, len(r.AH), ihl+AHLen
		}
	}
	pduLen := ExpectedLen(hd.Version, uint8(p[3]), c.IPv6)
	p, tr := in.hmacSplit(p, pduLen)
	if want := expHdr + pduLen; rxHdr+len(p) != want {
		word := "short"
		if rxHdr+len(p) > want {
			word = "long"
		}
		in.logf("vrrp packet too %s, length %d and expect %d", word, rxHdr+len(p), want)
		in.drop(ErrLength)
		return false
	}
	if !unicast && r.TTL != 0 && r.TTL != TTL {
		in.logf("invalid TTL/HL. Received %d and expect %d", r.TTL, TTL)
		in.drop(ErrTTL)
		return false
	}
	if int(hd.Version) != c.Version {
		in.logf("wrong version. Received %d and expect %d", hd.Version, c.Version)
		in.drop(ErrVersion)
		return false
	}
	if in.hmac != nil && !in.hmacCheck(r, p, tr) {
		return false
	}
	if c.Version == 2 {
		at := p[4]
		if at > AuthAH {
			in.logf("Invalid auth type: %d", at)
			in.drop(ErrInvalidAuthType)
			return false
		}
		if at != c.AuthType {
			in.logf("received a %d auth, expecting %d!", at, c.AuthType)
			in.drop(ErrAuthTypeMismatch)
			return false
		}
		if c.AuthType == AuthPass && [AuthLen]byte(p[len(p)-AuthLen:]) != c.AuthPass {
			in.logf("received an invalid passwd!")
			in.drop(ErrAuthFailure)
			return false
		}
		if c.AuthType == AuthAH && !in.ahCheck(r, ahIHL) {
			return false
		}
		if hd.AdverInt != in.adverInt {
			in.logf("advertisement interval mismatch mine=%d sec rcv'd=%d sec", in.adverInt/time.Second, p[5])
			in.drop(ErrAdvertInterval)
			return false
		}
	}
	if hd.Type != TypeAdvert {
		in.logf("Invalid packet type. %d and expect %d", hd.Type, TypeAdvert)
		in.drop(ErrType)
		return false
	}
	naddr := int(p[3])
	if checkAddr && naddr != len(c.VIPs) {
		in.logf("received an unexpected ip number count %d, expected %d!", naddr, len(c.VIPs))
		in.drop(ErrAddrCount)
		return false
	}
	if !c.IPv6 && r.IPLen != 0 && r.IPLen != rxHdr+len(r.Packet) {
		in.logf("ip_tot_len mismatch against received length. %d and received %d", r.IPLen, rxHdr+len(r.Packet))
		in.drop(ErrIPLength)
		return false
	}
	if !c.IPv6 {
		if c.Version == 3 && c.V3ChecksumAsV2 {
			// keepalived 2.4.3 computes the checksum without the
			// pseudo-header and does not enforce it.
		} else if c.Version == 3 {
			dst := r.Dst
			if in.csumCompat.old() {
				dst = in.oldChecksumGroup()
			}
			if !VerifyChecksum(p, false, r.Src, dst) {
				ok := false
				group := in.oldChecksumGroup()
				if unicast && in.csumCompat == ChecksumCompatDetect && dst != group &&
					VerifyChecksum(p, false, r.Src, group) {
					in.csumCompat = ChecksumCompatAuto
					in.logf("Setting unicast VRRPv3 checksum to old version")
					ok = true
				}
				if !ok {
					in.logf("Invalid VRRPv3 checksum")
					in.drop(ErrChecksum)
					return false
				}
			}
		} else if !VerifyChecksum(p, false, netip.Addr{}, netip.Addr{}) {
			in.logf("Invalid VRRPv2 checksum")
			in.drop(ErrChecksum)
			return false
		}
	}
	if r.Dst.IsMulticast() == unicast {
		a, b := "mult", "un"
		if unicast {
			a, b = "un", "mult"
		}
		in.logf("Expected %sicast packet but received %sicast packet", a, b)
		in.drop(ErrCastMismatch)
		return false
	}
	if c.OwnerIgnoreAdverts && in.effPrio == PrioOwner {
		if !in.ownerDropLogged {
			in.logf("Dropping packet(s) from %s since we are address owner", r.Src)
			in.ownerDropLogged = true
		}
		return false
	}
	in.stats.AdvertRcvd++
	if checkAddr {
		if naddr != len(c.VIPs) {
			in.logf("expected %d VIPs but received %d", len(c.VIPs), naddr)
			in.drop(ErrAddrCount)
			return false
		}
		for _, vip := range c.VIPs {
			if !hd.HasAddr(vip) {
				in.logf("ip address associated with VRID %d not present in MASTER advert: %v", c.VRID, vip)
				in.drop(ErrAddrList)
				return false
			}
		}
		if unicast && c.CheckUnicastSrc {
			found := false
			for _, peer := range c.UnicastPeers {
				if peer == r.Src {
					found = true
					break
				}
			}
			if !found {
				in.logf("unicast source address %v not a unicast peer", r.Src)
				in.drop(ErrUnicastSrc)
				return false
			}
			if lim, ok := c.PeerTTL[r.Src]; ok && r.TTL != 0 && (r.TTL < lim[0] || r.TTL > lim[1]) {
				in.logf("TTL/HL %d not in range %d - %d", r.TTL, lim[0], lim[1])
				in.drop(ErrPeerTTL)
				return false
			}
		}
	}
	if hd.Priority == 0 {
		in.stats.PriZeroRcvd++
	}
	in.heard = Heard{At: in.now, From: r.Src, Priority: int(hd.Priority)}
	return true
}

// receive is vrrp_dispatcher_read for one packet of our VRID.
func (in *Instance) receive(r *Received) {
	p := r.Packet
	if len(p) < HeaderLen {
		in.logf("VRRP packet too short - %d bytes", len(p))
		in.drop(ErrTooShort)
		return
	}
	if p[1] != in.cfg.VRID {
		in.drop(ErrVRID)
		return
	}
	if in.stopped || in.state == StateFault || in.state == StateInit {
		in.drop(ErrNotRunning)
		return
	}
	if in.cfg.IPv6 && r.Dst.IsMulticast() == (len(in.cfg.UnicastPeers) > 0) {
		in.drop(ErrCastMismatch)
		return
	}
	// Header fields only; check does the validation in keepalived's order.
	hd := Advert{Version: p[0] >> 4, Type: p[0] & 0x0f, VRID: p[1], Priority: p[2], IPv6: in.cfg.IPv6}
	if hd.Version == 2 {
		hd.AdverInt = time.Duration(p[5]) * time.Second
	} else {
		cs := (uint16(p[4])<<8 | uint16(p[5])) & maxV3Centis
		hd.AdverInt = time.Duration(cs) * centisecond
	}
	if n := HeaderLen + int(p[3])*hd.addrLen(); n <= len(p) {
		hd.raw = p[HeaderLen:n]
	}
	prev := in.state
	switch in.state {
	case StateBackup:
		in.backupRx(r, &hd)
	case StateMaster:
		if in.masterRx(r, &hd) {
			reason := "higher priority advert"
			if int(hd.Priority) == int(in.effPrio) {
				reason = "equal priority advert from higher address"
			}
			in.leaveMaster(false, reason)
		}
	}
	in.tsm(prev)
	if in.state != StateMaster || !in.cfg.LowerPrioNoAdvert {
		in.initSands()
	}
}

// backupRx is vrrp_state_backup.
func (in *Instance) backupRx(r *Received, hd *Advert) {
	checkAddr := !in.cfg.SkipCheckAdvAddr || !in.masterAddr.IsValid() || in.masterAddr != r.Src
	ignore := false
	switch {
	case !in.check(r, hd, checkAddr):
		ignore = true
	case hd.Priority == 0:
		in.msDownTimer = in.skew()
	case in.cfg.Nopreempt || hd.Priority >= in.effPrio ||
		in.cfg.PreemptDelay > 0 && (in.preemptTime.IsZero() || in.preemptTime.After(in.now)):
		if in.cfg.Version == 3 {
			in.masterAdverInt = hd.AdverInt
		}
		in.msDownTimer = in.downTimer()
		in.masterAddr = r.Src
		in.masterPrio = int(hd.Priority)
		if in.cfg.PreemptDelay > 0 {
			if hd.Priority >= in.effPrio {
				in.preemptTime = time.Time{}
			} else if in.preemptTime.IsZero() {
				in.preemptTime = in.now.Add(in.cfg.PreemptDelay)
			}
		}
		in.wantState = StateBackup
	default:
		in.logf("received lower priority (%d) advert from %v - discarding", hd.Priority, r.Src)
		ignore = true
		in.masterAddr = r.Src
	}
	if ignore {
		left := in.sands.Sub(in.now)
		if left < 0 {
			left = 0
		}
		in.msDownTimer = left
	}
}

// masterRx is vrrp_state_master_rx; true means leave MASTER for BACKUP.
func (in *Instance) masterRx(r *Received, hd *Advert) bool {
	if !in.check(r, hd, true) {
		return false
	}
	cmp := 0
	if in.cfg.Src.IsValid() && r.Src.Is6() == in.cfg.Src.Is6() {
		cmp = r.Src.Compare(in.cfg.Src)
	}
	if hd.Priority == 0 || in.cfg.HigherPrioSendAdvert &&
		(hd.Priority > in.effPrio || hd.Priority == in.effPrio && cmp > 0) {
		in.sendAdvert(in.effPrio)
		if hd.Priority == 0 {
			return false
		}
	}
	if hd.Priority == in.effPrio {
		if cmp == 0 {
			in.logf("WARNING - equal priority advert received from remote host with our IP address.")
		} else if in.effPrio == PrioOwner {
			in.logf("CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority")
			in.effPrio = PrioOwner - 1
			in.basePrio = PrioOwner - 1
		}
	}
	if hd.Priority < in.effPrio || hd.Priority == in.effPrio && cmp < 0 {
		suffix := ""
		if !in.cfg.LowerPrioNoAdvert {
			suffix = ", forcing new election"
		}
		in.logf("Received advert from %v with lower priority %d, ours %d%s", r.Src, hd.Priority, in.effPrio, suffix)
		if in.ah != nil {
			// keepalived takes the lower priority advert's number.
			in.logf("IPSEC-AH : Syncing seq_num - Increment seq")
			in.ah.seq, in.ah.cycle = in.ahRxSeq+1, false
		}
		if !in.cfg.LowerPrioNoAdvert {
			in.sendAdvert(in.effPrio)
		}
		in.lowerPrioGarp()
		if in.sync != nil {
			in.sync.lowerPrioGarp(in)
		}
		in.emit(NotifyRxLowerPri{Priority: int(in.effPrio)})
		return false
	}
	if hd.Priority > in.effPrio || hd.Priority == in.effPrio && cmp > 0 {
		if hd.Priority > in.effPrio {
			in.logf("Master received advert from %v with higher priority %d, ours %d", r.Src, hd.Priority, in.effPrio)
		} else {
			in.logf("Master received advert from %v with same priority %d but higher IP address than ours", r.Src, hd.Priority)
		}
		if in.ah != nil {
			in.ah.cycle = false
		}
		if in.cfg.Version == 3 {
			in.masterAdverInt = hd.AdverInt
		}
		in.msDownTimer = in.downTimer()
		in.masterPrio = int(hd.Priority)
		in.masterAddr = r.Src
		in.wantState = StateBackup
		return true
	}
	return false
}

// lowerPrioGarp sends garp_lower_prio_repeat GARPs now and again after
// garp_lower_prio_delay.
func (in *Instance) lowerPrioGarp() {
	if in.cfg.GarpLowerPrioRepeat <= 0 {
		return
	}
	in.sendLinkUpdate(in.cfg.GarpLowerPrioRepeat)
	if in.cfg.GarpLowerPrioDelay > 0 && in.vipSet {
		in.garps = append(in.garps, garpTimer{at: in.now.Add(in.cfg.GarpLowerPrioDelay), repeat: in.cfg.GarpLowerPrioRepeat})
	}
}
