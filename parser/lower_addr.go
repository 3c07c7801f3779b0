package parser

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// Address, route and rule entries of the value blocks virtual_ipaddress,
// virtual_ipaddress_excluded, static_ipaddress, virtual_routes,
// static_routes, virtual_rules and static_rules (keepalived's
// vrrp_ipaddress.c alloc_ipaddress, vrrp_iproute.c alloc_route,
// vrrp_iprule.c alloc_rule). Each line of the block is one entry: the
// Node's keyword is the first word.

// entryWords returns the words of a value-block line, keyword first.
func entryWords(n *Node) []Word {
	ws := make([]Word, 0, len(n.Args)+1)
	ws = append(ws, Word{Text: n.Keyword, Pos: n.Pos})
	return append(ws, n.Args...)
}

// entries returns the lines of a value block, reporting nested blocks.
func (l *lowerer) entries(n *Node) []*Node {
	if n.Block == nil {
		return nil
	}
	var out []*Node
	for _, e := range n.Block.Nodes {
		if e == nil {
			continue
		}
		if e.Block != nil {
			l.errorf(e.Block.Open, "Unexpected '{' inside `%s` - the nested block is skipped", n.Keyword)
			continue
		}
		out = append(out, e)
	}
	return out
}

// parseIP parses an address the way keepalived does: the family is
// decided by the presence of ':' (so "1.2.3.4:" is an invalid IPv6).
func parseIP(s string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	if strings.Contains(s, ":") != a.Is6() || a.Is4In6() {
		return netip.Addr{}, false
	}
	return a, true
}

// parseSockIP parses an address the way keepalived's inet_stosockaddr
// does (unicast_src_ip, mcast_src_ip, mcast_dst_ip, unicast_peer entries,
// vrrp_mcast_group4/6): the family is decided by a ':' anywhere in the
// word, and whatever follows the first '-' (or, without one, the first
// '/') is dropped, so `192.168.0.91/24` is 192.168.0.91. It reports the
// dropped text ("" if none) so that the caller can note it.
func parseSockIP(s string) (netip.Addr, string, bool) {
	cut := strings.IndexByte(s, '-')
	if cut < 0 {
		cut = strings.IndexByte(s, '/')
	}
	addr, rest := s, ""
	if cut >= 0 {
		addr, rest = s[:cut], s[cut:]
	}
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" || a.Is4In6() || strings.Contains(s, ":") != a.Is6() {
		return netip.Addr{}, "", false
	}
	return a, rest, true
}

// sockIP is parseSockIP with a notice for a dropped suffix (keepalived
// drops it silently).
func (l *lowerer) sockIP(w Word, kw string) (netip.Addr, bool) {
	a, rest, ok := parseSockIP(w.Text)
	if ok && rest != "" {
		l.noticef(w.Pos, "`%s %s`: keepalived takes the address %s and ignores `%s`", kw, w.Text, a, rest)
	}
	return a, ok
}

// parsePrefix reads ADDR[/LEN]; a bad length is reported and the full
// length used, an invalid address drops the entry.
func (l *lowerer) parsePrefix(w Word) (netip.Prefix, bool) {
	s := w.Text
	addrText, lenText, hasLen := strings.Cut(s, "/")
	a, ok := parseIP(addrText)
	bits := 32
	if strings.Contains(addrText, ":") {
		bits = 128
	}
	if hasLen {
		v, msg := checkInt(lenText, 0, int64(bits), false)
		if msg != "" {
			if ok {
				l.errorf(w.Pos, "Invalid address prefix len %s for address %s - using %d", lenText, s, bits)
			}
		} else {
			bits = int(v)
		}
	}
	if !ok {
		l.errorf(w.Pos, "VRRP parsed invalid IP %s. skipping IP...", s)
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, bits), true
}

var scopeNames = map[string]bool{"global": true, "site": true, "link": true, "host": true, "nowhere": true, "universe": true}

