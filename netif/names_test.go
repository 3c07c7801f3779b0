package netif

import (
	"net/netip"
	"testing"
)

func TestParseNames(t *testing.T) {
	tests := []struct {
		fn      func(string) (int, error)
		in      string
		want    int
		wantErr bool
	}{
		{ParseScope, "link", 253, false},
		{ParseScope, "host", 254, false},
		{ParseScope, "global", 0, false},
		{ParseScope, "200", 200, false},
		{ParseScope, "256", 0, true},
		{ParseScope, "lnk", 0, true},
		{ParseRouteType, "", 1, false},
		{ParseRouteType, "blackhole", 6, false},
		{ParseRouteType, "unreachable", 7, false},
		{ParseRouteType, "prohibit", 8, false},
		{ParseRouteType, "throw", 9, false},
		{ParseRouteType, "blackhol", 0, true},
		{ParseRouteProto, "keepalived", 18, false},
		{ParseRouteProto, "static", 4, false},
		{ParseRouteProto, "0x12", 18, false},
		{ParseRouteProto, "bird", 12, false},
		{ParseRouteProto, "300", 0, true},
		{ParseTable, "main", 254, false},
		{ParseTable, "local", 255, false},
		{ParseTable, "1000", 1000, false},
		{ParseTable, "mian", 0, true},
	}
	for _, tc := range tests {
		got, err := tc.fn(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parse %q = %d, %v; want %d (error %v)", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestCommands(t *testing.T) {
	lft := uint32(0)
	tests := []struct{ got, want string }{
		{AddrCommand("add", Address{Prefix: netip.MustParsePrefix("10.0.0.1/24"), Dev: "eth0"}), "ip addr add 10.0.0.1/24 dev eth0"},
		{AddrCommand("add", Address{Prefix: netip.MustParsePrefix("10.0.0.1/24"), Dev: "eth0", Broadcast: netip.MustParseAddr("10.0.0.255"),
			Scope: 253, Label: "eth0:1", NoPrefixRoute: true}), "ip addr add 10.0.0.1/24 dev eth0 brd 10.0.0.255 scope link label eth0:1 noprefixroute"},
		{AddrCommand("del", Address{Prefix: netip.MustParsePrefix("2001:db8::1/128"), Dev: "eth0", Label: "ignored", NoDAD: true, PreferredLft: &lft}),
			"ip addr del 2001:db8::1/128 dev eth0 nodad preferred_lft 0"},
		{RouteCommand("add", Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Via: netip.MustParseAddr("10.0.0.254"), Dev: "eth0", Metric: 5, Proto: 18}),
			"ip route add 10.1.0.0/16 via 10.0.0.254 dev eth0 metric 5 proto 18"},
		{RouteCommand("del", Route{Dst: netip.MustParsePrefix("2001:db8:1::/48"), Type: 6, Table: 100}), "ip -6 route del blackhole 2001:db8:1::/48 table 100"},
		{RouteCommand("add", Route{Via: netip.MustParseAddr("10.0.0.1")}), "ip route add default via 10.0.0.1"},
		{RuleCommand("add", Rule{From: netip.MustParsePrefix("10.0.0.0/24"), Table: 100, Preference: 10, Mark: 1, Mask: 0xff}),
			"ip rule add from 10.0.0.0/24 fwmark 0x1/0xff pref 10 table 100"},
		{RuleCommand("del", Rule{IPv6: true, IIf: "eth0", OIf: "eth1", Action: 7}), "ip -6 rule del iif eth0 oif eth1 unreachable"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got  %q\nwant %q", tc.got, tc.want)
		}
	}
}
