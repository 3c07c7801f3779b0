package netif

import (
	"net/netip"
	"testing"
	"time"
)

// TestProberHearsHolder: a neighbour's kernel answers our ARP probe and
// DAD solicitation for addresses it holds, and the Prober reports them
// with the neighbour's MAC; an address nobody holds gets no answer.
func TestProberHearsHolder(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	l.ip(b, "addr", "add", "10.9.0.100/24", "dev", "eth0")
	l.ip(b, "addr", "add", "2001:db8:9::100/64", "dev", "eth0", "nodad")
	p := in(t, a, func() (Prober, error) { return NewProber() })
	defer p.Close()
	vip4, vip6, nobody := netip.MustParseAddr("10.9.0.100"), netip.MustParseAddr("2001:db8:9::100"), netip.MustParseAddr("10.9.0.200")
	if err := p.Probe("eth0", []netip.Addr{vip4, vip6, nobody}); err != nil {
		t.Fatal(err)
	}
	seen := map[netip.Addr]string{}
	timeout := time.After(5 * time.Second)
	for len(seen) < 2 {
		select {
		case ans := <-p.Answers():
			if ans.Ifname != "eth0" || ans.Own.String() != "02:00:00:00:09:01" {
				t.Errorf("answer %+v", ans)
			}
			seen[ans.Addr] = ans.MAC.String()
		case <-timeout:
			t.Fatalf("answers after 5 s: %v", seen)
		}
	}
	for _, v := range []netip.Addr{vip4, vip6} {
		if seen[v] != "02:00:00:00:09:02" {
			t.Errorf("%s answered by %q, want 02:00:00:00:09:02", v, seen[v])
		}
	}
	if _, ok := seen[nobody]; ok {
		t.Errorf("%s, held by nobody, was answered", nobody)
	}
	if err := p.Probe("nosuch0", []netip.Addr{vip4}); err == nil {
		t.Errorf("probe on a missing interface: no error")
	}
	// Probe again on the open sockets (the interface checked by ioctl, no
	// netlink lookup), then after a's MAC changed: the answers come to
	// the new MAC, so the change was seen and the sockets made again.
	for _, own := range []string{"02:00:00:00:09:01", "02:00:00:00:09:05"} {
		if own != "02:00:00:00:09:01" {
			l.ip(a, "link", "set", "eth0", "address", own)
		}
		if err := p.Probe("eth0", []netip.Addr{vip4}); err != nil {
			t.Fatal(err)
		}
		timeout := time.After(5 * time.Second)
	wait:
		for {
			select {
			case ans := <-p.Answers():
				if ans.Addr == vip4 && ans.Own.String() == own && ans.MAC.String() == "02:00:00:00:09:02" {
					break wait
				}
				// an answer to the earlier probes (the sockets of the old MAC)
			case <-timeout:
				t.Fatalf("probe from %s: no answer for %s to it in 5 s", own, vip4)
			}
		}
	}
}

// TestProberHearsVMACTwin: with use_vmac two masters of one VRID answer
// from the same virtual MAC, so "a MAC that is not ours" cannot see the
// second one. What we send never comes back to our sockets; a frame from
// our own MAC that does arrive was sent by another host: the other
// master's gratuitous ARP, and its conflict probe for our VIP, are
// reported as Twin answers. Two hosts on a bridge, each with the VMAC of
// VRID 61 and the VIP on it.
func TestProberHearsVMACTwin(t *testing.T) {
	l := newLab(t)
	h := l.lan(2)
	vmac := VMACAddr(61, false)
	vip := netip.MustParseAddr("10.9.0.161")
	vmacIn := func(ns string) string {
		vm := in(t, ns, NewVMACs)
		t.Cleanup(func() { vm.(*vmacs).Close() })
		name, _, err := vm.EnsureVMAC("eth0", "", vmac, false)
		if err != nil {
			t.Fatal(err)
		}
		l.ip(ns, "addr", "add", "10.9.0.161/24", "dev", name)
		return name
	}
	name1 := vmacIn(h[0])
	p1 := in(t, h[0], func() (Prober, error) { return NewProber() })
	defer p1.Close()
	an1 := in(t, h[0], func() (Announcer, error) { return NewAnnouncer(), nil })
	expect := func(what string, want bool) {
		t.Helper()
		timeout := 1500 * time.Millisecond
		if want {
			timeout = 5 * time.Second
		}
		select {
		case a := <-p1.Answers():
			if !want {
				t.Fatalf("%s: answer %+v, want none", what, a)
			}
			if !a.Twin || a.Addr != vip || a.MAC.String() != vmac.String() || a.Ifname != name1 {
				t.Errorf("%s: answer %+v, want a twin claim of %s from %s on %s", what, a, vip, vmac, name1)
			}
		case <-time.After(timeout):
			if want {
				t.Fatalf("%s: no answer within %v", what, timeout)
			}
		}
	}
	// Alone: our own probes and gratuitous ARPs are not a twin.
	must(t, p1.Probe(name1, []netip.Addr{vip}))
	must(t, an1.Announce(name1, []netip.Addr{vip}))
	must(t, p1.Probe(name1, []netip.Addr{vip}))
	expect("our own probes and GARP", false)

	// A second master with the same VMAC: its GARP, then its probe.
	name2 := vmacIn(h[1])
	an2 := in(t, h[1], func() (Announcer, error) { return NewAnnouncer(), nil })
	must(t, an2.Announce(name2, []netip.Addr{vip}))
	expect("the other master's GARP", true)
	for len(p1.Answers()) > 0 {
		<-p1.Answers()
	}
	p2 := in(t, h[1], func() (Prober, error) { return NewProber() })
	defer p2.Close()
	time.Sleep(100 * time.Millisecond) // drain nothing late from the GARP burst
	for len(p1.Answers()) > 0 {
		<-p1.Answers()
	}
	must(t, p2.Probe(name2, []netip.Addr{vip}))
	expect("the other master's probe", true)
}

// TestProberProbeAllocs: a probe on open sockets allocates nothing, and
// neither does the claim reader for a frame it drops. a probes an address
// nobody holds; b, on the same link, probes one a does not watch, which
// a's reader reads and drops (1,000 masters probe 200 times a second, and
// each probe brings such a frame: BENCHMARKS-footprint.md).
func TestProberProbeAllocs(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	pa := in(t, a, func() (Prober, error) { return NewProber() })
	defer pa.Close()
	pb := in(t, b, func() (Prober, error) { return NewProber() })
	defer pb.Close()
	mine, other := []netip.Addr{netip.MustParseAddr("10.9.0.200")}, []netip.Addr{netip.MustParseAddr("10.9.0.201")}
	for _, p := range []Prober{pa, pb} { // open the sockets
		if err := p.Probe("eth0", mine); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(200, func() {
		if err := pa.Probe("eth0", mine); err != nil {
			t.Fatal(err)
		}
		if err := pb.Probe("eth0", other); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("two probes allocate %.1f times, want 0", allocs)
	}
}