func validScope(s string) bool {
	if scopeNames[s] {
		return true
	}
	v, err := strconv.ParseUint(s, 0, 8)
	return err == nil && v <= 255
}

// addressBlock lowers the entries of an address block. static marks
// static_ipaddress (track_group allowed, use_vmac not).
func (l *lowerer) addressBlock(n *Node, owner string, _ config.Family, static bool) []config.Address {
	var out []config.Address
	for _, e := range l.entries(n) {
		if a, ok := l.address(e, static); ok {
			out = append(out, a)
		}
	}
	return out
}

// address lowers one address line.
func (l *lowerer) address(e *Node, static bool) (config.Address, bool) {
	ws := entryWords(e)
	p, ok := l.parsePrefix(ws[0])
	if !ok {
		return config.Address{}, false
	}
	a := config.Address{Pos: e.Pos, Prefix: p}
	is6 := p.Addr().Is6()
	if is6 {
		a.NoDAD = true
	}
	hasBrd := false
	for i := 1; i < len(ws); i++ {
		opt := ws[i]
		val := func() (Word, bool) {
			if i+1 >= len(ws) {
				l.errorf(opt.Pos, "No %s parameter specified for %s", opt.Text, ws[0].Text)
				return Word{}, false
			}
			i++
			return ws[i], true
		}
		switch opt.Text {
		case "dev":
			v, ok := val()
			if !ok {
				return config.Address{}, false
			}
			if a.Dev != "" {
				l.errorf(v.Pos, "Cannot specify ipaddress device more than once for %s", ws[0].Text)
				continue
			}
			a.Dev = v.Text
		case "scope":
			v, ok := val()
			if !ok {
				return config.Address{}, false
			}
			if !validScope(v.Text) {
				l.errorf(v.Pos, "Invalid scope '%s' specified for %s - ignoring", v.Text, ws[0].Text)
				continue
			}
			a.Scope = v.Text
		case "broadcast", "brd":
			v, ok := val()
			if !ok {
				return config.Address{}, false
			}
			if is6 {
				l.errorf(opt.Pos, "VRRP is trying to assign a broadcast %s to the IPv6 address %s !!?? WTF... skipping VIP...", opt.Text, ws[0].Text)
				return config.Address{}, false
			}
			if v.Text != "+" && v.Text != "-" {
				if b, ok := parseIP(v.Text); !ok || !b.Is4() {
					l.errorf(v.Pos, "VRRP is trying to assign invalid broadcast %s. skipping broadcast", v.Text)
					continue
				}
			}
			a.Broadcast = v.Text
			hasBrd = true
		case "label":
			v, ok := val()
			if !ok {
				return config.Address{}, false
			}
			if len(v.Text) > 15 {
				l.errorf(v.Pos, "Address label %s is longer than maximum length 15 - removing address", v.Text)
				return config.Address{}, false
			}
			a.Label = v.Text
		case "peer":
			v, ok := val()
			if !ok {
				return config.Address{}, false
			}
			if a.Peer.IsValid() {
				l.errorf(v.Pos, "Peer %s - another peer has already been specified", v.Text)
				continue
			}
			pp, ok := l.parsePrefixQuiet(v.Text)
			if !ok {
				l.errorf(v.Pos, "Invalid peer address %s", v.Text)
				continue
			}
			if pp.Addr().Is6() != is6 {
				l.errorf(v.Pos, "Peer address %s does not match address family", v.Text)
				continue
			}
			a.Peer = pp
		case "home":
			a.Home = true
		case "-nodad":
			a.NoDAD = false
		case "mngtmpaddr":
			a.MngTmpAddr = true
		case "noprefixroute":
			a.NoPrefixRoute = true
		case "autojoin":
			a.AutoJoin = true
		case "no_track":
			a.NoTrack = true
		case "preferred_lft":
			v, ok := val()
			if !ok {
				return config.Address{}, false
			}
			var lft uint32
			if v.Text == "forever" {
				lft = 0xffffffff
			} else if x, msg := checkInt(v.Text, 0, 0xffffffff, false); msg == "" {
				lft = uint32(x)
			} else {
				l.errorf(v.Pos, "preferred_lft %s is invalid", v.Text)
				continue
			}
			a.PreferredLft = &lft
		case "track_group":
			if !static {
				l.errorf(opt.Pos, "Unknown configuration entry '%s' for ip address - ignoring", opt.Text)
				continue
			}
			if _, ok := val(); !ok {
				return config.Address{}, false
			}
			l.ourWarnf(opt.Pos, "track_group on a static address is accepted but not acted on")
		case "use_vmac":
			if static {
				l.errorf(opt.Pos, "Unknown configuration entry '%s' for ip address - ignoring", opt.Text)
				continue
			}
			a.UseVMAC = true
		default:
			hint := ""
			if _, ok := l.parsePrefixQuiet(opt.Text); ok {
				hint = " (one address per line: this one is lost)"
			}
			l.errorf(opt.Pos, "Unknown configuration entry '%s' for ip address - ignoring%s", opt.Text, hint)
		}
	}
	if hasBrd && a.Peer.IsValid() {
		l.errorf(e.Pos, "Cannot specify broadcast and peer addresses - ignoring broadcast address")
		a.Broadcast = ""
	}
	if (a.Broadcast == "+" || a.Broadcast == "-") && p.Bits() > 30 {
		l.errorf(e.Pos, "Address prefix length %d too long for broadcast", p.Bits())
		a.Broadcast = ""
	}
	if is6 && a.Scope != "" {
		l.errorf(e.Pos, "Cannot specify scope for IPv6 addresses (%s) - ignoring scope", ws[0].Text)
		a.Scope = ""
	}
	if is6 && a.Label != "" {
		l.errorf(e.Pos, "Cannot specify label for IPv6 addresses (%s) - ignoring label", ws[0].Text)
		a.Label = ""
	}
	if static && a.Dev == "" {
		a.Dev = l.cfg.Global.DefaultInterface
	}
	return a, true
}

