package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
)

// TestShutdownMaster: SIGTERM makes a master send priority 0 and drop its
// VIPs, static addresses go, and every instance and group gets STOP before
// the notifier is closed (reference 6.7).
func TestShutdownMaster(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth0", 50, "10.0.0.200/24"))
	cfg.StaticAddresses = []config.Address{{Prefix: mustPrefix("192.168.9.1/24"), Dev: "eth1"}}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true))
	h.start()
	// VI_2 hears a master of higher priority every second and stays BACKUP.
	for i := 0; i < 14; i++ {
		h.receive(1, mustAddr("10.0.0.2"), 200, "10.0.0.200")
		h.advance(time.Second)
	}
	h.host.take()
	h.notify.take()
	h.d.shutdown(h.now)
	want := []string{
		"+14s advert eth0 10.0.0.1 > 224.0.0.18 vrid 51 prio 0",
		"+14s ip addr del 10.0.0.100/24 dev eth0",
		"+14s ip addr del 192.168.9.1/24 dev eth1",
	}
	if diff := cmp.Diff(want, h.host.take()); diff != "" {
		t.Errorf("shutdown (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"INSTANCE VI_1 STOP 100", "INSTANCE VI_2 STOP 50", "CLOSE"}, h.notify.take()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
	for _, c := range h.host.conns {
		if !c.closed {
			t.Errorf("socket on %s left open", c.cfg.Ifname)
		}
	}
}

// TestShutdownDontRelease: with -V the VIPs stay and no priority-0 advert
// is sent; STOP is still notified.
func TestShutdownDontRelease(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.DontReleaseVRRP = true
	h.start()
	h.advance(14 * time.Second)
	h.host.take()
	h.notify.take()
	h.d.shutdown(h.now)
	if got := h.host.take(); len(got) != 0 {
		t.Errorf("-V shutdown touched the host:\n%s", join(got))
	}
	if !h.host.has("10.0.0.100/24", "eth0") {
		t.Error("-V shutdown removed the VIP")
	}
	if diff := cmp.Diff([]string{"INSTANCE VI_1 STOP 100", "CLOSE"}, h.notify.take()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
}

// TestStartupRemovesLeftovers: a VIP left on the host by a crashed run is
// removed at first start (reference 6.5), so it never sits on two hosts.
func TestStartupRemovesLeftovers(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.host.addrs["10.0.0.100/24 eth0"] = true
	h.start()
	if diff := cmp.Diff([]string{"+0s ip addr del 10.0.0.100/24 dev eth0"}, h.host.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "(VI_1) removing leftover VIP 10.0.0.100/24 from eth0") {
		t.Errorf("logs:\n%s", logs)
	}
}

// TestInterfaceDownFault: the instance's interface going down puts a
// master in FAULT (priority 0 advert, VIPs removed); up again, it comes back
// as BACKUP and takes over after the master-down interval.
func TestInterfaceDownFault(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(14 * time.Second)
	h.host.take()
	h.takeLogs()
	h.notify.take()
	h.d.onLink(h.now, netif.LinkEvent{Ifname: "eth0", Ifindex: 2, Up: false})
	got := join(h.host.take())
	if !strings.Contains(got, "prio 0") || !strings.Contains(got, "ip addr del 10.0.0.100/24 dev eth0") {
		t.Errorf("interface down:\n%s", got)
	}
	logs := join(h.takeLogs())
	for _, w := range []string{"Netlink reports eth0 down", "(VI_1): entering FAULT state (interface eth0 down)", "(VI_1) Entering FAULT STATE"} {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %q:\n%s", w, logs)
		}
	}
	h.advance(10 * time.Second)
	if got := h.host.take(); len(got) != 0 {
		t.Errorf("in FAULT the host was touched:\n%s", join(got))
	}
	h.d.onLink(h.now, netif.LinkEvent{Ifname: "eth0", Ifindex: 2, Up: true})
	if logs := join(h.takeLogs()); !strings.Contains(logs, "(VI_1) Entering BACKUP STATE") {
		t.Errorf("link up logs:\n%s", logs)
	}
	h.advance(3609375 * time.Microsecond)
	if !h.host.has("10.0.0.100/24", "eth0") {
		t.Errorf("not master again 3.609375 s after the link came back:\n%s", join(h.host.take()))
	}
	if diff := cmp.Diff([]string{"INSTANCE VI_1 FAULT 100", "INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100"}, h.notify.take()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
}

// TestNoSourceAddressFault: an interface without an IPv4 address gives
// no advert source: the instance is held in FAULT until one appears.
func TestNoSourceAddressFault(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true))
	h.start()
	if logs := join(h.takeLogs()); !strings.Contains(logs, "(VI_1) Entering FAULT STATE (init)") {
		t.Errorf("logs:\n%s", logs)
	}
	h.advance(10 * time.Second)
	if got := h.host.take(); len(got) != 0 {
		t.Errorf("faulted instance touched the host:\n%s", join(got))
	}
	h.d.onAddr(h.now, netif.AddrEvent{Ifname: "eth0", Prefix: mustPrefix("10.0.0.1/24")})
	h.advance(3609375 * time.Microsecond)
	got := h.host.take()
	if len(got) == 0 || got[0] != "+13.609375s advert eth0 10.0.0.1 > 224.0.0.18 vrid 51 prio 100" {
		t.Errorf("after the address appeared:\n%s", join(got))
	}
}

