package netif

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

type ipLinkDetail struct {
	Ifname    string `json:"ifname"`
	Address   string `json:"address"`
	Link      string `json:"link"`
	Operstate string `json:"operstate"`
	Flags     []string
	LinkInfo  struct {
		InfoKind string `json:"info_kind"`
		InfoData struct {
			Mode string `json:"mode"`
		} `json:"info_data"`
	} `json:"linkinfo"`
	AddrGenMode string `json:"inet6_addr_gen_mode"`
}

// TestVMAC creates use_vmac interfaces as keepalived does (reference 6.9).
func TestVMAC(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	l.sysctl(a, "net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.default.rp_filter=1")
	vm := in(t, a, NewVMACs)
	v := vm.(*vmacs)

	name, created, err := vm.EnsureVMAC("eth0", "", VMACAddr(51, false), false)
	if err != nil || !created || name != "vrrp.51" {
		t.Fatalf("EnsureVMAC = %q %v %v", name, created, err)
	}
	var links []ipLinkDetail
	l.jsonOf(a, &links, "-d", "link", "show", "dev", "vrrp.51")
	d := links[0]
	if d.Address != "00:00:5e:00:01:33" || d.LinkInfo.InfoKind != "macvlan" || d.LinkInfo.InfoData.Mode != "private" || d.Link != "eth0" || !strings.Contains(strings.Join(d.Flags, ","), "UP") {
		t.Errorf("vrrp.51: %+v", d)
	}
	for key, want := range map[string]string{
		"net.ipv4.conf.vrrp/51.arp_ignore":          "1",
		"net.ipv4.conf.vrrp/51.accept_local":        "1",
		"net.ipv4.conf.vrrp/51.rp_filter":           "0",
		"net.ipv4.conf.vrrp/51.promote_secondaries": "1",
		"net.ipv4.conf.eth0.arp_ignore":             "1",
		"net.ipv4.conf.eth0.arp_filter":             "1",
		"net.ipv4.conf.all.rp_filter":               "0",
		"net.ipv4.conf.default.rp_filter":           "2", // raised to the old all value
		"net.ipv4.conf.eth0.rp_filter":              "2",
	} {
		if got := l.readSysctl(a, key); got != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
	// An IPv4 VMAC has no IPv6 (keepalived's link_set_ipv6(false) and
	// addr_gen_mode none): no link-local address.
	if got := l.readSysctl(a, "net.ipv6.conf.vrrp/51.disable_ipv6"); got != "1" {
		t.Errorf("vrrp.51 disable_ipv6 = %s, want 1", got)
	}
	if d.AddrGenMode != "none" {
		t.Errorf("vrrp.51 addr_gen_mode %q, want none", d.AddrGenMode)
	}
	if out := l.ip(a, "-6", "addr", "show", "dev", "vrrp.51"); strings.Contains(out, "inet6") {
		t.Errorf("vrrp.51 has IPv6 addresses:\n%s", out)
	}
	// With IPv6 eVIPs the daemon turns IPv6 back on: still no link-local.
	if err := v.EnableIPv6("vrrp.51"); err != nil {
		t.Fatal(err)
	}
	if got := l.readSysctl(a, "net.ipv6.conf.vrrp/51.disable_ipv6"); got != "0" {
		t.Errorf("vrrp.51 disable_ipv6 after EnableIPv6 = %s, want 0", got)
	}
	if out := l.ip(a, "-6", "addr", "show", "dev", "vrrp.51"); strings.Contains(out, "fe80:") {
		t.Errorf("vrrp.51 has a link-local address after EnableIPv6:\n%s", out)
	}
	// reuse: disable_ipv6 set again, as keepalived does on an existing VMAC
	name2, created, err := vm.EnsureVMAC("eth0", "", VMACAddr(51, false), false)
	if err != nil || created || name2 != "vrrp.51" {
		t.Errorf("second EnsureVMAC = %q %v %v, want reuse", name2, created, err)
	}
	if got := l.readSysctl(a, "net.ipv6.conf.vrrp/51.disable_ipv6"); got != "1" {
		t.Errorf("reused vrrp.51 disable_ipv6 = %s, want 1", got)
	}
	// the default name taken by something else: the next name is used
	l.ip(a, "link", "add", "vrrp.52", "type", "bridge")
	name3, _, err := vm.EnsureVMAC("eth0", "", VMACAddr(52, false), false)
	if err != nil || name3 != "vrrp1.52" {
		t.Errorf("EnsureVMAC with vrrp.52 taken = %q %v, want vrrp1.52", name3, err)
	}

	// IPv6: addr_gen_mode none, the parent's link-local address
	name6, _, err := vm.EnsureVMAC("eth0", "", VMACAddr(51, true), true)
	if err != nil || name6 != "vrrp.51" && name6 != "vrrp6.51" {
		t.Fatalf("EnsureVMAC v6 = %q %v", name6, err)
	}
	if name6 != "vrrp6.51" {
		t.Errorf("IPv6 VMAC named %s, want vrrp6.51 (vrrp.51 is taken)", name6)
	}
	l.jsonOf(a, &links, "-d", "link", "show", "dev", name6)
	if links[0].Address != "00:00:5e:00:02:33" || links[0].AddrGenMode != "none" {
		t.Errorf("%s: %+v", name6, links[0])
	}
	if got := l.readSysctl(a, "net.ipv6.conf."+strings.ReplaceAll(name6, ".", "/")+".disable_ipv6"); got != "0" {
		t.Errorf("%s disable_ipv6 = %s, want 0", name6, got)
	}
	llParent := linkLocal(t, a, "eth0")
	lk := in(t, a, func() (Link, error) { return NewLinks().Lookup(name6) })
	if ll, ok := lk.LinkLocal6(); !ok || ll != llParent {
		t.Errorf("%s link-local %v, want the parent's %s (addrs %v)", name6, ll, llParent, lk.Addrs)
	}

	for _, n := range []string{name, name3, name6, name6} {
		if err := vm.DeleteVMAC(n); err != nil {
			t.Errorf("DeleteVMAC(%s): %v", n, err)
		}
	}
	if out := l.ip(a, "link", "show"); strings.Contains(out, "vrrp.51") || strings.Contains(out, "vrrp6.51") {
		t.Errorf("VMACs left:\n%s", out)
	}
	if got := l.readSysctl(a, "net.ipv4.conf.eth0.arp_ignore"); got != "0" {
		t.Errorf("parent arp_ignore after the last VMAC went: %s, want restored 0", got)
	}
	v.Close()
	if got := l.readSysctl(a, "net.ipv4.conf.all.rp_filter"); got != "2" {
		t.Errorf("all.rp_filter after Close: %s, want restored 2", got)
	}
	if _, _, err := EnsureVMACIn(t, a, "nosuch0"); err == nil {
		t.Error("EnsureVMAC on a missing parent: no error")
	}
}

// EnsureVMACIn runs the package-level EnsureVMAC inside ns.
func EnsureVMACIn(t *testing.T, ns, parent string) (string, bool, error) {
	var (
		name    string
		created bool
	)
	err := WithNetns(nsPath(ns), func() error {
		var err error
		name, created, err = EnsureVMAC(parent, "", net.HardwareAddr(VMACAddr(9, false)), false)
		return err
	})
	return name, created, err
}

func TestEUI64LinkLocal(t *testing.T) {
	got, err := EUI64LinkLocal(net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, 0x01, 0x33})
	if err != nil || got != netip.MustParseAddr("fe80::200:5eff:fe00:133") {
		t.Errorf("EUI64LinkLocal = %v %v", got, err)
	}
}