// parsePrefixQuiet is parsePrefix without findings.
func (l *lowerer) parsePrefixQuiet(s string) (netip.Prefix, bool) {
	addrText, lenText, hasLen := strings.Cut(s, "/")
	a, ok := parseIP(addrText)
	if !ok {
		return netip.Prefix{}, false
	}
	bits := a.BitLen()
	if hasLen {
		v, msg := checkInt(lenText, 0, int64(bits), false)
		if msg != "" {
			return netip.Prefix{}, false
		}
		bits = int(v)
	}
	return netip.PrefixFrom(a, bits), true
}

// ---- routes ----

var routeTypes = map[string]bool{"unicast": true, "blackhole": true, "unreachable": true,
	"prohibit": true, "throw": true, "local": true, "broadcast": true, "anycast": true,
	"multicast": true, "nat": true}

// routeValueOpts are ip-route options followed by one value, kept verbatim.
var routeValueOpts = map[string]bool{"tos": true, "dsfield": true, "expires": true,
	"hoplimit": true, "advmss": true, "rtt": true, "rttvar": true, "reordering": true,
	"window": true, "cwnd": true, "ssthresh": true, "realms": true, "rto_min": true,
	"initcwnd": true, "initrwnd": true, "features": true, "quickack": true,
	"pref": true, "ttl-propagate": true, "vrf": true, "track_group": true, "as": true,
	"from": true}

var routeFlagOpts = map[string]bool{"onlink": true, "fastopen_no_cookie": true,
	"add": true, "prepend": true, "append": true}

func (l *lowerer) routeBlock(n *Node, owner string) []config.Route {
	var out []config.Route
	for _, e := range l.entries(n) {
		if r, ok := l.route(e); ok {
			out = append(out, r)
		}
	}
	return out
}

