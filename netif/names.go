package netif

import (
	"fmt"
	"strconv"
	"strings"
)

// Names iproute2 and keepalived accept for scopes, route types, route
// protocols and tables (iproute2's rt_scopes, rtnl_rtntype_n2a, rt_protos,
// rt_tables), and the `ip ...` command lines the fake host records.

var scopeNames = map[string]int{"global": 0, "universe": 0, "site": 200, "link": 253, "host": 254, "nowhere": 255}

var routeTypeNames = []string{0: "", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast", 5: "multicast",
	6: "blackhole", 7: "unreachable", 8: "prohibit", 9: "throw", 10: "nat"}

var protoNames = map[string]int{"unspec": 0, "redirect": 1, "kernel": 2, "boot": 3, "static": 4, "gated": 8,
	"ra": 9, "mrt": 10, "zebra": 11, "bird": 12, "dnrouted": 13, "xorp": 14, "ntk": 15, "dhcp": 16,
	"keepalived": 18, "babel": 42, "bgp": 186, "isis": 187, "ospf": 188, "rip": 189, "eigrp": 192}

var tableNames = map[string]int{"default": 253, "main": 254, "local": 255}

func parseNamed(kind, s string, names map[string]int, max int) (int, error) {
	if v, ok := names[s]; ok {
		return v, nil
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil || int(v) > max {
		return 0, fmt.Errorf("netif: invalid %s %q", kind, s)
	}
	return int(v), nil
}

// ParseScope turns a scope name or number into its rtnetlink value.
func ParseScope(s string) (int, error) { return parseNamed("scope", s, scopeNames, 255) }

// ParseRouteProto turns a route protocol name or number into its value.
func ParseRouteProto(s string) (int, error) { return parseNamed("protocol", s, protoNames, 255) }

// ParseTable turns a routing table name or number into its value.
func ParseTable(s string) (int, error) { return parseNamed("table", s, tableNames, 1<<32-1) }

// ParseRouteType turns a route type name (unicast, blackhole, ...) into its
// RTN_* value; "" is unicast.
func ParseRouteType(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	for i, n := range routeTypeNames {
		if n != "" && n == s {
			return i, nil
		}
	}
	return 0, fmt.Errorf("netif: invalid route type %q", s)
}

func scopeName(v int) string {
	switch v {
	case 200:
		return "site"
	case 253:
		return "link"
	case 254:
		return "host"
	case 255:
		return "nowhere"
	}
	return strconv.Itoa(v)
}

// AddrCommand is the `ip addr` line for op (add, del) of a.
func AddrCommand(op string, a Address) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ip addr %s %s", op, a.Prefix)
	if a.Dev != "" {
		fmt.Fprintf(&b, " dev %s", a.Dev)
	}
	if a.Peer.IsValid() {
		fmt.Fprintf(&b, " peer %s", a.Peer)
	}
	v4 := a.Prefix.Addr().Unmap().Is4()
	if v4 && a.Broadcast.IsValid() {
		fmt.Fprintf(&b, " brd %s", a.Broadcast)
	}
	if v4 && a.Scope != 0 {
		fmt.Fprintf(&b, " scope %s", scopeName(a.Scope))
	}
	if v4 && a.Label != "" {
		fmt.Fprintf(&b, " label %s", a.Label)
	}
	if a.NoDAD {
		b.WriteString(" nodad")
	}
	if a.NoPrefixRoute {
		b.WriteString(" noprefixroute")
	}
	if a.PreferredLft != nil {
		fmt.Fprintf(&b, " preferred_lft %d", *a.PreferredLft)
	}
	return b.String()
}

// RouteCommand is the `ip route` line for op (add, del) of r.
func RouteCommand(op string, r Route) string {
	var b strings.Builder
	b.WriteString("ip ")
	if r.Dst.IsValid() && r.Dst.Addr().Is6() || r.Via.Is6() || r.Src.Is6() {
		b.WriteString("-6 ")
	}
	fmt.Fprintf(&b, "route %s", op)
	if r.Type > 1 && r.Type < len(routeTypeNames) {
		fmt.Fprintf(&b, " %s", routeTypeNames[r.Type])
	} else if r.Type > 1 {
		fmt.Fprintf(&b, " type %d", r.Type)
	}
	if r.Dst.IsValid() {
		fmt.Fprintf(&b, " %s", r.Dst)
	} else {
		b.WriteString(" default")
	}
	if r.Via.IsValid() {
		fmt.Fprintf(&b, " via %s", r.Via)
	}
	if r.Dev != "" {
		fmt.Fprintf(&b, " dev %s", r.Dev)
	}
	if r.Src.IsValid() {
		fmt.Fprintf(&b, " src %s", r.Src)
	}
	if r.Table != 0 {
		fmt.Fprintf(&b, " table %d", r.Table)
	}
	if r.Metric != 0 {
		fmt.Fprintf(&b, " metric %d", r.Metric)
	}
	if r.Scope != 0 {
		fmt.Fprintf(&b, " scope %s", scopeName(r.Scope))
	}
	if r.Proto != 0 {
		fmt.Fprintf(&b, " proto %d", r.Proto)
	}
	return b.String()
}

// RuleCommand is the `ip rule` line for op (add, del) of r.
func RuleCommand(op string, r Rule) string {
	var b strings.Builder
	b.WriteString("ip ")
	if r.IPv6 || r.From.Addr().Is6() || r.To.Addr().Is6() {
		b.WriteString("-6 ")
	}
	fmt.Fprintf(&b, "rule %s", op)
	if r.From.IsValid() {
		fmt.Fprintf(&b, " from %s", r.From)
	}
	if r.To.IsValid() {
		fmt.Fprintf(&b, " to %s", r.To)
	}
	if r.IIf != "" {
		fmt.Fprintf(&b, " iif %s", r.IIf)
	}
	if r.OIf != "" {
		fmt.Fprintf(&b, " oif %s", r.OIf)
	}
	if r.Mark != 0 || r.Mask != 0 {
		fmt.Fprintf(&b, " fwmark %#x", r.Mark)
		if r.Mask != 0 {
			fmt.Fprintf(&b, "/%#x", r.Mask)
		}
	}
	if r.Preference != 0 {
		fmt.Fprintf(&b, " pref %d", r.Preference)
	}
	if r.Table != 0 {
		fmt.Fprintf(&b, " table %d", r.Table)
	}
	if r.Action > 1 && r.Action < len(routeTypeNames) {
		fmt.Fprintf(&b, " %s", routeTypeNames[r.Action])
	}
	return b.String()
}
