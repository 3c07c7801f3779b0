package parser

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// instCtx is a vrrp_instance while it is lowered: the model plus what
// keepalived tracks as "not set" (PARAMETER_UNSET) until completion, and
// the positions of keywords, for positioned completion findings.
type instCtx struct {
	in   *config.Instance
	node *Node
	pos  map[string]config.Pos // first position of each keyword

	priority int    // 0 = unset
	vrf      string // the vrf keyword's interface (kept, not run)
	version  int    // 0 = unset (configured or deduced)
	family   config.Family

	strict               *bool
	accept               *bool
	lowerPrioNoAdvert    *bool
	higherPrioSendAdvert *bool
	smtpAlert            *bool
	notifyPrioChanges    *bool
	garpLowerPrioDelay   bool
	garpLowerPrioRepeat  bool
	ttlSet               bool
	saddrFromConfig      bool
	unicastConfigured    bool
	vmacMACSpecified     bool
	vmacUseVRID          bool // a 5-octet MAC: the VRID is the 6th
	authPass             bool
	preemptDelay         time.Duration
	downTimerSet         bool

	vipSeen  map[netip.Addr]bool
	peerSeen map[netip.Addr]bool

	trackScripts []trackRef
	trackFiles   []trackRef
	trackProcs   []trackRef
	trackIfs     []trackIfRef
}

// trackRef is a track_script / track_file / track_process entry before it
// is resolved against the tracked objects.
type trackRef struct {
	seq         int // root block holding the reference
	name        string
	pos         config.Pos
	weight      int
	weightGiven bool
	reverse     bool
	reverseSet  bool
}

type trackIfRef struct {
	config.TrackInterface
	pos config.Pos
}

func (ic *instCtx) at(kw string) config.Pos {
	if p, ok := ic.pos[kw]; ok {
		return p
	}
	return ic.node.Pos
}

// lowerInstance lowers one vrrp_instance block.
func (l *lowerer) lowerInstance(n *Node) {
	if len(n.Args) != 1 {
		l.errorf(n.Pos, "vrrp_instance must have a name")
		return
	}
	name := n.Args[0].Text
	if !l.needBlock(n) {
		return
	}
	if l.instSeen[name] {
		l.errorf(n.Args[0].Pos, "vrrp instance %s already defined", name)
		return
	}
	l.instSeen[name] = true
	in := config.DefaultInstanceFor(name, &l.cfg.Global)
	in.Pos = n.Pos
	ic := &instCtx{in: in, node: n, pos: map[string]config.Pos{}}
	for e := range l.known(n.Block.Nodes, ctxInstance) {
		if _, seen := ic.pos[e.Keyword]; !seen {
			ic.pos[e.Keyword] = e.Pos
		}
		l.instanceKeyword(ic, e)
	}
	in.Positions = ic.pos
	l.endInstance(ic)
	l.insts = append(l.insts, ic)
	l.byName.inst[name] = in
	l.cfg.Instances = append(l.cfg.Instances, in)
}

// valueBlocks are the instance keywords whose block holds one entry per line.
var instanceBlocks = map[string]bool{
	"virtual_ipaddress": true, "virtual_ipaddress_excluded": true, "virtual_routes": true,
	"virtual_rules": true, "unicast_peer": true, "track_interface": true, "track_script": true,
	"track_file": true, "track_process": true, "track_bfd": true, "authentication": true,
	"auth_hmac": true,
}

