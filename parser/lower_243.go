package parser

import (
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// Keywords keepalived 2.3 and 2.4 added to global_defs and vrrp_instance
// (keepalived 2.4.3's global_parser.c and vrrp_parser.c), lowered with
// 2.4.3's semantics. keepalived 2.2.7 reports each of them as an unknown
// keyword; we accept them with a notice that says so, so that a file
// written for 2.4 is read here as 2.4 reads it. (auth_hmac is lowered in
// lower_hmac.go.)

const keywords243Global = `
v3_checksum_as_v2 vrrp_owner_ignore_adverts vrrp_delay_after_boot
state_dump_file stats_dump_file json_dump_file json_version
use_symlink_paths iproute_usr_dir iproute_etc_dir dbus_no_interface_name
snmp_vs_stats_update_interval snmp_rs_stats_update_interval vrrp_ipsets
`

const keywords243Instance = `
no_virtual_ipaddress timer_expired_backup thread_timer_expired
v3_checksum_as_v2 owner_ignore_adverts
`

// since243 is the keepalived release that added each keyword.
var since243 = map[string]string{
	"no_virtual_ipaddress": "2.3.0", "timer_expired_backup": "2.3.0", "thread_timer_expired": "2.3.0",
	"v3_checksum_as_v2": "2.3.0", "owner_ignore_adverts": "2.3.0", "vrrp_owner_ignore_adverts": "2.3.0",
	"vrrp_delay_after_boot": "2.3.0", "json_version": "2.3.0", "use_symlink_paths": "2.3.0",
	"state_dump_file": "2.3.0", "stats_dump_file": "2.3.0", "json_dump_file": "2.3.0",
	"iproute_usr_dir": "2.3.0", "iproute_etc_dir": "2.3.0", "dbus_no_interface_name": "2.3.0",
	"snmp_vs_stats_update_interval": "2.3.0", "snmp_rs_stats_update_interval": "2.3.0",
}

// newKeywordNotice notes a keyword keepalived 2.2.7 does not know.
func (l *lowerer) newKeywordNotice(n *Node) {
	v := since243[n.Keyword]
	if v == "" {
		v = "2.3"
	}
	l.noticef(n.Pos, "`%s` is a keepalived %s+ keyword, read as keepalived 2.4.3 reads it (keepalived 2.2.7 reports it as unknown)", n.Keyword, v)
}

// notRunGlobal names the subsystem of a global_defs keyword that
// keepalived-go accepts and does not run, or "".
func notRunGlobal(kw string) string {
	switch {
	case strings.HasPrefix(kw, "lvs_"), strings.HasPrefix(kw, "checker_"), strings.HasPrefix(kw, "nftables_ipvs"),
		kw == "rs_init_notifies", kw == "no_checker_emails", kw == "smtp_alert_checker", kw == "checker_log_all_failures":
		return "LVS / the checker"
	case strings.HasPrefix(kw, "bfd_"):
		return "BFD"
	case strings.HasPrefix(kw, "snmp_"), strings.HasPrefix(kw, "enable_snmp"), kw == "enable_traps":
		return "SNMP"
	case kw == "enable_dbus", strings.HasPrefix(kw, "dbus_"):
		return "DBus"
	case kw == "vrrp_ipsets", kw == "vrrp_iptables":
		return "the iptables / ipsets firewall"
	case kw == "nftables", strings.HasPrefix(kw, "nftables_"):
		return "the nftables firewall"
	case kw == "vrrp_rlimit_rttime", kw == "vrrp_rlimit_rtime":
		return "a real-time CPU limit (RLIMIT_RTTIME would kill Go runtime threads)"
	case kw == "vrrp_no_swap":
		return "locking the process in memory"
	case kw == "process_names", kw == "process_name", kw == "vrrp_process_name":
		return "process renaming"
	case strings.HasPrefix(kw, "vrrp_netlink_"),
		kw == "vrrp_rx_bufs_policy", kw == "vrrp_rx_bufs_multiplier":
		return "socket buffer sizing"
	case kw == "random_seed":
		return "random number seeding"
	case kw == "tmp_config_directory":
		return "the consolidated configuration copy"
	case kw == "disable_local_igmp":
		return "the IGMP version sysctl handling"
	case kw == "use_symlink_paths":
		return "configuration file symlink resolution"
	case kw == "iproute_usr_dir", kw == "iproute_etc_dir":
		return "iproute2 file lookup (keepalived-go reads rt_tables names itself)"
	}
	return ""
}

// global243 lowers a global_defs keyword added after 2.2.7; it reports
// whether n was one.
func (l *lowerer) global243(n *Node) bool {
	g := &l.cfg.Global
	kw := n.Keyword
	switch kw {
	case "v3_checksum_as_v2":
		// The global form takes no argument in 2.4.3.
		g.V3ChecksumAsV2 = true
	case "vrrp_owner_ignore_adverts":
		v, ok := l.optBool(n, "Invalid value '%s' for global vrrp_owner_ignore_adverts specified", argText(n, 0))
		if ok {
			g.OwnerIgnoreAdverts = v
		}
	case "vrrp_delay_after_boot":
		// Lowered with vrrp_startup_delay (lower_global.go), into the
		// delay the daemon waits; here only the 2.3+ notice.
		l.newKeywordNotice(n)
		return false
	case "state_dump_file", "stats_dump_file", "json_dump_file":
		if len(n.Args) != 1 || n.Args[0].Text == "" {
			l.errorf(n.Pos, "%s requires a non-empty path", kw)
			break
		}
		switch kw {
		case "state_dump_file":
			g.StateDumpFile = n.Args[0].Text
		case "stats_dump_file":
			g.StatsDumpFile = n.Args[0].Text
			l.noticef(n.Pos, "stats_dump_file is kept but, as in keepalived 2.4.3, SIGUSR2 still writes keepalived.stats in the temporary directory")
		case "json_dump_file":
			g.JSONDumpFile = n.Args[0].Text
			l.noticef(n.Pos, "json_dump_file is kept but, as in keepalived 2.4.3, the JSON signal still writes keepalived.json in the temporary directory")
		}
	case "json_version":
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "json_version requires version")
			break
		}
		if v, ok := l.uintArgMsg(n, 0, 1, 2, "Invalid JSON version"); ok {
			g.JSONVersion = int(v)
		}
		l.extra(n, 1, ctxGlobal)
	case "use_symlink_paths":
		if _, ok := l.optBool(n, "Invalid value '%s' for global use_symlink_path specified", argText(n, 0)); ok {
			g.Other = append(g.Other, l.raw(n))
		}
	case "iproute_usr_dir", "iproute_etc_dir":
		if len(n.Args) != 1 {
			l.errorf(n.Pos, "%s requires path", kw)
			break
		}
		g.Other = append(g.Other, l.raw(n))
	case "snmp_vs_stats_update_interval", "snmp_rs_stats_update_interval":
		if l.need(n, 1) {
			which := kw[len("snmp_") : len("snmp_")+2]
			l.decimalArgMsg(n, 0, 1000, 30_000_000, "snmp stats %s update interval '%s' invalid - ignoring", which, n.Args[0].Text)
			g.Other = append(g.Other, l.raw(n))
		}
	case "dbus_no_interface_name":
		g.Other = append(g.Other, l.raw(n))
	default:
		return false
	}
	if _, ok := since243[kw]; ok {
		l.newKeywordNotice(n)
	}
	if why := notRunGlobal(kw); why != "" {
		l.noticef(n.Pos, "`%s` is accepted and not run (%s is not part of keepalived-go)", kw, why)
	}
	return true
}

