package fake

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/keepalived-go/keepalived/netif"
)

// Segment is a fake Ethernet segment: Conns of hosts plugged into it hear
// each other's adverts as the kernel would deliver them (multicast to
// sockets that joined the group, unicast to the socket bound to the
// destination or, unbound, to the host holding it; never back to the
// sending host; nothing to or from a link that is down).
type Segment struct {
	mu    sync.Mutex
	conns []*Conn
	cut   bool
	drop  func(Sent) bool
	sent  []Sent
}

// Sent is one packet put on a segment.
type Sent struct {
	Host   string
	Ifname string
	Packet netif.Packet // Ifindex is the sender's
}

// NewSegment returns an empty segment.
func NewSegment() *Segment { return &Segment{} }

// Plug attaches the host's interface to seg.
func (h *Host) Plug(ifname string, seg *Segment) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.segs[ifname] = seg
}

// SetCut cuts the segment (nothing is delivered) or heals it.
func (s *Segment) SetCut(cut bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cut = cut
}

// SetDrop installs a filter: packets for which drop returns true are lost
// (nil delivers everything).
func (s *Segment) SetDrop(drop func(Sent) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop = drop
}

// Sent returns every packet sent on the segment so far.
func (s *Segment) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.sent)
}

// Conn is a fake netif.Conn.
type Conn struct {
	host   *Host
	cfg    netif.ConnConfig
	seg    *Segment
	q      chan netif.Packet
	done   chan struct{}
	closed sync.Once
}

// Listen implements netif.ListenFunc for the host: the Conn is on the
// segment the interface is plugged into (or on none: it then only sends
// into the void).
func (h *Host) Listen(cfg netif.ConnConfig) (netif.Conn, error) {
	h.mu.Lock()
	if _, ok := h.links[cfg.Ifname]; !ok {
		h.mu.Unlock()
		return nil, fmt.Errorf("fake: listen on %q: %w", cfg.Ifname, netif.ErrNotFound)
	}
	seg := h.segs[cfg.Ifname]
	h.mu.Unlock()
	c := &Conn{host: h, cfg: cfg, seg: seg, q: make(chan netif.Packet, 256), done: make(chan struct{})}
	if seg != nil {
		seg.mu.Lock()
		seg.conns = append(seg.conns, c)
		seg.mu.Unlock()
	}
	return c, nil
}

// Recv implements netif.Conn.
func (c *Conn) Recv(ctx context.Context) (netif.Packet, error) {
	select {
	case <-c.done:
		return netif.Packet{}, netif.ErrClosed
	default:
	}
	select {
	case p := <-c.q:
		return p, nil
	case <-c.done:
		return netif.Packet{}, netif.ErrClosed
	case <-ctx.Done():
		return netif.Packet{}, ctx.Err()
	}
}

// Close implements netif.Conn.
func (c *Conn) Close() error {
	c.closed.Do(func() {
		close(c.done)
		if c.seg != nil {
			c.seg.mu.Lock()
			c.seg.conns = slices.DeleteFunc(c.seg.conns, func(x *Conn) bool { return x == c })
			c.seg.mu.Unlock()
		}
	})
	return nil
}

// link returns the conn's link state (index, up, addresses).
func (c *Conn) link() (netif.Link, bool) {
	l, err := c.host.Lookup(c.cfg.Ifname)
	return l, err == nil
}

// Send implements netif.Conn.
func (c *Conn) Send(payload []byte, src, dst netip.Addr, ttl uint8) error {
	select {
	case <-c.done:
		return netif.ErrClosed
	default:
	}
	if dst.Is6() != c.cfg.IPv6 {
		return fmt.Errorf("fake: send on %s: %s is not of the conn's family", c.cfg.Ifname, dst)
	}
	l, ok := c.link()
	if !ok {
		return fmt.Errorf("fake: send on %s: %w", c.cfg.Ifname, netif.ErrNotFound)
	}
	if !l.Up {
		return fmt.Errorf("fake: send on %s: network is down", c.cfg.Ifname)
	}
	if !src.IsValid() {
		src = c.cfg.Src
	}
	if !src.IsValid() {
		if c.cfg.IPv6 {
			src, _ = l.LinkLocal6()
		} else {
			src, _ = l.PrimaryIPv4()
		}
	}
	p := netif.Packet{Ifindex: l.Index, Src: src, Dst: dst, TTL: ttl, Payload: slices.Clone(payload)}
	if !c.cfg.IPv6 {
		p.IPLen = 20 + len(payload)
	}
	if c.seg == nil {
		return nil
	}
	s := c.seg
	s.mu.Lock()
	sent := Sent{Host: c.host.Name, Ifname: c.cfg.Ifname, Packet: p}
	s.sent = append(s.sent, sent)
	if s.cut || (s.drop != nil && s.drop(sent)) {
		s.mu.Unlock()
		return nil
	}
	targets := slices.Clone(s.conns)
	s.mu.Unlock()
	for _, d := range targets {
		if d.host == c.host || d.cfg.IPv6 != c.cfg.IPv6 {
			continue
		}
		dl, ok := d.link()
		if !ok || !dl.Up {
			continue
		}
		if dst.IsMulticast() {
			if d.cfg.Group != dst {
				continue
			}
		} else {
			if d.cfg.Group.IsValid() {
				continue
			}
			if d.cfg.Src.IsValid() && d.cfg.Src != dst {
				continue
			}
			if !d.cfg.Src.IsValid() && !slices.ContainsFunc(dl.Addrs, func(p netip.Prefix) bool { return p.Addr() == dst }) {
				continue
			}
		}
		q := p
		q.Ifindex = dl.Index
		q.Payload = slices.Clone(payload)
		select {
		case d.q <- q:
		default: // a full socket buffer drops, as the kernel does
		}
	}
	return nil
}
