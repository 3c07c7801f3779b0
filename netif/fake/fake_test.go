package fake

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keepalived-go/keepalived/netif"
)

var (
	_ netif.Addresses  = (*Host)(nil)
	_ netif.Announcer  = (*Host)(nil)
	_ netif.Links      = (*Host)(nil)
	_ netif.VMACs      = (*Host)(nil)
	_ netif.Conn       = (*Conn)(nil)
	_ netif.ListenFunc = (*Host)(nil).Listen
)

func TestTranscript(t *testing.T) {
	h := NewHost("a", Eth("eth0", "10.0.0.1/24"))
	s := h.Seams()
	lft := uint32(0)
	steps := []error{
		s.Addresses.AddAddr(netif.Address{Prefix: netip.MustParsePrefix("10.0.0.10/24"), Dev: "eth0", Label: "eth0:1"}),
		s.Addresses.AddAddr(netif.Address{Prefix: netip.MustParsePrefix("2001:db8::10/128"), Dev: "eth0", NoDAD: true, PreferredLft: &lft}),
		s.Addresses.AddRoute(netif.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), Via: netip.MustParseAddr("10.0.0.254"), Table: 100}),
		s.Addresses.AddRule(netif.Rule{From: netip.MustParsePrefix("10.0.0.10/32"), Table: 100, Preference: 100}),
		s.Announcer.Announce("eth0", []netip.Addr{netip.MustParseAddr("10.0.0.10"), netip.MustParseAddr("2001:db8::10")}),
		s.Addresses.DelAddr(netif.Address{Prefix: netip.MustParsePrefix("10.0.0.10/24"), Dev: "eth0"}),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := []string{
		"ip addr add 10.0.0.10/24 dev eth0 label eth0:1",
		"ip addr add 2001:db8::10/128 dev eth0 nodad preferred_lft 0",
		"ip route add 10.1.0.0/16 via 10.0.0.254 table 100",
		"ip rule add from 10.0.0.10/32 pref 100 table 100",
		"arping -U -c 1 -I eth0 10.0.0.10",
		"ndsend 2001:db8::10 eth0",
		"ip addr del 10.0.0.10/24 dev eth0",
	}
	if diff := cmp.Diff(want, h.Lines()); diff != "" {
		t.Errorf("transcript (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"2001:db8::10/128 dev eth0"}, h.Addrs()); diff != "" {
		t.Errorf("addresses (-want +got):\n%s", diff)
	}
	ok, _ := s.Addresses.HasAddr(netif.Address{Prefix: netip.MustParsePrefix("2001:db8::10/128"), Dev: "eth0"})
	if !ok {
		t.Error("HasAddr: added address missing")
	}
	boom := errors.New("boom")
	h.FailNext("ip addr add 10.0.0.11", boom)
	if err := s.Addresses.AddAddr(netif.Address{Prefix: netip.MustParsePrefix("10.0.0.11/32"), Dev: "eth0"}); !errors.Is(err, boom) {
		t.Errorf("FailNext: %v", err)
	}
}

