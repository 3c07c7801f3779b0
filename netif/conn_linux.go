package netif

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// VRRP's IP protocol numbers.
const (
	protoVRRP = 112
	protoAH   = 51
)

// tosVRRP is the TOS / traffic class keepalived sends adverts with
// (precedence 6, internetwork control).
const tosVRRP = 0xc0

// Default groups (RFC 5798 section 5.1.1.2 and 5.1.2.2).
var (
	Group4 = netip.MustParseAddr("224.0.0.18")
	Group6 = netip.MustParseAddr("ff02::12")
)

// ListenVRRP opens a raw protocol-112 socket for one interface and family,
// in the network namespace of the calling thread.
//
// IPv4: the socket is bound to the group (multicast mode) or to Src
// (unicast), joins the group on Ifname only (IP_MULTICAST_ALL off,
// SO_BINDTODEVICE), does not loop multicast back, and builds the IP header
// itself (IP_HDRINCL) exactly as keepalived does: TOS 0xc0, an IP ID that
// increments per advert and is never 0, no DF, the TTL given to Send,
// protocol 112. Letting the kernel build it would set DF (PMTU discovery
// on a raw socket), which a byte comparison with keepalived shows, and would
// need a setsockopt per unicast TTL change.
//
// IPv6: the kernel builds the header; the socket computes and checks the
// VRRP checksum at offset 6 (IPV6_CHECKSUM), uses traffic class 0xc0, hop
// limit 255 for multicast, and sends with the source and hop limit in
// IPV6_PKTINFO / IPV6_HOPLIMIT control messages.
//
// Received packets carry the TTL / hop limit, destination and ifindex from
// control messages (IP_PKTINFO + IP_RECVTTL, IPV6_RECVPKTINFO +
// IPV6_RECVHOPLIMIT).
func ListenVRRP(cfg ConnConfig) (Conn, error) {
	ifi, err := net.InterfaceByName(cfg.Ifname)
	if err != nil {
		return nil, fmt.Errorf("netif: listen on %q: %w: %v", cfg.Ifname, ErrNotFound, err)
	}
	if cfg.Group.IsValid() && !cfg.Group.IsMulticast() {
		return nil, fmt.Errorf("netif: listen on %s: group %s is not multicast", cfg.Ifname, cfg.Group)
	}
	if cfg.Group.IsValid() && cfg.Group.Is6() != cfg.IPv6 {
		return nil, fmt.Errorf("netif: listen on %s: group %s is not of the socket's family", cfg.Ifname, cfg.Group)
	}
	if cfg.Src.IsValid() && cfg.Src.Unmap().Is6() != cfg.IPv6 {
		return nil, fmt.Errorf("netif: listen on %s: source %s is not of the socket's family", cfg.Ifname, cfg.Src)
	}
	cfg.Src = cfg.Src.Unmap().WithZone("")
	c := &conn{cfg: cfg, ifindex: ifi.Index}
	if cfg.IPv6 {
		err = c.open6()
	} else {
		err = c.open4()
	}
	if err != nil {
		if c.f != nil {
			c.f.Close()
		} else if c.fd > 0 {
			unix.Close(c.fd)
		}
		return nil, fmt.Errorf("netif: listen on %s: %w", cfg.Ifname, err)
	}
	return c, nil
}

// conn is the Linux Conn.
type conn struct {
	cfg     ConnConfig
	ifindex int
	fd      int
	f       *os.File
	rc      syscall.RawConn
	closed  atomic.Bool

	// Receive state: Recv is for one goroutine, so these are reused and
	// Recv allocates nothing per packet.
	rbuf   []byte
	oob    []byte
	iov    unix.Iovec
	from   unix.RawSockaddrInet6 // large enough for either family
	msg    unix.Msghdr
	rn     int
	rerr   error
	readFn func(fd uintptr) bool
	// ctx watching: one context.AfterFunc per distinct ctx, not per Recv.
	wctx        context.Context
	wstop       func() bool
	needClearDL bool

	// Send state.
	smu     sync.Mutex
	sbuf    []byte
	soob    []byte
	ipID    uint16
	sa4     unix.SockaddrInet4
	sa6     unix.SockaddrInet6
	sflags  int
	sn      int
	serr    error
	writeFn func(fd uintptr) bool
}