// route lowers one `ip route` line.
func (l *lowerer) route(e *Node) (config.Route, bool) {
	ws := entryWords(e)
	r := config.Route{Pos: e.Pos, Raw: joinWords(ws)}
	fam := config.FamilyUnset
	setFam := func(f config.Family, w Word) bool {
		if fam != config.FamilyUnset && fam != f {
			l.errorf(w.Pos, "Cannot mix IPv4 and IPv6 addresses for route")
			return false
		}
		fam = f
		return true
	}
	famOf := func(a netip.Addr) config.Family {
		if a.Is4() {
			return config.IPv4
		}
		return config.IPv6
	}
	opt := func(k, v string) {
		if r.Options == nil {
			r.Options = map[string]string{}
		}
		if old, ok := r.Options[k]; ok && old != "" {
			v = old + " " + v
		}
		r.Options[k] = v
	}
	haveDst := false
	dstText := ""
	var skipped *Word
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		val := func() (Word, bool) {
			if i+1 >= len(ws) {
				l.errorf(w.Pos, "No %s parameter specified for route %s", w.Text, r.Raw)
				return Word{}, false
			}
			i++
			return ws[i], true
		}
		switch {
		case i == 0 && routeTypes[w.Text]:
			r.Type = w.Text
		case w.Text == "inet" || w.Text == "inet6":
			f := config.IPv4
			if w.Text == "inet6" {
				f = config.IPv6
			}
			if fam != config.FamilyUnset && fam != f {
				other := "IPv6"
				if f == config.IPv6 {
					other = "IPv4"
				}
				l.errorf(w.Pos, "%s specified for %s route", w.Text, other)
				return r, false
			}
			fam = f
			// keepalived 2.2.7 steps over the word after inet/inet6.
			if i+1 < len(ws) {
				i++
				skipped = &ws[i]
			}
		case w.Text == "src":
			v, ok := val()
			if !ok {
				return r, false
			}
			a, ok := parseIP(v.Text)
			if !ok {
				l.errorf(v.Pos, "invalid route src address %s", v.Text)
				return r, false
			}
			if !setFam(famOf(a), v) {
				return r, false
			}
			r.Src = a
		case w.Text == "via" || w.Text == "gw":
			if w.Text == "gw" {
				l.warnf(w.Pos, "\"gw\" for routes is deprecated. Please use \"via\"")
			}
			v, ok := val()
			if !ok {
				return r, false
			}
			if v.Text == "inet" || v.Text == "inet6" {
				if v, ok = val(); !ok {
					return r, false
				}
			}
			a, ok := parseIP(v.Text)
			if !ok {
				l.errorf(v.Pos, "invalid route via address %s", v.Text)
				return r, false
			}
			if !setFam(famOf(a), v) {
				return r, false
			}
			r.Via = a
		case w.Text == "dev" || w.Text == "oif":
			v, ok := val()
			if !ok {
				return r, false
			}
			r.Dev = v.Text
		case w.Text == "table":
			v, ok := val()
			if !ok {
				return r, false
			}
			if t, ok := routeTable(v.Text); ok {
				r.Table = t
			} else {
				l.errorf(v.Pos, "Routing table %s not found for route", v.Text)
			}
		case w.Text == "metric" || w.Text == "priority" || w.Text == "preference":
			v, ok := val()
			if !ok {
				return r, false
			}
			if m, msg := checkInt(v.Text, 0, 1<<32-1, false); msg == "" {
				r.Metric = int(m)
			} else {
				l.errorf(v.Pos, "Invalid metric %s specified for route (%s)", v.Text, msg)
				return r, false
			}
		case w.Text == "scope":
			v, ok := val()
			if !ok {
				return r, false
			}
			if !validScope(v.Text) {
				l.errorf(v.Pos, "Scope %s not found or invalid for route", v.Text)
				continue
			}
			r.Scope = v.Text
		case w.Text == "protocol" || w.Text == "proto":
			v, ok := val()
			if !ok {
				return r, false
			}
			r.Proto = v.Text
		case w.Text == "no_track":
			r.NoTrack = true
		case w.Text == "mtu" || w.Text == "congctl":
			v, ok := val()
			if !ok {
				return r, false
			}
			if v.Text == "lock" {
				if v2, ok := val(); ok {
					opt(w.Text, "lock "+v2.Text)
				}
				continue
			}
			opt(w.Text, v.Text)
		case routeValueOpts[w.Text]:
			v, ok := val()
			if !ok {
				return r, false
			}
			opt(w.Text, v.Text)
		case routeFlagOpts[w.Text]:
			opt(w.Text, "")
		case w.Text == "or":
			l.warnf(w.Pos, "\"or\" for routes is deprecated. Please use \"nexthop\"")
			v, ok := val()
			if !ok {
				return r, false
			}
			opt("or", v.Text)
		case w.Text == "nexthop" || w.Text == "encap":
			// Multipath next hops and encapsulations: kept verbatim.
			opt(w.Text, joinWords(ws[i+1:]))
			i = len(ws)
		default:
			t := w.Text
			if t == "to" {
				v, ok := val()
				if !ok {
					return r, false
				}
				w, t = v, v.Text
			}
			if routeTypes[t] && i+1 < len(ws) {
				r.Type = t
				i++
				w, t = ws[i], ws[i].Text
			}
			if haveDst {
				l.ourWarnf(w.Pos, "second destination `%s` replaces `%s` (keepalived keeps the last one)", t, dstText)
			}
			haveDst = true
			dstText = t
			switch t {
			case "default", "any", "all":
				// family decided by the other words
			case "default6":
				l.warnf(w.Pos, "'default6' is deprecated - please replace with 'inet6 default'")
				if !setFam(config.IPv6, w) {
					return r, false
				}
				r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
			default:
				p, ok := l.parsePrefixQuiet(t)
				if !ok {
					if looksLikeAddress(t) {
						l.errorf(w.Pos, "VRRP parsed invalid IP %s. skipping IP...", t)
					} else {
						l.errorf(w.Pos, "unknown route keyword %s", t)
					}
					return r, false
				}
				if !setFam(famOf(p.Addr()), w) {
					return r, false
				}
				r.Dst = p
			}
		}
	}
	if !haveDst {
		msg := "Route must have a destination"
		if skipped != nil {
			msg += " (keepalived 2.2.7 skips the word after inet/inet6, so `" + skipped.Text + "` is lost: drop inet/inet6, the family follows from the addresses)"
		}
		l.errorf(e.Pos, "%s", msg)
		return r, false
	}
	if !r.Dst.IsValid() {
		if fam == config.IPv6 {
			r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		} else {
			r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		}
	}
	if !r.NoTrack && r.Dev == "" {
		l.warnf(e.Pos, "Warning - cannot track route %s with no interface specified, not tracking", dstText)
		r.NoTrack = true
	}
	return r, true
}

