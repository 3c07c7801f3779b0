package netif

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// use_vmac (reference section 6.9, keepalived's vrrp_vmac.c and
// vrrp_if_config.c): a macvlan in private mode on the parent, with the
// virtual MAC, and the sysctls keepalived sets:
//
//	VMAC:   arp_ignore=1 accept_local=1 rp_filter=0 promote_secondaries=1
//	parent: arp_ignore=1 arp_filter=1 (old values restored by DeleteVMAC
//	        when no VMAC made by this VMACs remains on it)
//	all.rp_filter: if non-zero, default.rp_filter and every interface's
//	        rp_filter are raised to it first, then all.rp_filter=0, so no
//	        other interface changes behaviour (restored by Close)
//
// An IPv6 VMAC gets addr_gen_mode none and the parent's link-local address
// (or the EUI-64 one of the parent's MAC) without DAD.

// in6AddrGenModeNone is IN6_ADDR_GEN_MODE_NONE.
const in6AddrGenModeNone = 1

type vmacs struct {
	ns boundNS
	h  *netlink.Handle

	mu      sync.Mutex
	parents map[string]*parentSave // by parent name
	owned   map[string]string      // VMAC name -> parent name
	allRP   int                    // all.rp_filter before we cleared it; -1 untouched
	defRP   int                    // default.rp_filter before we raised it; -1 untouched
}

type parentSave struct {
	arpIgnore, arpFilter string
}

// NewVMACs returns VMACs bound to the calling thread's network namespace.
func NewVMACs() (VMACs, error) {
	ns, err := currentNS()
	if err != nil {
		return nil, err
	}
	h, err := netlink.NewHandleAt(ns.nsHandle(), unix.NETLINK_ROUTE)
	if err != nil {
		ns.close()
		return nil, fmt.Errorf("netif: netlink: %w", err)
	}
	return &vmacs{ns: ns, h: h, parents: map[string]*parentSave{}, owned: map[string]string{}, allRP: -1, defRP: -1}, nil
}

// EnsureVMAC is VMACs.EnsureVMAC in the calling thread's namespace, without
// restoring the parent's sysctls later.
func EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (string, bool, error) {
	v, err := NewVMACs()
	if err != nil {
		return "", false, err
	}
	vv := v.(*vmacs)
	defer vv.h.Close()
	defer vv.ns.close()
	return vv.EnsureVMAC(parent, name, mac, ipv6)
}

// DeleteVMAC deletes the named interface in the calling thread's namespace;
// a missing one is no error.
func DeleteVMAC(name string) error {
	v, err := NewVMACs()
	if err != nil {
		return err
	}
	vv := v.(*vmacs)
	defer vv.h.Close()
	defer vv.ns.close()
	return vv.DeleteVMAC(name)
}

// DefaultVMACNames are the names keepalived tries for a VMAC of vrid, in
// order: vrrp.VRID, then (IPv6) vrrp6.VRID, then vrrp1.VRID, vrrp2.VRID...
func DefaultVMACNames(vrid uint8, ipv6 bool, n int) []string {
	return VMACNames("vrrp", vrid, ipv6, n)
}

func (v *vmacs) sysctlPath(fam, ifname, key string) string {
	return "/proc/sys/net/" + fam + "/conf/" + ifname + "/" + key
}

func (v *vmacs) readSysctl(fam, ifname, key string) (string, error) {
	var out string
	err := v.ns.do(func() error {
		b, err := os.ReadFile(v.sysctlPath(fam, ifname, key))
		out = strings.TrimSpace(string(b))
		return err
	})
	return out, err
}

func (v *vmacs) writeSysctl(fam, ifname, key, val string) error {
	return v.ns.do(func() error {
		if err := os.WriteFile(v.sysctlPath(fam, ifname, key), []byte(val), 0o644); err != nil {
			return fmt.Errorf("netif: sysctl net.%s.conf.%s.%s=%s: %w", fam, ifname, key, val, err)
		}
		return nil
	})
}