func (c *conn) socket(family, proto int) error {
	fd, err := unix.Socket(family, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	c.fd = fd
	if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, c.cfg.Ifname); err != nil {
		return fmt.Errorf("SO_BINDTODEVICE: %w", err)
	}
	if c.cfg.RcvBuf > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, c.cfg.RcvBuf); err != nil {
			return fmt.Errorf("SO_RCVBUF: %w", err)
		}
	}
	return nil
}

type sockopt struct {
	name       string
	level, opt int
	val        int
}

func setInts(fd int, opts []sockopt) error {
	for _, o := range opts {
		err := unix.SetsockoptInt(fd, o.level, o.opt, o.val)
		if err == unix.ENOPROTOOPT && o.opt == unix.IPV6_MULTICAST_ALL && o.level == unix.IPPROTO_IPV6 {
			// before Linux 4.20; binding to the group (or the unicast
			// source) still keeps other destinations out
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
	}
	return nil
}

func (c *conn) open4() error {
	proto := protoVRRP
	if c.cfg.AH {
		proto = protoAH
	}
	if err := c.socket(unix.AF_INET, proto); err != nil {
		return err
	}
	fd := c.fd
	if err := setInts(fd, []sockopt{
		{"IP_HDRINCL", unix.IPPROTO_IP, unix.IP_HDRINCL, 1},
		{"IP_MULTICAST_ALL", unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0},
		{"IP_MULTICAST_LOOP", unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP, 0},
		{"IP_MULTICAST_TTL", unix.IPPROTO_IP, unix.IP_MULTICAST_TTL, 255},
		{"IP_PKTINFO", unix.IPPROTO_IP, unix.IP_PKTINFO, 1},
		{"IP_RECVTTL", unix.IPPROTO_IP, unix.IP_RECVTTL, 1},
	}); err != nil {
		return err
	}
	if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_MULTICAST_IF, &unix.IPMreqn{Ifindex: int32(c.ifindex)}); err != nil {
		return fmt.Errorf("IP_MULTICAST_IF: %w", err)
	}
	var bind netip.Addr
	if c.cfg.Group.IsValid() {
		mreq := &unix.IPMreqn{Multiaddr: c.cfg.Group.As4(), Ifindex: int32(c.ifindex)}
		if err := unix.SetsockoptIPMreqn(fd, unix.IPPROTO_IP, unix.IP_ADD_MEMBERSHIP, mreq); err != nil {
			return fmt.Errorf("join %s: %w", c.cfg.Group, err)
		}
		bind = c.cfg.Group
	} else if c.cfg.Src.IsValid() {
		bind = c.cfg.Src
	}
	if bind.IsValid() {
		if !c.cfg.Group.IsValid() {
			if err := freebind(fd, unix.IPPROTO_IP, unix.IP_FREEBIND, "IP_FREEBIND"); err != nil {
				return err
			}
		}
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: bind.As4()}); err != nil {
			return fmt.Errorf("bind %s: %w", bind, err)
		}
	}
	if c.cfg.Group.IsValid() {
		c.sflags = unix.MSG_DONTROUTE
	}
	return c.finish()
}

