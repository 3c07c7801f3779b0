package e2e

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The reboot scenario of the nopreempt seed (issue 13): the pair is up with
// node A (.133) MASTER, A's host is rebooted, and A comes back beside B
// (.134), now MASTER. With nopreempt, B must stay MASTER and A come back
// BACKUP; that is what acassen/keepalived #2032, #2209, #2257 and #2483
// report broken when the rebooted node's network passes no traffic for the
// first seconds (a switch port still in STP listening, a bond forming),
// and what vrrp_startup_delay is upstream's answer to.
//
// Seed 002 is the only seed with nopreempt, and it puts it on `state
// MASTER`, where keepalived 2.2.7 clears it ("nopreempt will not work with
// initial state MASTER - clearing"): as written, A takes the VIP back after
// its reboot. The variants with nopreempt in effect change that one line
// to `state BACKUP`, the fix the warning points at.
//
// Each variant runs with keepalived 2.2.7 on both nodes and with ours on
// both, in parallel labs of the same test, and ours must do what 2.2.7 does
// in the same run: the same state sequence on the rebooted node, the same
// holder of the VIP at the end, never the VIP on both nodes where 2.2.7
// never has it there. The mixed pairs and the long variants run with
// KGE_LONG=1.

// rebootCase is one way A's host comes back.
type rebootCase struct {
	Name string
	// AsWritten keeps the seed's `state MASTER` (nopreempt cleared).
	AsWritten bool
	// StartupDelay, if set, is written into A's global_defs as
	// vrrp_startup_delay before A boots again.
	StartupDelay string
	// LateNet is how long after A's boot its switch port forwards nothing
	// (bridge port state listening): the network coming up late.
	LateNet time.Duration
	// Want is who holds the VIP at the end: "A" or "B".
	Want string
	// Observe is how long after the boot the test watches.
	Observe time.Duration
	// Long: only with KGE_LONG=1.
	Long bool
	// Measured describes keepalived 2.2.7's behaviour in this case, for
	// the failure message.
	Measured string
}

var rebootCases = []rebootCase{
	{Name: "nopreempt-net-ready", LateNet: 0, Want: "B", Observe: 5500 * time.Millisecond,
		Measured: "A boots BACKUP, hears B's adverts (priority 90 < 100) and accepts them: nopreempt"},
	{Name: "nopreempt-net-late-startup-delay", StartupDelay: "5", LateNet: 6 * time.Second, Want: "B", Observe: 10 * time.Second,
		Measured: "adverts discarded for 5 s, then the down timer (3.6 s) runs while B's adverts already arrive: A stays BACKUP and sends nothing"},
	// keepalived 2.2.7 misbehaves here, which is what the upstream reports
	// are about: A hears nothing for its down timer (3.6 s), becomes MASTER
	// while its port still drops everything (the VIP is then on both nodes),
	// and once the port forwards, B hears priority 100 and yields. Ours must
	// do the same or better (see TestSeedReboot).
	{Name: "nopreempt-net-late-no-delay", LateNet: 6 * time.Second, Want: "A", Observe: 9 * time.Second, Long: true,
		Measured: "A becomes MASTER 3.6 s after boot on a port that forwards nothing; the VIP is on both until the port forwards and B yields"},
	// As written, A preempts 5.6 s after its boot, not 3.6 s, with either
	// daemon (measured, BENCHMARKS-ha.md): the seed's check script (its
	// first `ps` fails on the en-dash typo, so it starts nginx and sleeps
	// 2 s) times out at its 2 s interval, both daemons log "Changing
	// effective priority from 100 to 80", and A's down timer runs again
	// from there (3.69 s at priority 80; B, also at -20, advertises 70).
	// Hence the 9 s watch.
	{Name: "as-written-net-ready", AsWritten: true, Want: "A", Observe: 9 * time.Second, Long: true,
		Measured: "nopreempt is cleared with state MASTER: A preempts B after its down timer"},
}

