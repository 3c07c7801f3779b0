package parser

import (
	"strconv"
	"strings"
)

// checkGlobalOther checks the value of a global_defs keyword that
// keepalived-go accepts and keeps without running it (process tuning,
// LVS, nftables, SNMP, DBus, netlink buffers, reload and config-copy
// settings) the way keepalived 2.2.7's handler checks it
// (core/global_parser.c), so that `-t` gives keepalived's verdict and a
// start logs what keepalived logs. It only reports: the statement is kept
// as written either way. What depends on the host (the CPUs, /proc, the
// file system) is config.CheckHost's.
func (l *lowerer) checkGlobalOther(n *Node) {
	kw := n.Keyword
	a := argText(n, 0)
	gc := &l.globalCtx
	switch kw {
	case "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name", "bfd_process_name":
		// save_process_name; the name is read unconditionally.
		if !l.need(n, 1) {
			return
		}
		if kw == "lvs_process_name" {
			l.noticef(n.Pos, "'lvs_process_name' is deprecated - please use 'checker_process_name'")
		}
		if len(a) >= taskCommLen {
			l.errorf(n.Args[0].Pos, "Process name %s more than %d characters, truncating", a, taskCommLen-1)
		}
	case "min_auto_priority_delay":
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "min_auto_priority_delay requires delay time")
			return
		}
		if _, m := checkInt(a, 1, 10000000, true); m != "" {
			l.errorf(n.Args[0].Pos, "min_auto_priority_delay '%s' must be in [1, 10000000] - ignoring", a)
		}
	case "smtp_alert_checker", "vrrp_netlink_cmd_rcv_bufs_force", "vrrp_netlink_monitor_rcv_bufs_force",
		"process_monitor_rcv_bufs_force", "lvs_netlink_cmd_rcv_bufs_force", "lvs_netlink_monitor_rcv_bufs_force",
		"rs_init_notifies", "no_checker_emails":
		l.optBool(n, "Invalid value '%s' for global %s specified", a, kw)
	case "data_use_instance":
		// keepalived's message has the keyword misspelt.
		l.optBool(n, "Invalid value '%s' for global date_use_instance specified", a)
	case "checker_log_all_failures":
		l.optBool(n, "Invalid value for checker_log_all_failures specified")
	case "lvs_timeouts":
		l.lvsTimeouts(n)
	case "lvs_sync_daemon":
		l.lvsSyncDaemon(n)
	case "lvs_flush_on_stop", "lvs_flush_onstop":
		if len(n.Args) > 0 && a != "VS" {
			l.errorf(n.Args[0].Pos, "Unknown lvs_flush_on_stop type %s", a)
		}
	case "vrrp_priority", "checker_priority", "bfd_priority":
		// get_priority: a nice value.
		proc := strings.TrimSuffix(kw, "_priority")
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "No %s process priority specified", proc)
			return
		}
		if _, m := checkInt(a, -20, 19, true); m != "" {
			l.errorf(n.Args[0].Pos, "Invalid %s process priority specified", proc)
		}
	case "vrrp_rt_priority", "checker_rt_priority", "bfd_rt_priority":
		// get_realtime_priority: SCHED_RR's range, out of range clamped.
		proc := strings.TrimSuffix(kw, "_rt_priority")
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "No %s process real-time priority specified", proc)
			return
		}
		v, m := checkInt(a, -1<<31, 1<<31-1, true)
		switch {
		case m != "":
			l.errorf(n.Args[0].Pos, "%s process real-time priority '%s' invalid", proc, a)
		case v < schedRRMin:
			l.errorf(n.Args[0].Pos, "%s process real-time priority %d less than minimum %d - setting to minimum", proc, v, schedRRMin)
		case v > schedRRMax:
			l.errorf(n.Args[0].Pos, "%s process real-time priority %d greater than maximum %d - setting to maximum", proc, v, schedRRMax)
		}
	case "vrrp_cpu_affinity", "checker_cpu_affinity", "bfd_cpu_affinity":
		// The CPU ids are checked against this host's CPUs by
		// config.CheckHost.
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "No %s cpu_id set specified", strings.TrimSuffix(kw, "_cpu_affinity"))
		}
	case "vrrp_rlimit_rttime", "vrrp_rlimit_rtime", "checker_rlimit_rttime", "checker_rlimit_rtime",
		"bfd_rlimit_rttime", "bfd_rlimit_rtime":
		proc, _, _ := strings.Cut(kw, "_")
		if strings.HasSuffix(kw, "_rtime") {
			l.noticef(n.Pos, "Keyword '%s' is deprecated - please use '%srttime'", kw, strings.TrimSuffix(kw, "rtime"))
		}
		if !l.need(n, 1) {
			return
		}
		if _, m := checkInt(a, 1, 1<<32-1, false); m != "" {
			l.errorf(n.Args[0].Pos, "Invalid %s real-time limit - %s", proc, a)
		}
	case "nftables", "nftables_ipvs":
		what := "nftables"
		seen := &gc.nftables
		if kw == "nftables_ipvs" {
			what, seen = "ipvs nftables", &gc.nftablesIPVS
		}
		if *seen {
			l.errorf(n.Pos, "%s already specified - ignoring", what)
			return
		}
		if len(n.Args) > 0 && len(a) >= nftTableNameMax {
			l.errorf(n.Args[0].Pos, "%s table name too long - ignoring", what)
			return
		}
		*seen = true
	case "nftables_priority", "nftables_ipvs_priority":
		if !l.need(n, 1) {
			return
		}
		if _, m := checkInt(a, -1<<31, 1<<31-1, true); m != "" {
			what := "nftables"
			if kw == "nftables_ipvs_priority" {
				what = "ipvs nftables"
			}
			l.errorf(n.Args[0].Pos, "invalid %s chain priority '%s'", what, a)
		}
	case "nftables_ipvs_start_fwmark":
		if !l.need(n, 1) {
			return
		}
		if _, m := checkInt(a, 1, 1<<32-1, false); m != "" {
			l.errorf(n.Args[0].Pos, "invalid ipvs nftables start_fwmark priority '%s'", a)
		}
	case "snmp_socket":
		switch {
		case len(n.Args) > 1:
			l.errorf(n.Args[1].Pos, "Too many parameters specified for snmp_socket - ignoring")
		case len(n.Args) == 0:
			l.errorf(n.Pos, "SNMP error : snmp socket name missing")
		case len(a) > pathMax-1:
			l.errorf(n.Args[0].Pos, "SNMP error : snmp socket name too long - ignored")
		case gc.snmpSocket != "":
			l.errorf(n.Args[0].Pos, "SNMP socket already set to %s - ignoring", gc.snmpSocket)
		default:
			gc.snmpSocket = a
		}
	case "dbus_service_name":
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "dbus_service_name missing - ignoring")
		}
	case "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs", "process_monitor_rcv_bufs",
		"lvs_netlink_cmd_rcv_bufs", "lvs_netlink_monitor_rcv_bufs":
		typ := strings.TrimSuffix(kw, "_rcv_bufs")
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "%s_rcv_bufs size missing", typ)
			return
		}
		if _, m := checkInt(a, 0, 1<<32-1, false); m != "" {
			l.errorf(n.Args[0].Pos, "%s_rcv_bufs size (%s) invalid", typ, a)
		}
	case "vrrp_rx_bufs_policy":
		l.rxBufsPolicy(n)
	case "vrrp_rx_bufs_multiplier":
		if len(n.Args) != 1 {
			l.errorf(n.Pos, "Invalid vrrp_rx_bufs_multiplier")
			return
		}
		if _, m := checkInt(a, 1, 1<<32-1, false); m != "" {
			l.errorf(n.Args[0].Pos, "Invalid vrrp_rx_bufs_multiplier %s", a)
		}
	case "umask":
		l.umask(n)
	case "random_seed":
		if !l.need(n, 1) {
			return
		}
		if _, m := checkInt(a, 0, 1<<32-1, false); m != "" {
			l.errorf(n.Args[0].Pos, "random_seed %s invalid", a)
		}
	case "config_save_dir":
		// Whether it is a directory is config.CheckHost's.
		l.need(n, 1)
	case "reload_time_file":
		if len(n.Args) != 1 {
			l.errorf(n.Pos, "reload_time_file invalid")
		}
	case "tmp_config_directory":
		switch {
		case gc.tmpConfigDir:
			l.errorf(n.Pos, "%s already specified - ignoring", kw)
		case len(n.Args) == 0:
			l.errorf(n.Pos, "%s missing directory name", kw)
		default:
			gc.tmpConfigDir = true
		}
	}
}