func (c *conn) open6() error {
	if err := c.socket(unix.AF_INET6, protoVRRP); err != nil {
		return err
	}
	fd := c.fd
	if err := setInts(fd, []sockopt{
		{"IPV6_CHECKSUM", unix.IPPROTO_IPV6, unix.IPV6_CHECKSUM, 6},
		{"IPV6_MULTICAST_ALL", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0},
		{"IPV6_MULTICAST_LOOP", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP, 0},
		{"IPV6_MULTICAST_HOPS", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS, 255},
		{"IPV6_MULTICAST_IF", unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_IF, c.ifindex},
		{"IPV6_TCLASS", unix.IPPROTO_IPV6, unix.IPV6_TCLASS, tosVRRP},
		{"IPV6_RECVPKTINFO", unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO, 1},
		{"IPV6_RECVHOPLIMIT", unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT, 1},
	}); err != nil {
		return err
	}
	var bind netip.Addr
	if c.cfg.Group.IsValid() {
		mreq := &unix.IPv6Mreq{Multiaddr: c.cfg.Group.As16(), Interface: uint32(c.ifindex)}
		if err := unix.SetsockoptIPv6Mreq(fd, unix.IPPROTO_IPV6, unix.IPV6_JOIN_GROUP, mreq); err != nil {
			return fmt.Errorf("join %s: %w", c.cfg.Group, err)
		}
		bind = c.cfg.Group
	} else if c.cfg.Src.IsValid() {
		bind = c.cfg.Src
	}
	if bind.IsValid() {
		sa := &unix.SockaddrInet6{Addr: bind.As16()}
		if bind.IsLinkLocalUnicast() || bind.IsLinkLocalMulticast() || bind.IsInterfaceLocalMulticast() {
			sa.ZoneId = uint32(c.ifindex)
		}
		if !c.cfg.Group.IsValid() {
			if err := freebind(fd, unix.IPPROTO_IPV6, unix.IPV6_FREEBIND, "IPV6_FREEBIND"); err != nil {
				return err
			}
		}
		if err := unix.Bind(fd, sa); err != nil {
			return fmt.Errorf("bind %s: %w", bind, err)
		}
	}
	return c.finish()
}

// freebind lets a unicast socket bind its source address before the
// address is usable: an IPv6 address still in duplicate address detection
// (tentative) or one not configured yet. Without it the bind fails with
// EADDRNOTAVAIL and the instance stays in FAULT until a link event reopens
// the socket; with it the socket opens at start and the adverts leave once
// the kernel accepts the source, as keepalived 2.4.3 does
// (vrrp.c open_vrrp_socket sets IP_FREEBIND / IPV6_FREEBIND on the unicast
// path). A kernel without the option (IPV6_FREEBIND is Linux 4.15) keeps
// the plain bind.
func freebind(fd, level, opt int, name string) error {
	err := unix.SetsockoptInt(fd, level, opt, 1)
	if err == unix.ENOPROTOOPT {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// rxBufSize is the receive buffer of a conn. The largest valid advert is
// a VRRPv3 IPv6 one with 255 addresses, 4,088 bytes (the kernel strips the
// IPv6 header); an IPv4 one with 255 addresses, options and AH stays under
// 1,200. A longer datagram is read truncated, and the core counts it as a
// length error, as it must drop it anyway. (keepalived sizes its buffer by
// the largest interface MTU; a 64 KiB buffer per socket was a quarter of a
// megabyte of RSS for four interfaces.)
const rxBufSize = 8 << 10

// finish hands the descriptor to the runtime poller and sets up the
// reusable buffers.
func (c *conn) finish() error {
	c.f = os.NewFile(uintptr(c.fd), "vrrp:"+c.cfg.Ifname)
	rc, err := c.f.SyscallConn()
	if err != nil {
		return err
	}
	c.rc = rc
	c.rbuf = make([]byte, rxBufSize)
	c.oob = make([]byte, 128)
	c.readFn = c.doRead
	c.writeFn = c.doWrite
	c.sbuf = make([]byte, 0, 2048)
	c.soob = make([]byte, 0, unix.CmsgSpace(unix.SizeofInet6Pktinfo)+unix.CmsgSpace(4))
	return nil
}

// Close closes the socket; a blocked Recv returns ErrClosed.
func (c *conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.f.Close()
}

// doRead is the poller callback: one recvmsg into the reused buffers.
//
// The socket is non-blocking, so recvmsg returns at once (a packet or
// EAGAIN) and is made with RawSyscall, the documented call for a system
// call that cannot block: Syscall's bookkeeping is there to hand the
// goroutine's processor to another thread while a call blocks, and it
// also wakes the runtime's monitor thread when the process was idle. With
// 1,000 BACKUP instances that wake-up, once per batch of adverts, was a
// quarter of the daemon's CPU (perf record -g, BENCHMARKS-footprint.md).
func (c *conn) doRead(fd uintptr) bool {
	c.iov.Base = &c.rbuf[0]
	c.iov.SetLen(len(c.rbuf))
	c.msg.Name = (*byte)(unsafe.Pointer(&c.from))
	c.msg.Namelen = uint32(unsafe.Sizeof(c.from))
	c.msg.Iov = &c.iov
	c.msg.Iovlen = 1
	c.msg.Control = &c.oob[0]
	c.msg.SetControllen(len(c.oob))
	c.msg.Flags = 0
	n, _, errno := unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&c.msg)), 0)
	if errno == unix.EAGAIN || errno == unix.EINTR {
		return false
	}
	c.rn, c.rerr = int(n), nil
	if errno != 0 {
		c.rerr = errno
	}
	return true
}

