package parser

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// complete is keepalived's vrrp_complete_init: defaults that depend on
// other keywords, sync groups, per-instance completion
// (vrrp_complete_instance) and the cross-instance checks, in keepalived's
// order, with keepalived's messages, positioned at the keyword concerned.
func (l *lowerer) complete() {
	l.finishGlobal()
	for _, ic := range l.insts {
		l.minConfig(ic)
	}
	l.completeGroups()
	for _, ic := range l.insts {
		l.completeInstance(ic)
	}
	l.groupTrackingWeights()
	l.diags = append(l.diags, config.Validate(l.cfg)...)
	l.unusedScripts()
}

// minConfig is chk_min_cfg: a VRID and an interface (or unicast) are needed.
func (l *lowerer) minConfig(ic *instCtx) {
	in := ic.in
	if in.VRID == 0 {
		l.stopf(ic.at("virtual_router_id"), "(%s) the virtual router id must be set", in.Name)
	}
	// keepalived 2.2.7 checks this before it marks unicast instances, so
	// an instance without `interface` is refused even with unicast peers
	// and unicast_src_ip (its "unicast without interface" support is
	// unreachable there).
	if in.Interface == "" {
		l.stopf(ic.node.Pos, "(%s) Unknown interface! (keepalived 2.2.7 needs `interface` in every vrrp_instance)", in.Name)
	}
}

// completeGroups resolves sync group members (they may be defined after
// the group) and the groups' tracked objects.
func (l *lowerer) completeGroups() {
	for _, gc := range l.groups {
		g := gc.g
		g.TrackScripts = l.resolveScripts(g.Name, gc.scripts)
		g.TrackFiles = l.resolveFiles(g.Name, gc.files)
		g.TrackProcesses = l.resolveProcs(g.Name, gc.procs)
		if gc.smtp != nil {
			g.SMTPAlert = *gc.smtp
		} else {
			g.SMTPAlert = l.cfg.Global.SMTPAlert
		}
		if gc.notifyPC != nil {
			g.NotifyPrioChanges = *gc.notifyPC
		} else {
			g.NotifyPrioChanges = l.cfg.Global.NotifyPrioChanges
		}
		if len(gc.members) == 0 {
			l.errorf(g.Pos, "Sync group %s has no virtual router(s). removing", g.Name)
			continue
		}
		for _, m := range gc.members {
			in := l.byName.inst[m.Text]
			if in == nil {
				msg := fmt.Sprintf("Virtual router %s specified in sync group %s doesn't exist - ignoring", m.Text, g.Name)
				var names []string
				for _, x := range l.cfg.Instances {
					names = append(names, x.Name)
				}
				if s := closest(m.Text, names); s != "" {
					msg += "; did you mean `" + s + "`?"
				}
				l.errorf(m.Pos, "%s", msg)
				continue
			}
			if in.SyncGroup != "" {
				l.errorf(m.Pos, "Virtual router %s cannot exist in more than one sync group; ignoring %s", m.Text, g.Name)
				continue
			}
			in.SyncGroup = g.Name
			g.Members = append(g.Members, in.Name)
		}
		switch len(g.Members) {
		case 0:
			l.errorf(g.Pos, "Sync group %s, no matching virtual router found in group declaration - removing", g.Name)
			continue
		case 1:
			l.warnf(g.Pos, "Sync group %s has only 1 virtual router(s) - this probably isn't what you want", g.Name)
		}
		l.byName.group[g.Name] = g
		l.cfg.SyncGroups = append(l.cfg.SyncGroups, g)
	}
}