// TestSeedReboot runs the reboot scenario of seed 002 for each case, with
// keepalived 2.2.7 and ours side by side (and the mixed pairs with
// KGE_LONG=1).
func TestSeedReboot(t *testing.T) {
	needOurs(t)
	var s seed
	for _, x := range seeds {
		if x.Name == "002-nopreempt-master" {
			s = x
		}
	}
	long := longTier()
	combos := []combo{kk, oo}
	if long {
		combos = allCombos
	}
	for _, rc := range rebootCases {
		t.Run(rc.Name, func(t *testing.T) {
			if rc.Long {
				needLong(t)
			}
			var mu sync.Mutex
			got := map[combo]rebootTimeline{}
			t.Run("pairs", func(t *testing.T) {
				for _, c := range combos {
					t.Run(c.String(), func(t *testing.T) {
						t.Parallel()
						tl := runReboot(t, s, [2]Impl{c.M, c.B}, rc)
						mu.Lock()
						got[c] = tl
						mu.Unlock()
					})
				}
			})
			ref, ok := got[kk]
			if !ok {
				t.Fatalf("keepalived 2.2.7's run did not finish")
			}
			if ref.Final != rc.Want {
				t.Errorf("keepalived 2.2.7: VIP held by %q at the end, this test recorded %q (%s): has the lab changed?", ref.Final, rc.Want, rc.Measured)
			}
			for _, c := range combos {
				tl, ok := got[c]
				if !ok || c == kk {
					continue
				}
				if tl.Final != ref.Final {
					t.Errorf("%s: VIP held by %q at the end, keepalived 2.2.7 in the same run: %q", c, tl.Final, ref.Final)
				}
				if strings.Join(tl.AStates, ",") != strings.Join(ref.AStates, ",") {
					t.Errorf("%s: rebooted node's states %v, keepalived 2.2.7's %v", c, tl.AStates, ref.AStates)
				}
				// Same or better. Where 2.2.7 never has the VIP on both nodes
				// (the nopreempt cases), runReboot fails any pairing that
				// has. Elsewhere it is there for a few ms of a handover (the
				// seed as written: 0 to 24 ms with either daemon, measured)
				// or for 3 s (the late network without a delay, every
				// pairing): not longer than 2.2.7's plus an advert interval
				// (the phase of the adverts) and slack.
				if tl.Dup > ref.Dup+time.Second+slack() {
					t.Errorf("%s: the VIP was on both nodes for %v; keepalived 2.2.7: %v", c, tl.Dup.Round(time.Millisecond), ref.Dup.Round(time.Millisecond))
				}
				if ref.AAdverts == 0 && tl.AAdverts > 0 {
					t.Errorf("%s: rebooted node sent %d adverts; keepalived 2.2.7 sent none", c, tl.AAdverts)
				}
			}
		})
	}
}

// rebootTimeline is what one run of a reboot case saw, from the moment A's
// host went down (times are offsets from it).
type rebootTimeline struct {
	Impls    string
	Final    string        // "A", "B", "A+B" or "" (who holds the VIP at the end)
	BMaster  time.Duration // B's first advert
	Boot     time.Duration // A's daemon started again
	NetUp    time.Duration // A's switch port forwarding again (late network)
	AFirst   time.Duration // A's first advert after the boot, 0 if none
	AAdverts int           // A's adverts after the boot
	AVIP     time.Duration // A configured the VIP after the boot, 0 if never
	BYield   time.Duration // B's last advert, if B stopped advertising
	Dup      time.Duration // total time the VIP was on both nodes
	AStates  []string      // the rebooted node's logged state sequence
	BStates  []string      // B's logged states since the reboot
}

func (tl rebootTimeline) String() string {
	f := func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
	return fmt.Sprintf("%s: B master %s; A boots %s; net up %s; A's first advert %s (%d adverts); A takes VIP %s; B's last advert %s; VIP on both %v; A states %v; B states %v; VIP at the end on %s",
		tl.Impls, f(tl.BMaster), f(tl.Boot), f(tl.NetUp), f(tl.AFirst), tl.AAdverts, f(tl.AVIP), f(tl.BYield),
		tl.Dup.Round(time.Millisecond), tl.AStates, tl.BStates, tl.Final)
}

var stateRE = regexp.MustCompile(`\(VI_1\) Entering (\w+) STATE`)

// states lists the "(VI_1) Entering X STATE" lines of a log, in order.
func states(log string) []string {
	var out []string
	for _, m := range stateRE.FindAllStringSubmatch(log, -1) {
		out = append(out, m[1])
	}
	return out
}