func looksLikeAddress(s string) bool {
	return strings.ContainsAny(s, ".:/") || (s != "" && s[0] >= '0' && s[0] <= '9')
}

var tableNames = map[string]int{"local": 255, "main": 254, "default": 253, "unspec": 0}

func routeTable(s string) (int, bool) {
	if t, ok := tableNames[s]; ok {
		return t, true
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, false
	}
	return int(v), true
}

// ---- rules ----

var ruleValueOpts = map[string]bool{"tos": true, "dsfield": true, "realms": true,
	"suppress_prefixlength": true, "sup_pl": true, "suppress_ifgroup": true,
	"sup_group": true, "tunnel-id": true, "uidrange": true, "protocol": true,
	"ipproto": true, "sport": true, "dport": true, "track_group": true}

var ruleActions = map[string]bool{"blackhole": true, "prohibit": true, "unreachable": true, "nop": true}

// ruleBlock lowers a rule block; rules without a preference get one
// counting down from 16384, as keepalived does.
func (l *lowerer) ruleBlock(n *Node, owner string) []config.Rule {
	var out []config.Rule
	for _, e := range l.entries(n) {
		if r, ok := l.rule(e); ok {
			out = append(out, r)
		}
	}
	return out
}

// nextRulePref is keepalived's counter for rules without a preference.
func (l *lowerer) nextRulePref() int {
	if l.rulePref == 0 {
		l.rulePref = 16384
	} else {
		l.rulePref--
	}
	return l.rulePref
}