var longAgo = time.Unix(1, 0)

// watch arranges for a blocked read to wake when ctx ends: one AfterFunc per
// distinct context, so a daemon passing the same ctx allocates nothing.
func (c *conn) watch(ctx context.Context) {
	if ctx == c.wctx {
		return
	}
	if c.wstop != nil {
		c.wstop()
		c.wstop = nil
	}
	c.wctx = ctx
	c.needClearDL = true
	if ctx.Done() != nil {
		f := c.f
		c.wstop = context.AfterFunc(ctx, func() { f.SetReadDeadline(longAgo) })
	}
}

// Recv returns the next packet. Payload aliases an internal buffer valid
// until the next Recv. Packets too short for their IP header are skipped.
func (c *conn) Recv(ctx context.Context) (Packet, error) {
	for {
		if c.closed.Load() {
			return Packet{}, ErrClosed
		}
		c.watch(ctx)
		if c.needClearDL {
			// Clear a deadline a finished context left, then look at ctx
			// again: its AfterFunc can only fire after ctx is done.
			c.f.SetReadDeadline(time.Time{})
			c.needClearDL = false
		}
		if err := ctx.Err(); err != nil {
			return Packet{}, err
		}
		err := c.rc.Read(c.readFn)
		if err != nil {
			switch {
			case c.closed.Load():
				return Packet{}, ErrClosed
			case errors.Is(err, os.ErrDeadlineExceeded):
				if err := ctx.Err(); err != nil {
					return Packet{}, err
				}
				c.needClearDL = true // a late AfterFunc of an old ctx
				continue
			}
			return Packet{}, fmt.Errorf("netif: recv on %s: %w", c.cfg.Ifname, err)
		}
		if c.rerr != nil {
			if c.closed.Load() {
				return Packet{}, ErrClosed
			}
			return Packet{}, fmt.Errorf("netif: recv on %s: %w", c.cfg.Ifname, c.rerr)
		}
		var p Packet
		var ok bool
		if c.cfg.IPv6 {
			p, ok = c.parse6()
		} else {
			p, ok = c.parse4()
		}
		if ok {
			return p, nil
		}
	}
}