// Limits keepalived's handlers use (Linux and glibc values).
const (
	taskCommLen     = 16  // TASK_COMM_LEN, the NUL included
	schedRRMin      = 1   // sched_get_priority_min(SCHED_RR)
	schedRRMax      = 99  // sched_get_priority_max(SCHED_RR)
	nftTableNameMax = 256 // NFT_TABLE_MAXNAMELEN
	pathMax         = 4096
	ipvsIfNameMax   = 16         // IP_VS_IFNAME_MAXLEN
	lvsMaxTimeout   = 86400 * 31 // LVS_MAX_TIMEOUT
)

// lvsTimeouts checks `lvs_timeouts [tcp N] [tcpfin N] [udp N]`.
func (l *lowerer) lvsTimeouts(n *Node) {
	if len(n.Args) < 2 {
		l.errorf(n.Pos, "lvs_timeouts requires at least one option")
		return
	}
	for i := 0; i < len(n.Args); i++ {
		w := n.Args[i]
		switch w.Text {
		case "tcp", "tcpfin", "udp":
			if i == len(n.Args)-1 {
				l.errorf(w.Pos, "No value specified for lvs_timeout %s - ignoring", w.Text)
				continue
			}
			if _, m := checkInt(n.Args[i+1].Text, 0, lvsMaxTimeout, false); m != "" {
				l.errorf(n.Args[i+1].Pos, "Invalid lvs_timeout %s (%s) - ignoring", w.Text, n.Args[i+1].Text)
			}
			i++
		default:
			l.errorf(w.Pos, "Unknown option %s specified for lvs_timeouts", w.Text)
		}
	}
}