// EnsureVMAC creates or reuses the VMAC; see VMACs.
func (v *vmacs) EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (string, bool, error) {
	if len(mac) != 6 {
		return "", false, fmt.Errorf("netif: vmac on %s: MAC %s is not 6 bytes", parent, mac)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	pl, err := v.h.LinkByName(parent)
	if err != nil {
		return "", false, fmt.Errorf("netif: vmac parent %q: %w", parent, ErrNotFound)
	}
	links, err := v.h.LinkList()
	if err != nil {
		return "", false, fmt.Errorf("netif: list links: %w", err)
	}
	byName := map[string]netlink.Link{}
	for _, l := range links {
		byName[l.Attrs().Name] = l
		if mv, ok := l.(*netlink.Macvlan); ok && mv.ParentIndex == pl.Attrs().Index && bytes.Equal(mv.HardwareAddr, mac) {
			// An existing matching macvlan (ours from before a crash, or
			// made by hand): reuse it.
			if err := v.setup(l, pl, ipv6); err != nil {
				return "", false, err
			}
			return l.Attrs().Name, false, nil
		}
	}
	candidates := []string{name}
	if name == "" {
		candidates = DefaultVMACNames(mac[5], ipv6, 32)
	}
	chosen := ""
	for _, n := range candidates {
		if _, taken := byName[n]; !taken {
			chosen = n
			break
		}
	}
	if chosen == "" {
		return "", false, fmt.Errorf("%w: vmac on %s: interface %s exists and is not a matching macvlan", ErrNameTaken, parent, name)
	}
	mv := &netlink.Macvlan{
		LinkAttrs: netlink.LinkAttrs{Name: chosen, ParentIndex: pl.Attrs().Index, HardwareAddr: mac},
		Mode:      netlink.MACVLAN_MODE_PRIVATE,
	}
	if err := v.h.LinkAdd(mv); err != nil {
		return "", false, fmt.Errorf("netif: ip link add link %s name %s address %s type macvlan mode private: %w", parent, chosen, mac, err)
	}
	l, err := v.h.LinkByName(chosen)
	if err != nil {
		return "", false, fmt.Errorf("netif: vmac %s vanished: %w", chosen, err)
	}
	v.owned[chosen] = parent
	if err := v.setup(l, pl, ipv6); err != nil {
		v.h.LinkDel(l)
		delete(v.owned, chosen)
		return "", false, err
	}
	return chosen, true, nil
}

// setup applies the sysctls, the IPv6 link-local address and brings the
// VMAC up.
func (v *vmacs) setup(l, parent netlink.Link, ipv6 bool) error {
	name := l.Attrs().Name
	pname := parent.Attrs().Name
	if err := v.clearAllRPFilter(); err != nil {
		return err
	}
	for _, kv := range [][2]string{{"arp_ignore", "1"}, {"accept_local", "1"}, {"rp_filter", "0"}, {"promote_secondaries", "1"}} {
		if err := v.writeSysctl("ipv4", name, kv[0], kv[1]); err != nil {
			return err
		}
	}
	if _, saved := v.parents[pname]; !saved {
		ai, err1 := v.readSysctl("ipv4", pname, "arp_ignore")
		af, err2 := v.readSysctl("ipv4", pname, "arp_filter")
		if err := errors.Join(err1, err2); err != nil {
			return fmt.Errorf("netif: read sysctls of %s: %w", pname, err)
		}
		v.parents[pname] = &parentSave{arpIgnore: ai, arpFilter: af}
	}
	if err := v.writeSysctl("ipv4", pname, "arp_ignore", "1"); err != nil {
		return err
	}
	if err := v.writeSysctl("ipv4", pname, "arp_filter", "1"); err != nil {
		return err
	}
	// keepalived (vrrp_vmac.c netlink_link_add_vmac) sets addr_gen_mode
	// none on every VMAC before bringing it up, so the kernel makes no
	// link-local address of the VMAC's MAC (RFC 5798 7.4), and sets
	// disable_ipv6 to 1 on an IPv4 instance's VMAC (0 on an IPv6 one):
	// an IPv4 VMAC has no IPv6 at all, unless the instance has IPv6
	// eVIPs, for which the daemon turns it back on (EnableIPv6).
	if l.Attrs().Flags&net.FlagUp == 0 {
		// On an IPv4 VMAC a failure only leaves what disable_ipv6 removes.
		if err := v.h.LinkSetIP6AddrGenMode(l, in6AddrGenModeNone); err != nil && ipv6 {
			return fmt.Errorf("netif: addr_gen_mode none on %s: %w", name, err)
		}
	}
	disable := "1"
	if ipv6 {
		disable = "0"
	}
	// Without IPv6 in the kernel the file is missing; keepalived goes on.
	if err := v.writeSysctl("ipv6", name, "disable_ipv6", disable); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if ipv6 {
		ll, err := v.parentLinkLocal(parent)
		if err != nil {
			return err
		}
		a := &netlink.Addr{IPNet: prefixToIPNet(netip.PrefixFrom(ll, 64)), Flags: unix.IFA_F_NODAD}
		if err := v.h.AddrAdd(l, a); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("netif: link-local %s on %s: %w", ll, name, err)
		}
	}
	if err := v.h.LinkSetUp(l); err != nil {
		return fmt.Errorf("netif: ip link set %s up: %w", name, err)
	}
	return nil
}