// parseCmsgs walks the control messages without allocating.
func (c *conn) parseCmsgs(p *Packet) {
	oob := c.oob[:c.msg.Controllen]
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return
		}
		data := oob[unix.CmsgLen(0):l]
		switch {
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_PKTINFO && len(data) >= unix.SizeofInet4Pktinfo:
			pi := (*unix.Inet4Pktinfo)(unsafe.Pointer(&data[0]))
			p.Ifindex = int(pi.Ifindex)
			p.Dst = netip.AddrFrom4(pi.Addr)
		case h.Level == unix.IPPROTO_IP && h.Type == unix.IP_TTL && len(data) >= 1:
			p.TTL = uint8(*(*int32)(unsafe.Pointer(&data[0])))
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_PKTINFO && len(data) >= unix.SizeofInet6Pktinfo:
			pi := (*unix.Inet6Pktinfo)(unsafe.Pointer(&data[0]))
			p.Ifindex = int(pi.Ifindex)
			p.Dst = netip.AddrFrom16(pi.Addr)
		case h.Level == unix.IPPROTO_IPV6 && h.Type == unix.IPV6_HOPLIMIT && len(data) >= 4:
			p.TTL = uint8(*(*int32)(unsafe.Pointer(&data[0])))
		}
		sp := unix.CmsgSpace(l - unix.CmsgLen(0))
		if sp > len(oob) {
			return
		}
		oob = oob[sp:]
	}
}

