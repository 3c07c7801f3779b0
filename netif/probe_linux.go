package netif

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"
	"unsafe"

	"github.com/mdlayher/packet"
	"github.com/vishvananda/netlink"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// prober is the Linux Prober: per interface one ARP and one IPv6 packet
// socket that both send the probes and read claims, each read by a
// goroutine of its own until Close. Steady state allocates only for a
// claim heard (the ProbeAnswer's MAC copy); the probe frames reuse one
// buffer.
type prober struct {
	ns  boundNS
	out chan ProbeAnswer

	mu     sync.Mutex
	h      *netlink.Handle
	ctl    int // a datagram socket of ns for the interface ioctls (0: none yet)
	conns  map[string]*probeConn
	buf    []byte
	closed bool
	wg     sync.WaitGroup

	// local is every MAC of this host's interfaces, read again when a
	// claim comes from a MAC not in it: a claim from one of them is this
	// host's kernel answering on another interface of the same segment
	// (arp_ignore 0 answers for any local address), not a second master.
	// Reading it at every Probe instead was a netlink link dump per probe
	// (1,000 masters probe 200 times a second): most of the daemon's CPU
	// and all of its steady-state allocations.
	lmu   sync.RWMutex
	local map[[6]byte]int // how many interfaces have the MAC
	// localAt is when local was last read (under p.mu): at most once a
	// second, so that a flood of foreign claims is not a dump per packet.
	localAt time.Time
}

// localCount is how many of this host's interfaces have mac, reading
// the host's MACs again if it is not among those last read (a new
// interface, a VMAC, a changed address).
func (p *prober) localCount(mac net.HardwareAddr) int {
	if len(mac) != 6 {
		return 0
	}
	p.lmu.RLock()
	n := p.local[[6]byte(mac)]
	p.lmu.RUnlock()
	if n > 0 {
		return n
	}
	p.mu.Lock()
	if !p.closed && p.h != nil && time.Since(p.localAt) >= time.Second {
		p.refreshLocal()
		p.localAt = time.Now()
	}
	p.mu.Unlock()
	p.lmu.RLock()
	defer p.lmu.RUnlock()
	return p.local[[6]byte(mac)]
}

// isLocal reports whether mac is one of this host's interfaces'.
func (p *prober) isLocal(mac net.HardwareAddr) bool { return p.localCount(mac) > 0 }

// refreshLocal re-reads the host's interface MACs (under p.mu).
func (p *prober) refreshLocal() {
	links, err := p.h.LinkList()
	if err != nil {
		return // keep the last set
	}
	m := make(map[[6]byte]int, len(links))
	for _, l := range links {
		if hw := l.Attrs().HardwareAddr; len(hw) == 6 {
			m[[6]byte(hw)]++
		}
	}
	p.lmu.Lock()
	p.local = m
	p.lmu.Unlock()
}

type probeConn struct {
	index int
	mac   net.HardwareAddr
	mtu   int
	arp   *packet.Conn
	nd    *packet.Conn
	// arpTx and ndTx send on arp and nd (under prober.mu).
	arpTx, ndTx *frameSender
	// watch is every address probed on the interface: only claims for
	// those are reported, so that the LAN's ordinary ARP traffic does not
	// wake the daemon.
	mu    sync.RWMutex
	watch map[netip.Addr]struct{}
}

func (c *probeConn) watched(a netip.Addr) bool {
	c.mu.RLock()
	_, ok := c.watch[a]
	c.mu.RUnlock()
	return ok
}

func (c *probeConn) close() {
	if c.arp != nil {
		c.arp.Close()
	}
	if c.nd != nil {
		c.nd.Close()
	}
}

// naOnly accepts ICMPv6 neighbour advertisements (next header 58 at
// Ethernet+6, ICMPv6 type 136 at Ethernet+40) and nothing else, so the
// IPv6 socket does not queue the interface's whole IPv6 traffic. Extension
// headers before ICMPv6 are not followed: NAs carry none.
var naOnly, _ = bpf.Assemble([]bpf.Instruction{
	bpf.LoadAbsolute{Off: 14 + 6, Size: 1},
	bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 58, SkipTrue: 3},
	bpf.LoadAbsolute{Off: 14 + 40, Size: 1},
	bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: 136, SkipTrue: 1},
	bpf.RetConstant{Val: 256},
	bpf.RetConstant{Val: 0},
})

