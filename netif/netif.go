// Package netif is the Linux host: raw protocol-112 sockets (multicast and
// unicast, IPv4 and IPv6), VIPs, routes and rules through netlink, gratuitous
// ARP and unsolicited NA through packet sockets, link-state events, VMACs.
//
// It imports no project package: it speaks netip values, interface names and
// byte slices. The daemon depends on the small interfaces below (Host
// bundles them); the Linux implementations live beside them, and the
// daemon's tests use one in-memory fake host (daemon/fake_test.go) that
// records what it was asked as `ip addr add 10.0.0.1/24 dev eth0` lines.
//
// Decisions, and why:
//   - IPv4 adverts carry an IP header we build (IP_HDRINCL), as keepalived's
//     do: TOS 0xc0, an ID incremented per advert and never 0, no DF, the TTL
//     per call. A kernel-built header has DF set (PMTU discovery on raw
//     sockets: seen here, flags 0x4000), visibly unlike keepalived's on the
//     wire, and would need a setsockopt whenever the unicast TTL changes.
//     IPv6 headers are the kernel's, as with keepalived (checksum offset 6,
//     traffic class 0xc0, source and hop limit per packet in control
//     messages).
//   - auth_type AH adverts go out on an IPv4 protocol-51 Conn as the whole
//     datagram the VRRP core built (its ICV covers the IP header, the
//     identification included, as keepalived's send buffer does); received
//     ones hand the IP and AH headers over with the VRRP part.
//   - Every constructor binds to the network namespace of the calling
//     thread, and objects that open sockets later go back into it on a
//     locked thread. The daemon never switches namespace (with -s its whole
//     process starts inside one), so this costs nothing there; tests build
//     objects inside WithNetns.
//   - keepalived's frames are the reference: the GARP and NA builders are
//     checked byte for byte against frames captured from keepalived 2.2.7
//     (testdata), and the sockets against keepalived itself (interop_test.go).
//
// This file is the contract the daemon is written against.
package netif

import (
	"context"
	"errors"
	"net"
	"net/netip"
)

// ErrClosed is returned by Conn.Recv and Conn.Send after Close.
var ErrClosed = errors.New("netif: use of closed connection")

// ErrNotFound wraps errors about an interface that does not exist.
var ErrNotFound = errors.New("netif: no such interface")

// ErrNameTaken wraps EnsureVMAC's error for a name another interface
// (not a matching macvlan) already has: the caller may try its next name.
var ErrNameTaken = errors.New("netif: interface name taken")

// The Linux constructors (all bind to the network namespace of the calling
// thread when they are called; see WithNetns):
//
//	func ListenVRRP(cfg ConnConfig) (Conn, error)
//	func NewAddresses() (Addresses, error)
//	func NewAnnouncer() Announcer
//	func NewLinks() Links
//	func NewVMACs() (VMACs, error)
//	func NewHost() (Host, error)   // all of the above
//	func NewProber() (Prober, error) // VIP conflict probes (probe.go)
//	func EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (ifname string, created bool, err error)
//	func DeleteVMAC(name string) error
//	func WithNetns(path string, fn func() error) error

// ListenFunc opens a Conn; ListenVRRP is the Linux one.
type ListenFunc func(cfg ConnConfig) (Conn, error)

// VMACs creates and deletes use_vmac macvlan interfaces.
type VMACs interface {
	// EnsureVMAC creates (or reuses a matching) macvlan on parent, with mac,
	// mode private, keepalived's sysctls, up. name "" picks keepalived's
	// default vrrp.VRID, vrrp1.VRID, ... (VRID = mac[5]).
	EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (ifname string, created bool, err error)
	// DeleteVMAC deletes the interface; deleting what is not there is no error.
	DeleteVMAC(name string) error
}

// VMACIPv6 is implemented by the Linux VMACs: EnsureVMAC leaves an IPv4
// instance's VMAC without IPv6 (disable_ipv6 1, as keepalived does);
// EnableIPv6 turns it back on for an instance with IPv6 eVIPs.
type VMACIPv6 interface {
	EnableIPv6(name string) error
}

// Host bundles the seams the daemon drives (daemon.Options.Host). The
// composition root builds the Linux one with NewHost; the daemon's tests
// build theirs from their fake. VMACs may be nil (use_vmac then runs on the
// base interface).
type Host struct {
	Listen    ListenFunc
	Addresses Addresses
	Announcer Announcer
	Links     Links
	VMACs     VMACs
	// Prober, when set, probes for VIP conflicts (optional: without it the
	// daemon does no conflict detection).
	Prober Prober
}

// VMACAddr is keepalived's default VMAC address: 00:00:5e:00:01:VRID for
// IPv4, 00:00:5e:00:02:VRID for IPv6 (RFC 5798 section 7.3).
func VMACAddr(vrid uint8, ipv6 bool) net.HardwareAddr {
	if ipv6 {
		return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, 0x02, vrid}
	}
	return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, 0x01, vrid}
}

// Packet is one VRRP packet received. Src and Dst carry no zone.
type Packet struct {
	Ifindex int
	Src     netip.Addr
	Dst     netip.Addr
	TTL     uint8  // IPv4 TTL or IPv6 hop limit
	IPLen   int    // IPv4 total length field (0 for IPv6)
	AH      bool   // an IPv4 AH header preceded the VRRP part
	Payload []byte // the VRRP part (after IP and AH headers); valid until the next Recv
	// AHHeader is, when AH, the IPv4 header and the AH header before
	// Payload, as received (the AH ICV covers them); valid until the next Recv.
	AHHeader []byte
}

// Conn sends and receives VRRP adverts on one interface for one family.
// Recv is for one goroutine at a time; Send and Close may be called from any.
// A Conn is tied to the interface index it was opened on: when Links reports
// the interface deleted, or back with a new index, close it and open a new
// one (Send on a Conn whose interface is gone fails; Recv hears nothing).
type Conn interface {
	// Recv blocks for the next packet (or ctx end / Close). It returns
	// ctx.Err() when ctx ends and ErrClosed after Close.
	Recv(ctx context.Context) (Packet, error)
	// Send sends one VRRP payload from src to dst with the TTL / hop limit.
	// An invalid src means the Conn's configured Src (or, if that too is
	// unset, the kernel's choice). For IPv6, ttl 0 means the kernel's
	// default hop limit (keepalived's unicast default). On an AH Conn the
	// payload is the whole IPv4 datagram (IP header, AH header, VRRP), as
	// the VRRP core builds it because the AH ICV covers the IP header: it
	// is sent as it is to dst (the kernel fills in the IP checksum).
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
	// AH receives and sends IPv4 protocol 51 (auth_type AH) instead of
	// 112; Send then takes whole datagrams.
	AH bool
	// RcvBuf sets SO_RCVBUF when > 0 (kernel_rx_buf_size).
	RcvBuf int
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

// Route is a route as netlink installs it. Zero fields take the defaults of
// `ip route add` (table main, scope link for a unicast route without via,
// host for local), except Proto, which defaults to keepalived's
// RTPROT_KEEPALIVED (18) as keepalived's own routes do.
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

// Rule is a policy rule as netlink installs it. Preference 0 means none
// given (the kernel picks one).
type Rule struct {
	IPv6       bool
	From, To   netip.Prefix
	Table      int
	Preference int
	Mark       uint32
	Mask       uint32
	IIf, OIf   string
	// Action is the rule's FR_ACT_* type (the same numbers as RTN_*:
	// 6 blackhole, 7 unreachable, 8 prohibit); 0 looks up Table (main if 0).
	Action int
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
	Ifindex int
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
