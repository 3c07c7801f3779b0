package parser

import (
	"strconv"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// The global_defs keywords of the process and the reload machinery
// (keepalived 2.2.7 global_parser.c): umask, vrrp_priority,
// vrrp_rt_priority, vrrp_cpu_affinity, min_auto_priority_delay,
// vrrp_garp_extra_if, vmac_addr_prefix, process_monitor_rcv_bufs[_force], reload_file, reload_time_file,
// reload_repeat, config_save_dir, data_use_instance. Each is lowered into
// its typed field, with keepalived's messages for bad values.

// processGlobal lowers one of these keywords; it reports whether n was one.
func (l *lowerer) processGlobal(n *Node) bool {
	g := &l.cfg.Global
	kw := n.Keyword
	switch kw {
	case "umask":
		if m, ok := l.umaskArg(n); ok {
			g.Umask = &m
		}
	case "min_auto_priority_delay":
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "min_auto_priority_delay requires delay time")
			break
		}
		if v, ok := l.uintArgMsg(n, 0, 1, 10_000_000, "min_auto_priority_delay '%s' must be in [1, 10000000] - ignoring", n.Args[0].Text); ok {
			g.MinAutoPriorityDelay = time.Duration(v) * time.Microsecond
		}
		l.extra(n, 1, ctxGlobal)
	case "vrrp_priority":
		// keepalived's get_priority: a bad value means 0 (no change).
		g.VRRPProcessPriority = 0
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "No vrrp process priority specified")
			break
		}
		v, msg := checkInt(n.Args[0].Text, -20, 19, true)
		if msg != "" {
			l.errorf(n.Args[0].Pos, "Invalid vrrp process priority specified")
			break
		}
		g.VRRPProcessPriority = int(v)
		l.extra(n, 1, ctxGlobal)
	case "vrrp_rt_priority":
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "No vrrp process real-time priority specified")
			break
		}
		v, msg := checkInt(n.Args[0].Text, -1<<31, 1<<31-1, true)
		if msg != "" {
			l.errorf(n.Args[0].Pos, "vrrp process real-time priority '%s' invalid", n.Args[0].Text)
			break
		}
		switch {
		case v < 1:
			l.errorf(n.Args[0].Pos, "vrrp process real-time priority %d less than minimum 1 - setting to minimum", v)
			v = 1
		case v > 99:
			l.errorf(n.Args[0].Pos, "vrrp process real-time priority %d greater than maximum 99 - setting to maximum", v)
			v = 99
		}
		g.VRRPRealtimePriority = int(v)
		l.extra(n, 1, ctxGlobal)
	case "vrrp_cpu_affinity":
		if len(n.Args) == 0 {
			l.errorf(n.Pos, "No vrrp cpu_id set specified")
			break
		}
		// The ids are checked against this host's CPUs by
		// config.CheckHost (which reads the statement kept in Other); an
		// id that is not a number drops the set, as keepalived does.
		g.Other = append(g.Other, l.raw(n))
		var cpus []int
		for _, a := range n.Args {
			v, msg := checkInt(a.Text, 0, 1<<31-1, true)
			if msg != "" {
				cpus = nil
				break
			}
			cpus = append(cpus, int(v))
		}
		g.VRRPCPUAffinity = cpus
	case "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl":
		if kw == "vrrp_vmac_garp_intvl" {
			l.warnf(n.Pos, "Keyword \"vrrp_vmac_garp_intvl\" is deprecated - please use \"vrrp_garp_extra_if\"")
		}
		// keepalived sets the "all" flag as it meets the word, even when
		// a later word makes it ignore the line.
		var delay int64
		for _, a := range n.Args {
			if a.Text == "all" {
				g.GarpExtraIf.AllIf = true
				continue
			}
			v, msg := checkInt(a.Text, 1, 86400, false)
			if msg != "" {
				l.errorf(a.Pos, "%s '%s' invalid - ignoring", kw, a.Text)
				return true
			}
			delay = v
		}
		if delay == 0 {
			l.errorf(n.Pos, "%s specified without time - ignoring", kw)
			break
		}
		g.GarpExtraIf.Interval = secs(delay)
	case "vmac_addr_prefix":
		if !l.need(n, 1) {
			break
		}
		if g.VMACAddrPrefix != "" {
			l.errorf(n.Args[0].Pos, "vmac_addr prefix has already been specified - ignoring %s", n.Args[0].Text)
			break
		}
		g.VMACAddrPrefix = n.Args[0].Text
		l.extra(n, 1, ctxGlobal)
	case "process_monitor_rcv_bufs":
		// keepalived's messages, and the line kept for the data dump;
		// a 0 or a bad size leaves the setting as it was.
		l.checkGlobalOther(n)
		g.Other = append(g.Other, l.raw(n))
		if len(n.Args) > 0 {
			if v, msg := checkInt(n.Args[0].Text, 0, 1<<32-1, false); msg == "" && v > 0 {
				g.ProcessMonitorRcvBufs = uint32(v)
			}
		}
	case "process_monitor_rcv_bufs_force":
		l.checkGlobalOther(n)
		g.Other = append(g.Other, l.raw(n))
		if len(n.Args) == 0 {
			g.ProcessMonitorRcvBufsForce = true
		} else if v, ok := boolWord(n.Args[0].Text); ok {
			g.ProcessMonitorRcvBufsForce = v
		}
	case "reload_file":
		if len(n.Args) == 0 {
			g.ReloadFile = config.DefaultReloadFile
			break
		}
		g.ReloadFile = n.Args[0].Text
		l.extra(n, 1, ctxGlobal)
	case "reload_time_file":
		if len(n.Args) != 1 {
			l.errorf(n.Pos, "reload_time_file invalid")
			break
		}
		g.ReloadTimeFile = n.Args[0].Text
	case "reload_repeat":
		g.ReloadRepeat = true
	case "config_save_dir":
		if !l.need(n, 1) {
			break
		}
		// keepalived's parent makes a missing directory (mkdir 0700 under
		// the umask), and so does ours (cli/configsave.go).
		g.Other = append(g.Other, l.raw(n)) // for config.CheckHost
		g.ConfigSaveDir = strings.TrimSuffix(n.Args[0].Text, "/")
		if g.ConfigSaveDir == "" {
			g.ConfigSaveDir = "/"
		}
		l.extra(n, 1, ctxGlobal)
	case "data_use_instance":
		if v, ok := l.optBool(n, "Invalid value '%s' for global date_use_instance specified", argText(n, 0)); ok {
			g.DataUseInstance = v
		}
	default:
		return false
	}
	return true
}

