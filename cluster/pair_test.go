package cluster

import (
	"net/netip"
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// TestPairByInterfaceAndPeers: with the same VRID on two interfaces of
// one node, a partner's instance joins the one on its interface, or the
// one whose unicast peers name it, whatever the order of the files.
func TestPairByInterfaceAndPeers(t *testing.T) {
	inst := func(name, ifname string, vip string) *config.Instance {
		return &config.Instance{Name: name, Interface: ifname, VRID: 7, Family: config.IPv4,
			VIPs: []config.Address{{Prefix: netip.MustParsePrefix(vip + "/32")}}}
	}
	a := &config.Config{Instances: []*config.Instance{inst("A0", "eth0", "10.0.0.1"), inst("A1", "eth1", "10.1.0.1")}}
	b := &config.Config{Instances: []*config.Instance{inst("B1", "eth1", "10.9.0.9")}}
	for _, nodes := range [][]Node{{{"a", a}, {"b", b}}, {{"b", b}, {"a", a}}} {
		rs := pair(nodes)
		var got string
		for _, r := range rs {
			if len(r.members) == 2 {
				got = r.members[0].in.Name + "+" + r.members[1].in.Name
			}
		}
		if got != "A1+B1" && got != "B1+A1" {
			t.Errorf("order %s,%s: paired %q, want A1 with B1", nodes[0].Name, nodes[1].Name, got)
		}
	}

	// Unicast: B's instance names A1's source address.
	a.Instances[0].Interface, a.Instances[1].Interface, b.Instances[0].Interface = "eth0", "eth0", "ens3"
	a.Instances[1].UnicastSrc = netip.MustParseAddr("192.168.1.1")
	a.Instances[1].Unicast = true
	b.Instances[0].Unicast = true
	b.Instances[0].UnicastPeers = []config.UnicastPeer{{Addr: netip.MustParseAddr("192.168.1.1")}}
	for _, nodes := range [][]Node{{{"a", a}, {"b", b}}, {{"b", b}, {"a", a}}} {
		for _, r := range pair(nodes) {
			if len(r.members) == 2 && r.members[0].in.Name != "A1" && r.members[1].in.Name != "A1" {
				t.Errorf("order %s,%s: B1 paired with %s, want A1 (its unicast peer)", nodes[0].Name, nodes[1].Name, r.members[0].in.Name)
			}
		}
	}
}
