package e2e

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseTcpdump(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		name string
		line string
		want Packet
		ok   bool
	}{
		{
			name: "VRRPv2 advert with auth",
			line: `1795323980.123456 IP 10.0.0.11 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 100, authtype simple, intvl 1s, length 20, addrs: 10.0.0.10 auth "kge1^@^@^@^@"`,
			want: Packet{At: time.Unix(1795323980, 123456000), Kind: "advert", Src: a("10.0.0.11"), Dst: a("224.0.0.18"), Version: 2, VRID: 51, Prio: 100},
			ok:   true,
		},
		{
			name: "VRRPv2 advert with auth_type AH",
			line: `1795323980.25 IP 10.0.0.11 > 224.0.0.18: AH(spi=0x0a00000b,seq=0x6,icv=0xc6a91caa24b9285d699d8e70): VRRPv2, Advertisement, vrid 51, prio 100, authtype ah, intvl 1s, length 20`,
			want: Packet{At: time.Unix(1795323980, 250000000), Kind: "advert", Src: a("10.0.0.11"), Dst: a("224.0.0.18"), Version: 2, VRID: 51, Prio: 100},
			ok:   true,
		},
		{
			name: "VRRPv3 IPv6 advert",
			line: `1795323980.5 IP6 fe80::1 > ff02::12: VRRPv3, Advertisement, vrid 61, prio 100, intvl 100cs, length 52`,
			want: Packet{At: time.Unix(1795323980, 500000000), Kind: "advert", Src: a("fe80::1"), Dst: a("ff02::12"), Version: 3, VRID: 61, Prio: 100},
			ok:   true,
		},
		{
			name: "VRRPv3 IPv6 unicast, kernel hop limit",
			line: `1796224139.183435 IP6 fd00:12::11 > fd00:12::12: VRRPv3, Advertisement, (ttl 64), vrid 62, prio 100, intvl 100cs, length 52`,
			want: Packet{At: time.Unix(1796224139, 183435000), Kind: "advert", Src: a("fd00:12::11"), Dst: a("fd00:12::12"), Version: 3, VRID: 62, Prio: 100},
			ok:   true,
		},
		{
			name: "VRRPv3 unicast priority 0",
			line: `1795323980.5 IP 192.168.1.150 > 192.168.1.151: VRRPv3, Advertisement, vrid 255, prio 0, intvl 10cs, length 12, addrs: 192.168.1.140`,
			want: Packet{At: time.Unix(1795323980, 500000000), Kind: "advert", Src: a("192.168.1.150"), Dst: a("192.168.1.151"), Version: 3, VRID: 255, Prio: 0},
			ok:   true,
		},
		{
			name: "gratuitous ARP",
			line: `1795323983.000001 ARP, Request who-has 10.0.0.10 (ff:ff:ff:ff:ff:ff) tell 10.0.0.10, length 28`,
			want: Packet{At: time.Unix(1795323983, 1000), Kind: "arp", Target: a("10.0.0.10"), Sender: a("10.0.0.10"), Garp: true},
			ok:   true,
		},
		{
			name: "ordinary ARP request",
			line: `1795323983.000001 ARP, Request who-has 10.0.0.10 tell 10.0.0.100, length 28`,
			want: Packet{At: time.Unix(1795323983, 1000), Kind: "arp", Target: a("10.0.0.10"), Sender: a("10.0.0.100")},
			ok:   true,
		},
		{name: "ARP reply is ignored", line: `1795323983.1 ARP, Reply 10.0.0.10 is-at 02:00:00:00:00:01, length 28`},
		{name: "tcpdump banner", line: `listening on p-lb1, link-type EN10MB (Ethernet), snapshot length 262144 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseTcpdump(tt.line)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestDispatcherHTTP(t *testing.T) {
	body := dispatcherHTTP(readSeed(t, "003-nginx-dispatcher.nginx.conf"))
	if strings.Contains(body, "mime.types") {
		t.Errorf("relative include kept:\n%s", body)
	}
	for _, want := range []string{"upstream web", "server 192.168.0.42 max_fails=2 fail_timeout=3;", "proxy_pass http://web;"} {
		if !strings.Contains(body, want) {
			t.Errorf("dispatcher http block lacks %q:\n%s", want, body)
		}
	}
}

func TestFootprintConf(t *testing.T) {
	c := footprintConf(1000, 4)
	if n := strings.Count(c, "vrrp_instance "); n != 1000 {
		t.Errorf("%d instances, want 1000", n)
	}
	if !strings.Contains(c, "interface eth3\n    virtual_router_id 250\n") {
		t.Errorf("no instance for VRID 250 on eth3")
	}
	// One VIP each, all distinct.
	seen := map[string]bool{}
	for _, l := range strings.Split(c, "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[1] == "dev" {
			if seen[f[0]] {
				t.Fatalf("VIP %s twice", f[0])
			}
			seen[f[0]] = true
		}
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct VIPs, want 1000", len(seen))
	}
}