func TestSegment(t *testing.T) {
	seg := NewSegment()
	a := NewHost("a", Eth("eth0", "10.0.0.1/24"))
	b := NewHost("b", Eth("eth0", "10.0.0.2/24"))
	c := NewHost("c", Eth("eth0", "10.0.0.3/24"))
	for _, h := range []*Host{a, b, c} {
		h.Plug("eth0", seg)
	}
	g := netip.MustParseAddr("224.0.0.18")
	ca, _ := a.Listen(netif.ConnConfig{Ifname: "eth0", Group: g})
	cb, _ := b.Listen(netif.ConnConfig{Ifname: "eth0", Group: g})
	cu, _ := c.Listen(netif.ConnConfig{Ifname: "eth0", Src: netip.MustParseAddr("10.0.0.3")})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()

	if err := ca.Send([]byte{0x21, 1}, netip.Addr{}, g, 255); err != nil {
		t.Fatal(err)
	}
	p, err := cb.Recv(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := netif.Packet{Ifindex: 2, Src: netip.MustParseAddr("10.0.0.1"), Dst: g, TTL: 255, IPLen: 22, Payload: []byte{0x21, 1}}
	if diff := cmp.Diff(want, p, cmp.Comparer(func(x, y netip.Addr) bool { return x == y })); diff != "" {
		t.Errorf("multicast packet (-want +got):\n%s", diff)
	}
	// unicast reaches only c
	if err := ca.Send([]byte{0x21, 2}, netip.Addr{}, netip.MustParseAddr("10.0.0.3"), 9); err != nil {
		t.Fatal(err)
	}
	if p, err := cu.Recv(ctx); err != nil || p.TTL != 9 || p.Payload[1] != 2 {
		t.Errorf("unicast: %v %+v", err, p)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := cb.Recv(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("b heard a unicast for c: %v", err)
	}
	// link down: nothing sent or received; cut: nothing delivered
	b.SetUp("eth0", false)
	ca.Send([]byte{0x21, 3}, netip.Addr{}, g, 255)
	b.SetUp("eth0", true)
	seg.SetCut(true)
	ca.Send([]byte{0x21, 4}, netip.Addr{}, g, 255)
	seg.SetCut(false)
	ca.Send([]byte{0x21, 5}, netip.Addr{}, g, 255)
	if p, err := cb.Recv(ctx); err != nil || p.Payload[1] != 5 {
		t.Errorf("after down/cut: %v %x, want the 5th packet only", err, p.Payload)
	}
	if n := len(seg.Sent()); n != 5 {
		t.Errorf("Sent() has %d packets, want 5", n)
	}
	cb.Close()
	if _, err := cb.Recv(ctx); !errors.Is(err, netif.ErrClosed) {
		t.Errorf("Recv after Close: %v", err)
	}
}

func TestWatchAndVMAC(t *testing.T) {
	h := NewHost("a", Eth("eth0", "10.0.0.1/24"))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	lev, aev, _ := h.Watch(ctx)
	next := func() netif.LinkEvent {
		select {
		case ev := <-lev:
			return ev
		case <-time.After(time.Second):
			t.Fatal("no link event")
		}
		return netif.LinkEvent{}
	}
	if ev := next(); ev != (netif.LinkEvent{Ifname: "eth0", Ifindex: 2, Up: true}) {
		t.Errorf("initial %+v", ev)
	}
	h.SetUp("eth0", false)
	h.AddLink(Eth("eth0"))
	name, created, err := h.EnsureVMAC("eth0", "", netif.VMACAddr(51, false), false)
	if err != nil || !created || name != "vrrp.51" {
		t.Fatalf("EnsureVMAC = %q %v %v", name, created, err)
	}
	if _, created, _ := h.EnsureVMAC("eth0", "", netif.VMACAddr(51, false), false); created {
		t.Error("second EnsureVMAC created again")
	}
	got := []netif.LinkEvent{next(), next(), next(), next()}
	want := []netif.LinkEvent{
		{Ifname: "eth0", Ifindex: 2},
		{Ifname: "eth0", Ifindex: 2, Deleted: true},
		{Ifname: "eth0", Ifindex: 3, Up: true},
		{Ifname: "vrrp.51", Ifindex: 4, Up: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	h.AddAddr(netif.Address{Prefix: netip.MustParsePrefix("10.0.0.9/32"), Dev: "vrrp.51"})
	select {
	case ev := <-aev:
		if ev.Ifname != "vrrp.51" || ev.Deleted || ev.Prefix != netip.MustParsePrefix("10.0.0.9/32") {
			t.Errorf("addr event %+v", ev)
		}
	case <-time.After(time.Second):
		t.Fatal("no addr event")
	}
	if !slices.Contains(h.Lines(), "ip link add link eth0 name vrrp.51 address 00:00:5e:00:01:33 type macvlan mode private") {
		t.Errorf("transcript %q", h.Lines())
	}
}
