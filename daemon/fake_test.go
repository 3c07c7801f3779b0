package daemon

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// fakeHost is a small in-memory host for the daemon's own tests. It records
// every request as a transcript line stamped with the test clock
// (`+3.609375s ip addr add 10.0.0.100/24 dev eth0`), adverts included, so
// a test reads like a capture.
type fakeHost struct {
	mu    sync.Mutex
	clock func() time.Duration
	lines []string
	addrs map[string]bool // "prefix dev"
	links map[string]netif.Link
	conns []*fakeConn
	// failAdd makes AddAddr of this prefix fail.
	failAdd string
	// wire keeps sent adverts in out, for a pair of harnesses (pair_test.go).
	wire bool
	out  []netif.Packet
	// quiet counts adverts in sent without recording them (allocation
	// tests: formatting a line allocates).
	quiet bool
	sent  int
	// recvEntered, if set, is signalled each time a reader enters Recv.
	recvEntered chan struct{}
}

func newFakeHost(clock func() time.Duration, links ...netif.Link) *fakeHost {
	h := &fakeHost{clock: clock, addrs: map[string]bool{}, links: map[string]netif.Link{}}
	for i, l := range links {
		l.Index = i + 2
		h.links[l.Name] = l
	}
	return h
}

func eth(name string, up bool, prefixes ...string) netif.Link {
	l := netif.Link{Name: name, Up: up, MTU: 1500, Multicast: true}
	for _, p := range prefixes {
		l.Addrs = append(l.Addrs, netip.MustParsePrefix(p))
	}
	return l
}

// ifaces is the fake host's interfaces as keepalived.data's Interfaces
// section lists them: lo, then the links by index.
func (h *fakeHost) ifaces() ([]hostIface, error) {
	out := []hostIface{{Index: 1, Name: "lo", MTU: 65536, Flags: net.FlagUp | net.FlagRunning | net.FlagLoopback,
		Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}}}
	var links []netif.Link
	for _, l := range h.links {
		links = append(links, l)
	}
	sort.Slice(links, func(i, j int) bool { return links[i].Index < links[j].Index })
	for _, l := range links {
		hi := hostIface{Index: l.Index, Name: l.Name, MTU: l.MTU, HWAddr: l.HWAddr, Flags: net.FlagBroadcast}
		if l.Up {
			hi.Flags |= net.FlagUp | net.FlagRunning
		}
		if l.Multicast {
			hi.Flags |= net.FlagMulticast
		}
		for _, p := range l.Addrs {
			hi.Addrs = append(hi.Addrs, p.Addr())
		}
		out = append(out, hi)
	}
	return out, nil
}

func (h *fakeHost) host() netif.Host {
	return netif.Host{Addresses: h, Announcer: h, Links: h, Listen: h.listen}
}

func (h *fakeHost) record(format string, args ...any) {
	h.lines = append(h.lines, fmt.Sprintf("+%s ", h.clock())+fmt.Sprintf(format, args...))
}

// take returns and forgets the recorded lines.
func (h *fakeHost) take() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.lines
	h.lines = nil
	return l
}

func (h *fakeHost) has(prefix, dev string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.addrs[prefix+" "+dev]
}

func (h *fakeHost) AddAddr(a netif.Address) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record("ip addr add %s dev %s", a.Prefix, a.Dev)
	if h.failAdd == a.Prefix.String() {
		return fmt.Errorf("fake: refused")
	}
	h.addrs[a.Prefix.String()+" "+a.Dev] = true
	return nil
}

func (h *fakeHost) DelAddr(a netif.Address) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record("ip addr del %s dev %s", a.Prefix, a.Dev)
	delete(h.addrs, a.Prefix.String()+" "+a.Dev)
	return nil
}

func (h *fakeHost) HasAddr(a netif.Address) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.addrs[a.Prefix.String()+" "+a.Dev], nil
}

func (h *fakeHost) AddRoute(r netif.Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record("ip route add %s via %s", r.Dst, r.Via)
	return nil
}

func (h *fakeHost) DelRoute(r netif.Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record("ip route del %s via %s", r.Dst, r.Via)
	return nil
}

func (h *fakeHost) AddRule(r netif.Rule) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record("ip rule add from %s table %d", r.From, r.Table)
	return nil
}

func (h *fakeHost) DelRule(r netif.Rule) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.record("ip rule del from %s table %d", r.From, r.Table)
	return nil
}

func (h *fakeHost) Announce(ifname string, addrs []netip.Addr) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	var s []string
	for _, a := range addrs {
		s = append(s, a.String())
	}
	h.record("garp %s %s", ifname, strings.Join(s, " "))
	return nil
}