// runReboot runs one reboot case of seed s with impls on A and B and
// returns its timeline, after checking what holds whatever the daemon.
func runReboot(t *testing.T, s seed, impls [2]Impl, rc rebootCase) rebootTimeline {
	l := seedLab(t, s)
	a, b := l.Host(s.Nodes[0].Name), l.Host(s.Nodes[1].Name)
	label := implsName(impls[0], impls[1])
	confA := readSeed(t, s.Nodes[0].Conf)
	if !rc.AsWritten {
		fixed := strings.Replace(confA, "\tstate MASTER ##", "\tstate BACKUP ##", 1)
		if fixed == confA {
			t.Fatal("seed 002: state MASTER line not found")
		}
		confA = fixed
		a.WriteConf(confA)
	}

	a.StartDaemon(impls[0])
	waitVIP(t, a, s.VIP, 15*time.Second)
	b.StartDaemon(impls[1])
	time.Sleep(1500 * time.Millisecond)
	checkHolders(t, l, s, []string{a.Name, b.Name}, a.Name, label+": before the reboot")

	if rc.StartupDelay != "" {
		// Written now rather than at the first start only to spare the
		// initial election the delay: the daemon reads it when it boots.
		withDelay := strings.Replace(confA, "global_defs {\n", "global_defs {\n\tvrrp_startup_delay "+rc.StartupDelay+"\n", 1)
		if withDelay == confA {
			t.Fatal("seed 002: global_defs not found")
		}
		a.WriteConf(withDelay)
	}
	va, vb := watchVIP(t, a, s.VIP), watchVIP(t, b, s.VIP)
	bLog := len(b.Daemon().LogText())

	// A's host goes down: every process killed at once, the interface down
	// and its addresses gone (the VIP the killed daemon left included),
	// /run emptied (keepalived's pidfiles).
	t0 := time.Now()
	a.reboot()
	tl := rebootTimeline{Impls: label}
	bAdv, ok := l.Wire.Wait(t0, 8*time.Second, AdvertFrom(b.Name, s.VRID))
	if !ok {
		t.Fatalf("%s: B did not take over after A's host went down", label)
	}
	tl.BMaster = bAdv.At.Sub(t0)
	waitVIP(t, b, s.VIP, 3*time.Second)
	time.Sleep(time.Second) // the rest of the reboot

	// A boots: interface up with its address, then (late network) the
	// switch port stops forwarding before anything of A's runs, nginx
	// starts, then keepalived as the unit starts it.
	a.bootNet(rc.LateNet > 0)
	a.StartNginx()
	boot := time.Now()
	a.StartDaemon(impls[0])
	tl.Boot = boot.Sub(t0)
	if rc.LateNet > 0 {
		time.Sleep(time.Until(boot.Add(rc.LateNet)))
		if out := l.must("ip", "-n", l.Switch, "-d", "link", "show", a.Ports[0]); !strings.Contains(out, "state listening") {
			t.Fatalf("%s: A's switch port did not stay listening for the late network: %s", label, out)
		}
		l.must("ip", "netns", "exec", l.Switch, "bridge", "link", "set", "dev", a.Ports[0], "state", "3")
		tl.NetUp = time.Since(t0)
	}
	time.Sleep(time.Until(boot.Add(rc.Observe)))

	adv := l.Wire.Packets(boot, AdvertFrom(a.Name, s.VRID))
	tl.AAdverts = len(adv)
	if len(adv) > 0 {
		tl.AFirst = adv[0].At.Sub(t0)
	}
	if bs := l.Wire.Packets(t0, AdvertFrom(b.Name, s.VRID)); len(bs) > 0 {
		if last := bs[len(bs)-1].At; time.Since(last) > 1500*time.Millisecond {
			tl.BYield = last.Sub(t0)
		}
	}
	end := time.Now()
	spansA, spansB := va.spans(end), vb.spans(end)
	for _, sp := range spansA {
		if !sp[0].Before(boot) {
			tl.AVIP = sp[0].Sub(t0)
			break
		}
	}
	tl.Dup = overlap(spansA, spansB)
	tl.AStates = states(a.Daemon().LogText())
	tl.BStates = states(b.Daemon().LogText()[bLog:])
	h := holders(l, s.VIP, a.Name, b.Name)
	switch {
	case len(h) == 2:
		tl.Final = "A+B"
	case len(h) == 1 && h[0] == a.Name:
		tl.Final = "A"
	case len(h) == 1:
		tl.Final = "B"
	}
	t.Logf("timeline %s: %v", rc.Name, tl)

	for _, h := range []*Host{a, b} {
		if d := h.Daemon(); d.Exited() {
			t.Errorf("%s: %s's daemon exited: %v", label, h.Name, d.ExitErr())
		}
	}
	if tl.Final == "A+B" {
		t.Errorf("%s: the VIP is on both nodes at the end", label)
	}
	if rc.Want == "B" {
		// Nopreempt in effect: the rebooted node never speaks.
		if len(adv) > 0 {
			t.Errorf("%s: rebooted A sent %d adverts (first %v), with nopreempt it must stay BACKUP", label, len(adv), adv[0])
		}
		if tl.Dup > 0 {
			t.Errorf("%s: the VIP was on both nodes for %v", label, tl.Dup.Round(time.Millisecond))
		}
	}
	if rc.StartupDelay != "" && len(adv) > 0 {
		if first := adv[0].At.Sub(boot); first < 5*time.Second {
			t.Errorf("%s: A advertised %v after its boot, inside vrrp_startup_delay %s", label, first.Round(time.Millisecond), rc.StartupDelay)
		}
	}
	return tl
}