// NewProber returns the Linux Prober, bound to the calling thread's network
// namespace. Sockets are opened by the first Probe of each interface.
func NewProber() (Prober, error) {
	ns, err := currentNS()
	if err != nil {
		return nil, err
	}
	return &prober{ns: ns, out: make(chan ProbeAnswer, 64), conns: map[string]*probeConn{}}, nil
}

func (p *prober) Answers() <-chan ProbeAnswer { return p.out }

// Close closes every socket and waits for the readers.
func (p *prober) Close() error {
	p.mu.Lock()
	p.closed = true
	for n, c := range p.conns {
		c.close()
		delete(p.conns, n)
	}
	if p.h != nil {
		p.h.Close()
		p.h = nil
	}
	if p.ctl > 0 {
		unix.Close(p.ctl)
		p.ctl = 0
	}
	p.mu.Unlock()
	p.wg.Wait()
	p.ns.close()
	return nil
}

// Probe sends one ARP probe per IPv4 address and one DAD neighbour
// solicitation per IPv6 address on ifname, from the interface's MAC.
// A NOARP interface gets nothing.
func (p *prober) Probe(ifname string, addrs []netip.Addr) error {
	if len(addrs) == 0 {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	c := p.conns[ifname]
	if c == nil || !p.unchanged(ifname, c) {
		attrs, err := ethernetLink(&p.h, p.ns, "probe", ifname)
		if attrs == nil {
			return err // nil for a NOARP interface: nothing to probe
		}
		if c != nil && (c.index != attrs.Index || !bytes.Equal(c.mac, attrs.HardwareAddr)) {
			c.close()
			delete(p.conns, ifname)
			c = nil
		}
		if c == nil {
			c = &probeConn{index: attrs.Index, mac: append(net.HardwareAddr(nil), attrs.HardwareAddr...), mtu: attrs.MTU, watch: map[netip.Addr]struct{}{}}
			p.conns[ifname] = c
		}
	}
	mac := c.mac
	var err error
	var has4, has6 bool
	for _, ip := range addrs {
		if !c.watched(ip.Unmap()) {
			c.mu.Lock()
			c.watch[ip.Unmap()] = struct{}{}
			c.mu.Unlock()
		}
		if ip.Unmap().Is4() {
			has4 = true
		} else {
			has6 = true
		}
	}
	open := func(ifi *net.Interface) error {
		if has4 && c.arp == nil {
			pc, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_ARP, nil)
			if err != nil {
				return fmt.Errorf("packet socket: %w", err)
			}
			tx, err := newFrameSender(pc, c.index, unix.ETH_P_ARP)
			if err != nil {
				pc.Close()
				return err
			}
			ignoreOutgoing(pc)
			c.arp, c.arpTx = pc, tx
			p.read(ifname, c, pc)
		}
		if has6 && c.nd == nil {
			pc, err := packet.Listen(ifi, packet.Raw, unix.ETH_P_IPV6, &packet.Config{Filter: naOnly})
			if err != nil {
				return fmt.Errorf("packet socket: %w", err)
			}
			tx, err := newFrameSender(pc, c.index, unix.ETH_P_IPV6)
			if err != nil {
				pc.Close()
				return err
			}
			ignoreOutgoing(pc)
			c.nd, c.ndTx = pc, tx
			p.read(ifname, c, pc)
		}
		return nil
	}
	if (has4 && c.arp == nil) || (has6 && c.nd == nil) {
		// Only when a socket is missing: the interface value and the
		// closure are allocations, and the sockets stay open.
		ifi := &net.Interface{Index: c.index, Name: ifname, HardwareAddr: mac, MTU: c.mtu}
		if err := p.ns.do(func() error { return open(ifi) }); err != nil {
			return fmt.Errorf("netif: probe on %s: %w", ifname, err)
		}
	}
	var errs []error
	for _, ip := range addrs {
		ip = ip.Unmap()
		var (
			frame []byte
			tx    *frameSender
		)
		if ip.Is4() {
			frame, err = AppendARPProbe(p.buf[:0], mac, ip)
			tx = c.arpTx
		} else {
			frame, err = AppendNSProbe(p.buf[:0], mac, ip)
			tx = c.ndTx
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p.buf = frame
		if err := tx.send(frame); err != nil {
			errs = append(errs, fmt.Errorf("netif: probe %s on %s: %w", ip, ifname, err))
		}
	}
	return errors.Join(errs...)
}

// read starts the reader of one socket: every claim for a watched address
// from another MAC, or from our own MAC but another host (a twin: a claim,
// or a conflict probe we did not send), goes to p.out, without blocking.
// It ends when the socket is closed.
func (p *prober) read(ifname string, c *probeConn, pc *packet.Conn) {
	own := c.mac
	rc, rcErr := pc.SyscallConn()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if rcErr != nil {
			return
		}
		r := newFrameReader(rc, 1514)
		for {
			frame, pkttype, err := r.recv()
			if err != nil {
				return
			}
			addr, mac, ok := ParseClaim(frame)
			probe := false
			if !ok {
				addr, mac, ok = ParseARPProbe(frame)
				probe = true
			}
			if !ok || !c.watched(addr) {
				continue
			}
			twin := false
			if bytes.Equal(mac, own) {
				twin = pkttype != unix.PACKET_OUTGOING && p.localCount(own) <= 1
				if !twin {
					continue
				}
			} else if probe || p.isLocal(mac) {
				continue
			}
			a := ProbeAnswer{Ifname: ifname, Addr: addr, MAC: append(net.HardwareAddr(nil), mac...), Own: own, Twin: twin}
			select {
			case p.out <- a:
			default:
			}
		}
	}()
}