// lvsSyncDaemon checks `lvs_sync_daemon IF [inst NAME] [id N] [maxlen N]
// [port N] [ttl N] [group ADDR]`, and the old `IF INSTANCE [SYNCID]`.
func (l *lowerer) lvsSyncDaemon(n *Node) {
	gc := &l.globalCtx
	if gc.lvsSyncd != "" {
		l.errorf(n.Pos, "lvs_sync_daemon has already been specified as %s - ignoring", gc.lvsSyncd)
		return
	}
	if len(n.Args) == 0 {
		l.errorf(n.Pos, "lvs_sync_daemon requires interface")
		return
	}
	if len(n.Args[0].Text) >= ipvsIfNameMax {
		l.errorf(n.Args[0].Pos, "lvs_sync_daemon interface name '%s' too long - ignoring", n.Args[0].Text)
		return
	}
	gc.lvsSyncd = n.Args[0].Text
	inst := false
	// Option values are read from the next word; a missing one is
	// keepalived's "missing a parameter" (inst) or its own message.
	for i := 1; i < len(n.Args); i++ {
		w := n.Args[i]
		last := i == len(n.Args)-1
		num := func(what string, lo, hi int64, msg string) {
			if last {
				l.errorf(w.Pos, "No value specified for lvs_sync_daemon %s%s", what, msg)
				return
			}
			if _, m := checkInt(n.Args[i+1].Text, lo, hi, false); m != "" {
				l.errorf(n.Args[i+1].Pos, "Invalid lvs_sync_daemon %s (%s) - ignoring", what, n.Args[i+1].Text)
			}
			i++
		}
		switch w.Text {
		case "inst":
			if last {
				l.need(n, len(n.Args)+1)
				return
			}
			if inst {
				l.errorf(w.Pos, "lvs_sync_daemon vrrp instance has already been specified - ignoring")
			}
			inst = true
			i++
		case "id":
			if last {
				l.errorf(w.Pos, "No value specified for lvs_sync_daemon id, defaulting to vrid")
				continue
			}
			if _, m := checkInt(n.Args[i+1].Text, 0, 255, false); m != "" {
				l.errorf(n.Args[i+1].Pos, "Invalid syncid (%s) - defaulting to vrid", n.Args[i+1].Text)
			}
			i++
		case "maxlen":
			num("maxlen", 1, 65535-20-8, " - ignoring")
		case "port":
			num("port", 1, 65535, " - ignoring")
		case "ttl":
			num("ttl", 1, 255, " - ignoring")
		case "group":
			if last {
				l.errorf(w.Pos, "No value specified for lvs_sync_daemon group - ignoring")
				continue
			}
			g := n.Args[i+1]
			if ip, _, ok := parseSockIP(g.Text); !ok {
				l.errorf(g.Pos, "Invalid lvs_sync_daemon group (%s) - ignoring", g.Text)
			} else if !ip.IsMulticast() {
				l.errorf(g.Pos, "lvs_sync_daemon group address %s is not multicast - ignoring", g.Text)
			}
			i++
		default:
			switch i {
			case 1: // the old form's instance name
				inst = true
			case 2: // the old form's sync id
				if _, m := checkInt(w.Text, 0, 255, false); m != "" {
					l.errorf(w.Pos, "Invalid syncid (%s) - defaulting to vrid", w.Text)
				} else {
					l.errorf(w.Pos, "Please use keyword \"id\" before lvs_sync_daemon SYNCID")
				}
			default:
				l.errorf(w.Pos, "Unknown option %s specified for lvs_sync_daemon", w.Text)
			}
		}
	}
}