// TestShutdownReleaseVIPs: with -X a BACKUP's VIPs are removed too.
func TestShutdownReleaseVIPs(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.ReleaseVIPs = true
	h.start()
	h.host.take()
	h.d.shutdown(h.now)
	if diff := cmp.Diff([]string{"+0s ip addr del 10.0.0.100/24 dev eth0"}, h.host.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestInterfaceRecreated: an interface deleted and created again (new
// index) puts the instance in FAULT, then its socket is opened again and it
// comes back.
func TestInterfaceRecreated(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(5 * time.Second)
	h.d.onLink(h.now, netif.LinkEvent{Ifname: "eth0", Ifindex: 2, Deleted: true})
	if st := h.d.insts[0].eng.Status().State.String(); st != "FAULT" {
		t.Fatalf("state %s with eth0 deleted, want FAULT", st)
	}
	h.host.mu.Lock()
	l := h.host.links["eth0"]
	l.Index = 9
	h.host.links["eth0"] = l
	opened := len(h.host.conns)
	h.host.mu.Unlock()
	h.d.onLink(h.now, netif.LinkEvent{Ifname: "eth0", Ifindex: 9, Up: true})
	if n := len(h.host.conns); n != opened+1 {
		t.Errorf("%d sockets opened after the interface came back, want 1", n-opened)
	}
	h.host.take()
	h.advance(3609375 * time.Microsecond)
	if !h.host.has("10.0.0.100/24", "eth0") {
		t.Errorf("not master again:\n%s", join(h.host.take()))
	}
	if st := h.d.insts[0].eng.Status().State.String(); st != "MASTER" {
		t.Errorf("state %s", st)
	}
}

// TestVIPRemovedExternallyIsRestored: someone deleting a master's VIP gets
// it put back at once, with gratuitous ARPs; a backup's is not touched.
func TestVIPRemovedExternallyIsRestored(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.d.onAddr(h.now, netif.AddrEvent{Ifname: "eth0", Prefix: mustPrefix("10.0.0.100/24"), Deleted: true})
	if got := h.host.take(); len(got) != 0 {
		t.Errorf("backup reacted:\n%s", join(got))
	}
	h.advance(10 * time.Second)
	h.host.take()
	h.host.mu.Lock()
	delete(h.host.addrs, "10.0.0.100/24 eth0")
	h.host.mu.Unlock()
	h.d.onAddr(h.now, netif.AddrEvent{Ifname: "eth0", Prefix: mustPrefix("10.0.0.100/24"), Deleted: true})
	got := h.host.take()
	if len(got) != 6 || got[0] != "+10s ip addr add 10.0.0.100/24 dev eth0" || got[1] != "+10s garp eth0 10.0.0.100" {
		t.Errorf("restore:\n%s", join(got))
	}
	if st := h.d.insts[0].eng.Status().State.String(); st != "MASTER" {
		t.Errorf("state %s", st)
	}
}