// reboot takes the host down as a crash and reboot would: every process
// of the host (daemon, nginx, scripts) killed with SIGKILL at once, its
// interfaces down with their addresses flushed (whatever VIP the killed
// daemon left goes with them), and /run emptied.
func (h *Host) reboot() {
	t := h.Lab.T
	t.Helper()
	if d := h.Daemon(); d != nil {
		d.proc.SignalGroup(syscall.SIGKILL)
	}
	for _, p := range h.Procs() {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
	for _, ifc := range h.Spec.Ifaces {
		h.Lab.must("ip", "-n", h.NS, "link", "set", ifc.Name, "down")
		h.Lab.must("ip", "-n", h.NS, "addr", "flush", "dev", ifc.Name)
	}
	if d := h.Daemon(); d != nil && !d.Wait(3*time.Second) {
		t.Fatalf("e2e: %s: daemon still running after SIGKILL", h.Name)
	}
	deadline := time.Now().Add(3 * time.Second)
	for len(h.Procs()) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if ps := h.Procs(); len(ps) > 0 {
		t.Fatalf("e2e: %s: processes left after the reboot's SIGKILL: %v", h.Name, ps)
	}
	h.Must("sh", "-c", "rm -rf /run/* 2>/dev/null; true")
}

// bootNet brings the host's interfaces up again with their addresses, as
// at boot. With late, the switch ports are set to listening (forwarding
// nothing) right after the links come up, before anything of the host
// runs: the bridge has no STP, so it would forward at once otherwise.
func (h *Host) bootNet(late bool) {
	l := h.Lab
	l.T.Helper()
	for i, ifc := range h.Spec.Ifaces {
		l.must("ip", "-n", h.NS, "link", "set", ifc.Name, "up")
		if late {
			h.portListening(h.Ports[i])
		}
		for _, a := range ifc.Addrs {
			l.must("ip", "-n", h.NS, "addr", "add", a.String(), "dev", ifc.Name)
		}
	}
}

// portListening sets a bridge port whose link just came up to listening.
// The kernel's link watch tells the bridge of the carrier asynchronously
// (and refuses a state while the port is not operationally up), and the
// bridge then resets the port to forwarding: so first wait for forwarding,
// then set listening, and check that it stays.
func (h *Host) portListening(port string) {
	l := h.Lab
	l.T.Helper()
	show := func() string { return l.must("ip", "-n", l.Switch, "-d", "link", "show", port) }
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(show(), "state forwarding") {
		if time.Now().After(deadline) {
			l.T.Fatalf("e2e: %s: bridge port %s never forwarding after link up: %s", h.Name, port, show())
		}
		time.Sleep(10 * time.Millisecond)
	}
	l.must("ip", "netns", "exec", l.Switch, "bridge", "link", "set", "dev", port, "state", "1")
	time.Sleep(100 * time.Millisecond)
	if out := show(); !strings.Contains(out, "state listening") {
		l.T.Fatalf("e2e: %s: bridge port %s not listening: %s", h.Name, port, out)
	}
}

// vipWatch records when a host gains and loses an address, from `ip
// monitor address` (netlink events, nothing missed).
type vipWatch struct {
	mu     sync.Mutex
	events []vipEvent
	had    bool
	since  time.Time
}

type vipEvent struct {
	At    time.Time
	Added bool
}

func watchVIP(t testing.TB, h *Host, vip netip.Addr) *vipWatch {
	t.Helper()
	w := &vipWatch{had: h.HasAddr(vip), since: time.Now()}
	h.monitorAddrs(t, func(at time.Time, line string) {
		if !strings.Contains(line, " "+vip.String()+"/") {
			return
		}
		w.mu.Lock()
		w.events = append(w.events, vipEvent{At: at, Added: !strings.HasPrefix(line, "Deleted")})
		w.mu.Unlock()
	})
	return w
}

// spans returns the intervals in which the host held the address, up to end.
func (w *vipWatch) spans(end time.Time) [][2]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out [][2]time.Time
	var from time.Time
	if w.had {
		from = w.since
	}
	for _, e := range w.events {
		switch {
		case e.Added && from.IsZero():
			from = e.At
		case !e.Added && !from.IsZero():
			out = append(out, [2]time.Time{from, e.At})
			from = time.Time{}
		}
	}
	if !from.IsZero() {
		out = append(out, [2]time.Time{from, end})
	}
	return out
}

// overlap is the total time two sets of intervals cover together.
func overlap(a, b [][2]time.Time) time.Duration {
	var d time.Duration
	for _, x := range a {
		for _, y := range b {
			from, to := x[0], x[1]
			if y[0].After(from) {
				from = y[0]
			}
			if y[1].Before(to) {
				to = y[1]
			}
			if to.After(from) {
				d += to.Sub(from)
			}
		}
	}
	return d
}
