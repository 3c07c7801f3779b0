package parser

import (
	"fmt"
	"sort"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// The blocks of the subsystems keepalived-go does not run (LVS virtual
// servers and their checkers, SSL, BFD, track_group, linkbeat and
// interface delays) are checked here as keepalived 2.4.3's parser checks
// them (check_parser.c, check_api.c, check_http.c, check_tcp.c,
// check_misc.c, check_smtp.c, check_dns.c, check_udp.c, check_ping.c,
// check_file.c, check_bfd.c, bfd_parser.c, vrrp_parser.c): every keyword
// must be one of its block's (with a "did you mean"), a handler that reads
// an argument unconditionally aborts the parse without one (keepalived's
// "missing a parameter"), and numbers, addresses and names are checked
// where the handler checks them. The statements are then kept whole in
// Config.Raw (with their blocks) and reported once as not run.

// argKind is how a keyword's argument is checked.
type argKind int

const (
	argAny   argKind = iota // any words (a name, a path, a command)
	argFlag                 // no argument (extra words are ignored, as keepalived does)
	argBool                 // optional true/false, on/off, yes/no
	argUint                 // an unsigned integer in [lo, hi]
	argTimer                // decimal seconds, at least lo µs
	argAddr                 // an IPv4 or IPv6 address
	argEnum                 // one of enum (exact, or any case with fold)
	argCodes                // HTTP status codes and ranges (status_code)
)

// kwSpec describes one keyword of a checked block.
type kwSpec struct {
	min    int // fewer arguments: keepalived aborts with "missing a parameter"
	kind   argKind
	lo, hi int64
	enum   []string
	fold   bool   // enum compared without case (protocol)
	block  string // the context of the { } block it opens, "=" for a block of values
}

func sAny(min int) kwSpec          { return kwSpec{min: min} }
func sFlag() kwSpec                { return kwSpec{kind: argFlag} }
func sBool() kwSpec                { return kwSpec{kind: argBool} }
func sUint(lo, hi int64) kwSpec    { return kwSpec{min: 1, kind: argUint, lo: lo, hi: hi} }
func sTimer(lo int64) kwSpec       { return kwSpec{min: 1, kind: argTimer, lo: lo} }
func sAddr() kwSpec                { return kwSpec{min: 1, kind: argAddr} }
func sEnum(vs ...string) kwSpec    { return kwSpec{min: 1, kind: argEnum, enum: vs} }
func sBlock(ctx string) kwSpec     { return kwSpec{block: ctx} }
func sValues() kwSpec              { return kwSpec{block: "="} }
func (s kwSpec) args(n int) kwSpec { s.min = n; return s }

const maxUint32 = 1<<32 - 1

// Block contexts of the checked subsystems (as named in findings).
const (
	ctxVS       = "virtual_server"
	ctxVSG      = "virtual_server_group"
	ctxRS       = "real_server"
	ctxSSL      = "SSL"
	ctxBFD      = "bfd_instance"
	ctxTrackGrp = "track_group"
)

var lvsSchedulers = []string{"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf", "lblcr", "sed", "nq", "twos"}

// lvsMethods are lb_kind / lvs_method values (TUN takes options after it).
var lvsMethods = []string{"NAT", "DR", "TUN"}

// checkerCommon are install_checker_common_keywords' keywords; conn adds
// the connection ones (every checker but MISC_CHECK).
func checkerCommon(conn bool, extra map[string]kwSpec) map[string]kwSpec {
	m := map[string]kwSpec{
		"retry":              sUint(0, maxUint32),
		"delay_before_retry": sTimer(0),
		"warmup":             sTimer(0),
		"delay_loop":         sTimer(1),
		"alpha":              sBool(),
		"log_all_failures":   sBool(),
	}
	if conn {
		m["connect_ip"] = sAddr()
		m["connect_port"] = sUint(1, 65535)
		m["bindto"] = sAddr()
		m["bind_port"] = sUint(1, 65535)
		m["bind_if"] = sAny(1)
		m["connect_timeout"] = sTimer(1)
		m["fwmark"] = sUint(0, maxUint32)
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func urlBlock(ssl bool) map[string]kwSpec {
	m := map[string]kwSpec{
		"path":             sAny(1),
		"digest":           sAny(1),
		"status_code":      {min: 1, kind: argCodes},
		"virtualhost":      sAny(1),
		"regex":            sAny(1),
		"regex_no_match":   sFlag(),
		"regex_options":    sAny(1),
		"regex_min_offset": sUint(0, maxUint32),
		"regex_max_offset": sUint(0, maxUint32),
		"regex_stack":      sAny(0),
	}
	if ssl {
		m["tls_compliant"] = sBool()
	}
	return m
}

func httpChecker(ssl bool) map[string]kwSpec {
	url := "HTTP_GET/url"
	if ssl {
		url = "SSL_GET/url"
	}
	m := checkerCommon(true, map[string]kwSpec{
		"nb_get_retry":  sUint(0, maxUint32),
		"virtualhost":   sAny(1),
		"http_protocol": sAny(0),
		"enable_sni":    sBool(),
		"fast_recovery": sBool(),
		"url":           sBlock(url),
	})
	if ssl {
		m["tls_compliant"] = sBool()
	}
	return m
}

// lvsSchema holds every checked block's keywords (keepalived 2.4.3).
var lvsSchema = map[string]map[string]kwSpec{
	ctxSSL: {"password": sAny(1), "ca": sAny(1), "certificate": sAny(1), "key": sAny(1)},
	ctxVS: {
		"ip_family": sEnum("inet", "inet6"), "retry": sUint(0, maxUint32),
		"delay_before_retry": sTimer(0), "warmup": sTimer(0), "connect_timeout": sTimer(1),
		"delay_loop": sTimer(1), "inhibit_on_failure": sBool(),
		"lb_algo": sEnum(lvsSchedulers...), "lvs_sched": sEnum(lvsSchedulers...),
		"hashed": sFlag(), "ops": sFlag(), "flag-1": sFlag(), "flag-2": sFlag(), "flag-3": sFlag(),
		"sh-port": sFlag(), "sh-fallback": sFlag(), "mh-port": sFlag(), "mh-fallback": sFlag(),
		"lb_kind": sEnum(lvsMethods...), "lvs_method": sEnum(lvsMethods...),
		"persistence_engine": sAny(1), "persistence_timeout": sUint(1, maxUint32).args(0),
		"persistence_granularity": sAny(1),
		"protocol":                {min: 1, kind: argEnum, enum: []string{"TCP", "UDP", "SCTP"}, fold: true},
		"ha_suspend":              sFlag(), "smtp_alert": sBool(), "virtualhost": sAny(1), "snmp_name": sAny(1),
		"alpha": sFlag(), "omega": sFlag(), "quorum_up": sAny(1), "quorum_down": sAny(1),
		"quorum": sUint(1, maxUint32), "hysteresis": sUint(0, maxUint32), "weight": sUint(1, 65535),
		"sorry_server": sAny(1), "sorry_server_inhibit": sBool(), "sorry_server_lvs_method": sEnum(lvsMethods...),
		"real_server": {min: 1, kind: argAddr, block: ctxRS},
	},
	ctxRS: {
		"weight": sUint(0, 65535), "lvs_method": sEnum(lvsMethods...),
		"uthreshold": sUint(0, maxUint32), "lthreshold": sUint(0, maxUint32),
		"inhibit_on_failure": sBool(), "notify_up": sAny(1), "notify_down": sAny(1), "alpha": sBool(),
		"retry": sUint(0, maxUint32), "delay_before_retry": sTimer(0), "warmup": sTimer(0),
		"connect_timeout": sTimer(1), "delay_loop": sTimer(1), "smtp_alert": sBool(),
		"virtualhost": sAny(1), "snmp_name": sAny(1),
		"HTTP_GET": sBlock("HTTP_GET"), "SSL_GET": sBlock("SSL_GET"), "TCP_CHECK": sBlock("TCP_CHECK"),
		"MISC_CHECK": sBlock("MISC_CHECK"), "SMTP_CHECK": sBlock("SMTP_CHECK"), "DNS_CHECK": sBlock("DNS_CHECK"),
		"UDP_CHECK": sBlock("UDP_CHECK"), "PING_CHECK": sBlock("PING_CHECK"), "FILE_CHECK": sBlock("FILE_CHECK"),
		"BFD_CHECK": sBlock("BFD_CHECK"),
	},
	"HTTP_GET":     httpChecker(false),
	"SSL_GET":      httpChecker(true),
	"HTTP_GET/url": urlBlock(false),
	"SSL_GET/url":  urlBlock(true),
	"TCP_CHECK":    checkerCommon(true, nil),
	"PING_CHECK":   checkerCommon(true, nil),
	"MISC_CHECK": checkerCommon(false, map[string]kwSpec{
		"misc_path": sAny(1), "misc_timeout": sUint(0, maxUint32), "misc_dynamic": sFlag(), "user": sAny(1),
	}),
	"SMTP_CHECK":      checkerCommon(true, map[string]kwSpec{"helo_name": sAny(1), "host": sBlock("SMTP_CHECK/host")}),
	"SMTP_CHECK/host": checkerCommon(true, nil),
	"DNS_CHECK": checkerCommon(true, map[string]kwSpec{
		"type": sEnum("A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"), "name": sAny(1),
	}),
	"UDP_CHECK": checkerCommon(true, map[string]kwSpec{
		"payload": sAny(0), "require_reply": sAny(0),
		"min_reply_length": sUint(0, 65535), "max_reply_length": sUint(0, 65535),
	}),
	"FILE_CHECK": {"track_file": sAny(1), "weight": sAny(0)},
	"BFD_CHECK":  {"name": sAny(1), "alpha": sBool()},
	// bfd_instance values are checked by checkBFDInstance (lower_bfd.go).
	ctxBFD: {
		"source_ip": sAny(1), "neighbor_ip": sAny(1), "neighbour_ip": sAny(1),
		"min_rx": sAny(1), "min_tx": sAny(1), "idle_tx": sAny(1),
		"multiplier": sAny(1), "passive": sFlag(), "ttl": sAny(1), "hoplimit": sAny(1),
		"max_hops": sAny(1), "multihop": sAny(0), "weight": sAny(1), "vrrp": sFlag(), "checker": sFlag(),
	},
	ctxTrackGrp: {"group": sValues()},
}

// lvsKeywordLists are the sorted keyword lists of lvsSchema, for
// keywordsOf and the suggestions.
var lvsKeywordLists = func() map[string][]string {
	m := map[string][]string{}
	for ctx, kws := range lvsSchema {
		l := make([]string, 0, len(kws))
		for k := range kws {
			l = append(l, k)
		}
		sort.Strings(l)
		m[ctx] = l
	}
	return m
}()

// lowerChecked checks a root block of a subsystem we do not run and keeps
// it (with its whole block) in Config.Raw, with one notice per kind.
func (l *lowerer) lowerChecked(n *Node, why string) {
	switch n.Keyword {
	case ctxVS:
		l.curVS, l.curRS = n, nil
		l.checkVSHead(n)
		if n.Block != nil {
			l.checkBlock(n.Block.Nodes, ctxVS)
			l.vsEndChecks(n)
		}
		l.checkVirtualServer(n)
	case ctxVSG:
		if len(n.Args) == 0 {
			l.need(n, 1)
		}
		if n.Block != nil {
			l.checkVSGEntries(n)
		}
	case ctxSSL, ctxBFD, ctxTrackGrp:
		if n.Keyword == ctxBFD || n.Keyword == ctxTrackGrp {
			if len(n.Args) != 1 {
				l.errorf(n.Pos, "%s must have a name - skipping", n.Keyword)
			}
		}
		if n.Block != nil {
			l.checkBlock(n.Block.Nodes, n.Keyword)
		}
		if n.Keyword == ctxBFD {
			l.checkBFDInstance(n)
		}
	case "linkbeat_interfaces":
		for _, e := range l.entries(n) {
			// IFNAME [MII|ETHTOOL|IOCTL] (alloc_linkbeat_interface).
			if len(e.Args) > 0 && (len(e.Args) > 1 || !contains([]string{"MII", "ETHTOOL", "IOCTL"}, e.Args[0].Text)) {
				l.errorf(e.Args[0].Pos, "extra characters %s in linkbeat interface", e.Args[0].Text)
			}
		}
	case "interface_up_down_delays":
		for _, e := range l.entries(n) {
			// IFNAME DOWN [UP], delays in seconds up to 255
			// (alloc_if_up_down_delay logs these, -t shows nothing).
			if len(e.Args) == 0 {
				l.ourWarnf(e.Pos, "No timeouts specified for %s up/down delays", e.Keyword)
				continue
			}
			if len(e.Args) > 2 {
				l.ourWarnf(e.Args[2].Pos, "Too many parameters for %s up/down delays", e.Keyword)
			}
			for i, what := range []string{"down", "up"} {
				if i >= len(e.Args) {
					break
				}
				if v, msg := parseDecimalMicro(e.Args[i].Text); msg != "" || v > 255e6 {
					l.ourWarnf(e.Args[i].Pos, "Invalid %s delay %s for %s - the line is ignored", what, e.Args[i].Text, e.Keyword)
					break
				}
			}
		}
	}
	if n.Block == nil {
		l.needBlock(n)
	}
	l.keepRaw(n, why)
}

// rawTree keeps a statement and its block.
func (l *lowerer) rawTree(n *Node) config.RawStatement {
	r := l.raw(n)
	if n.Block != nil {
		r.Block = []config.RawStatement{}
		for _, e := range n.Block.Nodes {
			if e != nil {
				r.Block = append(r.Block, l.rawTree(e))
			}
		}
	}
	return r
}

// checkVSHead checks `virtual_server IP PORT`, `virtual_server fwmark N`
// or `virtual_server group NAME` (alloc_vs).
func (l *lowerer) checkVSHead(n *Node) {
	if !l.need(n, 1) {
		return
	}
	switch a := n.Args[0].Text; a {
	case "group":
		l.need(n, 2)
	case "fwmark":
		if l.need(n, 2) {
			l.uintArgMsg(n, 1, 1, maxUint32, "virtual server fwmark '%s' must be in [1, %d]", argText(n, 1), int64(maxUint32))
		}
	default:
		if _, ok := parseIP(a); !ok {
			l.errorf(n.Args[0].Pos, "Invalid virtual server IP address %s - skipping", a)
			return
		}
		if len(n.Args) > 1 {
			l.uintArgMsg(n, 1, 0, 65535, "Invalid virtual server port '%s'", argText(n, 1))
		}
	}
}

// checkVSGEntries checks the lines of a virtual_server_group: `IP PORT`,
// `IP-LAST PORT` (a range on the last byte / hextet), or `fwmark N`.
func (l *lowerer) checkVSGEntries(n *Node) {
	for _, e := range l.entries(n) {
		if e.Keyword == "fwmark" {
			if l.need(e, 1) {
				l.uintArgMsg(e, 0, 1, maxUint32, "virtual server group fwmark '%s' must be in [1, %d]", argText(e, 0), int64(maxUint32))
			}
			continue
		}
		addr, _, _ := strings.Cut(e.Keyword, "-")
		if strings.Contains(addr, "/") {
			addr, _, _ = strings.Cut(addr, "/")
		}
		if _, ok := parseIP(addr); !ok {
			l.errorf(e.Pos, "Invalid virtual server group %s entry `%s`: not an address, address range or fwmark", argText(n, 0), e.Keyword)
			continue
		}
		if len(e.Args) > 0 {
			l.uintArgMsg(e, 0, 0, 65535, "Invalid virtual server group port '%s'", e.Args[0].Text)
		}
	}
}

// checkBlock checks the statements of a block of context ctx.
func (l *lowerer) checkBlock(nodes []*Node, ctx string) {
	schema := lvsSchema[ctx]
	for _, n := range nodes {
		if n == nil {
			continue
		}
		sp, ok := schema[n.Keyword]
		if !ok {
			l.unknownChecked(n, ctx)
			continue
		}
		if len(n.Args) < sp.min {
			l.need(n, sp.min)
			continue
		}
		switch sp.block {
		case "":
			l.noBlock(n)
		case "=":
			if l.needBlock(n) {
				if len(l.entries(n)) == 0 {
					l.warnf(n.Pos, "Warning - %s has an empty %s block", ctx, n.Keyword)
				}
			}
		default:
			if l.needBlock(n) {
				if sp.block == ctxRS {
					l.curRS = n
				}
				l.checkBlock(n.Block.Nodes, sp.block)
				if n.Keyword == "BFD_CHECK" {
					l.checkBFDCheck(n, l.rsName())
				}
			}
		}
		l.checkArg(n, sp, ctx)
	}
}

// unknownChecked reports an unknown keyword of a checked block, with a
// suggestion from that block or the name of the block it belongs to.
func (l *lowerer) unknownChecked(n *Node, ctx string) {
	msg := fmt.Sprintf("unknown keyword `%s` in %s", n.Keyword, ctx)
	if s := suggest(ctx, n.Keyword); s != "" {
		msg += fmt.Sprintf("; did you mean `%s`?", s)
	} else if h := lvsHomeOf(ctx, n.Keyword); h != "" {
		msg += fmt.Sprintf(" (`%s` belongs in %s)", n.Keyword, h)
	}
	if n.Block != nil {
		msg += "; its block is skipped"
	}
	l.errorf(n.Pos, "%s", msg)
}

// lvsHomeOf names another checked block that has word, or "".
func lvsHomeOf(ctx, word string) string {
	ctxs := make([]string, 0, len(lvsSchema))
	for c := range lvsSchema {
		ctxs = append(ctxs, c)
	}
	sort.Strings(ctxs)
	for _, c := range ctxs {
		if c != ctx {
			if _, ok := lvsSchema[c][word]; ok {
				return c
			}
		}
	}
	return ""
}

// checkArg checks the first argument of n as its handler does.
func (l *lowerer) checkArg(n *Node, sp kwSpec, ctx string) {
	if len(n.Args) == 0 {
		return
	}
	a := n.Args[0]
	switch sp.kind {
	case argBool:
		if _, ok := boolWord(a.Text); !ok {
			l.errorf(a.Pos, "Invalid %s %s value '%s' (true/false, on/off or yes/no)", ctx, n.Keyword, a.Text)
		}
	case argUint:
		l.uintArgMsg(n, 0, sp.lo, sp.hi, "Invalid %s %s '%s' - must be in [%d, %d]", ctx, n.Keyword, a.Text, sp.lo, sp.hi)
	case argTimer:
		l.decimalArgMsg(n, 0, sp.lo, 1<<62, "%s %s '%s' is invalid - ignoring", ctx, n.Keyword, a.Text)
	case argAddr:
		if _, ok := parseIP(a.Text); !ok {
			l.errorf(a.Pos, "Invalid %s %s address '%s' - ignoring", ctx, n.Keyword, a.Text)
		}
	case argEnum:
		for _, v := range sp.enum {
			if v == a.Text || (sp.fold && strings.EqualFold(v, a.Text)) {
				return
			}
		}
		l.errorf(a.Pos, "Invalid %s %s '%s' (one of %s) - ignoring", ctx, n.Keyword, a.Text, strings.Join(sp.enum, ", "))
	case argCodes:
		for _, w := range n.Args {
			lo, hi, isRange := strings.Cut(w.Text, "-")
			vlo, m1 := checkInt(lo, 100, 599, false)
			vhi, m2 := vlo, ""
			if isRange {
				vhi, m2 = checkInt(hi, 100, 599, false)
			}
			if m1 != "" || m2 != "" || vhi < vlo {
				l.errorf(w.Pos, "Invalid HTTP status code '%s' in status_code (100-599, or a range LOW-HIGH)", w.Text)
			}
		}
	}
}

// vsEndChecks are keepalived's checks of a complete virtual server
// (check_parser.c vs_end_handler, check_data.c validate_check_config):
// it needs a real server; one given by address needs a protocol; a real
// server without lvs_method needs the virtual server's.
func (l *lowerer) vsEndChecks(n *Node) {
	name := "[" + argText(n, 0) + "]:none:" + argText(n, 1)
	var proto, method bool
	var rss []*Node
	for _, e := range n.Block.Nodes {
		if e == nil {
			continue
		}
		switch e.Keyword {
		case "protocol":
			proto = true
		case "lb_kind", "lvs_method":
			method = true
		case "real_server":
			rss = append(rss, e)
		}
	}
	if len(rss) == 0 {
		l.warnf(n.Pos, "Virtual server %s has no real servers - ignoring", name)
		return
	}
	byAddr := argText(n, 0) != "fwmark" && argText(n, 0) != "group"
	if byAddr && !proto {
		l.warnf(n.Pos, "Virtual server %s: no protocol set - defaulting to UDP", name)
	}
	if method {
		return
	}
	for _, rs := range rss {
		own := false
		if rs.Block != nil {
			for _, e := range rs.Block.Nodes {
				if e != nil && e.Keyword == "lvs_method" {
					own = true
				}
			}
		}
		if !own {
			l.warnf(n.Pos, "Virtual server %s: no forwarding method set, setting default NAT", name)
			return
		}
	}
}

// rsName names the real server being checked as keepalived's FMT_RS
// does: "[IP]:PROTO:PORT", PROTO the virtual server's protocol given
// before the real server ("none" when none is).
func (l *lowerer) rsName() string {
	proto := "none"
	if l.curVS != nil && l.curVS.Block != nil {
		for _, e := range l.curVS.Block.Nodes {
			if e == l.curRS {
				break
			}
			if e != nil && e.Keyword == "protocol" && len(e.Args) > 0 {
				proto = strings.ToLower(e.Args[0].Text)
			}
		}
	}
	if l.curRS == nil {
		return "[]:" + proto + ":0"
	}
	port := argText(l.curRS, 1)
	if port == "" {
		port = "0"
	}
	return "[" + argText(l.curRS, 0) + "]:" + proto + ":" + port
}