func (l *lowerer) rule(e *Node) (config.Rule, bool) {
	ws := entryWords(e)
	r := config.Rule{Pos: e.Pos, Raw: joinWords(ws)}
	setFam := func(f config.Family, w Word) bool {
		if r.Family != config.FamilyUnset && r.Family != f {
			l.errorf(w.Pos, "rule specification has mixed IPv4 and IPv6")
			return false
		}
		r.Family = f
		return true
	}
	hasPref := false
	for i := 0; i < len(ws); i++ {
		w := ws[i]
		val := func() (Word, bool) {
			if i+1 >= len(ws) {
				l.errorf(w.Pos, "No %s parameter specified for rule %s", w.Text, r.Raw)
				return Word{}, false
			}
			i++
			return ws[i], true
		}
		setAction := func(a string) bool {
			if r.Action != "" {
				l.errorf(w.Pos, "Cannot specify more than one of table/nop/goto/blackhole/prohibit/unreachable for rule")
				return false
			}
			r.Action = a
			return true
		}
		switch w.Text {
		case "inet", "inet6":
			f := config.IPv4
			if w.Text == "inet6" {
				f = config.IPv6
			}
			if r.Family != config.FamilyUnset && r.Family != f {
				other := "IPv6"
				if f == config.IPv6 {
					other = "IPv4"
				}
				l.errorf(w.Pos, "%s specified for %s rule", w.Text, other)
				return r, false
			}
			r.Family = f
			// keepalived 2.2.7 steps over the word after inet/inet6.
			if i+1 < len(ws) {
				i++
				l.ourWarnf(ws[i].Pos, "keepalived 2.2.7 skips the word after %s: `%s` is ignored; drop %s, the family follows from the addresses", w.Text, ws[i].Text, w.Text)
			}
		case "from", "to":
			v, ok := val()
			if !ok {
				return r, false
			}
			var p netip.Prefix
			if v.Text == "all" || v.Text == "any" || v.Text == "default" {
				continue
			}
			p, ok = l.parsePrefixQuiet(v.Text)
			if !ok {
				l.errorf(v.Pos, "VRRP parsed invalid IP %s. skipping IP...", v.Text)
				l.errorf(v.Pos, "Invalid rule %s address %s", w.Text, v.Text)
				return r, false
			}
			f := config.IPv4
			if p.Addr().Is6() {
				f = config.IPv6
			}
			if !setFam(f, v) {
				return r, false
			}
			if w.Text == "from" {
				r.From = p
			} else {
				r.To = p
			}
		case "table", "lookup":
			v, ok := val()
			if !ok {
				return r, false
			}
			t, ok := routeTable(v.Text)
			if !ok {
				l.errorf(v.Pos, "Routing table %s not found for rule", v.Text)
				return r, false
			}
			if t == 0 {
				l.errorf(v.Pos, "Table 0 is not valid")
				return r, false
			}
			if !setAction("table") {
				return r, false
			}
			r.Table = t
		case "preference", "order", "priority":
			v, ok := val()
			if !ok {
				return r, false
			}
			p, msg := checkInt(v.Text, 0, 1<<32-1, false)
			if msg != "" {
				l.errorf(v.Pos, "Invalid rule preference %s specified", v.Text)
				return r, false
			}
			r.Preference = int(p)
			hasPref = true
		case "fwmark":
			v, ok := val()
			if !ok {
				return r, false
			}
			r.FwMark = v.Text
		case "dev", "iif":
			v, ok := val()
			if !ok {
				return r, false
			}
			r.IIf = v.Text
		case "oif":
			v, ok := val()
			if !ok {
				return r, false
			}
			r.OIf = v.Text
		case "no_track":
			r.NoTrack = true
		case "l3mdev":
			if !setAction("l3mdev") {
				return r, false
			}
		case "goto":
			v, ok := val()
			if !ok {
				return r, false
			}
			if _, msg := checkInt(v.Text, 0, 1<<32-1, false); msg != "" {
				l.errorf(v.Pos, "Invalid target %s specified", v.Text)
				return r, false
			}
			if !setAction("goto " + v.Text) {
				return r, false
			}
		case "type":
			// `type ACTION`: the next word is the action.
		default:
			switch {
			case ruleValueOpts[w.Text]:
				v, ok := val()
				if !ok {
					return r, false
				}
				if r.Options == nil {
					r.Options = map[string]string{}
				}
				r.Options[w.Text] = v.Text
			case ruleActions[w.Text]:
				if !setAction(w.Text) {
					return r, false
				}
			default:
				l.errorf(w.Pos, "Unknown rule option %s", w.Text)
				return r, false
			}
		}
	}
	if r.Action == "" {
		l.errorf(e.Pos, "No action specified for rule - ignoring")
		return r, false
	}
	if r.Family == config.FamilyUnset {
		r.Family = config.IPv4
	}
	if !hasPref {
		r.Preference = l.nextRulePref()
		l.warnf(e.Pos, "Rule has no preference specified - setting to %d. This is probably not what you want.", r.Preference)
	}
	return r, true
}

