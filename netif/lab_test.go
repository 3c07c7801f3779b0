package netif

// The kernel tests' lab: throwaway network namespaces named kgn-*, wired
// with veth pairs (and a bridge in a "switch" namespace when more than two
// hosts share a segment), removed by t.Cleanup even when a test fails.
//
// Approach to namespaces: nothing here ever switches the test's own
// thread. Set-up goes through `ip -n NS ...`; code under test is
// constructed inside WithNetns, which runs it on a locked OS thread
// switched into the namespace and switches back. Sockets and netlink
// handles keep the namespace they were created in, so the objects are then
// used from ordinary goroutines.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

var labSeq atomic.Int32

type lab struct {
	t  testing.TB
	id string
}

func newLab(t testing.TB) *lab {
	testenv.NeedRoot(t)
	return &lab{t: t, id: fmt.Sprintf("%d-%d", os.Getpid()%100000, labSeq.Add(1))}
}

// ns creates namespace kgn-<id>-<name> with lo up and IPv6 DAD off, and
// returns its name.
func (l *lab) ns(name string) string {
	l.t.Helper()
	n := "kgn-" + l.id + "-" + name
	testenv.Netns(l.t, n)
	l.sysctl(n, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	return n
}

func nsPath(ns string) string { return "/run/netns/" + ns }

func (l *lab) ip(ns string, args ...string) string {
	l.t.Helper()
	return testenv.IP(l.t, append([]string{"-n", ns}, args...)...)
}

func (l *lab) sysctl(ns string, kv ...string) {
	l.t.Helper()
	testenv.Sysctl(l.t, ns, kv...)
}

func (l *lab) readSysctl(ns, key string) string {
	l.t.Helper()
	return strings.TrimSpace(testenv.IP(l.t, "netns", "exec", ns, "sysctl", "-n", key))
}

// veth links nsA/ifA with nsB/ifB, both up, with the given MACs if set.
func (l *lab) veth(nsA, ifA, macA, nsB, ifB, macB string) {
	l.t.Helper()
	testenv.Veth(l.t, nsA, ifA, macA, nsB, ifB, macB)
}

// pair returns two namespaces joined by a veth (eth0 in each) with
// 10.9.0.1/24 + 2001:db8:9::1/64 and 10.9.0.2/24 + 2001:db8:9::2/64, and
// fixed MACs 02:00:00:00:09:01 / 02:00:00:00:09:02.
func (l *lab) pair() (a, b string) {
	l.t.Helper()
	a, b = l.ns("a"), l.ns("b")
	l.veth(a, "eth0", "02:00:00:00:09:01", b, "eth0", "02:00:00:00:09:02")
	l.ip(a, "addr", "add", "10.9.0.1/24", "dev", "eth0")
	l.ip(b, "addr", "add", "10.9.0.2/24", "dev", "eth0")
	l.ip(a, "addr", "add", "2001:db8:9::1/64", "dev", "eth0")
	l.ip(b, "addr", "add", "2001:db8:9::2/64", "dev", "eth0")
	l.waitLinkLocal(a, "eth0")
	l.waitLinkLocal(b, "eth0")
	return a, b
}

// waitLinkLocal waits until the interface has a usable link-local address.
func (l *lab) waitLinkLocal(ns, ifname string) {
	l.t.Helper()
	testenv.WaitLinkLocal(l.t, ns, ifname)
}

// jsonOf runs `ip -j -n NS args...` and decodes it.
func (l *lab) jsonOf(ns string, v any, args ...string) {
	l.t.Helper()
	out := testenv.IP(l.t, append([]string{"-j", "-n", ns}, args...)...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		l.t.Fatalf("ip -j %v: %v\n%s", args, err, out)
	}
}

// in runs fn inside ns (a name from lab.ns), failing the test on error.
func in[T any](t testing.TB, ns string, fn func() (T, error)) T {
	t.Helper()
	var v T
	err := WithNetns(nsPath(ns), func() error {
		var err error
		v, err = fn()
		return err
	})
	if err != nil {
		t.Fatalf("in %s: %v", ns, err)
	}
	return v
}

// lan returns n host namespaces whose eth0 (10.9.0.i/24, 2001:db8:9::i/64,
// MAC 02:00:00:00:09:0i) are ports of bridge br0 in a switch namespace.
func (l *lab) lan(n int) []string {
	l.t.Helper()
	sw := l.ns("sw")
	l.ip(sw, "link", "add", "br0", "type", "bridge")
	l.ip(sw, "link", "set", "br0", "up")
	hosts := make([]string, n)
	for i := range hosts {
		h := l.ns(fmt.Sprintf("h%d", i+1))
		port := fmt.Sprintf("p%d", i+1)
		l.veth(h, "eth0", fmt.Sprintf("02:00:00:00:09:%02x", i+1), sw, port, "")
		l.ip(sw, "link", "set", port, "master", "br0")
		l.ip(h, "addr", "add", fmt.Sprintf("10.9.0.%d/24", i+1), "dev", "eth0")
		l.ip(h, "addr", "add", fmt.Sprintf("2001:db8:9::%d/64", i+1), "dev", "eth0")
		hosts[i] = h
	}
	for _, h := range hosts {
		l.waitLinkLocal(h, "eth0")
	}
	return hosts
}

// watchLinks starts a Links watch inside ns for the rest of the test and
// returns its link and address events, and a function that ends the watch
// earlier (its channels then close).
func watchLinks(t testing.TB, ns string) (<-chan LinkEvent, <-chan AddrEvent, context.CancelFunc) {
	t.Helper()
	lk := in(t, ns, func() (Links, error) { return NewLinks(), nil })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		lk.(*nlLinks).Close()
	})
	lev, aev, err := lk.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return lev, aev, cancel
}

// linkSetter returns a function that sets ifname in ns up or down through
// netlink (faster than `ip link`, for toggling in a loop).
func linkSetter(t testing.TB, ns, ifname string) func(up bool) error {
	t.Helper()
	h := in(t, ns, func() (*netlink.Handle, error) { return netlink.NewHandle() })
	t.Cleanup(h.Close)
	link, err := h.LinkByName(ifname)
	if err != nil {
		t.Fatal(err)
	}
	return func(up bool) error {
		if up {
			return h.LinkSetUp(link)
		}
		return h.LinkSetDown(link)
	}
}
