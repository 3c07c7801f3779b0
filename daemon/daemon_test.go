package daemon

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
)

// join is a transcript for error messages and literal comparisons.
func join(lines []string) string { return strings.Join(lines, "\n") }

// TestStartupBackupThenMaster: a lone instance starts in BACKUP and, with
// no master heard, takes over after the master-down interval (3 x 1 s +
// skew (256-100)/256 s = 3.609375 s, reference 6.4): advert first, then the
// VIP, then 5 gratuitous ARPs (reference 6.5), and 5 more 5 s later.
func TestStartupBackupThenMaster(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	if diff := cmp.Diff([]string{"+0s (VI_1) Entering BACKUP STATE (init)"}, h.takeLogs()); diff != "" {
		t.Errorf("startup logs (-want +got):\n%s", diff)
	}
	if got := h.host.take(); len(got) != 0 {
		t.Errorf("backup touched the host:\n%s", join(got))
	}
	h.advance(3609374 * time.Microsecond)
	if got := h.host.take(); len(got) != 0 {
		t.Fatalf("took over before the master-down interval:\n%s", join(got))
	}
	h.advance(time.Microsecond)
	want := []string{
		"+3.609375s advert eth0 10.0.0.1 > 224.0.0.18 vrid 51 prio 100",
		"+3.609375s ip addr add 10.0.0.100/24 dev eth0",
		"+3.609375s garp eth0 10.0.0.100",
		"+3.609375s garp eth0 10.0.0.100",
		"+3.609375s garp eth0 10.0.0.100",
		"+3.609375s garp eth0 10.0.0.100",
		"+3.609375s garp eth0 10.0.0.100",
	}
	if diff := cmp.Diff(want, h.host.take()); diff != "" {
		t.Errorf("takeover (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"+3.609375s (VI_1) Entering MASTER STATE"}, h.takeLogs()); diff != "" {
		t.Errorf("takeover logs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100"}, h.notify.take()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
	h.advance(5 * time.Second)
	got := h.host.take()
	adverts, garps := 0, 0
	for _, l := range got {
		switch {
		case strings.Contains(l, " advert "):
			adverts++
		case strings.Contains(l, " garp "):
			garps++
			if !strings.HasPrefix(l, "+8.609375s ") {
				t.Errorf("second GARP burst at the wrong time: %s", l)
			}
		default:
			t.Errorf("unexpected: %s", l)
		}
	}
	if adverts != 5 || garps != 5 {
		t.Errorf("in the next 5 s: %d adverts and %d GARPs, want 5 and 5:\n%s", adverts, garps, join(got))
	}
}

// TestHigherPriorityPeerTakesOver: a master hearing a higher priority
// advert goes BACKUP and removes its VIP without a priority-0 advert.
func TestHigherPriorityPeerTakesOver(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(4 * time.Second)
	h.host.take()
	h.takeLogs()
	h.receive(0, netip.MustParseAddr("10.0.0.2"), 150, "10.0.0.100")
	if diff := cmp.Diff([]string{"+4s ip addr del 10.0.0.100/24 dev eth0"}, h.host.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	logs := join(h.takeLogs())
	for _, w := range []string{
		"(VI_1) Master received advert from 10.0.0.2 with higher priority 150, ours 100",
		"(VI_1) Entering BACKUP STATE",
	} {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %q:\n%s", w, logs)
		}
	}
	if h.host.has("10.0.0.100/24", "eth0") {
		t.Error("VIP still on the host")
	}
}

// TestBadPacketsNeverPanic feeds the loop truncated, oversized and random
// packets: each is dropped (and counted by the core), the instance goes on.
func TestBadPacketsNeverPanic(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(5 * time.Second)
	in := h.d.insts[0]
	seed := uint32(1)
	rnd := func() byte { seed = seed*1664525 + 1013904223; return byte(seed >> 24) }
	payloads := [][]byte{nil, {0x21}, {0x21, 51}, {0x21, 51, 200, 255, 0, 1, 0, 0}, make([]byte, 70000)}
	for i := 0; i < 2000; i++ {
		p := make([]byte, int(rnd())%64)
		for j := range p {
			p[j] = rnd()
		}
		if len(p) > 1 {
			p[1] = 51 // reach the instance
		}
		payloads = append(payloads, p)
	}
	for _, p := range payloads {
		h.d.onPacket(h.now, rxPacket{conn: in.conn, pkt: netif.Packet{Src: mustAddr("10.0.0.9"), Dst: mustAddr("224.0.0.18"), TTL: 255, IPLen: 20 + len(p), Payload: p}})
	}
	if st := in.eng.Status().State.String(); st != "MASTER" {
		t.Errorf("state %s after garbage, want MASTER", st)
	}
	if s := in.stats(); s.AdvertRcvd == 0 && s.PacketLenErr == 0 && s.OtherDropped == 0 {
		t.Errorf("garbage not counted: %+v", s)
	}
}

// TestSafelyLogsPanics: a panicking handler is reported with BUG and its
// stack, never swallowed.
func TestSafelyLogsPanics(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	err := h.d.safely("test", func() error { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err %v", err)
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "BUG: test panicked: boom") || !strings.Contains(logs, "goroutine") {
		t.Errorf("logs:\n%s", logs)
	}
}

// TestGarpInterval: with vrrp_garp_interval the gratuitous ARPs of one
// interface are spaced by it (reference 6.6), and none is sent once the
// instance has let its VIPs go.
func TestGarpInterval(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24", "10.0.0.101/32"))
	cfg.Global.GarpInterval = 100 * time.Millisecond
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(3609375 * time.Microsecond)
	h.advance(350 * time.Millisecond)
	var garps []string
	for _, l := range h.host.take() {
		if strings.Contains(l, " garp ") {
			garps = append(garps, l)
		}
	}
	want := []string{
		"+3.609375s garp eth0 10.0.0.100",
		"+3.709375s garp eth0 10.0.0.101",
		"+3.809375s garp eth0 10.0.0.100",
		"+3.909375s garp eth0 10.0.0.101",
	}
	if diff := cmp.Diff(want, garps); diff != "" {
		t.Errorf("paced GARPs (-want +got):\n%s", diff)
	}
	// A higher priority master: VIPs go, the queued GARPs with them.
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100", "10.0.0.101")
	h.advance(2 * time.Second)
	for _, l := range h.host.take() {
		if strings.Contains(l, " garp ") {
			t.Errorf("GARP after leaving MASTER: %s", l)
		}
	}
}

// TestIPv6SourceAndGroup: an IPv6 instance advertises from the interface's
// first link-local address to ff02::12 (reference 6.1).
func TestIPv6SourceAndGroup(t *testing.T) {
	in := vi("VI_6", 61, "eth0", 100, "fe80::100/64", "2001:db8::100/64")
	in.Family, in.Version = config.IPv6, 3
	h := newHarness(t, configOf(in), eth("eth0", true, "10.0.0.1/24", "2001:db8::1/64", "fe80::1/64"))
	h.start()
	h.advance(3609375 * time.Microsecond)
	got := h.host.take()
	if len(got) < 3 || got[0] != "+3.609375s advert eth0 fe80::1 > ff02::12 vrid 61 prio 100" ||
		got[1] != "+3.609375s ip addr add fe80::100/64 dev eth0" || got[2] != "+3.609375s ip addr add 2001:db8::100/64 dev eth0" {
		t.Errorf("IPv6 takeover:\n%s", join(got))
	}
}

// TestDetailLines: with -D, keepalived 2.2.7's detail lines around a
// takeover and a stop, in its order (vrrp_scheduler.c, vrrp.c,
// vrrp_arp.c): the timeout before the transition, the VIPs set, one
// "Sending/queueing" line per address and one line per GARP sent; at stop
// the priority-0 advert's line, then the VIPs removed; a reload keeping a
// master sets its VIPs again.
func TestDetailLines(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.detail = true
	h.start()
	h.takeLogs()
	h.advance(3609375 * time.Microsecond)
	want := []string{
		"+3.609375s (VI_1) Receive advertisement timeout",
		"+3.609375s (VI_1) Entering MASTER STATE",
		"+3.609375s (VI_1) setting VIPs.",
		"+3.609375s (VI_1) Sending/queueing gratuitous ARPs on eth0 for 10.0.0.100",
	}
	for i := 0; i < 5; i++ {
		want = append(want, "+3.609375s Sending gratuitous ARP on eth0 for 10.0.0.100")
	}
	if diff := cmp.Diff(want, h.takeLogs()); diff != "" {
		t.Errorf("takeover detail lines (-want +got):\n%s", diff)
	}
	// A reload keeping the master: its VIPs are set for the new
	// configuration (keepalived's restore_vrrp_state).
	h.next = configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	if err := h.d.safely("reload", func() error {
		cfg, err := h.d.loadConfig(false)
		if err != nil {
			return err
		}
		return h.d.applyReload(h.now, cfg)
	}); err != nil {
		t.Fatal(err)
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "+3.609375s (VI_1) setting VIPs.") {
		t.Errorf("reload of a master lacks \"setting VIPs.\":\n%s", logs)
	}
	h.d.shutdown(h.now)
	var got []string
	for _, l := range h.takeLogs() {
		if strings.Contains(l, "sent 0 priority") || strings.Contains(l, "VIPs.") {
			got = append(got, l)
		}
	}
	if diff := cmp.Diff([]string{"+3.609375s (VI_1) sent 0 priority", "+3.609375s (VI_1) removing VIPs."}, got); diff != "" {
		t.Errorf("stop detail lines (-want +got):\n%s", diff)
	}
}
