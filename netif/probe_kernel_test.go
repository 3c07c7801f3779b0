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
