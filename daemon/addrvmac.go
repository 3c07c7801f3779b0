package daemon

import (
	"errors"
	"log/slog"
	"net"
	"slices"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
)

// addrVMAC is a VMAC keepalived 2.2.7 makes for some of an instance's
// addresses (vrrp.c vrrp_complete_instance, reference 6.9): VIPs / eVIPs
// on another interface than the instance's, or of the other family, under
// use_vmac_addr, and those with their own use_vmac that the instance's
// VMAC does not carry. The addresses go on it instead of on Base.
type addrVMAC struct {
	Base string           // the interface the macvlan is made on
	MAC  net.HardwareAddr // the instance's use_vmac MAC, else 00:00:5e:00:01|02:VRID by the address's family
	IPv6 bool             // the family of the first address that needs it (its sysctls)
	// Names are the names create_vmac_name tries, in order: the
	// vmac_addr_prefix, else vmac_prefix, else "vrrp", then ".VRID".
	Names []string
}

// key is what makes two addresses share a VMAC: keepalived's
// if_get_by_vmac finds one by its base interface and its MAC.
func (v addrVMAC) key() string { return v.Base + "|" + v.MAC.String() }

// addrVMACBase is the interface an address's VMAC is made on, or "" when
// the address needs none: on the instance's interface and family it is
// on the instance's VMAC (use_vmac) or its interface; of the other family
// it needs one under use_vmac_addr or its own use_vmac; on another
// interface, under either.
func addrVMACBase(ci *config.Instance, a config.Address) string {
	own := a.Dev == "" || a.Dev == ci.Interface
	sameFamily := a.Addr().Is6() == (ci.Family == config.IPv6)
	switch {
	case own && sameFamily:
		// use_vmac on such an address was dropped by the parser when the
		// instance has a VMAC (it is on it already).
		if a.UseVMAC && !ci.UseVMAC {
			return ci.Interface
		}
		return ""
	case own:
		if a.UseVMAC || ci.UseVMACAddr {
			return ci.Interface
		}
		return ""
	default:
		if a.UseVMAC || ci.UseVMACAddr {
			return a.Dev
		}
		return ""
	}
}

// addrMAC is the MAC of an address's VMAC.
func addrMAC(ci *config.Instance, a config.Address) net.HardwareAddr {
	if ci.VMACAddr != "" {
		return vmacAddr(ci)
	}
	return netif.VMACAddr(uint8(ci.VRID), a.Addr().Is6())
}

// addrVMACs lists the VMACs an instance's addresses need, in the order of
// the addresses (VIPs, then eVIPs) that first need each.
func addrVMACs(ci *config.Instance, g *config.Global) []addrVMAC {
	prefix := g.VMACAddrPrefix
	if prefix == "" {
		prefix = g.VMACPrefix
	}
	if prefix == "" {
		prefix = config.DefaultVMACPrefix
	}
	var out []addrVMAC
	for _, a := range append(ci.VIPs[:len(ci.VIPs):len(ci.VIPs)], ci.ExcludedVIPs...) {
		base := addrVMACBase(ci, a)
		if base == "" {
			continue
		}
		v := addrVMAC{Base: base, MAC: addrMAC(ci, a), IPv6: a.Addr().Is6()}
		if slices.ContainsFunc(out, func(o addrVMAC) bool { return o.key() == v.key() }) {
			continue
		}
		v.Names = netif.VMACNames(prefix, uint8(ci.VRID), v.IPv6, 32)
		out = append(out, v)
	}
	return out
}

// addrVMACSet is the VMACs an instance's addresses use.
type addrVMACSet struct {
	byKey map[string]string // VMAC name by addrVMAC.key
	made  []string          // those the instance created (deleted with it)
}

// devs is the VMAC names by addrVMAC.key; nil for a nil set.
func (s *addrVMACSet) devs() map[string]string {
	if s == nil {
		return nil
	}
	return s.byKey
}

// ensureAddrVMACs makes (or finds) the VMACs of in's addresses, with the
// first of their names that no instance's VMAC has and no other interface
// has (create_vmac_name), and records them on in.
func (d *Daemon) ensureAddrVMACs(in *instance, cfg *config.Config) {
	vs := addrVMACs(in.cfg, &cfg.Global)
	if len(vs) == 0 {
		return
	}
	if d.opts.Host.VMACs == nil {
		d.logf(in, slog.LevelWarn, "use_vmac_addr is not supported on this host - addresses stay on their interfaces")
		return
	}
	taken := map[string]bool{}
	for _, o := range d.insts {
		if o.vmacName != "" {
			taken[o.vmacName] = true
		}
		for _, n := range o.addrVMAC.devs() {
			taken[n] = true
		}
	}
	if in.vmacName != "" {
		taken[in.vmacName] = true
	}
	set := &addrVMACSet{byKey: map[string]string{}}
	in.addrVMAC = set
	for _, v := range vs {
		var err error
		for _, name := range v.Names {
			if taken[name] {
				continue
			}
			var got string
			var created bool
			got, created, err = d.opts.Host.VMACs.EnsureVMAC(v.Base, name, v.MAC, v.IPv6)
			if errors.Is(err, netif.ErrNameTaken) {
				continue
			}
			if err == nil {
				set.byKey[v.key()] = got
				taken[got] = true
				if created {
					set.made = append(set.made, got)
				}
			}
			break
		}
		if err != nil {
			d.logf(in, slog.LevelError, "cannot create VMAC for addresses on %s: %v - using %s", v.Base, err, v.Base)
		}
	}
}

// deleteAddrVMACs deletes the address VMACs in made, but those in keep.
func (d *Daemon) deleteAddrVMACs(in *instance, keep map[string]bool) {
	if d.opts.Host.VMACs == nil || in.addrVMAC == nil {
		return
	}
	for _, name := range in.addrVMAC.made {
		if keep[name] {
			continue
		}
		if err := d.opts.Host.VMACs.DeleteVMAC(name); err != nil {
			d.logf(in, slog.LevelWarn, "cannot delete VMAC %s: %v", name, err)
		}
	}
	in.addrVMAC.made = nil
}

// vipAddress is a VIP / eVIP of in as netlink adds it: on its VMAC when
// it has one (addrVMACs), else on its interface or the instance's.
func (in *instance) vipAddress(a config.Address) netif.Address {
	na := netAddress(a, in.ifname)
	if len(in.addrVMAC.devs()) == 0 {
		return na
	}
	if base := addrVMACBase(in.cfg, a); base != "" {
		if name, ok := in.addrVMAC.devs()[base+"|"+addrMAC(in.cfg, a).String()]; ok {
			na.Dev = name
		}
	}
	return na
}
