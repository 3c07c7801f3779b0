// Package netif is the Linux host: raw protocol-112 sockets (multicast and
// unicast, IPv4 and IPv6), VIPs, routes and rules through netlink, gratuitous
// ARP and unsolicited NA through packet sockets, link-state events, VMACs.
//
// It imports no project package: it speaks netip values, interface names and
// byte slices. The daemon depends on the small interfaces below; the Linux
// implementations live beside them, and tests use fakes that record what they
// were asked as `ip addr add 10.0.0.1/24 dev eth0` lines.
//
// This file is the contract the daemon is written against.
package netif

import (
	"context"
	"net/netip"
)

// Packet is one VRRP packet received.
type Packet struct {
	Ifindex int
	Src     netip.Addr
	Dst     netip.Addr
	TTL     uint8 // IPv4 TTL or IPv6 hop limit
	IPLen   int   // IPv4 total length field (0 for IPv6)
	AH      bool  // an IPv4 AH header preceded the VRRP part
	Payload []byte // the VRRP part (after IP and AH headers); valid until the next Recv
}

// Conn sends and receives VRRP adverts on one interface for one family.
type Conn interface {
	// Recv blocks for the next packet (or ctx end / Close).
	Recv(ctx context.Context) (Packet, error)
	// Send sends one VRRP payload from src to dst with the TTL / hop limit.
	Send(payload []byte, src, dst netip.Addr, ttl uint8) error
	Close() error
}

// ConnConfig says what a Conn listens on.
type ConnConfig struct {
	Ifname string
	IPv6   bool
	// Group is joined on Ifname when non-zero (multicast mode).
	Group netip.Addr
	// Src is the local address adverts are sent from (bind for unicast).
	Src netip.Addr
}

// Address is a VIP / static address as netlink installs it.
type Address struct {
	Prefix        netip.Prefix
	Dev           string
	Scope         int // rtnetlink scope number; 0 = global
	Broadcast     netip.Addr
	Label         string
	Peer          netip.Prefix
	NoDAD         bool
	NoPrefixRoute bool
	PreferredLft  *uint32
}

// Route is a route as netlink installs it.
type Route struct {
	Dst    netip.Prefix
	Src    netip.Addr
	Via    netip.Addr
	Dev    string
	Table  int
	Metric int
	Scope  int
	Type   int // RTN_*; 0 = unicast
	Proto  int
}

// Rule is a policy rule as netlink installs it.
type Rule struct {
	IPv6       bool
	From, To   netip.Prefix
	Table      int
	Preference int
	Mark       uint32
	Mask       uint32
	IIf, OIf   string
}

// Addresses adds and removes addresses, routes and rules. Every call is
// idempotent: adding what is there, or removing what is not, is no error.
type Addresses interface {
	AddAddr(a Address) error
	DelAddr(a Address) error
	HasAddr(a Address) (bool, error)
	AddRoute(r Route) error
	DelRoute(r Route) error
	AddRule(r Rule) error
	DelRule(r Rule) error
}

// Announcer sends gratuitous ARPs (IPv4) and unsolicited neighbour
// advertisements (IPv6) for addresses on an interface.
type Announcer interface {
	Announce(ifname string, addrs []netip.Addr) error
}

// LinkEvent is a change of an interface's state.
type LinkEvent struct {
	Ifname  string
	Ifindex int
	Up      bool // IFF_UP and IFF_RUNNING
	Deleted bool
}

// AddrEvent is an address appearing on or leaving an interface.
type AddrEvent struct {
	Ifname  string
	Prefix  netip.Prefix
	Deleted bool
}

// Links reports interface facts and changes.
type Links interface {
	// Lookup returns the interface's index, up state and addresses.
	Lookup(ifname string) (Link, error)
	// Watch streams link and address events until ctx ends.
	Watch(ctx context.Context) (<-chan LinkEvent, <-chan AddrEvent, error)
}

// Link is a snapshot of one interface.
type Link struct {
	Name      string
	Index     int
	Up        bool
	MTU       int
	HWAddr    []byte
	Multicast bool
	Addrs     []netip.Prefix // IPv4 primary first, then the rest, then IPv6
}

// PrimaryIPv4 is the interface's primary IPv4 address (keepalived's default
// advert source), if any.
func (l Link) PrimaryIPv4() (netip.Addr, bool) {
	for _, p := range l.Addrs {
		if p.Addr().Is4() {
			return p.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// LinkLocal6 is the interface's first IPv6 link-local address, if any.
func (l Link) LinkLocal6() (netip.Addr, bool) {
	for _, p := range l.Addrs {
		if p.Addr().Is6() && p.Addr().IsLinkLocalUnicast() {
			return p.Addr(), true
		}
	}
	return netip.Addr{}, false
}
