package netif

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"

	"github.com/mdlayher/packet"
	"github.com/vishvananda/netlink"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// announcer is the Linux Announcer: one pair of packet sockets per
// interface, opened on first use and reopened when the interface comes back
// with a new index.
type announcer struct {
	ns boundNS

	mu    sync.Mutex
	h     *netlink.Handle
	conns map[string]*annConn
	buf   []byte
}

type annConn struct {
	index int
	arp   *packet.Conn // ETH_P_ARP, send only
	nd    *packet.Conn // ETH_P_IPV6, send only
	// arpTx and ndTx send on arp and nd (under announcer.mu), as the
	// prober sends (frameio_linux.go).
	arpTx, ndTx *frameSender
}

func (c *annConn) close() {
	if c.arp != nil {
		c.arp.Close()
	}
	if c.nd != nil {
		c.nd.Close()
	}
}

// NewAnnouncer returns the Linux Announcer, bound to the calling thread's
// network namespace. Sockets are opened lazily; an error in that is
// reported by Announce.
func NewAnnouncer() Announcer {
	ns, err := currentNS()
	if err != nil {
		return errAnnouncer{err}
	}
	return &announcer{ns: ns, conns: map[string]*annConn{}}
}

type errAnnouncer struct{ err error }

func (e errAnnouncer) Announce(string, []netip.Addr) error { return e.err }

// dropAll is a BPF program accepting nothing: the sockets only send, and must
// not queue every ARP and IPv6 frame of the interface.
var dropAll, _ = bpf.Assemble([]bpf.Instruction{bpf.RetConstant{Val: 0}})

// Close closes every socket.
func (a *announcer) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for n, c := range a.conns {
		c.close()
		delete(a.conns, n)
	}
	if a.h != nil {
		a.h.Close()
		a.h = nil
	}
	a.ns.close()
	return nil
}

// Announce sends one gratuitous ARP per IPv4 address and one unsolicited NA
// per IPv6 address on ifname, from the interface's MAC. A NOARP interface
// gets nothing, as with keepalived. Errors for single addresses do not stop
// the others; they are joined.
func (a *announcer) Announce(ifname string, addrs []netip.Addr) error {
	if len(addrs) == 0 {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	attrs, err := ethernetLink(&a.h, a.ns, "announce", ifname)
	if attrs == nil {
		return err // nil for a NOARP interface: nothing to announce
	}
	mac := attrs.HardwareAddr
	c := a.conns[ifname]
	if c != nil && c.index != attrs.Index {
		c.close()
		delete(a.conns, ifname)
		c = nil
	}
	if c == nil {
		c = &annConn{index: attrs.Index}
		a.conns[ifname] = c
	}
	var has4, has6 bool
	for _, ip := range addrs {
		if ip.Unmap().Is4() {
			has4 = true
		} else {
			has6 = true
		}
	}
	ifi := &net.Interface{Index: attrs.Index, Name: ifname, HardwareAddr: mac, MTU: attrs.MTU}
	var router bool
	err = a.ns.do(func() error {
		var err error
		if has4 && c.arp == nil {
			if c.arp, c.arpTx, err = listenSend(ifi, unix.ETH_P_ARP); err != nil {
				return err
			}
		}
		if has6 && c.nd == nil {
			if c.nd, c.ndTx, err = listenSend(ifi, unix.ETH_P_IPV6); err != nil {
				return err
			}
		}
		if has6 {
			router = ipv6Forwarding(ifname)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("netif: announce on %s: %w", ifname, err)
	}
	var errs []error
	for _, ip := range addrs {
		ip = ip.Unmap()
		var (
			frame []byte
			tx    *frameSender
		)
		if ip.Is4() {
			frame, err = AppendGARP(a.buf[:0], mac, ip)
			tx = c.arpTx
		} else {
			frame, err = AppendUnsolicitedNA(a.buf[:0], mac, ip, router)
			tx = c.ndTx
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.buf = frame
		if err := tx.send(frame); err != nil {
			errs = append(errs, fmt.Errorf("netif: announce %s on %s: %w", ip, ifname, err))
		}
	}
	return errors.Join(errs...)
}

// listenSend opens a send-only packet socket for proto on ifi (its filter
// accepts nothing) and the frameSender that sends on it.
func listenSend(ifi *net.Interface, proto int) (*packet.Conn, *frameSender, error) {
	pc, err := packet.Listen(ifi, packet.Raw, proto, &packet.Config{Filter: dropAll})
	if err != nil {
		return nil, nil, fmt.Errorf("packet socket: %w", err)
	}
	tx, err := newFrameSender(pc, ifi.Index, proto)
	if err != nil {
		pc.Close()
		return nil, nil, err
	}
	return pc, tx, nil
}

// ipv6Forwarding reads net.ipv6.conf.IF.forwarding in the current thread's
// namespace: keepalived sets the NA Router flag when it is on.
func ipv6Forwarding(ifname string) bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + ifname + "/forwarding")
	return err == nil && strings.TrimSpace(string(b)) != "0"
}

// ethernetLink looks ifname up for a sender of Ethernet frames (what names
// it in errors), through *h, which it opens in ns on first use. It returns
// nil attributes and no error for a NOARP interface (nothing is sent there),
// and an error for a missing (ErrNotFound) or non-Ethernet interface.
func ethernetLink(h **netlink.Handle, ns boundNS, what, ifname string) (*netlink.LinkAttrs, error) {
	if *h == nil {
		nh, err := netlink.NewHandleAt(ns.nsHandle(), unix.NETLINK_ROUTE)
		if err != nil {
			return nil, fmt.Errorf("netif: %s on %s: netlink: %w", what, ifname, err)
		}
		*h = nh
	}
	l, err := (*h).LinkByName(ifname)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			err = ErrNotFound
		}
		return nil, fmt.Errorf("netif: %s on %s: %w", what, ifname, err)
	}
	attrs := l.Attrs()
	if attrs.RawFlags&unix.IFF_NOARP != 0 {
		return nil, nil
	}
	if len(attrs.HardwareAddr) != 6 {
		return nil, fmt.Errorf("netif: %s on %s: not an Ethernet interface", what, ifname)
	}
	return attrs, nil
}
