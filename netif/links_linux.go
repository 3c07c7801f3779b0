package netif

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// nlLinks is the Linux Links.
type nlLinks struct {
	ns  boundNS
	mu  sync.Mutex
	h   *netlink.Handle
	err error
}

// NewLinks returns the Linux Links, bound to the calling thread's network
// namespace.
func NewLinks() Links {
	l := &nlLinks{}
	l.ns, l.err = currentNS()
	if l.err == nil {
		l.h, l.err = netlink.NewHandleAt(l.ns.nsHandle(), unix.NETLINK_ROUTE)
	}
	return l
}

// Close releases the netlink socket.
func (l *nlLinks) Close() error {
	if l.h != nil {
		l.h.Close()
	}
	l.ns.close()
	return nil
}

// Lookup returns a snapshot of ifname. Addrs lists the primary IPv4
// addresses first (in the kernel's order, so Addrs[0] is the one keepalived
// sends from), then secondary IPv4 ones, then IPv6 ones, link-local first
// and tentative or DAD-failed ones last.
func (l *nlLinks) Lookup(ifname string) (Link, error) {
	if l.err != nil {
		return Link{}, l.err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	lk, err := l.h.LinkByName(ifname)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return Link{}, fmt.Errorf("netif: %q: %w", ifname, ErrNotFound)
		}
		return Link{}, fmt.Errorf("netif: link %q: %w", ifname, err)
	}
	a := lk.Attrs()
	out := Link{
		Name:      a.Name,
		Index:     a.Index,
		Up:        isUp(a.RawFlags),
		MTU:       a.MTU,
		HWAddr:    append([]byte(nil), a.HardwareAddr...),
		Multicast: a.RawFlags&unix.IFF_MULTICAST != 0,
	}
	addrs, err := l.h.AddrList(lk, netlink.FAMILY_ALL)
	if err != nil {
		return Link{}, fmt.Errorf("netif: addresses of %q: %w", ifname, err)
	}
	out.Addrs = orderAddrs(addrs)
	return out, nil
}

// orderAddrs sorts (stably, keeping the kernel's order within a class) into
// the order Link.Addrs documents.
func orderAddrs(addrs []netlink.Addr) []netip.Prefix {
	rank := func(a netlink.Addr) int {
		p := ipNetToPrefix(a.IPNet)
		switch {
		case p.Addr().Is4() && a.Flags&unix.IFA_F_SECONDARY == 0:
			return 0
		case p.Addr().Is4():
			return 1
		case a.Flags&(unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED) != 0:
			return 4
		case p.Addr().IsLinkLocalUnicast():
			return 2
		}
		return 3
	}
	sort.SliceStable(addrs, func(i, j int) bool { return rank(addrs[i]) < rank(addrs[j]) })
	out := make([]netip.Prefix, 0, len(addrs))
	for _, a := range addrs {
		if p := ipNetToPrefix(a.IPNet); p.IsValid() {
			out = append(out, p)
		}
	}
	return out
}

func isUp(flags uint32) bool {
	return flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING != 0
}

// linkState is what a watcher last reported for a name.
type linkState struct {
	index int
	up    bool
}

// Watch subscribes to link and address changes (rtnetlink multicast
// groups, no polling) and streams them until ctx ends, when both channels
// close. Link events are de-duplicated: one is sent when a name appears,
// goes up or down, changes index (deleted and created again) or goes away;
// a rename reports the old name deleted. The current state of every link is
// sent first. If the kernel drops notifications (a full socket buffer), the
// watcher subscribes again and reconciles with a fresh listing, so a
// missed deletion is still reported.
func (l *nlLinks) Watch(ctx context.Context) (<-chan LinkEvent, <-chan AddrEvent, error) {
	if l.err != nil {
		return nil, nil, l.err
	}
	w := &watcher{links: l, state: map[string]linkState{}, names: map[int]string{},
		lq: newQueue[LinkEvent](), aq: newQueue[AddrEvent]()}
	sub, err := w.subscribe()
	if err != nil {
		return nil, nil, err
	}
	go w.lq.pump(ctx)
	go w.aq.pump(ctx)
	go w.run(ctx, sub)
	return w.lq.out, w.aq.out, nil
}

// queue is an unbounded FIFO in front of a channel, so that the netlink
// reader never waits on the reader of either channel: a caller slow to read
// address events must not hold up link events (a link going down also
// removes and re-adds IPv6 addresses, so address events come in bursts).
type queue[T any] struct {
	mu   sync.Mutex
	buf  []T
	wake chan struct{}
	out  chan T
}

func newQueue[T any]() *queue[T] {
	return &queue[T]{wake: make(chan struct{}, 1), out: make(chan T)}
}

