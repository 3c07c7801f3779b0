// Package fake is an in-memory host for daemon tests: it implements netif's
// Addresses, Announcer, Links, VMACs and ListenFunc, records every request
// as the `ip ...` command line that would do the same
// (`ip addr add 10.0.0.1/24 dev eth0`), and carries VRRP packets between
// hosts plugged into the same Segment.
//
//	seg := fake.NewSegment()
//	a := fake.NewHost("a", fake.Eth("eth0", "10.0.0.1/24"))
//	b := fake.NewHost("b", fake.Eth("eth0", "10.0.0.2/24"))
//	a.Plug("eth0", seg)
//	b.Plug("eth0", seg)
//	daemonA := daemon.New(a.Seams(), ...)
//	...
//	if diff := cmp.Diff(want, a.Lines()); diff != "" { ... }
package fake

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/keepalived-go/keepalived/netif"
)

// Host is one fake machine. All methods are safe for concurrent use.
type Host struct {
	Name string

	mu        sync.Mutex
	lines     []string
	addrs     []netif.Address // installed, in order of addition
	routes    []netif.Route
	rules     []netif.Rule
	links     map[string]*netif.Link
	nextIndex int
	segs      map[string]*Segment // ifname -> segment
	watchers  []*watcher
	fail      map[string]error // op prefix -> error for the next matching call
}

// Eth returns an up, multicast Ethernet link with the given addresses
// (primary IPv4 first, as Lookup reports them). Its index and MAC are
// assigned by NewHost / AddLink.
func Eth(name string, prefixes ...string) netif.Link {
	l := netif.Link{Name: name, Up: true, MTU: 1500, Multicast: true}
	for _, p := range prefixes {
		l.Addrs = append(l.Addrs, netip.MustParsePrefix(p))
	}
	return l
}

// NewHost returns a host with the given links (indexes from 2, as after lo).
func NewHost(name string, links ...netif.Link) *Host {
	h := &Host{Name: name, links: map[string]*netif.Link{}, nextIndex: 2, segs: map[string]*Segment{}, fail: map[string]error{}}
	for _, l := range links {
		h.addLinkLocked(l)
	}
	return h
}

// Seams returns the netif.Host the daemon is given.
func (h *Host) Seams() netif.Host {
	return netif.Host{Listen: h.Listen, Addresses: h, Announcer: h, Links: h, VMACs: h}
}

// Lines returns the recorded commands, oldest first.
func (h *Host) Lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.lines)
}

// Transcript is Lines joined with newlines (and a final newline).
func (h *Host) Transcript() string {
	l := h.Lines()
	if len(l) == 0 {
		return ""
	}
	return strings.Join(l, "\n") + "\n"
}

// Reset forgets the recorded commands (not the state).
func (h *Host) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = nil
}

// FailNext makes the next call whose command line starts with prefix (for
// example "ip addr add 10.0.0.10") fail with err, after recording it.
func (h *Host) FailNext(prefix string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail[prefix] = err
}

func (h *Host) record(line string) error {
	h.lines = append(h.lines, line)
	for p, err := range h.fail {
		if strings.HasPrefix(line, p) {
			delete(h.fail, p)
			return err
		}
	}
	return nil
}

// Addrs returns the installed addresses as `ip addr add` lines, sorted.
func (h *Host) Addrs() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, a := range h.addrs {
		out = append(out, fmt.Sprintf("%s dev %s", a.Prefix, a.Dev))
	}
	sort.Strings(out)
	return out
}

func sameAddr(a, b netif.Address) bool {
	return a.Dev == b.Dev && a.Prefix.Addr() == b.Prefix.Addr()
}

// AddAddr implements netif.Addresses.
func (h *Host) AddAddr(a netif.Address) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record(netif.AddrCommand("add", a)); err != nil {
		return err
	}
	l, ok := h.links[a.Dev]
	if !ok {
		return fmt.Errorf("fake: %q: %w", a.Dev, netif.ErrNotFound)
	}
	for _, x := range h.addrs {
		if sameAddr(x, a) {
			return nil
		}
	}
	h.addrs = append(h.addrs, a)
	l.Addrs = append(l.Addrs, a.Prefix)
	h.notifyAddr(l, a.Prefix, false)
	return nil
}