func (l *lowerer) instanceKeyword(ic *instCtx, n *Node) {
	if l.instance243(ic, n) {
		return
	}
	in := ic.in
	name := in.Name
	kw := n.Keyword
	if instanceBlocks[kw] {
		l.extra(n, 0, ctxInstance)
		if !l.needBlock(n) {
			return
		}
	} else {
		l.noBlock(n)
	}
	switch kw {
	case "state":
		if !l.need(n, 1) {
			return
		}
		switch s := n.Args[0].Text; s {
		case "MASTER":
			in.State = config.StateMaster
		case "BACKUP":
			if in.State == config.StateMaster {
				l.errorf(n.Args[0].Pos, "(%s) state previously set as MASTER - ignoring BACKUP", name)
			} else {
				in.State = config.StateBackup
			}
		default:
			msg := "(%s) unknown state '%s', defaulting to BACKUP"
			if up := strings.ToUpper(s); up == "MASTER" || up == "BACKUP" {
				msg += "; keywords and values are case-sensitive: write `" + up + "`"
			}
			l.errorf(n.Args[0].Pos, msg, name, s)
			in.State = config.StateBackup
		}
		l.extra(n, 1, ctxInstance)
	case "interface":
		if !l.need(n, 1) {
			return
		}
		ifn := n.Args[0].Text
		if len(ifn) >= 16 {
			l.errorf(n.Args[0].Pos, "Interface name '%s' too long - ignoring", ifn)
			return
		}
		if ifn == "lo" {
			l.errorf(n.Args[0].Pos, "(%s) cannot use a loopback interface (%s) for vrrp - ignoring", name, ifn)
			return
		}
		in.Interface = ifn
		l.extra(n, 1, ctxInstance)
	case "virtual_router_id":
		if !l.need(n, 1) {
			return
		}
		if v, ok := l.uintArgMsg(n, 0, 1, 255, "(%s): VRID '%s' not valid - must be between 1 & 255", name, n.Args[0].Text); ok {
			in.VRID = int(v)
		}
		l.extra(n, 1, ctxInstance)
	case "priority":
		if !l.need(n, 1) {
			return
		}
		if v, ok := l.uintArgMsg(n, 0, 1, 255, "(%s) Priority not valid! must be between 1 & 255. Using default 100", name); ok {
			ic.priority = int(v)
		} else {
			ic.priority = config.DefaultPriority
		}
		l.extra(n, 1, ctxInstance)
	case "advert_int":
		if !l.need(n, 1) {
			return
		}
		if d, ok := l.decimalArgMsg(n, 0, 10000, 255*1000000, "(%s) Advert interval (%s) not valid! Must be > 0 - ignoring", name, n.Args[0].Text); ok {
			in.AdvertInt = d
		}
		l.extra(n, 1, ctxInstance)
	case "version":
		if !l.need(n, 1) {
			return
		}
		v, msg := checkInt(n.Args[0].Text, 2, 3, true)
		if msg != "" {
			l.errorf(n.Args[0].Pos, "(%s): Version must be either 2 or 3", name)
			return
		}
		if (ic.version != 0 && ic.version != int(v)) || (v == 2 && ic.family == config.IPv6) {
			l.errorf(n.Args[0].Pos, "(%s) vrrp_version %d conflicts with configured or deduced version %d; ignoring.", name, v, ic.version)
			return
		}
		ic.version = int(v)
		l.extra(n, 1, ctxInstance)
	case "native_ipv6":
		if ic.family == config.IPv4 {
			l.errorf(n.Pos, "(%s) Cannot specify native_ipv6 with IPv4 addresses", name)
			return
		}
		ic.family = config.IPv6
		ic.version = 3
	case "mcast_src_ip", "unicast_src_ip":
		if kw == "unicast_src_ip" {
			ic.unicastConfigured = true
		}
		if !l.need(n, 1) {
			return
		}
		a, ok := l.sockIP(n.Args[0], kw)
		if !ok {
			l.errorf(n.Args[0].Pos, "Configuration error: VRRP instance[%s] malformed src address[%s]. Skipping...", name, n.Args[0].Text)
			return
		}
		if !ic.fitsFamily(a) {
			l.errorf(n.Args[0].Pos, "Configuration error: VRRP instance[%s] and src address[%s] MUST be of the same family !!! Skipping...", name, n.Args[0].Text)
			return
		}
		ic.saddrFromConfig = true
		// keepalived keeps one source address, the last one given, for
		// multicast and unicast adverts alike.
		in.McastSrc, in.UnicastSrc = a, a
		l.extra(n, 1, ctxInstance)
	case "mcast_dst_ip":
		if !l.need(n, 1) {
			return
		}
		a, ok := l.sockIP(n.Args[0], kw)
		if !ok {
			l.errorf(n.Args[0].Pos, "(%s) malformed mcast dest address %s. Skipping...", name, n.Args[0].Text)
			return
		}
		if !ic.fitsFamily(a) {
			l.errorf(n.Args[0].Pos, "(%s) mcast dest address %s MUST match VRRP instance family. Skipping...", name, n.Args[0].Text)
			return
		}
		if (a.Is4() && !a.IsMulticast()) || (a.Is6() && !a.IsLinkLocalMulticast()) {
			ll := ""
			if a.Is6() {
				ll = " link-local"
			}
			l.errorf(n.Args[0].Pos, "(%s) mcast_dst_ip %s not%s multicast. Skipping...", name, n.Args[0].Text, ll)
			return
		}
		in.McastDst = a
		l.extra(n, 1, ctxInstance)
	case "track_src_ip":
		in.TrackSrcIP = true
	case "unicast_ttl":
		if !l.need(n, 1) {
			return
		}
		if v, ok := l.uintArgMsg(n, 0, 0, 255, "(%s): TTL '%s' not valid - must be between 0 & 255", name, n.Args[0].Text); ok {
			in.UnicastTTL = int(v)
			ic.ttlSet = true
		}
		l.extra(n, 1, ctxInstance)
	case "unicast_peer":
		ic.unicastConfigured = true
		l.unicastPeers(n, ic)
	case "unicast_fault_no_peer":
		ic.unicastConfigured = true
		in.UnicastFaultNoPeer = true
	case "check_unicast_src":
		ic.unicastConfigured = true
		in.CheckUnicastSrc = true
	case "old_unicast_checksum":
		ic.unicastConfigured = true
		if len(n.Args) >= 1 {
			if n.Args[0].Text == "never" {
				in.OldUnicastChecksum = false
				in.NeverOldUnicastChecksum = true
			} else {
				l.errorf(n.Args[0].Pos, "(%s) Unknown old_unicast_chksum mode %s - ignoring", name, n.Args[0].Text)
			}
		} else {
			in.OldUnicastChecksum = true
		}
	case "virtual_ipaddress":
		for _, a := range l.addressBlock(n, name, ic.family, false) {
			if !ic.fitsFamily(a.Addr()) {
				l.errorf(a.Pos, "(%s): address family must match VRRP instance [%s] - ignoring", name, a.Prefix)
				continue
			}
			if ic.vipSeen == nil {
				ic.vipSeen = map[netip.Addr]bool{}
			}
			if ic.vipSeen[a.Addr()] {
				l.ourWarnf(a.Pos, "(%s) virtual_ipaddress %s is listed twice", name, a.Addr())
			}
			ic.vipSeen[a.Addr()] = true
			in.VIPs = append(in.VIPs, a)
		}
	case "virtual_ipaddress_excluded":
		in.ExcludedVIPs = append(in.ExcludedVIPs, l.addressBlock(n, name, config.FamilyUnset, false)...)
	case "virtual_routes":
		in.Routes = append(in.Routes, l.routeBlock(n, name)...)
	case "virtual_rules":
		in.Rules = append(in.Rules, l.ruleBlock(n, name)...)
	case "authentication":
		l.authentication(ic, n)
	case "auth_hmac":
		l.authHMAC(ic, n)
	case "track_interface":
		l.trackInterfaces(n, name, &ic.trackIfs)
	case "track_script":
		ic.trackScripts = append(ic.trackScripts, l.trackRefs(n, name, "track_script")...)
	case "track_file":
		ic.trackFiles = append(ic.trackFiles, l.trackRefs(n, name, "track_file")...)
	case "track_process":
		ic.trackProcs = append(ic.trackProcs, l.trackRefs(n, name, "track_process")...)
	case "track_bfd":
		l.trackBFD(n, name)
		l.cfg.Raw = append(l.cfg.Raw, l.raw(n))
		l.noticef(n.Pos, "(%s) track_bfd is accepted but not run (BFD is not part of keepalived-go)", name)
	case "dont_track_primary":
		in.DontTrackPrimary = true
	case "accept":
		t := true
		ic.accept = &t
	case "no_accept":
		f := false
		ic.accept = &f
	case "preempt":
		in.Nopreempt = false
	case "nopreempt":
		in.Nopreempt = true
		l.extra(n, 0, ctxInstance)
	case "preempt_delay":
		if !l.need(n, 1) {
			return
		}
		if d, ok := l.decimalArgMsg(n, 0, 0, 1000*1000000, "(%s) Preempt_delay not valid! must be between 0-1000", name); ok {
			ic.preemptDelay = d
		} else {
			ic.preemptDelay = 0
		}
		l.extra(n, 1, ctxInstance)
	case "skip_check_adv_addr":
		if len(n.Args) >= 1 {
			v, ok := boolWord(n.Args[0].Text)
			if !ok {
				l.errorf(n.Args[0].Pos, "(%s) invalid skip_check_adv_addr %s specified", name, n.Args[0].Text)
				return
			}
			if !v {
				l.ourWarnf(n.Args[0].Pos, "(%s) `skip_check_adv_addr %s` enables skipping in keepalived (a bug kept for compatibility); remove the line to keep checking", name, n.Args[0].Text)
			}
		}
		in.SkipCheckAdvAddr = true
	case "strict_mode":
		if v, ok := l.optBool(n, "(%s) invalid strict_mode %s specified", name, argText(n, 0)); ok {
			ic.strict = &v
		}
	case "lower_prio_no_advert":
		if v, ok := l.optBool(n, "(%s) invalid lower_prio_no_advert %s specified", name, argText(n, 0)); ok {
			ic.lowerPrioNoAdvert = &v
		}
	case "higher_prio_send_advert":
		if v, ok := l.optBool(n, "(%s) invalid higher_prio_send_advert %s specified", name, argText(n, 0)); ok {
			ic.higherPrioSendAdvert = &v
		}
	case "smtp_alert":
		if v, ok := l.optBool(n, "Invalid vrrp_instance smtp_alert parameter %s", argText(n, 0)); ok {
			ic.smtpAlert = &v
		}
	case "notify_priority_changes":
		if v, ok := l.optBool(n, "(%s) Invalid value '%s' for notify_priority_changes specified", name, argText(n, 0)); ok {
			ic.notifyPrioChanges = &v
		}
	case "promote_secondaries":
		in.PromoteSecondaries = true
	case "notify_backup", "notify_master", "notify_fault", "notify_stop", "notify",
		"notify_master_rx_lower_pri", "notify_deleted":
		l.notify(n, "("+name+")", &in.Notify)
	case "garp_master_delay":
		if l.need(n, 1) {
			if v, ok := l.uintArgMsg(n, 0, 0, 4294, "(%s): garp_master_delay '%s' invalid - ignoring", name, n.Args[0].Text); ok {
				in.Garp.MasterDelay = secs(v)
				ic.pos["garp_master_delay"] = n.Pos
			}
			l.extra(n, 1, ctxInstance)
		}
	case "garp_master_refresh":
		if l.need(n, 1) {
			if v, ok := l.uintArgMsg(n, 0, 0, 1<<32-1, "(%s): Invalid garp_master_refresh '%s' - ignoring", name, n.Args[0].Text); ok {
				in.Garp.MasterRefresh = secs(v)
			}
			l.extra(n, 1, ctxInstance)
		}
	case "garp_master_repeat", "garp_master_refresh_repeat":
		if l.need(n, 1) {
			if v, ok := l.uintArgMsg(n, 0, 0, 1<<32-1, "(%s): %s '%s' invalid - ignoring", name, kw, n.Args[0].Text); ok {
				if v == 0 {
					l.warnf(n.Args[0].Pos, "(%s): %s must be greater than 0, setting to 1", name, kw)
					v = 1
				}
				if kw == "garp_master_repeat" {
					in.Garp.MasterRepeat = int(v)
				} else {
					in.Garp.MasterRefreshRepeat = int(v)
				}
			}
			l.extra(n, 1, ctxInstance)
		}
	case "garp_lower_prio_delay":
		if l.need(n, 1) {
			if v, ok := l.uintArgMsg(n, 0, 0, 4294, "(%s): garp_lower_prio_delay '%s' invalid - ignoring", name, n.Args[0].Text); ok {
				in.Garp.LowerPrioDelay = secs(v)
				ic.garpLowerPrioDelay = true
			}
			l.extra(n, 1, ctxInstance)
		}
	case "garp_lower_prio_repeat":
		if l.need(n, 1) {
			if v, ok := l.uintArgMsg(n, 0, 0, 1<<31-1, "(%s): Invalid garp_lower_prio_repeat '%s'", name, n.Args[0].Text); ok {
				in.Garp.LowerPrioRepeat = int(v)
				ic.garpLowerPrioRepeat = true
			}
			l.extra(n, 1, ctxInstance)
		}
	case "down_timer_adverts":
		if l.need(n, 1) {
			if v, ok := l.uintArgMsg(n, 0, 1, 100, "(%s): Invalid down_timer_adverts [1:100] '%s'", name, n.Args[0].Text); ok {
				in.DownTimerAdverts = int(v)
				ic.downTimerSet = true
			}
			l.extra(n, 1, ctxInstance)
		}
	case "use_vmac":
		in.UseVMAC = true
		for i, a := range n.Args {
			if i >= 2 {
				l.extra(n, 2, ctxInstance)
				break
			}
			if strings.Contains(a.Text, ":") {
				// A MAC address: interface names cannot contain ':'.
				if in.VMACAddr != "" {
					l.errorf(a.Pos, "VMAC interface address already specified")
					continue
				}
				mac, five, ok := parseVMAC(a.Text)
				switch {
				case !ok:
					l.errorf(a.Pos, "VMAC invalid MAC address %s - ignored", a.Text)
				case mac[0]&1 != 0:
					l.errorf(a.Pos, "VMAC MAC address is multicast %s - ignoring", a.Text)
				case mac[0] == 0 && mac[1] == 0 && mac[2] == 0x5e && mac[3] == 0 && (mac[4] == 1 || mac[4] == 2):
					l.errorf(a.Pos, "VMAC MAC address not allowed to be RFC5798 address (%s) - ignoring", a.Text)
				default:
					if five {
						mac = append(mac[:5], 0) // the VRID is appended at completion
					}
					in.VMACAddr = net.HardwareAddr(mac).String()
					ic.vmacMACSpecified = true
					ic.vmacUseVRID = five
				}
				continue
			}
			if in.VMACName != "" {
				l.errorf(a.Pos, "VMAC interface name already specified")
				continue
			}
			if len(a.Text) >= 16 || a.Text == "." || a.Text == ".." || strings.ContainsAny(a.Text, "/: ") {
				l.errorf(a.Pos, "VMAC interface name '%s' too long or invalid characters - ignoring", a.Text)
				continue
			}
			in.VMACName = a.Text
		}
	case "use_vmac_addr":
		in.UseVMACAddr = true
	case "vmac_xmit_base":
		in.VMACXmitBase = true
	case "garp_extra_if", "vmac_garp_intvl":
		if kw == "vmac_garp_intvl" {
			l.warnf(n.Pos, "Keyword \"vmac_garp_intvl\" is deprecated - please use \"garp_extra_if\"")
		}
		// As keepalived: "all" takes effect as it is met; no number
		// ignores the line; 0 is a valid interval (off).
		var e config.GarpExtraIf
		delay := int64(-1)
		for _, a := range n.Args {
			if a.Text == "all" {
				e.AllIf = true
				continue
			}
			v, msg := checkInt(a.Text, 0, 86400, false)
			if msg != "" {
				l.errorf(a.Pos, "(%s): %s '%s' invalid - ignoring", name, kw, a.Text)
				return
			}
			delay = v
		}
		if delay < 0 {
			l.errorf(n.Pos, "(%s): %s specified without time - ignoring", name, kw)
			return
		}
		e.Interval = secs(delay)
		in.GarpExtraIf = &e
	case "use_ipvlan", "vrf", "linkbeat_use_polling", "kernel_rx_buf_size", "debug",
		"lvs_sync_daemon_interface":
		switch kw {
		case "lvs_sync_daemon_interface":
			l.warnf(n.Pos, "(%s) Specifying lvs_sync_daemon_interface against a vrrp is deprecated. Please use global lvs_sync_daemon", name)
			l.noticef(n.Pos, "(%s) lvs_sync_daemon_interface is accepted and not run (LVS is not part of keepalived-go)", name)
		case "kernel_rx_buf_size":
			l.noticef(n.Pos, "(%s) kernel_rx_buf_size is accepted and not run (socket buffer sizing: the kernel's defaults are used)", name)
		case "linkbeat_use_polling":
			l.warnf(n.Pos, "(%s) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block", name)
			l.noticef(n.Pos, "(%s) linkbeat_use_polling is accepted and not run (link state always comes from netlink in keepalived-go)", name)
		case "debug":
			if l.need(n, 1) {
				l.uintArgMsg(n, 0, 0, 4, "(%s) Debug value '%s' not valid; must be between 0-4", name, n.Args[0].Text)
			}
		case "use_ipvlan":
			// keepalived 2.2.7 (built with VRRP_IPVLAN, as Debian's is)
			// makes an l2 ipvlan on the interface and runs the instance
			// on it; keepalived-go makes macvlan VMACs only.
			l.noticef(n.Pos, "(%s) use_ipvlan is accepted and not run (keepalived-go makes no ipvlan interface: the instance runs on its interface)", name)
		case "vrf":
			l.noticef(n.Pos, "(%s) %s is accepted but not implemented by keepalived-go", name, kw)
			l.vrf(ic, n)
		}
		l.cfg.Raw = append(l.cfg.Raw, l.raw(n))
	default:
		// Every keyword of instanceKeywords is handled above.
		l.errorf(n.Pos, "internal: keyword `%s` of vrrp_instance has no handler", kw)
	}
}