// unicastPeers lowers a unicast_peer block of instance ic.
func (l *lowerer) unicastPeers(n *Node, ic *instCtx) {
	in := ic.in
	for _, e := range l.entries(n) {
		ws := entryWords(e)
		a, ok := l.sockIP(ws[0], "unicast_peer")
		if !ok {
			l.errorf(e.Pos, "Configuration error: VRRP instance[%s] malformed unicast peer address[%s]. Skipping...", in.Name, ws[0].Text)
			continue
		}
		if !ic.fitsFamily(a) {
			l.errorf(e.Pos, "Configuration error: VRRP instance[%s] and unicast peer address[%s] MUST be of the same family !!! Skipping...", in.Name, ws[0].Text)
			continue
		}
		p := config.DefaultUnicastPeer(a)
		for i := 1; i < len(ws); i += 2 {
			if i+1 >= len(ws) {
				hint := ""
				if _, ok := parseIP(ws[i].Text); ok {
					hint = " (one peer per line: this one is lost)"
				}
				l.errorf(ws[i].Pos, "(%s) %s is missing a value%s", in.Name, ws[i].Text, hint)
				break
			}
			v, msg := checkInt(ws[i+1].Text, 0, 255, false)
			if msg != "" {
				l.errorf(ws[i+1].Pos, "%s", msg)
				continue
			}
			switch ws[i].Text {
			case "min_ttl":
				p.MinTTL = int(v)
			case "max_ttl":
				p.MaxTTL = int(v)
			default:
				l.errorf(ws[i].Pos, "(%s) unknown unicast_peer option %s", in.Name, ws[i].Text)
				i = len(ws)
				continue
			}
			in.CheckUnicastSrc = true
		}
		if p.MinTTL > p.MaxTTL {
			l.warnf(e.Pos, "(%s) min_ttl %d > max_ttl %d - all packets will be discarded", in.Name, p.MinTTL, p.MaxTTL)
		}
		if ic.peerSeen == nil {
			ic.peerSeen = map[netip.Addr]bool{}
		}
		if ic.peerSeen[p.Addr] {
			l.ourWarnf(e.Pos, "(%s) duplicate unicast_peer %s (keepalived 2.2.7 does not detect it; later versions reject it)", in.Name, a)
		}
		ic.peerSeen[p.Addr] = true
		in.UnicastPeers = append(in.UnicastPeers, p)
	}
}
