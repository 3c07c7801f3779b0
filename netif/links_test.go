package netif

import (
	"net/netip"
	"slices"
	"testing"
	"time"
)

// TestLinksLookup: index, state, MTU, MAC and the address order keepalived
// picks its source from (primary IPv4 first).
func TestLinksLookup(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	l.ip(a, "addr", "add", "10.9.0.50/24", "dev", "eth0")  // secondary in 10.9.0.0/24
	l.ip(a, "addr", "add", "172.16.0.1/16", "dev", "eth0") // second primary
	l.ip(a, "link", "set", "eth0", "mtu", "1400")
	lk := in(t, a, func() (Link, error) { return NewLinks().Lookup("eth0") })
	if lk.Index != ifindex(t, l, a, "eth0") || !lk.Up || lk.MTU != 1400 || !slices.Equal(lk.HWAddr, []byte(macA)) || !lk.Multicast {
		t.Errorf("Lookup = %+v", lk)
	}
	var got []string
	for _, p := range lk.Addrs {
		got = append(got, p.String())
	}
	ll, _ := lk.LinkLocal6()
	want := []string{"10.9.0.1/24", "172.16.0.1/16", "10.9.0.50/24", ll.String() + "/64", "2001:db8:9::1/64"}
	if !slices.Equal(got, want) {
		t.Errorf("Addrs = %q, want %q", got, want)
	}
	if p, ok := lk.PrimaryIPv4(); !ok || p != netip.MustParseAddr("10.9.0.1") {
		t.Errorf("PrimaryIPv4 = %v %v", p, ok)
	}
	if _, err := in(t, a, func() (Links, error) { return NewLinks(), nil }).Lookup("nosuch0"); err == nil {
		t.Error("Lookup of a missing interface: no error")
	}
}

// TestLinksWatch: link down / up / deleted / created again with a new
// index, and address events, arrive from the netlink subscription.
func TestLinksWatch(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	lev, aev, stop := watchLinks(t, a)
	idx := ifindex(t, l, a, "eth0")
	// expect waits for want; downFirst lets a "down" event of the same
	// index come first (a link being deleted, or created before it is up).
	expect := func(want LinkEvent, downFirst ...bool) {
		t.Helper()
		deadline := time.After(3 * time.Second)
		for {
			select {
			case ev := <-lev:
				if ev.Ifname != want.Ifname {
					continue // lo and others
				}
				if len(downFirst) > 0 && !ev.Deleted && !ev.Up && ev.Ifindex == want.Ifindex {
					continue
				}
				if ev != want {
					t.Fatalf("event %+v, want %+v", ev, want)
				}
				return
			case <-deadline:
				t.Fatalf("no event %+v", want)
			}
		}
	}
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx, Up: true}) // initial state
	l.ip(a, "link", "set", "eth0", "down")
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx, Up: false})
	l.ip(a, "link", "set", "eth0", "up")
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx, Up: true})
	// carrier loss: the peer goes down, eth0 stays IFF_UP but not RUNNING
	l.ip(b, "link", "set", "eth0", "down")
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx, Up: false})
	l.ip(b, "link", "set", "eth0", "up")
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx, Up: true})
	l.ip(a, "link", "del", "eth0")
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx, Deleted: true}, true)
	l.veth(a, "eth0", "", b, "eth0", "")
	idx2 := ifindex(t, l, a, "eth0")
	if idx2 == idx {
		t.Fatalf("re-created eth0 kept index %d", idx)
	}
	expect(LinkEvent{Ifname: "eth0", Ifindex: idx2, Up: true}, true)

	l.ip(a, "addr", "add", "10.7.0.1/24", "dev", "eth0")
	want := AddrEvent{Ifname: "eth0", Ifindex: idx2, Prefix: netip.MustParsePrefix("10.7.0.1/24")}
	deadline := time.After(3 * time.Second)
	for found := false; !found; {
		select {
		case ev := <-aev:
			found = ev == want
		case <-deadline:
			t.Fatalf("no address event %+v", want)
		}
	}
	stop()
	// both channels close
	for lev != nil || aev != nil {
		select {
		case _, ok := <-lev:
			if !ok {
				lev = nil
			}
		case _, ok := <-aev:
			if !ok {
				aev = nil
			}
		case <-time.After(3 * time.Second):
			t.Fatal("channels not closed after ctx end")
		}
	}
}

// TestLinksWatchUnreadAddrs: a caller that never reads address events
// (each down/up of a link removes and re-adds its IPv6 addresses) still
// gets every link event. A bounded channel here once stalled link events
// after a few dozen toggles.
func TestLinksWatchUnreadAddrs(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	setUp := linkSetter(t, a, "eth0")
	lev, _, _ := watchLinks(t, a)
	for i := 0; i < 300; i++ {
		up := i%2 == 1
		if err := setUp(up); err != nil {
			t.Fatal(err)
		}
		deadline := time.After(3 * time.Second)
	wait:
		for {
			select {
			case ev := <-lev:
				if ev.Ifname == "eth0" && ev.Up == up {
					break wait
				}
			case <-deadline:
				t.Fatalf("toggle %d: no event for up=%v", i, up)
			}
		}
	}
}