func familyOf(a netip.Addr) config.Family {
	if a.Is4() {
		return config.IPv4
	}
	return config.IPv6
}

// fitsFamily reports whether address a is of the instance's family; the
// first address of an instance whose family is not yet set decides it.
func (ic *instCtx) fitsFamily(a netip.Addr) bool {
	if ic.family == config.FamilyUnset {
		ic.family = familyOf(a)
	}
	return familyOf(a) == ic.family
}

// authentication lowers the authentication sub-block.
func (l *lowerer) authentication(ic *instCtx, n *Node) {
	in := ic.in
	for e := range l.known(n.Block.Nodes, ctxAuth) {
		l.noBlock(e)
		if !l.need(e, 1) {
			continue
		}
		v := e.Args[0]
		switch e.Keyword {
		case "auth_type":
			switch v.Text {
			case "PASS":
				in.Auth.Type = config.AuthPass
			case "AH":
				in.Auth.Type = config.AuthAH
			default:
				msg := "(%s) unknown authentication type '%s'"
				if up := strings.ToUpper(v.Text); up == "PASS" || up == "AH" {
					msg += "; values are case-sensitive: write `" + up + "`"
				}
				l.errorf(v.Pos, msg, in.Name, v.Text)
			}
			if ic.pos["auth_type"] == (config.Pos{}) {
				ic.pos["auth_type"] = e.Pos
			}
			l.extra(e, 1, ctxAuth)
		case "auth_pass":
			b := []byte(v.Text)
			if len(b) > 8 {
				l.warnf(v.Pos, "Truncating auth_pass to 8 characters")
				b = b[:8]
			}
			in.Auth.Pass = [8]byte{}
			copy(in.Auth.Pass[:], b)
			ic.authPass = len(b) > 0
			if len(e.Args) > 1 && !v.Quoted {
				l.ourWarnf(e.Args[1].Pos, "auth_pass takes one word: `%s` is ignored (quote a password with spaces)", joinWords(e.Args[1:]))
			}
		}
	}
}

