package daemon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// recProber records probes as "+3.609375s probe eth0 10.0.0.100" lines.
type recProber struct {
	h     *harness
	lines []string
	ch    chan netif.ProbeAnswer
}

func (p *recProber) Probe(ifname string, addrs []netip.Addr) error {
	for _, a := range addrs {
		p.lines = append(p.lines, fmt.Sprintf("+%s probe %s %s", p.h.clock(), ifname, a))
	}
	return nil
}
func (p *recProber) Answers() <-chan netif.ProbeAnswer { return p.ch }
func (p *recProber) Close() error                      { return nil }

func (p *recProber) take() []string { l := p.lines; p.lines = nil; return l }

func TestNextProbe(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	for _, c := range []struct {
		name                  string
		since, last           time.Time
		delay, interval, want time.Duration
	}{
		{"never probed: at once", t0, time.Time{}, 5 * time.Second, 5 * time.Second, 0},
		{"probed in an earlier mastership: at once", t0, at(-10), 5 * time.Second, 5 * time.Second, 0},
		{"after the first: the second GARP burst", t0, t0, 5 * time.Second, 10 * time.Second, 5 * time.Second},
		{"interval shorter than the delay", t0, t0, 5 * time.Second, 2 * time.Second, 2 * time.Second},
		{"after the second burst: interval", t0, at(5), 5 * time.Second, 10 * time.Second, 15 * time.Second},
		{"no second burst", t0, t0, 0, 10 * time.Second, 10 * time.Second},
	} {
		if got := nextProbe(c.since, c.last, c.delay, c.interval).Sub(t0); got != c.want {
			t.Errorf("%s: next probe at +%s, want +%s", c.name, got, c.want)
		}
	}
}

func TestYields(t *testing.T) {
	lo, hi := net.HardwareAddr{2, 0, 0, 0, 0, 1}, net.HardwareAddr{2, 0, 0, 0, 0, 2}
	p := config.ConflictPolicyLowerMACYields
	if !yields(p, lo, hi) || yields(p, hi, lo) || yields(p, lo, lo) {
		t.Errorf("lower-mac-yields: exactly the lower MAC of a pair must yield")
	}
	if yields("", lo, hi) || yields(config.ConflictPolicyNone, lo, hi) {
		t.Errorf("without the policy nobody yields")
	}
	if yields(p, nil, hi) {
		t.Errorf("an unknown own MAC must not yield")
	}
}

// conflictHarness is a lone master of 10.0.0.100 on eth0, with a Prober.
func conflictHarness(t *testing.T, g func(*config.Global)) (*harness, *recProber) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	if g != nil {
		g(&cfg.Global)
	}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	p := &recProber{h: h, ch: make(chan netif.ProbeAnswer)}
	h.d.opts.Host.Prober = p
	h.start()
	h.advance(3609375 * time.Microsecond)
	if h.d.insts[0].state != vrrp.StateMaster {
		t.Fatalf("not master: %s", h.d.insts[0].state)
	}
	h.host.take()
	h.takeLogs()
	h.notify.take()
	return h, p
}

var (
	ownMAC   = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x10}
	otherMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x20}
)

func answer(vip string, mac net.HardwareAddr) netif.ProbeAnswer {
	return netif.ProbeAnswer{Ifname: "eth0", Addr: netip.MustParseAddr(vip), MAC: mac, Own: ownMAC}
}

// TestConflictProbeSchedule: a new master probes at once, at
// garp_master_delay, then every interval; a backup never probes.
func TestConflictProbeSchedule(t *testing.T) {
	h, p := conflictHarness(t, func(g *config.Global) { g.Conflict.Interval = 3 * time.Second })
	tick := func() {
		for i := 0; i < 20; i++ {
			next := h.d.conflictTick(h.now)
			if next.IsZero() || next.After(h.now) {
				return
			}
		}
	}
	var got []string
	for i := 0; i < 120; i++ { // 12 s in 100 ms steps
		tick()
		got = append(got, p.take()...)
		h.advance(100 * time.Millisecond)
	}
	want := []string{
		"+3.609375s probe eth0 10.0.0.100",
		"+6.609375s probe eth0 10.0.0.100", // interval (3 s) before the 5 s delay
		"+8.609375s probe eth0 10.0.0.100", // garp_master_delay
		"+11.609375s probe eth0 10.0.0.100",
		"+14.609375s probe eth0 10.0.0.100",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("probes (-want +got):\n%s", diff)
	}
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100")
	if h.d.insts[0].state != vrrp.StateBackup {
		t.Fatalf("higher advert did not make it backup: %s", h.d.insts[0].state)
	}
	for i := 0; i < 30; i++ { // 3 s, inside the master-down interval
		tick()
		h.advance(100 * time.Millisecond)
	}
	if got := p.take(); len(got) != 0 || h.d.insts[0].state != vrrp.StateBackup {
		t.Errorf("a backup probed:\n%s", join(got))
	}
}