// instance243 lowers a vrrp_instance keyword added after 2.2.7; it
// reports whether n was one.
func (l *lowerer) instance243(ic *instCtx, n *Node) bool {
	in := ic.in
	switch n.Keyword {
	case "no_virtual_ipaddress":
		in.AllowNoVIPs = true
		l.extra(n, 0, ctxInstance)
	case "v3_checksum_as_v2":
		if len(n.Args) == 0 {
			in.V3ChecksumAsV2 = true
			break
		}
		if v, ok := boolWord(n.Args[0].Text); ok {
			in.V3ChecksumAsV2 = v
		} else {
			l.errorf(n.Args[0].Pos, "(%s) invalid v3_checksum_as_v2 %s specified", in.Name, n.Args[0].Text)
		}
		l.extra(n, 1, ctxInstance)
	case "owner_ignore_adverts":
		v, ok := l.optBool(n, "(%s) invalid %s %s specified", in.Name, n.Keyword, argText(n, 0))
		if ok {
			in.OwnerIgnoreAdverts = v
		} else {
			delete(ic.pos, n.Keyword) // keepalived leaves it unset
		}
	case "timer_expired_backup", "thread_timer_expired":
		if n.Keyword == "thread_timer_expired" {
			l.warnf(n.Pos, "(%s) thread_timer_expired - please replace with keyword 'timer_expired_backup'", in.Name)
		}
		other := int64(254)
		if len(n.Args) > 0 {
			v, ok := l.uintArgMsg(n, 0, 1, 254, "(%s) timer_expired_backup highest_other_priority not valid! must be between 1 & 254", in.Name)
			if !ok {
				break
			}
			other = v
		}
		in.HighestOtherPriority = int(other)
		l.extra(n, 1, ctxInstance)
	default:
		return false
	}
	l.newKeywordNotice(n)
	return true
}