// DelAddr implements netif.Addresses.
func (h *Host) DelAddr(a netif.Address) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record(netif.AddrCommand("del", a)); err != nil {
		return err
	}
	h.addrs = slices.DeleteFunc(h.addrs, func(x netif.Address) bool { return sameAddr(x, a) })
	if l, ok := h.links[a.Dev]; ok {
		n := len(l.Addrs)
		l.Addrs = slices.DeleteFunc(l.Addrs, func(p netip.Prefix) bool { return p.Addr() == a.Prefix.Addr() })
		if len(l.Addrs) != n {
			h.notifyAddr(l, a.Prefix, true)
		}
	}
	return nil
}

// HasAddr implements netif.Addresses (not recorded: it asks, it does not do).
func (h *Host) HasAddr(a netif.Address) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.links[a.Dev]; ok {
		for _, p := range l.Addrs {
			if p.Addr() == a.Prefix.Addr() {
				return true, nil
			}
		}
	}
	return false, nil
}

// AddRoute implements netif.Addresses.
func (h *Host) AddRoute(r netif.Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record(netif.RouteCommand("add", r)); err != nil {
		return err
	}
	if !slices.Contains(h.routes, r) {
		h.routes = append(h.routes, r)
	}
	return nil
}

// DelRoute implements netif.Addresses.
func (h *Host) DelRoute(r netif.Route) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record(netif.RouteCommand("del", r)); err != nil {
		return err
	}
	h.routes = slices.DeleteFunc(h.routes, func(x netif.Route) bool { return x == r })
	return nil
}

// AddRule implements netif.Addresses.
func (h *Host) AddRule(r netif.Rule) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record(netif.RuleCommand("add", r)); err != nil {
		return err
	}
	if !slices.Contains(h.rules, r) {
		h.rules = append(h.rules, r)
	}
	return nil
}

// DelRule implements netif.Addresses.
func (h *Host) DelRule(r netif.Rule) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record(netif.RuleCommand("del", r)); err != nil {
		return err
	}
	h.rules = slices.DeleteFunc(h.rules, func(x netif.Rule) bool { return x == r })
	return nil
}

// Routes and Rules return what is installed, as `ip route` / `ip rule` add
// lines.
func (h *Host) Routes() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.routes {
		out = append(out, netif.RouteCommand("add", r))
	}
	for _, r := range h.rules {
		out = append(out, netif.RuleCommand("add", r))
	}
	return out
}

// Announce implements netif.Announcer: one line per address,
// `arping -U -c 1 -I eth0 10.0.0.1` for IPv4 and
// `ndsend 2001:db8::1 eth0` for IPv6 (the tools that send the same frames).
func (h *Host) Announce(ifname string, addrs []netip.Addr) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, ok := h.links[ifname]
	var errs []error
	for _, a := range addrs {
		var line string
		if a.Unmap().Is4() {
			line = fmt.Sprintf("arping -U -c 1 -I %s %s", ifname, a.Unmap())
		} else {
			line = fmt.Sprintf("ndsend %s %s", a, ifname)
		}
		if err := h.record(line); err != nil {
			errs = append(errs, err)
		}
	}
	if !ok {
		errs = append(errs, fmt.Errorf("fake: announce on %q: %w", ifname, netif.ErrNotFound))
	}
	return errors.Join(errs...)
}

// EnsureVMAC implements netif.VMACs: it records the `ip link add` and
// creates an up link with the MAC (reusing a matching one).
func (h *Host) EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (string, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.links[parent]; !ok {
		return "", false, fmt.Errorf("fake: vmac parent %q: %w", parent, netif.ErrNotFound)
	}
	if name == "" && len(mac) == 6 {
		for _, n := range netif.DefaultVMACNames(mac[5], ipv6, 8) {
			if l, ok := h.links[n]; !ok || string(l.HWAddr) == string(mac) {
				name = n
				break
			}
		}
	}
	if l, ok := h.links[name]; ok {
		if string(l.HWAddr) == string(mac) {
			return name, false, nil
		}
		return "", false, fmt.Errorf("fake: vmac %s exists with another MAC", name)
	}
	if err := h.record(fmt.Sprintf("ip link add link %s name %s address %s type macvlan mode private", parent, name, mac)); err != nil {
		return "", false, err
	}
	h.addLinkLocked(netif.Link{Name: name, Up: true, MTU: 1500, HWAddr: slices.Clone(mac), Multicast: true})
	return name, true, nil
}

// DeleteVMAC implements netif.VMACs.
func (h *Host) DeleteVMAC(name string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.record("ip link del " + name); err != nil {
		return err
	}
	h.delLinkLocked(name)
	return nil
}

