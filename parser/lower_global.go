package parser

import (
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// globalCtx remembers what global_defs set explicitly, for defaults that
// are resolved at the end (keepalived's PARAMETER_UNSET values).
type globalCtx struct {
	lowerPrioDelaySet  bool
	lowerPrioRepeatSet bool
	smtpAlert          *bool
	smtpAlertVRRP      *bool
	lowerPrioNoAdvert  bool
	higherPrioSendAdv  bool
	// afterBoot is what remains of vrrp_delay_after_boot (2.4) at parse
	// time; the start-up delay is the larger of it and vrrp_startup_delay.
	afterBoot time.Duration
	// What keepalived's handlers of kept-only keywords remember, for
	// their "already specified" findings (lower_global_other.go).
	nftables, nftablesIPVS, tmpConfigDir bool
	snmpSocket, lvsSyncd                 string
}

// uptime is how long the system has been up (/proc/uptime), for
// vrrp_delay_after_boot; a variable so that tests can set it.
var uptime = func() (time.Duration, error) {
	b, err := os.ReadFile("/proc/uptime")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, errors.New("empty /proc/uptime")
	}
	secs, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return 0, err
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// lowerGlobal applies one global_defs block (there may be several; later
// values override earlier ones).
func (l *lowerer) lowerGlobal(nodes []*Node) {
	g := &l.cfg.Global
	gc := &l.globalCtx
	for n := range l.known(nodes, ctxGlobal) {
		kw := n.Keyword
		if kw != "notification_email" {
			l.noBlock(n)
		}
		if l.ourGlobal(n) || l.global243(n) || l.processGlobal(n) {
			continue
		}
		switch kw {
		case "router_id":
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "routerid name missing - ignoring")
				continue
			}
			g.RouterID = n.Args[0].Text
			l.extra(n, 1, ctxGlobal)
		case "vrrp_mcast_group4":
			if !l.need(n, 1) {
				continue
			}
			a, ok := l.sockIP(n.Args[0], kw)
			switch {
			case !ok:
				l.errorf(n.Args[0].Pos, "Can't parse vrrp_mcast_group4 [%s]. Skipping", n.Args[0].Text)
			case !a.Is4():
				l.errorf(n.Args[0].Pos, "vrrp_mcast_group4 [%s] is not IPv4. Skipping", n.Args[0].Text)
			case !a.IsMulticast():
				l.errorf(n.Args[0].Pos, "vrrp_mcast_group4 [%s] is not multicast. Skipping", n.Args[0].Text)
			default:
				g.McastGroup4 = a
			}
			l.extra(n, 1, ctxGlobal)
		case "vrrp_mcast_group6":
			if !l.need(n, 1) {
				continue
			}
			a, ok := l.sockIP(n.Args[0], kw)
			switch {
			case !ok:
				l.errorf(n.Args[0].Pos, "Can't parse vrrp_mcast_group6 [%s]. Skipping", n.Args[0].Text)
			case !a.Is6() || a.Is4In6():
				l.errorf(n.Args[0].Pos, "vrrp_mcast_group6 [%s] is not IPv6. Skipping", n.Args[0].Text)
			case !a.IsMulticast():
				l.errorf(n.Args[0].Pos, "vrrp_mcast_group6 [%s] is not multicast. Skipping", n.Args[0].Text)
			default:
				if !a.IsLinkLocalMulticast() {
					l.warnf(n.Args[0].Pos, "vrrp_mcast_group6 [%s] should be link-local multicast.", n.Args[0].Text)
				}
				g.McastGroup6 = a
			}
			l.extra(n, 1, ctxGlobal)
		case "vrrp_version":
			if !l.need(n, 1) {
				continue
			}
			v, msg := checkInt(n.Args[0].Text, 2, 3, false)
			if msg != "" {
				l.errorf(n.Args[0].Pos, "VRRP Error: Version must be either 2 or 3")
				continue
			}
			g.Version = int(v)
			l.extra(n, 1, ctxGlobal)
		case "vrrp_strict":
			g.Strict = true
		case "vrrp_skip_check_adv_addr":
			g.SkipCheckAdvAddr = true
		case "vrrp_check_unicast_src":
			g.CheckUnicastSrc = true
		case "vrrp_lower_prio_no_advert":
			if v, ok := l.optBool(n, "Invalid value for vrrp_lower_prio_no_advert specified"); ok {
				g.LowerPrioNoAdvert = v
			}
		case "vrrp_higher_prio_send_advert":
			if v, ok := l.optBool(n, "Invalid value for vrrp_higher_prio_send_advert specified"); ok {
				g.HigherPrioSendAdv = v
			}
		case "vrrp_down_timer_adverts":
			if !l.need(n, 1) {
				continue
			}
			if v, ok := l.uintArgMsg(n, 0, 1, 100, "Invalid vrrp_down_timer_adverts [1:100] '%s'", n.Args[0].Text); ok {
				g.DownTimerAdverts = int(v)
			}
			l.extra(n, 1, ctxGlobal)
		case "vrrp_notify_priority_changes":
			if v, ok := l.optBool(n, "Invalid value '%s' for global vrrp_notify_priority_changes specified", argText(n, 0)); ok {
				g.NotifyPrioChanges = v
			}
		case "dynamic_interfaces":
			g.DynamicInterfaces = true
			if len(n.Args) > 0 {
				if n.Args[0].Text == "allow_if_changes" {
					g.AllowIfChanges = true
				} else {
					l.errorf(n.Args[0].Pos, "Unknown dynamic_interfaces option '%s'", n.Args[0].Text)
				}
			}
		case "fifo_write_vrrp_states_on_reload":
			g.FifoStatesOnReload = true
		case "keepalived_go_vip_conflict_interval", "keepalived_go_conflict_hold":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 86400, "%s '%s' invalid: seconds 0..86400 - ignoring", kw, n.Args[0].Text); ok {
					if kw == "keepalived_go_conflict_hold" {
						g.Conflict.Hold = secs(v)
					} else {
						g.Conflict.Interval = secs(v)
					}
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "keepalived_go_notify_conflict":
			if c := l.command(n, true); c != nil {
				g.Conflict.Notify = c
			}
		case "keepalived_go_conflict_policy":
			if l.need(n, 1) {
				switch p := n.Args[0].Text; p {
				case config.ConflictPolicyNone, config.ConflictPolicyLowerMACYields:
					g.Conflict.Policy = p
				default:
					l.errorf(n.Args[0].Pos, "unknown keepalived_go_conflict_policy '%s' (none, lower-mac-yields)", p)
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_garp_master_delay":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 4294, "vrrp_garp_master_delay '%s' invalid - ignoring", n.Args[0].Text); ok {
					g.Garp.MasterDelay = secs(v)
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_garp_master_repeat", "vrrp_garp_master_refresh_repeat":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 1<<32-1, "%s '%s' invalid - ignoring", kw, n.Args[0].Text); ok {
					if v == 0 {
						l.warnf(n.Args[0].Pos, "%s must be greater than 0, setting to 1", kw)
						v = 1
					}
					if kw == "vrrp_garp_master_repeat" {
						g.Garp.MasterRepeat = int(v)
					} else {
						g.Garp.MasterRefreshRepeat = int(v)
					}
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_garp_master_refresh":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 1<<32-1, "Invalid vrrp_garp_master_refresh '%s' - ignoring", n.Args[0].Text); ok {
					g.Garp.MasterRefresh = secs(v)
				} else {
					g.Garp.MasterRefresh = 0
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_garp_lower_prio_delay":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 4294, "vrrp_garp_lower_prio_delay '%s' invalid - ignoring", n.Args[0].Text); ok {
					g.Garp.LowerPrioDelay = secs(v)
					gc.lowerPrioDelaySet = true
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_garp_lower_prio_repeat":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 1<<31-1, "Invalid vrrp_garp_lower_prio_repeat '%s'", n.Args[0].Text); ok {
					g.Garp.LowerPrioRepeat = int(v)
					gc.lowerPrioRepeatSet = true
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_garp_interval", "vrrp_gna_interval":
			if !l.need(n, 1) {
				continue
			}
			d, ok := l.decimalArgMsg(n, 0, 1, 1<<32-1, "%s '%s' is invalid%s", kw, n.Args[0].Text, zeroHint(n.Args[0].Text))
			if ok {
				if kw == "vrrp_garp_interval" {
					g.GarpInterval = d
				} else {
					g.GnaInterval = d
				}
				if d >= time.Second {
					l.noticef(n.Args[0].Pos, "The %s is very large - %s seconds", kw, n.Args[0].Text)
				}
			}
			l.extra(n, 1, ctxGlobal)
		case "vrrp_min_garp":
			v, ok := l.optBool(n, "Invalid value for vrrp_min_garp specified")
			if !ok || !v {
				continue
			}
			def := config.DefaultGarp()
			if g.Garp.MasterRepeat == def.MasterRepeat {
				g.Garp.MasterRepeat = 1
			}
			if g.Garp.MasterRefresh == def.MasterRefresh {
				g.Garp.MasterRefresh = 0
			}
			if g.Garp.MasterRefreshRepeat == def.MasterRefreshRepeat {
				g.Garp.MasterRefreshRepeat = 0
			}
			if g.Garp.MasterDelay == def.MasterDelay {
				g.Garp.MasterDelay = 0
			}
		case "vrrp_startup_delay":
			if l.need(n, 1) {
				if d, ok := l.decimalArgMsg(n, 0, 1000, 1<<32-1, "vrrp_startup_delay '%s' is invalid", n.Args[0].Text); ok {
					g.StartupDelay = d
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "vrrp_delay_after_boot":
			// keepalived 2.4.3: a delay counted from boot, so only what is
			// left of it at start-up applies (global_parser.c).
			if l.need(n, 1) {
				if d, ok := l.decimalArgMsg(n, 0, 1000, 1<<32-1, "vrrp_delay_after_boot '%s' is invalid", n.Args[0].Text); ok {
					if up, err := uptime(); err != nil {
						l.warnf(n.Pos, "Unable to read /proc/uptime for vrrp_delay_after_boot - ignoring")
					} else if d > up && d-up > gc.afterBoot {
						gc.afterBoot = d - up
					}
				}
				l.extra(n, 1, ctxGlobal)
			}
		case "log_unknown_vrids":
			g.LogUnknownVRIDs = true
		case "script_user":
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "No script username specified")
				continue
			}
			g.ScriptUser = n.Args[0].Text
			if len(n.Args) > 1 {
				g.ScriptGroup = n.Args[1].Text
			}
			l.extra(n, 2, ctxGlobal)
		case "enable_script_security":
			g.EnableScriptSecurity = true
		case "notify_fifo", "vrrp_notify_fifo":
			f := &g.NotifyFifo
			if kw == "vrrp_notify_fifo" {
				f = &g.VRRPNotifyFifo
			}
			typ := map[string]string{"notify_fifo": "", "vrrp_notify_fifo": "vrrp_"}[kw]
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "No %snotify_fifo name specified", typ)
				continue
			}
			if *f != nil && (*f).Path != "" {
				l.errorf(n.Args[0].Pos, "%snotify_fifo already specified - ignoring %s", typ, n.Args[0].Text)
				continue
			}
			if *f == nil {
				*f = &config.Fifo{}
			}
			(*f).Path = n.Args[0].Text
			(*f).User = argText(n, 1)
			(*f).Group = argText(n, 2)
			l.extra(n, 3, ctxGlobal)
		case "notify_fifo_script", "vrrp_notify_fifo_script":
			f := &g.NotifyFifo
			typ := ""
			if kw == "vrrp_notify_fifo_script" {
				f, typ = &g.VRRPNotifyFifo, "vrrp_"
			}
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "No %snotify_fifo_script specified", typ)
				continue
			}
			if *f != nil && (*f).Script != nil {
				l.errorf(n.Args[0].Pos, "%snotify_fifo_script already specified - ignoring %s", typ, n.Args[0].Text)
				continue
			}
			if *f == nil {
				*f = &config.Fifo{}
			}
			(*f).Script = l.command(n, true)
		case "startup_script", "shutdown_script":
			typ := kw[:len(kw)-len("_script")]
			dst := &g.StartupScript
			if kw == "shutdown_script" {
				dst = &g.ShutdownScript
			}
			if *dst != nil {
				l.errorf(n.Pos, "%s script already specified", typ)
				continue
			}
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "%s script missing", typ)
				continue
			}
			*dst = l.command(n, true)
		case "default_interface":
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "default_interface requires interface name")
				continue
			}
			g.DefaultInterface = n.Args[0].Text
			l.extra(n, 1, ctxGlobal)
		case "vmac_prefix":
			if !l.need(n, 1) {
				continue
			}
			g.VMACPrefix = n.Args[0].Text
			l.extra(n, 1, ctxGlobal)
		case "reload_check_config":
			g.ReloadCheckConfig = true
			g.ReloadCheckConfigLog = argText(n, 0)
			l.extra(n, 1, ctxGlobal)
		case "max_auto_priority":
			if len(n.Args) == 0 {
				g.MaxAutoPriority = 99
				continue
			}
			v, msg := checkInt(n.Args[0].Text, -1, 99, true)
			if msg != "" {
				l.errorf(n.Args[0].Pos, "max_auto_priority '%s' must be in [0, 99] (or -1 to disable) - ignoring", n.Args[0].Text)
				continue
			}
			g.MaxAutoPriority = int(v)
			l.extra(n, 1, ctxGlobal)
		case "smtp_alert", "smtp_alert_vrrp":
			v, ok := l.optBool(n, "Invalid value '%s' for global %s specified", argText(n, 0), kw)
			if !ok {
				continue
			}
			if kw == "smtp_alert" {
				gc.smtpAlert = &v
			} else {
				gc.smtpAlertVRRP = &v
			}
		case "vrrp_iptables":
			l.warnf(n.Pos, "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option")
			g.Other = append(g.Other, l.raw(n))
			l.noticef(n.Pos, "`%s` is accepted and not run (%s is not part of keepalived-go)", kw, notRunGlobal(kw))
		case "notification_email":
			// A value block: every word is one address (keepalived's
			// read_value_block), added to those of an earlier block.
			if n.Block != nil && len(n.Block.Nodes) == 0 {
				l.warnf(n.Pos, "Warning - empty notification_email block")
			}
			if n.Block != nil {
				for _, e := range n.Block.Nodes {
					g.Mail.Emails = append(g.Mail.Emails, e.Keyword)
					for _, w := range e.Args {
						g.Mail.Emails = append(g.Mail.Emails, w.Text)
					}
				}
			}
		case "smtp_connect_timeout":
			if l.need(n, 1) {
				if v, ok := l.uintArgMsg(n, 0, 0, 4294, "smtp_connect_timeout '%s' must be in [0, 4294] - ignoring", n.Args[0].Text); ok {
					if v == 0 {
						l.warnf(n.Args[0].Pos, "smtp_conect_timeout must be greater than 0, setting to 1")
						v = 1
					}
					g.Mail.ConnectTimeout = time.Duration(v) * time.Second
				}
			}
		case "smtp_server":
			if !l.need(n, 1) {
				continue
			}
			port := "25"
			if len(n.Args) >= 2 {
				port = n.Args[1].Text
			}
			if p, err := strconv.ParseUint(port, 10, 16); err != nil || p == 0 || strings.ContainsAny(n.Args[0].Text, "/ ") {
				l.errorf(n.Args[0].Pos, "Invalid smtp server %s %s", n.Args[0].Text, port)
				continue
			}
			g.Mail.Server = net.JoinHostPort(n.Args[0].Text, port)
		case "smtp_helo_name":
			if len(n.Args) > 0 {
				g.Mail.HeloName = n.Args[0].Text
			}
		case "notification_email_from":
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "emailfrom missing - ignoring")
				continue
			}
			if len(n.Args) > 1 {
				l.errorf(n.Args[1].Pos, "emailfrom - ignoring extra entries '%s' ...", n.Args[1].Text)
			}
			g.Mail.From = n.Args[0].Text
		case "no_email_faults":
			g.Mail.NoEmailFaults = true
		case "startup_script_timeout", "shutdown_script_timeout":
			typ := kw[:len(kw)-len("_script_timeout")]
			if len(n.Args) == 0 {
				l.errorf(n.Pos, "%s_script_timeout requires value", typ)
				continue
			}
			if v, ok := l.uintArgMsg(n, 0, 1, 1000, "%s_script_timeout '%s' must be in [1, 1000] - ignoring", typ, n.Args[0].Text); ok {
				if typ == "startup" {
					g.StartupScriptTimeout = secs(v)
				} else {
					g.ShutdownScriptTimeout = secs(v)
				}
			}
			g.Other = append(g.Other, l.raw(n))
		default:
			// Other known keywords (SMTP, LVS, BFD, SNMP, DBus, process
			// tuning, nftables...): accepted and kept verbatim, with a
			// notice for those of subsystems we do not run.
			l.checkGlobalOther(n)
			g.Other = append(g.Other, l.raw(n))
			if why := notRunGlobal(kw); why != "" {
				l.noticef(n.Pos, "`%s` is accepted and not run (%s is not part of keepalived-go)", kw, why)
			}
		}
	}
}

func zeroHint(s string) string {
	if v, msg := parseDecimalMicro(s); msg == "" && v == 0 {
		return " (keepalived 2.2.7 rejects an explicit 0 although 0 is the default: remove the line)"
	}
	return ""
}

// finishGlobal resolves the global defaults that depend on other keywords.
func (l *lowerer) finishGlobal() {
	g := &l.cfg.Global
	gc := &l.globalCtx
	g.Garp.LowerPrioDefaults(gc.lowerPrioRepeatSet, gc.lowerPrioDelaySet)
	if gc.afterBoot > g.StartupDelay {
		g.StartupDelay = gc.afterBoot
	}
	switch {
	case gc.smtpAlertVRRP != nil:
		g.SMTPAlert = *gc.smtpAlertVRRP
	case gc.smtpAlert != nil:
		g.SMTPAlert = *gc.smtpAlert
	}
}