// closest returns the name nearest to s when it is a plausible typo.
func closest(s string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(s, n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func refPos(refs []trackRef, name string, def config.Pos) config.Pos {
	for _, r := range refs {
		if r.name == name {
			return r.pos
		}
	}
	return def
}

// completeInstance is vrrp_complete_instance (2.2.7), minus what needs the
// host (interface existence, MTU, multicast capability: config.CheckHost).
func (l *lowerer) completeInstance(ic *instCtx) {
	in := ic.in
	g := &l.cfg.Global
	name := in.Name
	at := ic.at

	in.TrackScripts = l.resolveScripts(name, ic.trackScripts)
	in.TrackFiles = l.resolveFiles(name, ic.trackFiles)
	in.TrackProcesses = l.resolveProcs(name, ic.trackProcs)

	strict := g.Strict
	if ic.strict != nil {
		strict = *ic.strict
	}
	in.Strict = strict

	if ic.family == config.IPv6 {
		if ic.version == 2 && strict {
			l.warnf(at("version"), "(%s) cannot use IPv6 with VRRP version 2; setting version 3", name)
			ic.version = 3
		} else if ic.version == 2 {
			l.ourWarnf(at("version"), "(%s) VRRPv2 is IPv4-only (RFC 3768): keepalived sends version 2 adverts over IPv6 here, which other routers reject; use version 3", name)
		}
	}
	if ic.family == config.FamilyUnset {
		ic.family = config.DefaultFamily
	}
	in.Family = ic.family
	if ic.version == 0 {
		ic.version = config.DefaultVersionFor(in.Family, g)
	}
	in.Version = ic.version

	if !ic.ttlSet {
		in.UnicastTTL = config.DefaultUnicastTTLFor(in.Family)
	}

	if len(in.VIPs) == 0 && !l.allowNoVIPs(ic, strict) {
		if in.Version == 3 || in.Family == config.IPv6 || strict {
			why := "VRRPv3"
			switch {
			case strict:
				why = "strict mode"
			case in.Family == config.IPv6:
				why = "IPv6"
			}
			l.stopf(in.Pos, "(%s) No VIP specified; at least one is required (%s)", name, why)
		} else {
			l.warnf(in.Pos, "(%s) No VIP specified; at least one is sensible", name)
		}
	}

	if ic.priority == 0 {
		ic.priority = config.DefaultPriorityFor(in.State)
		if ic.priority == config.OwnerPriority {
			l.noticef(at("state"), "(%s) state MASTER without priority: priority is 255 (address owner)", name)
		}
	}
	in.Priority = ic.priority
	owner := in.Priority == config.OwnerPriority

	if in.State != config.StateUnset && strict && (in.State == config.StateMaster) != owner {
		l.warnf(at("state"), "(%s) State MASTER must match being address owner", name)
		if owner {
			in.State = config.StateMaster
		} else {
			in.State = config.StateBackup
		}
	}

	// Authentication.
	if in.Auth.Type != config.AuthNone {
		ap := at("auth_type")
		switch {
		case strict:
			l.warnf(ap, "(%s) Strict mode does not support authentication. Ignoring.", name)
			in.Auth = config.Auth{}
		case in.Version == 3:
			l.warnf(ap, "(%s) VRRP version 3 does not support authentication. Ignoring.", name)
			in.Auth = config.Auth{}
		case !ic.authPass:
			l.warnf(ap, "(%s) Authentication specified but no password given. Ignoring", name)
			in.Auth = config.Auth{}
		case in.Family == config.IPv6 && in.Auth.Type == config.AuthAH:
			l.warnf(ap, "(%s) Cannot use AH authentication with IPv6. ignoring", name)
			in.Auth = config.Auth{}
		case in.Auth.Type == config.AuthAH && in.WantMaster() && !owner:
			l.warnf(ap, "(%s) Initial state master is incompatible with AH authentication - clearing", name)
			in.State = config.StateBackup
		}
	}

	if ic.unicastConfigured {
		switch {
		case len(in.UnicastPeers) > 0:
			in.Unicast = true
		case in.UnicastFaultNoPeer:
			l.ourWarnf(in.Pos, "(%s) Cannot use unicast without any peers - going to fault state", name)
		default:
			l.warnf(in.Pos, "(%s) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.", name)
		}
	}
	if strict && in.Unicast {
		l.noticef(at("unicast_peer"), "(%s) Unicast peers are not supported in strict mode (keepalived 2.2.7 does not check this; 2.4.0 rejects the configuration)", name)
	}

	if strict && ic.vmacMACSpecified {
		l.warnf(at("use_vmac"), "(%s): cannot specify MAC address with strict mode - clearing", name)
		in.VMACAddr = ""
		ic.vmacUseVRID = false
	}
	if ic.vmacUseVRID && len(in.VMACAddr) == 17 && in.VRID > 0 {
		in.VMACAddr = in.VMACAddr[:15] + fmt.Sprintf("%02x", in.VRID)
	}

	if in.Family == config.IPv6 && !in.Unicast && len(in.VIPs) > 0 && !in.VIPs[0].Addr().IsLinkLocalUnicast() {
		if strict {
			l.warnf(in.VIPs[0].Pos, "(%s) the first IPv6 VIP address must be link local", name)
		} else {
			l.noticef(in.VIPs[0].Pos, "(%s) the first IPv6 VIP address should be link local", name)
		}
	}

	// VIPs that do not fit in an advert (MTU 1500 assumed; 255 at most).
	if max := maxVIPs(in, 1500); len(in.VIPs) > max {
		l.errorf(in.VIPs[max].Pos, "(%s) Number of VIPs (%d) exceeds maximum/space available in packet (max %d addresses) - excess moved to eVIPs", name, len(in.VIPs), max)
		in.ExcludedVIPs = append(in.ExcludedVIPs, in.VIPs[max:]...)
		in.VIPs = in.VIPs[:max:max]
	}

	if owner && in.Nopreempt {
		l.warnf(at("nopreempt"), "(%s) nopreempt is incompatible with priority 255. resetting nopreempt", name)
		in.Nopreempt = false
	}
	if in.WantMaster() {
		if in.Nopreempt {
			l.warnf(at("nopreempt"), "(%s) Warning - nopreempt will not work with initial state MASTER - clearing", name)
			in.Nopreempt = false
		}
		if ic.preemptDelay != 0 {
			l.warnf(at("preempt_delay"), "(%s) Warning - preempt delay will not work with initial state MASTER - clearing", name)
			ic.preemptDelay = 0
		}
	}
	if ic.preemptDelay != 0 {
		if strict {
			l.warnf(at("preempt_delay"), "(%s) preempt_delay is incompatible with strict mode - resetting", name)
			ic.preemptDelay = 0
		}
		if in.Nopreempt && ic.preemptDelay != 0 {
			l.warnf(at("preempt_delay"), "(%s) preempt_delay is incompatible with nopreempt mode - resetting", name)
			ic.preemptDelay = 0
		}
	}
	in.PreemptDelay = ic.preemptDelay

	if !ic.downTimerSet {
		in.DownTimerAdverts = g.DownTimerAdverts
	}
	if in.DownTimerAdverts != config.DefaultDownTimerAdverts && strict {
		l.warnf(at("down_timer_adverts"), "(%s) down_timer_adverts is incompatible with strict mode - resetting", name)
		in.DownTimerAdverts = config.DefaultDownTimerAdverts
	}

	// Accept mode.
	if ic.accept == nil {
		in.Accept = config.DefaultAcceptFor(owner, strict)
	} else {
		in.Accept = *ic.accept
	}
	if in.Accept && !owner && strict && in.Version == 2 {
		l.warnf(at("accept"), "(%s) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting", name)
		in.Accept = false
	}

	// Multicast destination.
	if !in.Unicast && !in.McastDst.IsValid() {
		in.McastDst = config.DefaultMcastDstFor(in.Family, g)
	} else if in.Unicast && in.McastDst.IsValid() {
		l.warnf(at("mcast_dst_ip"), "(%s) multicast destination specified with unicast - ignoring", name)
		in.McastDst = netip.Addr{}
	}

	// GARP schedule: instance values default to the globals.
	l.completeGarp(ic, strict)

	if ic.lowerPrioNoAdvert == nil {
		in.LowerPrioNoAdvert = config.DefaultLowerPrioNoAdvertFor(strict, g)
	} else if strict && !*ic.lowerPrioNoAdvert {
		l.warnf(at("lower_prio_no_advert"), "(%s) Strict mode requires no lower priority advert. resetting", name)
		in.LowerPrioNoAdvert = true
	} else {
		in.LowerPrioNoAdvert = *ic.lowerPrioNoAdvert
	}
	if ic.higherPrioSendAdvert == nil {
		in.HigherPrioSendAdvert = config.DefaultHigherPrioSendAdvertFor(strict, g)
	} else if strict && *ic.higherPrioSendAdvert {
		l.warnf(at("higher_prio_send_advert"), "(%s) strict mode requires higher_prio_send_advert to be clear. resetting", name)
		in.HigherPrioSendAdvert = false
	} else {
		in.HigherPrioSendAdvert = *ic.higherPrioSendAdvert
	}

	if ic.smtpAlert != nil {
		in.SMTPAlert = *ic.smtpAlert
	} else {
		in.SMTPAlert = g.SMTPAlert
	}
	switch sg := l.byName.group[in.SyncGroup]; {
	case ic.notifyPrioChanges != nil:
		in.NotifyPrioChanges = *ic.notifyPrioChanges
	default:
		in.NotifyPrioChanges = config.DefaultNotifyPrioChangesFor(sg, g)
	}

	l.roundAdvert(ic)
	l.completeHMAC(ic)

	if !ic.saddrFromConfig {
		in.TrackSrcIP = false
	}

	if in.UseVMAC && in.VMACXmitBase && strict {
		l.warnf(at("vmac_xmit_base"), "(%s) xmit_base is incompatible with strict mode - resetting", name)
		in.VMACXmitBase = false
	}

	// Tracked interfaces: the instance's own interface is tracked anyway.
	for _, t := range ic.trackIfs {
		if in.Interface != "" && t.Name == in.Interface {
			l.warnf(t.pos, "(%s) Ignoring track_interface %s since own interface", name, t.Name)
			continue
		}
		in.TrackInterfaces = append(in.TrackInterfaces, t.TrackInterface)
	}
	if in.VMACXmitBase && !in.UseVMAC {
		l.warnf(at("vmac_xmit_base"), "(%s) vmac_xmit_base is only valid with a vmac", name)
		in.VMACXmitBase = false
	}

	l.vipVMACs(ic)
	l.dropWeights(ic)
	l.complete243(ic, strict)
}

// vipVMACs applies keepalived's rules for `use_vmac` on an address: on the
// instance's own interface and family, an instance with use_vmac already
// puts it on its VMAC; elsewhere use_vmac_addr already gives it one.
func (l *lowerer) vipVMACs(ic *instCtx) {
	in := ic.in
	for _, list := range [][]config.Address{in.VIPs, in.ExcludedVIPs} {
		for i := range list {
			a := &list[i]
			if !a.UseVMAC {
				continue
			}
			own := a.Dev == "" || a.Dev == in.Interface
			fam := familyOf(a.Addr()) == in.Family
			switch {
			case own && fam && in.UseVMAC:
				l.warnf(a.Pos, "(%s) use_vmac specified for VIP/eVIP %s and vrrp instance", in.Name, a.Addr())
				a.UseVMAC = false
			case (!own || !fam) && in.UseVMACAddr:
				l.warnf(a.Pos, "(%s) use_vmac_addr specified and use_vmac specified for VIP/eVIP %s", in.Name, a.Addr())
				a.UseVMAC = false
			}
		}
	}
}

// maxVIPs is how many VIPs fit in one advert on an interface of this MTU.
func maxVIPs(in *config.Instance, mtu int) int {
	var max int
	if in.Family == config.IPv6 {
		max = (mtu - 14 - 40 - 8 - hmacTrailerLen(in)) / 16
	} else {
		hdr := 14 + 20 + 8
		if in.Version == 2 {
			hdr += 8
			if in.Auth.Type == config.AuthAH {
				hdr += 24
			}
		}
		hdr += hmacTrailerLen(in)
		max = (mtu - hdr) / 4
	}
	if max > 255 {
		max = 255
	}
	return max
}

// completeGarp resolves the instance GARP schedule against the globals.
func (l *lowerer) completeGarp(ic *instCtx, strict bool) {
	in := ic.in
	g := config.InstanceGarpDefaults(l.cfg.Global.Garp, strict)
	set := func(kw string) bool { _, ok := ic.pos[kw]; return ok }
	if !set("garp_master_delay") {
		in.Garp.MasterDelay = g.MasterDelay
	}
	if !set("garp_master_repeat") || in.Garp.MasterRepeat == 0 {
		in.Garp.MasterRepeat = g.MasterRepeat
	}
	if !set("garp_master_refresh") {
		in.Garp.MasterRefresh = g.MasterRefresh
	}
	if !set("garp_master_refresh_repeat") || in.Garp.MasterRefreshRepeat == 0 {
		in.Garp.MasterRefreshRepeat = g.MasterRefreshRepeat
	}
	if !ic.garpLowerPrioRepeat {
		in.Garp.LowerPrioRepeat = g.LowerPrioRepeat
	} else if strict && in.Garp.LowerPrioRepeat != 0 {
		l.warnf(ic.at("garp_lower_prio_repeat"), "(%s) Strict mode requires no repeat garps. resetting", in.Name)
		in.Garp.LowerPrioRepeat = 0
	}
	if !ic.garpLowerPrioDelay {
		in.Garp.LowerPrioDelay = g.LowerPrioDelay
	} else if strict && in.Garp.LowerPrioDelay != 0 {
		l.warnf(ic.at("garp_lower_prio_delay"), "(%s) Strict mode requires no repeat garp delay. resetting", in.Name)
		in.Garp.LowerPrioDelay = 0
	}
}

// roundAdvert applies keepalived's advert_int rules per version: whole
// seconds below 256 for v2, 10 ms units below 40.96 s for v3.
func (l *lowerer) roundAdvert(ic *instCtx) {
	in := ic.in
	p := ic.at("advert_int")
	us := in.AdvertInt.Microseconds()
	if us == 0 {
		us = config.DefaultAdvertInt.Microseconds()
	}
	if in.Version == 2 {
		switch {
		case us >= 256*1e6:
			l.warnf(p, "(%s) VRRPv2 advertisement interval %.2fs is out of range. Must be less than 256s. Setting to 255s", in.Name, float64(us)/1e6)
			us = 255 * 1e6
		case us%1e6 != 0:
			msg := fmt.Sprintf("(%s) VRRPv2 advertisement interval %fs must be an integer. rounding", in.Name, float64(us)/1e6)
			us = (us + 5e5) / 1e6 * 1e6
			if us == 0 {
				us = 1e6
			}
			if _, explicit := ic.pos["version"]; !explicit {
				msg += fmt.Sprintf(" to %ds (sub-second intervals need `version 3`)", us/1e6)
			} else {
				msg += fmt.Sprintf(" to %ds", us/1e6)
			}
			l.warnf(p, "%s", msg)
		}
	} else {
		switch {
		case us >= 4096*1e4:
			l.warnf(p, "(%s) VRRPv3 advertisement interval %.2fs is out of range. Must be less than 40.96s. Setting to 40.95s", in.Name, float64(us)/1e6)
			us = 4095 * 1e4
		case us%1e4 != 0:
			l.warnf(p, "(%s) VRRPv3 advertisement interval %fs must be in units of 10ms - rounding", in.Name, float64(us)/1e6)
			us = (us + 5e3) / 1e4 * 1e4
			if us == 0 {
				us = 1e4
			}
		}
	}
	in.AdvertInt = time.Duration(us) * time.Microsecond
}

// dropWeights removes weighted tracking from sync-group members (without
// sync_group_tracking_weight) and address owners, as keepalived does: a
// weighted script there has no effect at all, not even FAULT. A
// sync-group member's weighted track_interface is the exception: keepalived
// 2.2.7 logs that it ignores the weight and shows the instance's entry with
// weight 0, but the interface's tracking entry was made earlier with the
// weight and that is what it applies, so the weight is kept here (the
// daemon's -d dump prints the instance's 0).
func (l *lowerer) dropWeights(ic *instCtx) {
	in := ic.in
	sg := l.byName.group[in.SyncGroup]
	syncNoWeight := sg != nil && !sg.SyncGroupTrackingWeight
	owner := in.Priority == config.OwnerPriority
	if !syncNoWeight && !owner {
		return
	}
	why, whyU := "address owner", "address_owner"
	if syncNoWeight {
		why, whyU = "SYNC group", "SYNC group"
	}
	hint, ifHint := "", ""
	if syncNoWeight {
		hint = " (set sync_group_tracking_weight in the group to keep weights, or use weight 0 for FAULT)"
		ifHint = " (keepalived applies the weight all the same: only its dump of the instance shows weight 0)"
	}
	var ifs []config.TrackInterface
	for _, t := range in.TrackInterfaces {
		if t.Weight != 0 {
			w := ""
			if syncNoWeight {
				w = "weight "
			}
			l.warnf(ifPos(ic, t.Name), "(%s) ignoring %s tracked interface %sdue to %s%s", in.Name, t.Name, w, why, ifHint)
			if !syncNoWeight {
				continue
			}
		}
		ifs = append(ifs, t)
	}
	in.TrackInterfaces = ifs
	var scs []config.TrackScript
	for _, t := range in.TrackScripts {
		if t.Weight != 0 {
			l.warnf(refPos(ic.trackScripts, t.Name, in.Pos), "(%s) ignoring tracked script %s with weights due to %s%s", in.Name, t.Name, whyU, hint)
			continue
		}
		scs = append(scs, t)
	}
	in.TrackScripts = scs
	var fs []config.TrackFileRef
	for _, t := range in.TrackFiles {
		p := refPos(ic.trackFiles, t.Name, in.Pos)
		if t.Weight == 1 {
			l.warnf(p, "(%s) ignoring weight from tracked file %s due to %s. specify weight 0", in.Name, t.Name, whyU)
			t.Weight = 0
		} else if t.Weight != 0 {
			l.warnf(p, "(%s) ignoring tracked file %s with weight %d due to %s", in.Name, t.Name, t.Weight, whyU)
			continue
		}
		fs = append(fs, t)
	}
	in.TrackFiles = fs
	var ps []config.TrackFileRef
	for _, t := range in.TrackProcesses {
		if t.Weight != 0 {
			l.warnf(refPos(ic.trackProcs, t.Name, in.Pos), "(%s) ignoring tracked process %s with weight %d due to %s", in.Name, t.Name, t.Weight, whyU)
			continue
		}
		ps = append(ps, t)
	}
	in.TrackProcesses = ps
}

func ifPos(ic *instCtx, name string) config.Pos {
	for _, t := range ic.trackIfs {
		if t.Name == name {
			return t.pos
		}
	}
	return ic.node.Pos
}

// unusedScripts notes vrrp_scripts no instance or group tracks (keepalived
// drops them with a log line that -t does not show).
func (l *lowerer) unusedScripts() {
	used := map[string]bool{}
	for _, in := range l.cfg.Instances {
		for _, t := range in.TrackScripts {
			used[t.Name] = true
		}
	}
	for _, g := range l.cfg.SyncGroups {
		for _, t := range g.TrackScripts {
			used[t.Name] = true
		}
	}
	for _, ic := range l.insts {
		for _, r := range ic.trackScripts {
			used[r.name] = true // reported already if unresolved
		}
	}
	for _, s := range l.cfg.Scripts {
		if !used[s.Name] {
			l.noticef(s.Pos, "Warning - script %s is not used", s.Name)
		}
	}
}

// groupTrackingWeights is keepalived's sync_group_tracking_init: the
// objects a sync group tracks apply to every member with the group's
// weights, except that a group with an address owner among its members
// cannot have weights (they are cleared: a failure then means FAULT).
func (l *lowerer) groupTrackingWeights() {
	for _, gc := range l.groups {
		g := gc.g
		owner := false
		for _, m := range g.Members {
			if in := l.byName.inst[m]; in != nil && in.Priority == config.OwnerPriority {
				owner = true
			}
		}
		if !owner {
			continue
		}
		clear := func(kind, name string, w *int, verb string, refs []trackRef) {
			if *w == 0 {
				return
			}
			l.warnf(refPos(refs, name, g.Pos), "(%s) Cannot have weighted track %s '%s' with member having priority 255 - %s", g.Name, kind, name, verb)
			*w = 0
		}
		for i := range g.TrackScripts {
			clear("script", g.TrackScripts[i].Name, &g.TrackScripts[i].Weight, "clearing weight", gc.scripts)
		}
		for i := range g.TrackFiles {
			clear("file", g.TrackFiles[i].Name, &g.TrackFiles[i].Weight, "setting weight 0", gc.files)
		}
		for i := range g.TrackProcesses {
			clear("process", g.TrackProcesses[i].Name, &g.TrackProcesses[i].Weight, "setting weight 0", gc.procs)
		}
		for i := range g.TrackInterfaces {
			t := &g.TrackInterfaces[i]
			if t.Weight != 0 {
				l.warnf(t.Pos, "(%s) Cannot have weighted track interface '%s' with member having priority 255 - clearing weight", g.Name, t.Name)
				t.Weight = 0
			}
		}
	}
}