func (q *queue[T]) push(v T) {
	q.mu.Lock()
	q.buf = append(q.buf, v)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// pump feeds out until ctx ends, then closes it.
func (q *queue[T]) pump(ctx context.Context) {
	defer close(q.out)
	for {
		q.mu.Lock()
		var (
			out  chan T
			head T
		)
		if len(q.buf) > 0 {
			out, head = q.out, q.buf[0]
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case out <- head:
			q.mu.Lock()
			var zero T
			q.buf[0] = zero
			q.buf = q.buf[1:]
			q.mu.Unlock()
		}
	}
}

type watcher struct {
	links *nlLinks
	state map[string]linkState // by name
	names map[int]string       // index -> name
	lq    *queue[LinkEvent]
	aq    *queue[AddrEvent]
}

type subscription struct {
	done  chan struct{}
	lch   chan netlink.LinkUpdate
	ach   chan netlink.AddrUpdate
	errCh chan error
}

func (s *subscription) stop() {
	close(s.done)
	// Drain so the library's goroutines can exit.
	go func() {
		for range s.lch {
		}
	}()
	go func() {
		for range s.ach {
		}
	}()
}

func (w *watcher) subscribe() (*subscription, error) {
	s := &subscription{
		done:  make(chan struct{}),
		lch:   make(chan netlink.LinkUpdate, 256),
		ach:   make(chan netlink.AddrUpdate, 256),
		errCh: make(chan error, 2),
	}
	nsp := w.links.ns.nsPtr()
	onErr := func(err error) {
		select {
		case s.errCh <- err:
		default:
		}
	}
	if err := netlink.LinkSubscribeWithOptions(s.lch, s.done, netlink.LinkSubscribeOptions{
		Namespace: nsp, ErrorCallback: onErr, ReceiveBufferSize: 1 << 20}); err != nil {
		close(s.done)
		return nil, fmt.Errorf("netif: subscribe to links: %w", err)
	}
	if err := netlink.AddrSubscribeWithOptions(s.ach, s.done, netlink.AddrSubscribeOptions{
		Namespace: nsp, ErrorCallback: onErr, ReceiveBufferSize: 1 << 20}); err != nil {
		s.stop()
		return nil, fmt.Errorf("netif: subscribe to addresses: %w", err)
	}
	return s, nil
}

// reconcile lists every link and reports differences with what was sent,
// including links that went away unseen.
func (w *watcher) reconcile(ctx context.Context) error {
	w.links.mu.Lock()
	list, err := w.links.h.LinkList()
	w.links.mu.Unlock()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, lk := range list {
		a := lk.Attrs()
		seen[a.Name] = true
		if !w.update(ctx, a.Name, a.Index, isUp(a.RawFlags)) {
			return ctx.Err()
		}
	}
	var gone []string
	for name := range w.state {
		if !seen[name] {
			gone = append(gone, name)
		}
	}
	sort.Strings(gone)
	for _, name := range gone {
		if !w.remove(ctx, name) {
			return ctx.Err()
		}
	}
	return nil
}

func (w *watcher) send(ctx context.Context, ev LinkEvent) bool {
	w.lq.push(ev)
	return ctx.Err() == nil
}

// update records the state of name and sends an event when it changed.
func (w *watcher) update(ctx context.Context, name string, index int, up bool) bool {
	if old, ok := w.names[index]; ok && old != name {
		// renamed: the old name is gone
		if !w.remove(ctx, old) {
			return false
		}
	}
	prev, ok := w.state[name]
	if ok && prev.index != index {
		// the name came back with a new index without us seeing it go
		if !w.remove(ctx, name) {
			return false
		}
		ok = false
	}
	if ok && prev.up == up {
		return true
	}
	w.state[name] = linkState{index: index, up: up}
	w.names[index] = name
	return w.send(ctx, LinkEvent{Ifname: name, Ifindex: index, Up: up})
}

func (w *watcher) remove(ctx context.Context, name string) bool {
	prev, ok := w.state[name]
	if !ok {
		return true
	}
	delete(w.state, name)
	if w.names[prev.index] == name {
		delete(w.names, prev.index)
	}
	return w.send(ctx, LinkEvent{Ifname: name, Ifindex: prev.index, Deleted: true})
}

func (w *watcher) nameOf(index int) string {
	if n, ok := w.names[index]; ok {
		return n
	}
	w.links.mu.Lock()
	defer w.links.mu.Unlock()
	if lk, err := w.links.h.LinkByIndex(index); err == nil {
		return lk.Attrs().Name
	}
	return ""
}

func (w *watcher) run(ctx context.Context, sub *subscription) {
	defer func() { sub.stop() }()
	if w.reconcile(ctx) != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-sub.lch:
			if !ok {
				sub = w.resubscribe(ctx, sub)
				if sub == nil {
					return
				}
				continue
			}
			a := u.Attrs()
			if u.Header.Type == unix.RTM_DELLINK {
				if w.state[a.Name].index == a.Index {
					if !w.remove(ctx, a.Name) {
						return
					}
				}
				continue
			}
			if !w.update(ctx, a.Name, a.Index, isUp(u.IfInfomsg.Flags)) {
				return
			}
		case u, ok := <-sub.ach:
			if !ok {
				sub = w.resubscribe(ctx, sub)
				if sub == nil {
					return
				}
				continue
			}
			ev := AddrEvent{Ifname: w.nameOf(u.LinkIndex), Ifindex: u.LinkIndex,
				Prefix: ipNetToPrefix(&u.LinkAddress), Deleted: !u.NewAddr}
			w.aq.push(ev)
		case <-sub.errCh:
			sub = w.resubscribe(ctx, sub)
			if sub == nil {
				return
			}
		}
	}
}

// resubscribe replaces a failed subscription and reconciles; nil when ctx
// ended.
func (w *watcher) resubscribe(ctx context.Context, old *subscription) *subscription {
	old.stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		sub, err := w.subscribe()
		if err == nil {
			if w.reconcile(ctx) != nil {
				sub.stop()
				return nil
			}
			return sub
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}