// endInstance is keepalived's vrrp_end_handler (checks at the closing brace).
func (l *lowerer) endInstance(ic *instCtx) {
	in := ic.in
	if ic.unicastConfigured && in.UseVMAC {
		if in.Interface == "" {
			l.errorf(ic.at("use_vmac"), "(%s): Cannot use VMAC/ipvlan with unicast and no interface - clearing use_vmac", in.Name)
			in.UseVMAC = false
			in.VMACName = ""
		} else if !in.VMACXmitBase {
			l.warnf(ic.at("use_vmac"), "(%s) unicast with use_vmac requires vmac_xmit_base - setting", in.Name)
			in.VMACXmitBase = true
		}
	}
	if len(in.UnicastPeers) == 0 && ic.ttlSet {
		l.warnf(ic.at("unicast_ttl"), "(%s): Cannot use unicast_ttl without unicast peers - resetting", in.Name)
		ic.ttlSet = false
		in.UnicastTTL = 0
	}
}

// notify lowers a notify* keyword into ns; who prefixes messages.
func (l *lowerer) notify(n *Node, who string, ns *config.Notify) {
	var dst **config.Command
	label := n.Keyword + " script"
	switch n.Keyword {
	case "notify_backup":
		dst = &ns.Backup
	case "notify_master":
		dst = &ns.Master
	case "notify_fault":
		dst = &ns.Fault
	case "notify_stop":
		dst = &ns.Stop
	case "notify":
		dst = &ns.Generic
	case "notify_master_rx_lower_pri":
		dst = &ns.MasterRxLowerPri
	case "notify_deleted":
		label = "notify_deleted"
		if ns.DeletedSet {
			l.errorf(n.Pos, "%s notify_deleted already specified - ignoring %s", who, argText(n, 0))
			return
		}
		ns.DeletedSet = true
		if len(n.Args) == 0 {
			return
		}
		ns.Deleted = l.command(n, true)
		return
	}
	if *dst != nil {
		l.errorf(n.Pos, "%s %s already specified - ignoring %s", who, label, argText(n, 0))
		return
	}
	*dst = l.command(n, true)
}