// complete243 is 2.4.3's vrrp_complete_instance for these keywords.
// strict is the instance's effective strict mode.
func (l *lowerer) complete243(ic *instCtx, strict bool) {
	in := ic.in
	g := l.cfg.Global
	name := in.Name
	if !ic.v3ChecksumSet() {
		in.V3ChecksumAsV2 = g.V3ChecksumAsV2
	}
	if in.V3ChecksumAsV2 && (in.Version != 3 || in.Family != config.IPv4) {
		l.noticef(ic.at("v3_checksum_as_v2"), "(%s) v3_checksum_as_v2 only changes VRRPv3 IPv4 adverts", name)
	}
	owner := in.Priority == config.OwnerPriority
	_, ownerIgnoreSet := ic.pos["owner_ignore_adverts"]
	switch {
	case ownerIgnoreSet && in.OwnerIgnoreAdverts && !owner:
		l.warnf(ic.at("owner_ignore_adverts"), "(%s) ignoring owner_ignore_adverts since priority is not %d", name, config.OwnerPriority)
		in.OwnerIgnoreAdverts = false
	case !ownerIgnoreSet:
		// keepalived 2.4.3 also turns it on for an owner in strict mode;
		// 2.2.7 does not ignore adverts there, and we keep 2.2.7's
		// behaviour for configurations 2.2.7 reads (README).
		in.OwnerIgnoreAdverts = owner && g.OwnerIgnoreAdverts
	case owner && strict && !in.OwnerIgnoreAdverts:
		l.warnf(ic.at("owner_ignore_adverts"), "(%s) strict_mode with priority %d requires owner_ignore_adverts", name, config.OwnerPriority)
		in.OwnerIgnoreAdverts = true
	}
	if in.HighestOtherPriority != 0 && !in.Nopreempt {
		l.warnf(ic.at("timer_expired_backup"), "(%s) expired_timer_backup requires nopreempt - resetting", name)
		in.HighestOtherPriority = 0
	}
}

// allowNoVIPs reports whether an instance without VIPs was meant
// (no_virtual_ipaddress), clearing it in strict mode as 2.4.3 does.
func (l *lowerer) allowNoVIPs(ic *instCtx, strict bool) bool {
	in := ic.in
	if in.AllowNoVIPs && strict {
		l.warnf(ic.at("no_virtual_ipaddress"), "(%s) no_virtual_ipaddress and strict mode incompatible, clearing no_virtual_ipaddress", in.Name)
		in.AllowNoVIPs = false
	}
	return in.AllowNoVIPs
}

// v3ChecksumSet reports whether the instance gave v3_checksum_as_v2.
func (ic *instCtx) v3ChecksumSet() bool {
	_, ok := ic.pos["v3_checksum_as_v2"]
	return ok
}

// fractionalScriptTime reads a vrrp_script interval or timeout with a
// fraction, as keepalived 2.3.2+ does (milliseconds, at least 0.001 s;
// 0 means 1 s). keepalived 2.2.7 rejects it and keeps the default, so
// the finding keeps 2.2.7's `-t` class while the value is 2.4.3's.
func (l *lowerer) fractionalScriptTime(s *config.Script, e *Node) {
	w := e.Args[0]
	v, msg := parseDecimalMicro(w.Text)
	if (msg != "" && !strings.Contains(msg, "too many decimal")) || v > 4294967*1e6 {
		l.errorf(w.Pos, "(%s): vrrp script %s '%s' invalid - ignoring", s.Name, e.Keyword, w.Text)
		return
	}
	v = v / 1000 * 1000 // milliseconds, as 2.4.3 reads it
	if v == 0 {
		l.warnf(w.Pos, "(%s): vrrp script %s must be greater than 0, setting to 1", s.Name, e.Keyword)
		v = 1e6
	}
	l.warnf(w.Pos, "(%s): vrrp script %s %s: keepalived 2.2.7 takes whole seconds only and would use its default; keepalived-go uses %ss, as keepalived 2.3.2+ does", s.Name, e.Keyword, w.Text, strings.TrimRight(strings.TrimRight(fmtMicro(v), "0"), "."))
	if e.Keyword == "interval" {
		s.Interval = micro(v)
	} else {
		s.Timeout = micro(v)
	}
	l.extra(e, 1, ctxScript)
}