// TestConflictConfirmedOnce: a single claim is not believed (it may be a
// take-over in flight); a second one a second later is, and is logged
// once, counted in status, metrics, keepalived.stats and keepalived.json.
// Our own MAC, the VMAC and other addresses are ignored.
func TestConflictConfirmedOnce(t *testing.T) {
	h, p := conflictHarness(t, nil)
	h.d.conflictTick(h.now)
	p.take()
	h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
	h.d.onClaim(h.now, answer("10.0.0.100", net.HardwareAddr{0, 0, 0x5e, 0, 1, 51})) // VMAC: not in use here, so a claim
	h.d.onClaim(h.now, answer("10.0.0.101", otherMAC))                               // not our VIP
	if logs := h.takeLogs(); len(logs) != 0 {
		t.Errorf("first claim logged:\n%s", join(logs))
	}
	// The confirming probe is due a second later.
	if next := h.d.conflictTick(h.now); next.Sub(h.now) != conflictConfirm {
		t.Errorf("confirming probe in %s, want %s", next.Sub(h.now), conflictConfirm)
	}
	h.advance(conflictConfirm)
	h.d.conflictTick(h.now)
	if got := p.take(); len(got) != 1 {
		t.Errorf("confirming probe: %q", got)
	}
	for i := 0; i < 3; i++ {
		h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
		h.advance(2 * time.Second)
	}
	logs := h.takeLogs()
	if len(logs) != 1 || !strings.Contains(logs[0], "(VI_1) VIP conflict: 10.0.0.100 on eth0 is also answered by 02:00:00:00:00:20") ||
		!strings.Contains(logs[0], "firewall dropping IP protocol 112") || !strings.Contains(logs[0], "auth_pass") ||
		!strings.Contains(logs[0], "squatting") {
		t.Errorf("want one conflict line, got:\n%s", join(logs))
	}
	if h.d.insts[0].state != vrrp.StateMaster {
		t.Errorf("without a policy the state changed: %s", h.d.insts[0].state)
	}
	st := h.d.snapshot()
	cs := st.Instances[0].Conflicts
	if len(cs) != 1 || cs[0].VIP != "10.0.0.100" || cs[0].MAC != "02:00:00:00:00:20" || cs[0].Episodes != 1 {
		t.Errorf("status conflicts: %+v", cs)
	}
	if m := string(metricsText(h.d.metricsSnapshot())); !strings.Contains(m, `keepalived_vip_conflicts_total{iname="VI_1"} 1`) {
		t.Errorf("metrics:\n%s", m)
	}
	if s := string(h.d.statsText()); !strings.Contains(s, "  VIP Conflicts: 1\n    10.0.0.100 answered by 02:00:00:00:00:20 on eth0: 1 time(s)\n") {
		t.Errorf("stats:\n%s", s)
	}
	b, _ := json.Marshal(h.d.jsonDump())
	if !bytes.Contains(b, []byte(`"keepalived_go_vip_conflicts":[{"vip":"10.0.0.100","mac":"02:00:00:00:00:20"`)) {
		t.Errorf("json: %s", b)
	}
	// A new mastership with the same conflict: counted again, not logged.
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100")
	h.advance(5 * time.Second)
	h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
	h.advance(conflictConfirm)
	h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
	if got := h.d.snapshot().Instances[0].Conflicts; len(got) != 1 || got[0].Episodes != 2 {
		t.Errorf("second mastership: %+v", got)
	}
	for _, l := range h.takeLogs() {
		if strings.Contains(l, "VIP conflict") {
			t.Errorf("logged again: %s", l)
		}
	}
}

// TestConflictTakeoverNotReported: the new master's GARP heard by the old
// master just before its advert is not a conflict.
func TestConflictTakeoverNotReported(t *testing.T) {
	h, _ := conflictHarness(t, nil)
	h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100")
	h.advance(conflictConfirm)
	h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
	h.advance(10 * time.Second)
	if cs := h.d.snapshot().Instances[0].Conflicts; len(cs) != 0 {
		t.Errorf("take-over reported as a conflict: %+v", cs)
	}
	for _, l := range h.takeLogs() {
		if strings.Contains(l, "VIP conflict") {
			t.Errorf("logged: %s", l)
		}
	}
}

