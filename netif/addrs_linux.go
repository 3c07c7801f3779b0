package netif

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// rtprotKeepalived is RTPROT_KEEPALIVED, the protocol keepalived's own
// routes carry.
const rtprotKeepalived = 18

// foreverLft is INFINITY_LIFE_TIME.
const foreverLft = 0xffffffff

// nlAddresses is the netlink Addresses.
type nlAddresses struct {
	ns boundNS
	mu sync.Mutex // one request at a time on the handle's socket
	h  *netlink.Handle
}

// NewAddresses returns Addresses over a netlink socket in the calling
// thread's network namespace.
func NewAddresses() (Addresses, error) {
	ns, err := currentNS()
	if err != nil {
		return nil, err
	}
	h, err := netlink.NewHandleAt(ns.nsHandle(), unix.NETLINK_ROUTE)
	if err != nil {
		ns.close()
		return nil, fmt.Errorf("netif: netlink: %w", err)
	}
	return &nlAddresses{ns: ns, h: h}, nil
}

// Close releases the netlink socket.
func (a *nlAddresses) Close() error {
	a.h.Close()
	a.ns.close()
	return nil
}

func (a *nlAddresses) link(dev string) (netlink.Link, error) {
	l, err := a.h.LinkByName(dev)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil, fmt.Errorf("netif: %q: %w", dev, ErrNotFound)
		}
		return nil, fmt.Errorf("netif: link %q: %w", dev, err)
	}
	return l, nil
}

func prefixToIPNet(p netip.Prefix) *net.IPNet {
	if !p.IsValid() {
		return nil
	}
	a := p.Addr().Unmap()
	bits := 32
	if a.Is6() {
		bits = 128
	}
	return &net.IPNet{IP: net.IP(a.AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}

func ipNetToPrefix(n *net.IPNet) netip.Prefix {
	if n == nil {
		return netip.Prefix{}
	}
	a, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}
	}
	a = a.Unmap()
	ones, _ := n.Mask.Size()
	return netip.PrefixFrom(a, ones)
}

// toNL converts an Address to netlink's form. IPv6 ignores scope and label
// as keepalived does.
func toNLAddr(x Address) *netlink.Addr {
	p := netip.PrefixFrom(x.Prefix.Addr().Unmap(), x.Prefix.Bits())
	n := &netlink.Addr{IPNet: prefixToIPNet(p)}
	if p.Addr().Is4() {
		n.Scope = x.Scope
		n.Label = x.Label
		if x.Broadcast.IsValid() {
			n.Broadcast = net.IP(x.Broadcast.Unmap().AsSlice())
		} else {
			// 0.0.0.0 stops netlink from inventing a broadcast address:
			// keepalived, like `ip addr add`, sets one only when told.
			n.Broadcast = net.IPv4zero.To4()
		}
	}
	if x.Peer.IsValid() {
		n.Peer = prefixToIPNet(x.Peer)
	}
	if x.NoDAD {
		n.Flags |= unix.IFA_F_NODAD
	}
	if x.NoPrefixRoute {
		n.Flags |= unix.IFA_F_NOPREFIXROUTE
	}
	if x.PreferredLft != nil {
		n.PreferedLft = int(*x.PreferredLft)
		n.ValidLft = foreverLft
	}
	return n
}

// AddAddr is `ip addr add`; an address already there is no error.
func (a *nlAddresses) AddAddr(x Address) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, err := a.link(x.Dev)
	if err != nil {
		return err
	}
	if err := a.h.AddrAdd(l, toNLAddr(x)); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("netif: %s: %w", AddrCommand("add", x), err)
	}
	return nil
}

// DelAddr is `ip addr del`; an address not there (or an interface gone) is
// no error.
func (a *nlAddresses) DelAddr(x Address) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, err := a.link(x.Dev)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.h.AddrDel(l, toNLAddr(x)); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("netif: %s: %w", AddrCommand("del", x), err)
	}
	return nil
}

// HasAddr reports whether the address (ignoring its prefix length) is on
// the interface.
func (a *nlAddresses) HasAddr(x Address) (bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	l, err := a.link(x.Dev)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	want := x.Prefix.Addr().Unmap()
	fam := netlink.FAMILY_V4
	if want.Is6() {
		fam = netlink.FAMILY_V6
	}
	list, err := a.h.AddrList(l, fam)
	if err != nil {
		return false, fmt.Errorf("netif: list addresses of %s: %w", x.Dev, err)
	}
	for _, e := range list {
		if ipNetToPrefix(e.IPNet).Addr() == want {
			return true, nil
		}
	}
	return false, nil
}