// Lookup implements netif.Links.
func (h *Host) Lookup(ifname string) (netif.Link, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.links[ifname]
	if !ok {
		return netif.Link{}, fmt.Errorf("fake: %q: %w", ifname, netif.ErrNotFound)
	}
	c := *l
	c.Addrs = slices.Clone(l.Addrs)
	c.HWAddr = slices.Clone(l.HWAddr)
	return c, nil
}

func (h *Host) addLinkLocked(l netif.Link) {
	l.Index = h.nextIndex
	h.nextIndex++
	if len(l.HWAddr) == 0 {
		l.HWAddr = []byte{0x02, 0, 0, byte(len(h.Name)), byte(l.Index >> 8), byte(l.Index)}
	}
	c := l
	h.links[l.Name] = &c
	h.notifyLink(netif.LinkEvent{Ifname: l.Name, Ifindex: l.Index, Up: l.Up})
}

func (h *Host) delLinkLocked(name string) {
	l, ok := h.links[name]
	if !ok {
		return
	}
	delete(h.links, name)
	h.notifyLink(netif.LinkEvent{Ifname: name, Ifindex: l.Index, Deleted: true})
}

// AddLink adds (or, if the name exists, recreates with a new index) a link,
// as `ip link add` would, and tells watchers.
func (h *Host) AddLink(l netif.Link) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.delLinkLocked(l.Name)
	h.addLinkLocked(l)
}

// DelLink deletes a link and tells watchers.
func (h *Host) DelLink(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.delLinkLocked(name)
}

// SetUp sets a link up or down and tells watchers. A down link neither
// sends nor receives VRRP.
func (h *Host) SetUp(name string, up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.links[name]
	if !ok || l.Up == up {
		return
	}
	l.Up = up
	h.notifyLink(netif.LinkEvent{Ifname: name, Ifindex: l.Index, Up: up})
}

type watcher struct {
	ctx  context.Context
	mu   sync.Mutex // guards the queues against the pump
	lq   []netif.LinkEvent
	aq   []netif.AddrEvent
	wake chan struct{}
}

// Watch implements netif.Links: the current links first, then changes, in
// order. Events are queued without bound, so a slow reader never blocks
// the host.
func (h *Host) Watch(ctx context.Context) (<-chan netif.LinkEvent, <-chan netif.AddrEvent, error) {
	h.mu.Lock()
	w := &watcher{ctx: ctx, wake: make(chan struct{}, 1)}
	names := make([]string, 0, len(h.links))
	for n := range h.links {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		l := h.links[n]
		w.lq = append(w.lq, netif.LinkEvent{Ifname: n, Ifindex: l.Index, Up: l.Up})
	}
	h.watchers = append(h.watchers, w)
	h.mu.Unlock()
	lch := make(chan netif.LinkEvent)
	ach := make(chan netif.AddrEvent)
	go w.pump(lch, ach)
	w.kick()
	return lch, ach, nil
}

func (w *watcher) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) pump(lch chan netif.LinkEvent, ach chan netif.AddrEvent) {
	defer close(lch)
	defer close(ach)
	for {
		w.mu.Lock()
		var (
			lc  chan netif.LinkEvent
			ac  chan netif.AddrEvent
			lev netif.LinkEvent
			aev netif.AddrEvent
		)
		if len(w.lq) > 0 {
			lc, lev = lch, w.lq[0]
		}
		if len(w.aq) > 0 {
			ac, aev = ach, w.aq[0]
		}
		w.mu.Unlock()
		select {
		case <-w.ctx.Done():
			return
		case <-w.wake:
		case lc <- lev:
			w.mu.Lock()
			w.lq = w.lq[1:]
			w.mu.Unlock()
		case ac <- aev:
			w.mu.Lock()
			w.aq = w.aq[1:]
			w.mu.Unlock()
		}
	}
}

func (h *Host) notifyLink(ev netif.LinkEvent) {
	for _, w := range h.watchers {
		w.mu.Lock()
		w.lq = append(w.lq, ev)
		w.mu.Unlock()
		w.kick()
	}
}

func (h *Host) notifyAddr(l *netif.Link, p netip.Prefix, deleted bool) {
	for _, w := range h.watchers {
		w.mu.Lock()
		w.aq = append(w.aq, netif.AddrEvent{Ifname: l.Name, Ifindex: l.Index, Prefix: p, Deleted: deleted})
		w.mu.Unlock()
		w.kick()
	}
}