// parse4 strips the IPv4 header (and an AH header) the kernel hands a raw
// socket.
func (c *conn) parse4() (Packet, bool) {
	b := c.rbuf[:c.rn]
	if len(b) < 20 || b[0]>>4 != 4 {
		return Packet{}, false
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 || len(b) < ihl {
		return Packet{}, false
	}
	p := Packet{
		Src:   netip.AddrFrom4([4]byte(b[12:16])),
		Dst:   netip.AddrFrom4([4]byte(b[16:20])),
		TTL:   b[8],
		IPLen: int(binary.BigEndian.Uint16(b[2:4])),
	}
	c.parseCmsgs(&p)
	rest := b[ihl:]
	if b[9] == protoAH {
		// AH (RFC 4302): payload length in 4-byte words minus 2.
		if len(rest) < 12 {
			return Packet{}, false
		}
		ahLen := (int(rest[1]) + 2) * 4
		if ahLen > len(rest) {
			return Packet{}, false
		}
		p.AH = true
		p.AHHeader = b[:ihl+ahLen]
		rest = rest[ahLen:]
	}
	p.Payload = rest
	return p, true
}

func (c *conn) parse6() (Packet, bool) {
	p := Packet{
		Src:     netip.AddrFrom16(c.from.Addr),
		Payload: c.rbuf[:c.rn],
	}
	c.parseCmsgs(&p)
	return p, true
}

// Send sends one advert.
func (c *conn) Send(payload []byte, src, dst netip.Addr, ttl uint8) error {
	if c.closed.Load() {
		return ErrClosed
	}
	dst = dst.Unmap()
	src = src.Unmap()
	if !src.IsValid() {
		src = c.cfg.Src
	}
	if dst.Is6() != c.cfg.IPv6 || (src.IsValid() && src.Is6() != c.cfg.IPv6) {
		return fmt.Errorf("netif: send on %s: %s -> %s: wrong family", c.cfg.Ifname, src, dst)
	}
	c.smu.Lock()
	defer c.smu.Unlock()
	switch {
	case c.cfg.IPv6:
		c.build6(payload, src, dst, ttl)
	case c.cfg.AH:
		if len(payload) < 20 || payload[0]>>4 != 4 || payload[9] != protoAH {
			return fmt.Errorf("netif: send on %s: AH datagram of %d bytes is not an IPv4 datagram of protocol 51", c.cfg.Ifname, len(payload))
		}
		c.sbuf = append(c.sbuf[:0], payload...)
		c.sa4.Addr = dst.As4()
		c.sn = len(payload)
	default:
		if len(payload) > 65535-20 {
			return fmt.Errorf("netif: send on %s: payload of %d bytes too long", c.cfg.Ifname, len(payload))
		}
		c.build4(payload, src, dst, ttl)
	}
	err := c.rc.Write(c.writeFn)
	if err == nil {
		err = c.serr
	}
	if err != nil {
		if c.closed.Load() {
			return ErrClosed
		}
		return fmt.Errorf("netif: send on %s to %s: %w", c.cfg.Ifname, dst, err)
	}
	return nil
}

// build4 writes keepalived's IPv4 header and the payload into sbuf.
func (c *conn) build4(payload []byte, src, dst netip.Addr, ttl uint8) {
	c.ipID++
	if c.ipID == 0 {
		c.ipID = 1
	}
	b := c.sbuf[:0]
	b = AppendIPv4Header(b, src, dst, c.ipID, ttl, protoVRRP, len(payload))
	b = append(b, payload...)
	c.sbuf = b
	c.sa4.Addr = dst.As4()
	c.sn = len(b)
}

// AppendIPv4Header appends the 20-byte header keepalived builds for an
// advert: version 4, IHL 5, TOS 0xc0, total length, id, no fragment flags,
// ttl, proto, checksum left 0 (the kernel fills it for IP_HDRINCL), src, dst.
// An invalid src is written as 0.0.0.0, which the kernel replaces with the
// route's source.
func AppendIPv4Header(b []byte, src, dst netip.Addr, id uint16, ttl, proto uint8, payloadLen int) []byte {
	tot := 20 + payloadLen
	b = append(b, 0x45, tosVRRP, byte(tot>>8), byte(tot), byte(id>>8), byte(id), 0, 0, ttl, proto, 0, 0)
	var s [4]byte
	if src.Is4() {
		s = src.As4()
	}
	d := dst.As4()
	b = append(b, s[:]...)
	return append(b, d[:]...)
}

// build6 puts the payload and the PKTINFO / HOPLIMIT control messages in
// place.
func (c *conn) build6(payload []byte, src, dst netip.Addr, ttl uint8) {
	c.sbuf = append(c.sbuf[:0], payload...)
	c.sn = len(payload)
	oob := c.soob[:0]
	oob = appendCmsg(oob, unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, unix.SizeofInet6Pktinfo)
	pi := (*unix.Inet6Pktinfo)(unsafe.Pointer(&oob[len(oob)-unix.CmsgSpace(unix.SizeofInet6Pktinfo)+unix.CmsgLen(0)]))
	if src.IsValid() {
		pi.Addr = src.As16()
	}
	pi.Ifindex = uint32(c.ifindex)
	if ttl != 0 {
		oob = appendCmsg(oob, unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, 4)
		*(*int32)(unsafe.Pointer(&oob[len(oob)-unix.CmsgSpace(4)+unix.CmsgLen(0)])) = int32(ttl)
	}
	c.soob = oob
	c.sa6.Addr = dst.As16()
	c.sa6.ZoneId = 0
	if dst.IsLinkLocalUnicast() || dst.IsLinkLocalMulticast() || dst.IsInterfaceLocalMulticast() {
		c.sa6.ZoneId = uint32(c.ifindex)
	}
}

// appendCmsg appends a zeroed control message with room for n data bytes.
func appendCmsg(b []byte, level, typ int32, n int) []byte {
	start := len(b)
	sp := unix.CmsgSpace(n)
	for i := 0; i < sp; i++ {
		b = append(b, 0)
	}
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[start]))
	h.Level = level
	h.Type = typ
	h.SetLen(unix.CmsgLen(n))
	return b
}

// doWrite is the poller callback for Send.
func (c *conn) doWrite(fd uintptr) bool {
	var err error
	if c.cfg.IPv6 {
		_, err = unix.SendmsgN(int(fd), c.sbuf[:c.sn], c.soob, &c.sa6, 0)
	} else {
		err = unix.Sendto(int(fd), c.sbuf[:c.sn], c.sflags, &c.sa4)
	}
	if err == unix.EAGAIN || err == unix.EINTR {
		return false
	}
	c.serr = err
	return true
}