func (h *fakeHost) Lookup(ifname string) (netif.Link, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.links[ifname]
	if !ok {
		return netif.Link{}, fmt.Errorf("fake: no interface %s", ifname)
	}
	return l, nil
}

func (h *fakeHost) Watch(ctx context.Context) (<-chan netif.LinkEvent, <-chan netif.AddrEvent, error) {
	// Tests deliver events by calling the daemon's handlers.
	return nil, nil, nil
}

func (h *fakeHost) listen(cfg netif.ConnConfig) (netif.Conn, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := &fakeConn{h: h, cfg: cfg, in: make(chan netif.Packet, 16)}
	h.conns = append(h.conns, c)
	return c, nil
}

// fakeConn records adverts; tests inject received ones on in (Run) or call
// onPacket (direct drive).
type fakeConn struct {
	h      *fakeHost
	cfg    netif.ConnConfig
	in     chan netif.Packet
	closed bool
}

func (c *fakeConn) Recv(ctx context.Context) (netif.Packet, error) {
	if c.h.recvEntered != nil {
		select {
		case c.h.recvEntered <- struct{}{}:
		default:
		}
	}
	select {
	case p := <-c.in:
		return p, nil
	case <-ctx.Done():
		return netif.Packet{}, ctx.Err()
	}
}

func (c *fakeConn) Send(payload []byte, src, dst netip.Addr, ttl uint8) error {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	c.h.sent++
	if c.h.quiet {
		return nil
	}
	a, err := vrrp.Decode(payload, dst.Is6(), src, dst)
	if n := len(payload) - vrrp.HMACTrailerLen; err != nil && n >= vrrp.HeaderLen {
		if a2, err2 := vrrp.Decode(payload[:n], dst.Is6(), src, dst); err2 == nil { // an auth_hmac trailer
			a, err = a2, nil
		}
	}
	if err != nil {
		c.h.record("advert %s undecodable: %v", c.cfg.Ifname, err)
		return nil
	}
	c.h.record("advert %s %s > %s vrid %d prio %d", c.cfg.Ifname, src, dst, a.VRID, a.Priority)
	if c.h.wire {
		c.h.out = append(c.h.out, netif.Packet{Src: src, Dst: dst, TTL: ttl, IPLen: 20 + len(payload), Payload: append([]byte(nil), payload...)})
	}
	return nil
}

func (c *fakeConn) Close() error {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	c.closed = true
	return nil
}

// logHandler writes each record's message, stamped with the test clock.
type logHandler struct {
	mu    *sync.Mutex
	buf   *bytes.Buffer
	clock func() time.Duration
	// detail, when it points to true, enables debug level, as -D does.
	detail *bool
}

func (l logHandler) Enabled(_ context.Context, lv slog.Level) bool {
	return lv >= slog.LevelInfo || (l.detail != nil && *l.detail)
}
func (l logHandler) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.buf, "+%s %s\n", l.clock(), r.Message)
	return nil
}
func (l logHandler) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l logHandler) WithGroup(string) slog.Handler      { return l }

// recNotifier records notifications.
type recNotifier struct {
	mu    sync.Mutex
	calls []string
}

func (n *recNotifier) add(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.calls = append(n.calls, fmt.Sprintf(format, args...))
}
func (n *recNotifier) Instance(in *config.Instance, state string, prio int) {
	n.add("INSTANCE %s %s %d", in.Name, state, prio)
}
func (n *recNotifier) Group(g *config.SyncGroup, state string) { n.add("GROUP %s %s", g.Name, state) }
func (n *recNotifier) RxLowerPri(in *config.Instance, prio int) {
	n.add("INSTANCE %s MASTER_RX_LOWER_PRI %d", in.Name, prio)
}
func (n *recNotifier) PriorityChange(in *config.Instance, state string, prio int) {
	n.add("INSTANCE %s %s_PRIORITY %d", in.Name, state, prio)
}
func (n *recNotifier) Close() { n.add("CLOSE") }

func (n *recNotifier) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := n.calls
	n.calls = nil
	return c
}

// harness drives a Daemon's handlers directly with a virtual clock: no
// goroutine runs the loop, so every test is deterministic.
type harness struct {
	t      *testing.T
	d      *Daemon
	host   *fakeHost
	notify *recNotifier
	t0     time.Time
	now    time.Time
	logMu  sync.Mutex
	logs   bytes.Buffer
	// detail is -D: keepalived's detail lines are logged.
	detail bool
	// next is what the loader returns on the next load (reload).
	next      *config.Config
	nextDiags config.Diagnostics
}

