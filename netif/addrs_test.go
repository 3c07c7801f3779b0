package netif

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

type ipAddrJSON struct {
	Ifname   string `json:"ifname"`
	AddrInfo []struct {
		Family       string `json:"family"`
		Local        string `json:"local"`
		Prefixlen    int    `json:"prefixlen"`
		Broadcast    string `json:"broadcast"`
		Scope        string `json:"scope"`
		Label        string `json:"label"`
		Nodad        bool   `json:"nodad"`
		NoPrefixRt   bool   `json:"noprefixroute"`
		PreferredLft any    `json:"preferred_life_time"`
		Secondary    bool   `json:"secondary"`
	} `json:"addr_info"`
}

// addrLine renders one address of `ip -j addr` as a comparable string.
func (l *lab) addrLines(ns, dev string) []string {
	l.t.Helper()
	var links []ipAddrJSON
	l.jsonOf(ns, &links, "addr", "show", "dev", dev)
	var out []string
	for _, lk := range links {
		for _, a := range lk.AddrInfo {
			if strings.HasPrefix(a.Local, "fe80:") {
				continue
			}
			s := a.Local + "/" + strconv.Itoa(a.Prefixlen) + " scope " + a.Scope
			if a.Broadcast != "" {
				s += " brd " + a.Broadcast
			}
			if a.Label != "" && a.Label != dev {
				s += " label " + a.Label
			}
			if a.Nodad {
				s += " nodad"
			}
			if a.NoPrefixRt {
				s += " noprefixroute"
			}
			if f, ok := a.PreferredLft.(float64); ok && a.Family == "inet6" && f != 4294967295 {
				s += " preferred " + strconv.Itoa(int(f))
			}
			if a.Secondary {
				s += " secondary"
			}
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func u32(v uint32) *uint32 { return &v }

// TestAddresses adds and removes VIPs as keepalived's virtual_ipaddress
// options ask (reference section 5.2) and reads them back with `ip -j addr`.
func TestAddresses(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	ad := in(t, a, NewAddresses)
	defer ad.(*nlAddresses).Close()

	vips := []Address{
		{Prefix: netip.MustParsePrefix("10.9.0.100/32"), Dev: "eth0"},
		{Prefix: netip.MustParsePrefix("10.9.0.101/24"), Dev: "eth0", Label: "eth0:vip", Broadcast: netip.MustParseAddr("10.9.0.255")},
		{Prefix: netip.MustParsePrefix("192.0.2.1/24"), Dev: "eth0", Scope: 253, NoPrefixRoute: true},
		{Prefix: netip.MustParsePrefix("2001:db8:9::100/128"), Dev: "eth0", NoDAD: true, PreferredLft: u32(0)},
		{Prefix: netip.MustParsePrefix("2001:db8:7::1/64"), Dev: "eth0", NoDAD: true},
	}
	for _, v := range vips {
		for i := 0; i < 2; i++ { // the second add is a no-op, not an error
			if err := ad.AddAddr(v); err != nil {
				t.Fatalf("add #%d %v: %v", i+1, v.Prefix, err)
			}
		}
		if ok, err := ad.HasAddr(v); err != nil || !ok {
			t.Errorf("HasAddr(%v) = %v, %v after add", v.Prefix, ok, err)
		}
	}
	got := l.addrLines(a, "eth0")
	want := []string{
		"10.9.0.1/24 scope global",
		"10.9.0.100/32 scope global",
		"10.9.0.101/24 scope global brd 10.9.0.255 label eth0:vip secondary",
		"192.0.2.1/24 scope link noprefixroute",
		"2001:db8:7::1/64 scope global nodad",
		"2001:db8:9::1/64 scope global",
		"2001:db8:9::100/128 scope global nodad preferred 0",
	}
	if !slices.Equal(got, want) {
		t.Errorf("addresses:\n got %q\nwant %q", got, want)
	}
	routes := l.ip(a, "route", "show", "table", "all")
	if strings.Contains(routes, "192.0.2.0/24") {
		t.Errorf("noprefixroute address got a prefix route:\n%s", routes)
	}
	for _, v := range vips {
		for i := 0; i < 2; i++ {
			if err := ad.DelAddr(v); err != nil {
				t.Fatalf("del #%d %v: %v", i+1, v.Prefix, err)
			}
		}
		if ok, err := ad.HasAddr(v); err != nil || ok {
			t.Errorf("HasAddr(%v) = %v, %v after del", v.Prefix, ok, err)
		}
	}
	got = l.addrLines(a, "eth0")
	want = []string{"10.9.0.1/24 scope global", "2001:db8:9::1/64 scope global"}
	if !slices.Equal(got, want) {
		t.Errorf("after removal:\n got %q\nwant %q", got, want)
	}
	if err := ad.AddAddr(Address{Prefix: netip.MustParsePrefix("10.1.1.1/32"), Dev: "nosuch0"}); err == nil {
		t.Error("add on a missing interface: no error")
	}
	if err := ad.DelAddr(Address{Prefix: netip.MustParsePrefix("10.1.1.1/32"), Dev: "nosuch0"}); err != nil {
		t.Errorf("del on a missing interface: %v", err)
	}
}

type ipRouteJSON struct {
	Type     string `json:"type"`
	Dst      string `json:"dst"`
	Gateway  string `json:"gateway"`
	Dev      string `json:"dev"`
	Protocol string `json:"protocol"`
	Scope    string `json:"scope"`
	Prefsrc  string `json:"prefsrc"`
	Metric   int    `json:"metric"`
	Table    string `json:"table"`
}

// TestRoutes installs virtual_routes-style routes and reads them back.
func TestRoutes(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	ad := in(t, a, NewAddresses)
	defer ad.(*nlAddresses).Close()
	routes := []struct {
		r    Route
		want string // `ip -j route` rendering
	}{
		{Route{Dst: netip.MustParsePrefix("10.50.0.0/16"), Via: netip.MustParseAddr("10.9.0.2")},
			"unicast 10.50.0.0/16 via 10.9.0.2 dev eth0 proto keepalived scope global table main metric 0"},
		{Route{Dst: netip.MustParsePrefix("10.51.0.0/16"), Dev: "eth0", Src: netip.MustParseAddr("10.9.0.1"), Table: 100, Metric: 7},
			"unicast 10.51.0.0/16 dev eth0 src 10.9.0.1 proto keepalived scope link table 100 metric 7"},
		{Route{Dst: netip.MustParsePrefix("10.52.0.0/16"), Type: unix.RTN_BLACKHOLE, Proto: 4},
			"blackhole 10.52.0.0/16 proto static scope global table main metric 0"},
		{Route{Dst: netip.MustParsePrefix("2001:db8:50::/48"), Via: netip.MustParseAddr("2001:db8:9::2"), Metric: 5},
			"unicast 2001:db8:50::/48 via 2001:db8:9::2 dev eth0 proto keepalived scope global table main metric 5"},
		{Route{Dst: netip.MustParsePrefix("2001:db8:51::/48"), Type: unix.RTN_UNREACHABLE, Table: 100},
			"unreachable 2001:db8:51::/48 dev lo proto keepalived scope global table 100 metric 1024"},
	}
	show := func() []string {
		var out []string
		for _, fam := range []string{"-4", "-6"} {
			for _, proto := range []string{"keepalived", "static"} {
				var rs []ipRouteJSON
				l.jsonOf(a, &rs, fam, "route", "show", "table", "all", "proto", proto)
				for _, r := range rs {
					r.Protocol = proto
					typ := r.Type
					if typ == "" {
						typ = "unicast"
					}
					s := typ + " " + r.Dst
					if r.Gateway != "" {
						s += " via " + r.Gateway
					}
					if r.Dev != "" {
						s += " dev " + r.Dev
					}
					if r.Prefsrc != "" {
						s += " src " + r.Prefsrc
					}
					scope := r.Scope
					if scope == "" {
						scope = "global"
					}
					table := r.Table
					if table == "" {
						table = "main"
					}
					s += " proto " + r.Protocol + " scope " + scope + " table " + table + " metric " + strconv.Itoa(r.Metric)
					out = append(out, s)
				}
			}
		}
		slices.Sort(out)
		return out
	}
	var want []string
	for _, rc := range routes {
		for i := 0; i < 2; i++ {
			if err := ad.AddRoute(rc.r); err != nil {
				t.Fatalf("add #%d %s: %v", i+1, RouteCommand("add", rc.r), err)
			}
		}
		want = append(want, rc.want)
	}
	slices.Sort(want)
	if got := show(); !slices.Equal(got, want) {
		t.Errorf("routes:\n got %q\nwant %q", got, want)
	}
	for _, rc := range routes {
		for i := 0; i < 2; i++ {
			if err := ad.DelRoute(rc.r); err != nil {
				t.Fatalf("del #%d %s: %v", i+1, RouteCommand("del", rc.r), err)
			}
		}
	}
	if got := show(); len(got) != 0 {
		t.Errorf("routes left: %q", got)
	}
}

// TestRules installs virtual_rules-style rules, IPv4 and IPv6.
func TestRules(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	ad := in(t, a, NewAddresses)
	defer ad.(*nlAddresses).Close()
	rules := []struct {
		r    Rule
		want string // a fragment of `ip rule show` output
	}{
		{Rule{From: netip.MustParsePrefix("10.9.0.100/32"), Table: 100, Preference: 100}, "100:\tfrom 10.9.0.100 lookup 100"},
		{Rule{To: netip.MustParsePrefix("10.60.0.0/16"), Table: 101, Preference: 101, Mark: 0x10, Mask: 0xff}, "101:\tfrom all to 10.60.0.0/16 fwmark 0x10/0xff lookup 101"},
		{Rule{IIf: "eth0", Table: 102, Preference: 102}, "102:\tfrom all iif eth0 lookup 102"},
		{Rule{OIf: "eth0", Preference: 103, Action: unix.RTN_BLACKHOLE}, "103:\tfrom all oif eth0 blackhole"},
		{Rule{IPv6: true, From: netip.MustParsePrefix("2001:db8:9::/64"), Table: 100, Preference: 200}, "200:\tfrom 2001:db8:9::/64 lookup 100"},
		{Rule{IPv6: true, Table: 104, Preference: 201}, "201:\tfrom all lookup 104"},
	}
	show := func() string { return l.ip(a, "-4", "rule", "show") + l.ip(a, "-6", "rule", "show") }
	for _, rc := range rules {
		for i := 0; i < 2; i++ {
			if err := ad.AddRule(rc.r); err != nil {
				t.Fatalf("add #%d %s: %v", i+1, RuleCommand("add", rc.r), err)
			}
		}
	}
	out := show()
	for _, rc := range rules {
		if strings.Count(out, rc.want) != 1 {
			t.Errorf("want exactly one %q in\n%s", rc.want, out)
		}
	}
	for _, rc := range rules {
		for i := 0; i < 2; i++ {
			if err := ad.DelRule(rc.r); err != nil {
				t.Fatalf("del #%d %s: %v", i+1, RuleCommand("del", rc.r), err)
			}
		}
	}
	out = show()
	for _, rc := range rules {
		if strings.Contains(out, rc.want) {
			t.Errorf("%q still there:\n%s", rc.want, out)
		}
	}
}