func (a *nlAddresses) toNLRoute(r Route, del bool) (*netlink.Route, error) {
	n := &netlink.Route{
		Dst:      prefixToIPNet(r.Dst),
		Table:    r.Table,
		Priority: r.Metric,
		Type:     r.Type,
		Protocol: netlink.RouteProtocol(r.Proto),
		Scope:    netlink.Scope(r.Scope),
	}
	if r.Proto == 0 {
		n.Protocol = rtprotKeepalived
	}
	if r.Dst.IsValid() && r.Dst.Addr().Is6() {
		n.Family = netlink.FAMILY_V6
	} else {
		n.Family = netlink.FAMILY_V4
	}
	if n.Dst == nil {
		// default route of the family
		if n.Family == netlink.FAMILY_V6 {
			n.Dst = &net.IPNet{IP: net.IPv6zero, Mask: net.CIDRMask(0, 128)}
		} else {
			n.Dst = &net.IPNet{IP: net.IPv4zero.To4(), Mask: net.CIDRMask(0, 32)}
		}
	}
	if r.Src.IsValid() {
		n.Src = net.IP(r.Src.Unmap().AsSlice())
	}
	if r.Via.IsValid() {
		n.Gw = net.IP(r.Via.Unmap().AsSlice())
	}
	if r.Dev != "" {
		l, err := a.link(r.Dev)
		if err != nil {
			return nil, err
		}
		n.LinkIndex = l.Attrs().Index
	}
	if r.Scope == 0 {
		// iproute2's defaults.
		switch {
		case del:
			n.Scope = netlink.SCOPE_NOWHERE
		case r.Type == unix.RTN_LOCAL || r.Type == unix.RTN_NAT:
			n.Scope = netlink.SCOPE_HOST
		case r.Type == unix.RTN_BROADCAST || r.Type == unix.RTN_MULTICAST || r.Type == unix.RTN_ANYCAST:
			n.Scope = netlink.SCOPE_LINK
		case (r.Type == 0 || r.Type == unix.RTN_UNICAST) && !r.Via.IsValid():
			n.Scope = netlink.SCOPE_LINK
		}
	}
	return n, nil
}

// AddRoute is `ip route add`; a route already there is no error.
func (a *nlAddresses) AddRoute(r Route) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	n, err := a.toNLRoute(r, false)
	if err != nil {
		return err
	}
	if err := a.h.RouteAdd(n); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("netif: %s: %w", RouteCommand("add", r), err)
	}
	return nil
}

// DelRoute is `ip route del`; a route not there is no error.
func (a *nlAddresses) DelRoute(r Route) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	n, err := a.toNLRoute(r, true)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := a.h.RouteDel(n); err != nil && !errors.Is(err, unix.ESRCH) && !errors.Is(err, unix.ENODEV) {
		return fmt.Errorf("netif: %s: %w", RouteCommand("del", r), err)
	}
	return nil
}

func toNLRule(r Rule) *netlink.Rule {
	n := netlink.NewRule()
	n.Family = netlink.FAMILY_V4
	if r.IPv6 || (r.From.IsValid() && r.From.Addr().Is6()) || (r.To.IsValid() && r.To.Addr().Is6()) {
		n.Family = netlink.FAMILY_V6
	}
	n.Src = prefixToIPNet(r.From)
	n.Dst = prefixToIPNet(r.To)
	n.Table = r.Table
	if n.Table == 0 && r.Action == 0 {
		n.Table = unix.RT_TABLE_MAIN
	}
	if r.Preference > 0 {
		n.Priority = r.Preference
	}
	n.Mark = r.Mark
	if r.Mask != 0 {
		m := r.Mask
		n.Mask = &m
	}
	n.IifName = r.IIf
	n.OifName = r.OIf
	n.Type = uint8(r.Action)
	return n
}

// AddRule is `ip rule add`; a rule already there is no error.
func (a *nlAddresses) AddRule(r Rule) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.h.RuleAdd(toNLRule(r)); err != nil && !errors.Is(err, unix.EEXIST) {
		return fmt.Errorf("netif: %s: %w", RuleCommand("add", r), err)
	}
	return nil
}

// DelRule is `ip rule del`; a rule not there is no error.
func (a *nlAddresses) DelRule(r Rule) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.h.RuleDel(toNLRule(r)); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("netif: %s: %w", RuleCommand("del", r), err)
	}
	return nil
}
