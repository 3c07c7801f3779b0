package daemon

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
)

// TestAddrVMACsDerivation: which addresses get a VMAC of their own, on
// which interface, with which MAC and names, as keepalived 2.2.7's
// vrrp_complete_instance and create_vmac_name derive them.
func TestAddrVMACsDerivation(t *testing.T) {
	addr := func(p, dev string, useVMAC bool) config.Address {
		return config.Address{Prefix: netip.MustParsePrefix(p), Dev: dev, UseVMAC: useVMAC}
	}
	type got struct {
		Base, MAC string
		First     []string
	}
	cases := []struct {
		name               string
		vipAddrVMAC, useVM bool
		vmacAddr           string
		prefix, addrPrefix string
		vips               []config.Address
		want               []got
	}{
		{name: "nothing asked", vips: []config.Address{addr("10.1.0.5/24", "eth1", false)}},
		{name: "use_vmac_addr, address on another interface", vipAddrVMAC: true,
			vips: []config.Address{addr("10.0.0.5/24", "", false), addr("10.1.0.5/24", "eth1", false), addr("10.1.0.6/24", "eth1", false)},
			want: []got{{"eth1", "00:00:5e:00:01:33", []string{"vrrp.51", "vrrp1.51", "vrrp2.51"}}}},
		{name: "vmac_addr_prefix names it", vipAddrVMAC: true, addrPrefix: "va", prefix: "vp",
			vips: []config.Address{addr("10.1.0.5/24", "eth1", false)},
			want: []got{{"eth1", "00:00:5e:00:01:33", []string{"va.51", "va1.51", "va2.51"}}}},
		{name: "else vmac_prefix", vipAddrVMAC: true, prefix: "vp",
			vips: []config.Address{addr("10.1.0.5/24", "eth1", false)},
			want: []got{{"eth1", "00:00:5e:00:01:33", []string{"vp.51", "vp1.51", "vp2.51"}}}},
		{name: "long prefix cut to IFNAMSIZ", vipAddrVMAC: true, addrPrefix: "averyverylongprefix",
			vips: []config.Address{addr("10.1.0.5/24", "eth1", false)},
			want: []got{{"eth1", "00:00:5e:00:01:33", []string{"averyverylon.51", "averyverylo1.51", "averyverylo2.51"}}}},
		{name: "other family on the instance's interface", vipAddrVMAC: true,
			vips: []config.Address{addr("fd00::5/64", "", false)},
			want: []got{{"eth0", "00:00:5e:00:02:33", []string{"vrrp.51", "vrrp6.51", "vrrp1.51"}}}},
		{name: "per-address use_vmac without use_vmac_addr",
			vips: []config.Address{addr("10.1.0.5/24", "eth1", true), addr("10.2.0.5/24", "eth2", false)},
			want: []got{{"eth1", "00:00:5e:00:01:33", []string{"vrrp.51", "vrrp1.51", "vrrp2.51"}}}},
		{name: "per-address use_vmac on the instance's interface, no instance VMAC",
			vips: []config.Address{addr("10.0.0.5/24", "", true)},
			want: []got{{"eth0", "00:00:5e:00:01:33", []string{"vrrp.51", "vrrp1.51", "vrrp2.51"}}}},
		{name: "instance VMAC carries its own addresses", useVM: true, vipAddrVMAC: true,
			vips: []config.Address{addr("10.0.0.5/24", "", false)}},
		{name: "use_vmac MAC given", vipAddrVMAC: true, useVM: true, vmacAddr: "02:11:22:33:44:55",
			vips: []config.Address{addr("10.1.0.5/24", "eth1", false), addr("fd00::5/64", "eth1", false)},
			want: []got{{"eth1", "02:11:22:33:44:55", []string{"vrrp.51", "vrrp1.51", "vrrp2.51"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ci := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
			ci.VIPs = tc.vips
			ci.UseVMACAddr, ci.UseVMAC, ci.VMACAddr = tc.vipAddrVMAC, tc.useVM, tc.vmacAddr
			g := config.Global{VMACPrefix: tc.prefix, VMACAddrPrefix: tc.addrPrefix}
			var out []got
			for _, v := range addrVMACs(ci, &g) {
				out = append(out, got{v.Base, v.MAC.String(), v.Names[:3]})
			}
			if diff := cmp.Diff(tc.want, out); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

// vmacHost is a VMACs that records what it makes and refuses names
// already taken by other interfaces.
type vmacHost struct {
	taken map[string]bool
	made  []string // "parent name mac"
	del   []string
}

func (v *vmacHost) EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (string, bool, error) {
	if v.taken[name] {
		return "", false, netif.ErrNameTaken
	}
	v.taken[name] = true
	v.made = append(v.made, parent+" "+name+" "+mac.String())
	return name, true, nil
}

func (v *vmacHost) DeleteVMAC(name string) error { v.del = append(v.del, name); return nil }

// TestUseVMACAddrPutsVIPOnItsVMAC: with use_vmac_addr, a master's VIP on
// another interface goes on a VMAC made on that interface, named by
// vmac_addr_prefix (the next name when an interface has the first), and
// the VMAC goes when the daemon stops; without the keyword the VIP is on
// the interface itself.
func TestUseVMACAddrPutsVIPOnItsVMAC(t *testing.T) {
	for _, tc := range []struct {
		name              string
		useVMACAddr       bool
		prefix            string
		taken             []string
		wantDev, wantMade string
	}{
		{name: "off", wantDev: "eth1"},
		{name: "on", useVMACAddr: true, wantDev: "vrrp.51", wantMade: "eth1 vrrp.51 00:00:5e:00:01:33"},
		{name: "prefix", useVMACAddr: true, prefix: "va", wantDev: "va.51", wantMade: "eth1 va.51 00:00:5e:00:01:33"},
		{name: "name taken", useVMACAddr: true, prefix: "va", taken: []string{"va.51"}, wantDev: "va1.51", wantMade: "eth1 va1.51 00:00:5e:00:01:33"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ci := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
			ci.VIPs = append(ci.VIPs, config.Address{Prefix: netip.MustParsePrefix("10.1.0.100/24"), Dev: "eth1"})
			ci.UseVMACAddr = tc.useVMACAddr
			cfg := configOf(ci)
			cfg.Global.VMACAddrPrefix = tc.prefix
			h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
			vm := &vmacHost{taken: map[string]bool{}}
			for _, n := range tc.taken {
				vm.taken[n] = true
			}
			h.d.opts.Host.VMACs = vm
			h.start()
			h.advance(5 * time.Second)
			if !h.host.has("10.1.0.100/24", tc.wantDev) {
				t.Errorf("VIP 10.1.0.100/24 not on %s:\n%s", tc.wantDev, join(h.host.take()))
			}
			var want []string
			if tc.wantMade != "" {
				want = []string{tc.wantMade}
			}
			if diff := cmp.Diff(want, vm.made); diff != "" {
				t.Errorf("VMACs made (-want +got)\n%s", diff)
			}
			h.d.shutdown(h.now)
			if tc.wantMade != "" && !cmp.Equal([]string{tc.wantDev}, vm.del) {
				t.Errorf("deleted at stop %q, want %q", vm.del, tc.wantDev)
			}
		})
	}
}