// parseVMAC reads a use_vmac MAC address as keepalived does: 6 hex octets,
// or 5 (then the VRID is the sixth).
func parseVMAC(s string) (mac []byte, five, ok bool) {
	parts := strings.Split(strings.TrimSuffix(s, ":"), ":")
	if len(parts) != 5 && len(parts) != 6 {
		return nil, false, false
	}
	if len(parts) == 6 && strings.HasSuffix(s, ":") {
		return nil, false, false
	}
	for _, p := range parts {
		if len(p) == 0 || len(p) > 2 {
			return nil, false, false
		}
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return nil, false, false
		}
		mac = append(mac, byte(v))
	}
	return mac, len(parts) == 5, true
}

// vrf checks `vrf NAME` as keepalived 2.2.7's vrrp_vrf_handler does, as
// far as the file tells: the name fits IFNAMSIZ, one VRF per instance,
// and not after `interface` (keepalived sets the interface from the VRF;
// an interface given before it is an error there).
func (l *lowerer) vrf(ic *instCtx, n *Node) {
	if !l.need(n, 1) {
		return
	}
	name, vrf := ic.in.Name, n.Args[0].Text
	switch {
	case len(vrf) >= 16:
		l.errorf(n.Args[0].Pos, "(%s) VRF interface name '%s' too long - ignoring", name, vrf)
	case ic.in.Interface != "":
		l.errorf(n.Pos, "(%s) Cannot specify VRF interface and interface - ignoring", name)
	case ic.vrf != "":
		l.errorf(n.Pos, "(%s) VRF interface already specified as '%s' - ignoring", name, ic.vrf)
	default:
		ic.vrf = vrf
	}
}