// ignoreOutgoing asks the kernel not to hand pc the frames this host sends
// (PACKET_IGNORE_OUTGOING, Linux 4.20): the probes and gratuitous ARPs of
// 1,000 masters would otherwise wake the claim reader hundreds of times a
// second for frames it drops (they come from our own MAC). On an older
// kernel the reader still drops them.
func ignoreOutgoing(pc *packet.Conn) {
	rc, err := pc.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Control(func(fd uintptr) {
		_ = unix.SetsockoptInt(int(fd), unix.SOL_PACKET, unix.PACKET_IGNORE_OUTGOING, 1)
	})
}

// ifreq is the kernel's struct ifreq for the SIOCGIF* ioctls: the name,
// then the union (a short for the flags, an int for the index, a sockaddr
// for the hardware address).
type ifreq struct {
	name [unix.IFNAMSIZ]byte
	data [24]byte
}

// unchanged reports whether ifname still has the index and MAC its open
// sockets were made for and still does ARP (under p.mu), with three ioctls
// and no allocation: a netlink link lookup at every probe was dozens of
// objects each, 200 times a second with 1,000 masters. false sends Probe
// to the netlink lookup, which opens the sockets again if needed.
func (p *prober) unchanged(ifname string, c *probeConn) bool {
	if p.ctl <= 0 {
		err := p.ns.do(func() error {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
			if err == nil {
				p.ctl = fd
			}
			return err
		})
		if err != nil {
			return false
		}
	}
	if len(ifname) >= unix.IFNAMSIZ {
		return false
	}
	var r ifreq
	copy(r.name[:], ifname)
	ioctl := func(req uintptr) bool {
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(p.ctl), req, uintptr(unsafe.Pointer(&r)))
		return errno == 0
	}
	if !ioctl(unix.SIOCGIFINDEX) || int(*(*int32)(unsafe.Pointer(&r.data[0]))) != c.index {
		return false
	}
	if !ioctl(unix.SIOCGIFFLAGS) || *(*uint16)(unsafe.Pointer(&r.data[0]))&unix.IFF_NOARP != 0 {
		return false
	}
	// The hardware address is a sockaddr: family (2 bytes), then the MAC.
	return ioctl(unix.SIOCGIFHWADDR) && bytes.Equal(r.data[2:2+len(c.mac)], c.mac)
}