// TestConflictPolicyLowerMACYields: with the policy, the lower MAC's
// instance enters FAULT for the hold and then goes back to the election;
// the higher MAC's stays MASTER.
func TestConflictPolicyLowerMACYields(t *testing.T) {
	confirm := func(h *harness, other net.HardwareAddr) {
		h.d.onClaim(h.now, answer("10.0.0.100", other))
		h.advance(conflictConfirm)
		h.d.onClaim(h.now, answer("10.0.0.100", other))
	}
	hold := func(g *config.Global) {
		g.Conflict.Policy = config.ConflictPolicyLowerMACYields
		g.Conflict.Hold = 10 * time.Second
	}
	h, _ := conflictHarness(t, hold)
	confirm(h, net.HardwareAddr{0x02, 0, 0, 0, 0, 0x01}) // lower than ours: we stay
	if s := h.d.insts[0].state; s != vrrp.StateMaster {
		t.Errorf("higher MAC yielded: %s", s)
	}

	h, _ = conflictHarness(t, hold)
	confirm(h, otherMAC)
	in := h.d.insts[0]
	if in.state != vrrp.StateFault || in.eng.Status().VIPsSet {
		t.Fatalf("lower MAC did not yield: %s, VIPs set %v", in.state, in.eng.Status().VIPsSet)
	}
	logs := join(h.takeLogs())
	if !strings.Contains(logs, "our MAC 02:00:00:00:00:10 is the lower (keepalived_go_conflict_policy lower-mac-yields) - entering FAULT for 10s") {
		t.Errorf("logs:\n%s", logs)
	}
	h.advance(9 * time.Second)
	h.d.conflictTick(h.now)
	if in.state != vrrp.StateFault {
		t.Errorf("left FAULT before the hold: %s", in.state)
	}
	h.advance(time.Second)
	h.d.conflictTick(h.now)
	if in.state != vrrp.StateBackup {
		t.Errorf("after the hold: %s, want BACKUP", in.state)
	}
	// Adverts still blocked: master again after the master-down interval.
	h.advance(4 * time.Second)
	if in.state != vrrp.StateMaster {
		t.Errorf("after the hold and master-down: %s", in.state)
	}
}

// TestConflictConfirmAfterRegularProbe: a regular probe due between a
// first claim and its confirmation does not replace the confirming probe
// (its answer would come too soon to confirm anything).
func TestConflictConfirmAfterRegularProbe(t *testing.T) {
	h, p := conflictHarness(t, nil)
	h.d.conflictTick(h.now) // +3.609375s, the first probe
	p.take()
	h.advance(4600 * time.Millisecond) // +8.209375s; the second is due at +8.609375s
	h.d.conflictTick(h.now)
	h.d.onClaim(h.now, answer("10.0.0.100", otherMAC))
	var got []string
	for i := 0; i < 15; i++ {
		for next := h.d.conflictTick(h.now); !next.After(h.now); next = h.d.conflictTick(h.now) {
		}
		got = append(got, p.take()...)
		h.advance(100 * time.Millisecond)
	}
	want := []string{"+8.609375s probe eth0 10.0.0.100", "+9.209375s probe eth0 10.0.0.100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("probes (-want +got):\n%s", diff)
	}
}

// TestConflictVMACTwin: with use_vmac our own virtual MAC claiming the VIP
// is us, unless netif saw it come from another host (Twin): that is the
// other master of the pair, which has the same virtual MAC. It is
// confirmed and reported like any other conflict; lower-mac-yields cannot
// choose between two equal MACs, so nobody yields.
func TestConflictVMACTwin(t *testing.T) {
	h, p := conflictHarness(t, func(g *config.Global) { g.Conflict.Policy = config.ConflictPolicyLowerMACYields })
	in := h.d.insts[0]
	in.vmacName = "vrrp.51"
	vmac := net.HardwareAddr{0, 0, 0x5e, 0, 1, 51}
	h.d.conflictTick(h.now)
	p.take()
	ours := netif.ProbeAnswer{Ifname: "eth0", Addr: mustAddr("10.0.0.100"), MAC: vmac, Own: vmac}
	twin := ours
	twin.Twin = true
	h.d.onClaim(h.now, ours)
	h.advance(conflictConfirm)
	h.d.onClaim(h.now, ours)
	if got := h.d.snapshot().Instances[0].Conflicts; len(got) != 0 {
		t.Fatalf("our own VMAC taken for a conflict: %+v", got)
	}
	h.d.onClaim(h.now, twin)
	h.advance(conflictConfirm)
	h.d.onClaim(h.now, twin)
	logs := join(h.takeLogs())
	if !strings.Contains(logs, "(VI_1) VIP conflict: 10.0.0.100 on eth0 is also answered by 00:00:5e:00:01:33 (our own MAC, sent by another host: with use_vmac both masters have it) - another host holds this address") {
		t.Errorf("want the twin's conflict line, got:\n%s", logs)
	}
	if got := h.d.snapshot().Instances[0].Conflicts; len(got) != 1 || got[0].MAC != "00:00:5e:00:01:33" {
		t.Errorf("status conflicts: %+v", got)
	}
	if in.state != vrrp.StateMaster {
		t.Errorf("lower-mac-yields yielded to an equal MAC: %s", in.state)
	}
}