// rxBufsPolicy checks `vrrp_rx_bufs_policy MTU|ADVERT|SIZE ...`.
func (l *lowerer) rxBufsPolicy(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(n.Pos, "vrrp_rx_bufs_policy missing")
		return
	}
	var mtu, advert, size bool
	for _, w := range n.Args {
		switch {
		case strings.EqualFold(w.Text, "MTU"):
			mtu = true
		case strings.EqualFold(w.Text, "ADVERT"):
			advert = true
		default:
			// keepalived reads the size from the first word whichever
			// word it is looking at.
			if _, m := checkInt(n.Args[0].Text, 0, 1<<32-1, false); m != "" {
				l.errorf(w.Pos, "Invalid vrrp_rx_bufs_policy %s", w.Text)
			} else {
				size = true
			}
		}
	}
	switch {
	case size && (mtu || advert):
		l.errorf(n.Pos, "Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy")
	case mtu && advert:
		l.errorf(n.Pos, "Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT")
	}
}

// umask checks `umask NUMBER` (strtol base 0: 077, 0x3f) or `umask
// IRUSR|IWGRP...` (the bits may be split over several words).
func (l *lowerer) umask(n *Node) {
	if !l.need(n, 1) {
		return
	}
	a := n.Args[0].Text
	if a[0] >= '0' && a[0] <= '9' {
		if len(n.Args) != 1 {
			l.errorf(n.Args[1].Pos, "Extra parameter(s) to umask option")
			return
		}
		v, err := strconv.ParseInt(a, 0, 64) // C's strtol(.., 0): no '_' separators
		if err != nil || strings.Contains(a, "_") || v < 0 || v&^0o777 != 0 {
			l.errorf(n.Args[0].Pos, "invalid umask value %s", a)
		}
		return
	}
	needOr := false
	for _, w := range n.Args {
		for p := w.Text; p != ""; {
			if needOr {
				if p[0] != '|' {
					l.errorf(w.Pos, "Invalid umask syntax %s", w.Text)
					return
				}
				needOr = false
				p = p[1:]
				continue
			}
			ok := false
			for _, bit := range []string{"IRUSR", "IWUSR", "IXUSR", "IRGRP", "IWGRP", "IXGRP", "IROTH", "IWOTH", "IXOTH"} {
				if strings.HasPrefix(p, bit) {
					ok = true
					p = p[len(bit):]
					break
				}
			}
			if !ok {
				l.errorf(w.Pos, "Unknown umask bit %s", p)
				return
			}
			needOr = true
		}
	}
	if !needOr {
		l.errorf(n.Pos, "umask missing bit value")
	}
}