func (h *harness) clock() time.Duration { return h.now.Sub(h.t0) }

// newHarness builds a daemon for cfg on a host with the given links.
func newHarness(t *testing.T, cfg *config.Config, links ...netif.Link) *harness {
	t.Helper()
	h := &harness{t: t, t0: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), notify: &recNotifier{}}
	h.now = h.t0
	h.next = cfg
	h.host = newFakeHost(h.clock, links...)
	log := slog.New(logHandler{mu: &h.logMu, buf: &h.logs, clock: h.clock, detail: &h.detail})
	d, err := New(Options{
		ConfigFile: "keepalived.conf", Logger: log, Host: h.host.host(), TmpDir: t.TempDir(),
		Now:      func() time.Time { return h.now },
		Load:     func(string, string) (*config.Config, config.Diagnostics, error) { return h.next, h.nextDiags, nil },
		notifier: h.notify,
		ifaces:   h.host.ifaces,
		scripts:  func(*config.Config, *slog.Logger, scriptRunner) (scriptRunner, error) { return nil, nil },
		// The fake host has keepalived's script user (no "Script user
		// ... does not exist" line, whatever the machine's /etc/passwd).
		users: fakeUsers("keepalived_script"),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.d = d
	d.ctx, d.cancel = context.WithCancel(context.Background())
	t.Cleanup(d.cancel)
	return h
}

func (h *harness) start() {
	h.t.Helper()
	if err := h.d.start(h.now); err != nil {
		h.t.Fatalf("start: %v", err)
	}
}

// advance moves the clock to now+dt, firing every timer due on the way, as
// the loop's timer would.
func (h *harness) advance(dt time.Duration) {
	end := h.now.Add(dt)
	for i := 0; i < 100000; i++ {
		next, ok := h.d.nextDeadline()
		if !ok || next.After(end) {
			break
		}
		if next.After(h.now) {
			h.now = next
		}
		h.d.onTimer(h.now)
	}
	h.now = end
}

// receive hands the daemon an advert from src on the conn of instance i.
func (h *harness) receive(i int, src netip.Addr, prio uint8, vips ...string) {
	in := h.d.insts[i]
	a := vrrp.Advert{Version: uint8(in.vcfg.Version), Type: 1, VRID: in.vcfg.VRID, Priority: prio,
		AdverInt: in.vcfg.AdvertInt, IPv6: in.vcfg.IPv6, AuthType: in.vcfg.AuthType, AuthData: in.vcfg.AuthPass}
	for _, v := range vips {
		a.Addrs = append(a.Addrs, netip.MustParseAddr(v))
	}
	dst := in.vcfg.McastGroup
	pkt := a.AppendEncode(nil, src, dst)
	ipLen := 0
	if !in.vcfg.IPv6 {
		ipLen = 20 + len(pkt)
	}
	h.d.onPacket(h.now, rxPacket{conn: in.conn, pkt: netif.Packet{Src: src, Dst: dst, TTL: 255, IPLen: ipLen, Payload: pkt}})
}

// takeLogs returns and forgets the log lines.
func (h *harness) takeLogs() []string {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	s := strings.TrimRight(h.logs.String(), "\n")
	h.logs.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// vi builds a vrrp_instance as the parser completes it (keepalived
// 2.2.7 defaults).
func vi(name string, vrid int, ifname string, prio int, vips ...string) *config.Instance {
	in := config.DefaultInstance(name)
	in.Pos = config.Pos{File: "keepalived.conf", Line: 10 * vrid, Col: 1}
	in.Interface, in.VRID, in.Priority = ifname, vrid, prio
	in.Version, in.Family, in.Accept, in.UnicastTTL = 2, config.IPv4, true, 255
	in.Garp = config.DefaultGarp()
	for _, v := range vips {
		in.VIPs = append(in.VIPs, config.Address{Prefix: netip.MustParsePrefix(v)})
	}
	return in
}

func configOf(ins ...*config.Instance) *config.Config {
	return &config.Config{Files: []string{"keepalived.conf"}, Global: config.DefaultGlobal(), Instances: ins}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func mustAddr(s string) netip.Addr     { return netip.MustParseAddr(s) }

func linkEvent(name string, up bool) netif.LinkEvent {
	return netif.LinkEvent{Ifname: name, Up: up}
}

// sortStrings compares string slices as multisets.
func sortStrings() cmp.Option {
	return cmpopts.SortSlices(func(a, b string) bool { return a < b })
}