// EnableIPv6 turns IPv6 back on on an IPv4 instance's VMAC
// (disable_ipv6 0; addr_gen_mode none stays, so no link-local address
// appears): keepalived does so when the instance has eVIPs of the other
// family (VRRP_FLAG_EVIP_OTHER_FAMILY), to carry the IPv6 eVIPs.
func (v *vmacs) EnableIPv6(name string) error {
	err := v.writeSysctl("ipv6", name, "disable_ipv6", "0")
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// parentLinkLocal is the parent's first link-local address, else the
// EUI-64 one of its MAC (keepalived's set_link_local_address).
func (v *vmacs) parentLinkLocal(parent netlink.Link) (netip.Addr, error) {
	addrs, err := v.h.AddrList(parent, netlink.FAMILY_V6)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("netif: addresses of %s: %w", parent.Attrs().Name, err)
	}
	for _, a := range addrs {
		if p := ipNetToPrefix(a.IPNet); p.Addr().IsLinkLocalUnicast() {
			return p.Addr(), nil
		}
	}
	return EUI64LinkLocal(parent.Attrs().HardwareAddr)
}

// EUI64LinkLocal is the fe80::/64 address of a 6-byte MAC (RFC 4291
// appendix A).
func EUI64LinkLocal(mac net.HardwareAddr) (netip.Addr, error) {
	if len(mac) != 6 {
		return netip.Addr{}, fmt.Errorf("netif: MAC %s is not 6 bytes", mac)
	}
	var b [16]byte
	b[0], b[1] = 0xfe, 0x80
	b[8] = mac[0] ^ 0x02
	b[9], b[10] = mac[1], mac[2]
	b[11], b[12] = 0xff, 0xfe
	b[13], b[14], b[15] = mac[3], mac[4], mac[5]
	return netip.AddrFrom16(b), nil
}

// clearAllRPFilter is keepalived's clear_rp_filter, once.
func (v *vmacs) clearAllRPFilter() error {
	if v.allRP >= 0 {
		return nil
	}
	s, err := v.readSysctl("ipv4", "all", "rp_filter")
	if err != nil {
		return fmt.Errorf("netif: read all.rp_filter: %w", err)
	}
	all, _ := strconv.Atoi(s)
	if all == 0 {
		return nil
	}
	if d, err := v.readSysctl("ipv4", "default", "rp_filter"); err == nil {
		if dv, _ := strconv.Atoi(d); dv < all {
			v.defRP = dv
			if err := v.writeSysctl("ipv4", "default", "rp_filter", strconv.Itoa(all)); err != nil {
				return err
			}
		}
	}
	links, err := v.h.LinkList()
	if err != nil {
		return fmt.Errorf("netif: list links: %w", err)
	}
	for _, l := range links {
		n := l.Attrs().Name
		if s, err := v.readSysctl("ipv4", n, "rp_filter"); err == nil {
			if iv, _ := strconv.Atoi(s); iv < all {
				v.writeSysctl("ipv4", n, "rp_filter", strconv.Itoa(all))
			}
		}
	}
	if err := v.writeSysctl("ipv4", "all", "rp_filter", "0"); err != nil {
		return err
	}
	v.allRP = all
	return nil
}

// DeleteVMAC deletes the VMAC and, when it was the last one this VMACs made
// on its parent, restores the parent's arp_ignore and arp_filter.
func (v *vmacs) DeleteVMAC(name string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	parent, owned := v.owned[name]
	delete(v.owned, name)
	l, err := v.h.LinkByName(name)
	if err == nil {
		if err := v.h.LinkDel(l); err != nil && !errors.Is(err, unix.ENODEV) {
			return fmt.Errorf("netif: ip link del %s: %w", name, err)
		}
	}
	if owned {
		for _, p := range v.owned {
			if p == parent {
				return nil
			}
		}
		if s, ok := v.parents[parent]; ok {
			delete(v.parents, parent)
			v.writeSysctl("ipv4", parent, "arp_ignore", s.arpIgnore)
			v.writeSysctl("ipv4", parent, "arp_filter", s.arpFilter)
		}
	}
	return nil
}

// Close restores all.rp_filter and default.rp_filter if they were changed.
func (v *vmacs) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.allRP > 0 {
		v.writeSysctl("ipv4", "all", "rp_filter", strconv.Itoa(v.allRP))
		v.allRP = -1
	}
	if v.defRP >= 0 {
		v.writeSysctl("ipv4", "default", "rp_filter", strconv.Itoa(v.defRP))
		v.defRP = -1
	}
	v.h.Close()
	v.ns.close()
	return nil
}