// umaskArg reads umask as keepalived's umask_handler does: one number
// (strtol base 0: 022 is octal, 0x12 hex) of permission bits only, or
// symbolic bits joined by '|' (IRUSR|IWGRP ..., the words may be split
// across arguments).
func (l *lowerer) umaskArg(n *Node) (uint32, bool) {
	if !l.need(n, 1) {
		return 0, false
	}
	first := n.Args[0]
	if first.Text != "" && first.Text[0] >= '0' && first.Text[0] <= '9' {
		if len(n.Args) != 1 {
			l.errorf(n.Args[1].Pos, "Extra parameter(s) to umask option")
			return 0, false
		}
		v, ok := cStrtol(first.Text)
		if !ok || v < 0 || v&^0o777 != 0 {
			l.errorf(first.Pos, "invalid umask value %s", first.Text)
			return 0, false
		}
		return uint32(v), true
	}
	bits := map[string]uint32{
		"IRUSR": 0o400, "IWUSR": 0o200, "IXUSR": 0o100,
		"IRGRP": 0o040, "IWGRP": 0o020, "IXGRP": 0o010,
		"IROTH": 0o004, "IWOTH": 0o002, "IXOTH": 0o001,
	}
	var m uint32
	needOr := false
	for _, a := range n.Args {
		for p := a.Text; p != ""; {
			if needOr {
				if p[0] != '|' {
					l.errorf(a.Pos, "Invalid umask syntax %s", a.Text)
					return 0, false
				}
				needOr = false
				p = p[1:]
				continue
			}
			b, ok := uint32(0), false
			if len(p) >= 5 {
				b, ok = bits[p[:5]]
			}
			if !ok {
				l.errorf(a.Pos, "Unknown umask bit %s", p)
				return 0, false
			}
			m |= b
			p = p[5:]
			needOr = true
		}
	}
	if !needOr {
		l.errorf(n.Pos, "umask missing bit value")
		return 0, false
	}
	return m, true
}

// cStrtol is strtol(s, &end, 0) with *end required to be '\0': an optional
// sign, then 0x hex, 0 octal or decimal digits.
func cStrtol(s string) (int64, bool) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	base := 10
	switch {
	case len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || strings.ContainsAny(s, "_+-") {
		return 0, false
	}
	v, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}
