package vrrpsim

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/vrrp"
)

// The reasons of issue 15 ("why this state"), for every kind of
// transition the simulator makes, computed as the daemon computes them: the
// cause is read at the transition (vrrp.CauseOf, from the Transition and
// the Status after it), the words at the transition and when a status is
// asked for (vrrp.Explain). The expected words are written by hand.
// Virtual time zero (Epoch) is 13:46:40 UTC.

// whys records, per router/instance, the cause of the last transition and
// the reason as it stood at each transition.
type whys struct {
	s      *Sim
	causes map[string]causeOf
	lines  []string
	// extra fills what the daemon adds from its own model (trackers,
	// track_interface names, scripts still to report) for one instance.
	extra map[string]func(*vrrp.ReasonInput)
}

type causeOf struct {
	cause vrrp.Cause
	from  netip.Addr
	prio  int
}

func newWhys() *whys {
	return &whys{causes: map[string]causeOf{}, extra: map[string]func(*vrrp.ReasonInput){}}
}

func (w *whys) options(o Options) Options {
	o.Quiet = true
	o.OnTransition = func(router, inst string, tr vrrp.Transition, st vrrp.Status) {
		if tr.To == vrrp.StateStop {
			return
		}
		c, from, prio := vrrp.CauseOf(tr, st)
		key := router + "/" + inst
		w.causes[key] = causeOf{c, from, prio}
		w.lines = append(w.lines, fmt.Sprintf("%v %s %s", w.s.Elapsed(), key, w.explainStatus(router, inst, st).Text))
	}
	return o
}

// reason is the instance's reason now, as `keepalived status` shows it.
func (w *whys) reason(router, inst string) string {
	return w.explainStatus(router, inst, w.s.Router(router).Instance(inst).Status()).Text
}

func (w *whys) explainStatus(router, inst string, st vrrp.Status) vrrp.Reason {
	r := w.s.Router(router)
	c := r.Instance(inst).Config()
	key := router + "/" + inst
	cs := w.causes[key]
	in := vrrp.ReasonInput{
		Status: st, Now: w.s.Now(), BasePriority: int(c.Priority), Nopreempt: c.Nopreempt,
		Cause: cs.cause, CauseFrom: cs.from, CausePriority: cs.prio,
		DownTimerAdverts: c.DownTimerAdverts, SyncGroup: r.gname,
	}
	if f := w.extra[key]; f != nil {
		f(&in)
	}
	return vrrp.Explain(in)
}

func (w *whys) take() []string {
	l := w.lines
	w.lines = nil
	return l
}

// at runs fn at elapsed d and records what it returns under its name.
type checkAt struct {
	at   time.Duration
	what string
	want string
}

func wantLines(t *testing.T, what string, want, got []string) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", what, diff)
	}
}

// runChecks runs the simulation through each check's time and compares the
// reason then.
func runChecks(t *testing.T, s *Sim, w *whys, checks []checkAt) {
	t.Helper()
	for _, c := range checks {
		s.RunUntil(c.at)
		router, inst, _ := strings.Cut(c.what, "/")
		if got := w.reason(router, inst); got != c.want {
			t.Errorf("status of %s at %v:\n got %q\nwant %q", c.what, c.at, got, c.want)
		}
	}
}

// TestReasonsPair: start, master-down timer with nobody heard,
// preemption, a higher-priority advert, a priority-0 advert, a crash (the
// down timer names the silent master), a track_interface and a
// track_script fault and their clearing.
func TestReasonsPair(t *testing.T) {
	w := newWhys()
	s, r1, r2 := pair(w.options(Options{}), cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	w.s = s
	w.extra["r2/VI_1"] = func(in *vrrp.ReasonInput) { in.TrackInterfaces = []string{"eth1"} }
	s.At(0, r2.Start)
	s.At(sec(10), r1.Start)
	s.At(ms(20500), r1.Stop)
	s.At(sec(25), r1.Start)
	s.At(ms(35500), r1.Crash)
	s.At(sec(40), func() { r2.Fault("VI_1", "if:eth1", true) })
	s.At(sec(41), func() { r2.Fault("VI_1", "script:chk_nginx", true) })
	s.At(sec(42), func() { r2.Fault("VI_1", "if:eth1", false) })
	s.At(sec(43), func() { r2.Fault("VI_1", "script:chk_nginx", false) })
	runChecks(t, s, w, []checkAt{
		{sec(1), "r2/VI_1", "BACKUP: no master heard yet; ours is 90"},
		{sec(12), "r1/VI_1", "BACKUP: master 10.0.0.2 advertises priority 90, ours is 100 (lower: ours takes over when the down timer expires); last advert 0.4 s ago"},
		{sec(15), "r2/VI_1", "BACKUP: master 10.0.0.1 advertises priority 100, ours is 90; last advert 0.4 s ago"},
		{sec(15), "r1/VI_1", "MASTER since 13:46:53 after preempting 10.0.0.2 (priority 90, ours 100)"},
		{ms(20900), "r2/VI_1", "BACKUP: master 10.0.0.1 left MASTER (priority 0 advert), ours is 90; taking over after the skew time"},
		{sec(22), "r2/VI_1", "MASTER since 13:47:01 after 10.0.0.1 left MASTER (priority 0 advert)"},
		{sec(39), "r2/VI_1", "MASTER since 13:47:18 after master-down timer (3 adverts missed from 10.0.0.1)"},
		{ms(41500), "r2/VI_1", "FAULT: track_interface eth1 is down; track_script chk_nginx failed"},
		{ms(42500), "r2/VI_1", "FAULT: track_script chk_nginx failed"},
		{ms(43500), "r2/VI_1", "BACKUP: back from FAULT, no master heard yet; ours is 90"},
		{sec(50), "r2/VI_1", "MASTER since 13:47:26 after master-down timer (no master heard)"},
	})
	wantLines(t, "reasons at each transition", []string{
		"0s r2/VI_1 BACKUP: no master heard yet; ours is 90",
		"3.648437s r2/VI_1 MASTER since 13:46:43 after master-down timer (no master heard)",
		"10s r1/VI_1 BACKUP: no master heard yet; ours is 100",
		"13.609375s r1/VI_1 MASTER since 13:46:53 after preempting 10.0.0.2 (priority 90, ours 100)",
		"13.609375s r2/VI_1 BACKUP: master 10.0.0.1 advertises priority 100, ours is 90; last advert 0.0 s ago",
		"21.148437s r2/VI_1 MASTER since 13:47:01 after 10.0.0.1 left MASTER (priority 0 advert)",
		"25s r1/VI_1 BACKUP: no master heard yet; ours is 100",
		"28.609375s r1/VI_1 MASTER since 13:47:08 after preempting 10.0.0.2 (priority 90, ours 100)",
		"28.609375s r2/VI_1 BACKUP: master 10.0.0.1 advertises priority 100, ours is 90; last advert 0.0 s ago",
		"38.257812s r2/VI_1 MASTER since 13:47:18 after master-down timer (3 adverts missed from 10.0.0.1)",
		"40s r2/VI_1 FAULT: track_interface eth1 is down",
		"43s r2/VI_1 BACKUP: back from FAULT, no master heard yet; ours is 90",
		"46.648437s r2/VI_1 MASTER since 13:47:26 after master-down timer (no master heard)",
	}, w.take())
}

// TestReasonsNopreemptAndReload: a higher-priority backup with nopreempt
// stays BACKUP and says so; a reload (Reconfigure) of either node keeps
// the state and its cause, with the new priorities.
func TestReasonsNopreemptAndReload(t *testing.T) {
	w := newWhys()
	c1 := cfg("VI_1", 51, 100, "10.0.0.100")
	c1.Nopreempt = true
	c2 := cfg("VI_1", 51, 90, "10.0.0.100")
	s, r1, r2 := pair(w.options(Options{}), c1, c2)
	w.s = s
	s.At(0, r2.Start)
	s.At(sec(10), r1.Start)
	c2r := c2
	c2r.Priority = 95
	s.At(sec(20), func() { r2.Reconfigure("VI_1", c2r) })
	c1r := c1
	c1r.Priority = 110
	s.At(sec(30), func() { r1.Reconfigure("VI_1", c1r) })
	runChecks(t, s, w, []checkAt{
		{sec(15), "r1/VI_1", "BACKUP: master 10.0.0.2 advertises priority 90, ours is 100 but nopreempt; last advert 0.4 s ago"},
		{ms(25400), "r1/VI_1", "BACKUP: master 10.0.0.2 advertises priority 95, ours is 100 but nopreempt; last advert 0.4 s ago"},
		{ms(25400), "r2/VI_1", "MASTER since 13:46:43 after master-down timer (no master heard)"},
		{ms(35400), "r1/VI_1", "BACKUP: master 10.0.0.2 advertises priority 95, ours is 110 but nopreempt; last advert 0.4 s ago"},
	})
	wantLines(t, "reasons at each transition", []string{
		"0s r2/VI_1 BACKUP: no master heard yet; ours is 90",
		"3.648437s r2/VI_1 MASTER since 13:46:43 after master-down timer (no master heard)",
		"10s r1/VI_1 BACKUP: no master heard yet; ours is 100",
	}, w.take())
}

// TestReasonsOwnerAndTie: the address owner is MASTER at start and the
// running master yields to it; with equal priorities the higher address
// keeps MASTER and the other says why it does not take over.
func TestReasonsOwnerAndTie(t *testing.T) {
	t.Run("owner", func(t *testing.T) {
		w := newWhys()
		owner := cfg("VI_1", 51, 255, "10.0.0.100")
		owner.WantMaster = true
		s, r1, r2 := pair(w.options(Options{}), owner, cfg("VI_1", 51, 100, "10.0.0.100"))
		w.s = s
		s.At(0, r2.Start)
		s.At(sec(10), r1.Start)
		runChecks(t, s, w, []checkAt{
			{ms(12400), "r2/VI_1", "BACKUP: master 10.0.0.1 advertises priority 255, ours is 100; last advert 0.4 s ago"},
		})
		wantLines(t, "reasons at each transition", []string{
			"0s r2/VI_1 BACKUP: no master heard yet; ours is 100",
			"3.609375s r2/VI_1 MASTER since 13:46:43 after master-down timer (no master heard)",
			"10.000001s r1/VI_1 MASTER since 13:46:50 at start: address owner (priority 255)",
			"10.000001s r2/VI_1 BACKUP: master 10.0.0.1 advertises priority 255, ours is 100; last advert 0.0 s ago",
		}, w.take())
	})
	t.Run("tie", func(t *testing.T) {
		w := newWhys()
		s, r1, r2 := pair(w.options(Options{Delay: us(100)}), cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 100, "10.0.0.100"))
		w.s = s
		s.At(0, r1.Start)
		s.At(0, r2.Start)
		runChecks(t, s, w, []checkAt{
			{ms(5000), "r1/VI_1", "BACKUP: master 10.0.0.2 advertises priority 100, ours is 100 (equal: a backup does not take over); last advert 0.4 s ago"},
		})
		wantLines(t, "reasons at each transition", []string{
			"0s r1/VI_1 BACKUP: no master heard yet; ours is 100",
			"0s r2/VI_1 BACKUP: no master heard yet; ours is 100",
			"3.609375s r1/VI_1 MASTER since 13:46:43 after master-down timer (no master heard)",
			"3.609375s r2/VI_1 MASTER since 13:46:43 after master-down timer (no master heard)",
			"3.609475s r1/VI_1 BACKUP: master 10.0.0.2 advertises priority 100, ours is 100 (equal: a backup does not take over); last advert 0.0 s ago",
		}, w.take())
	})
}

// TestReasonsTrackingPriority: a failed weighted script lowers the
// master below its backup, which preempts it; the old master names the new
// one and the script's part in its priority.
func TestReasonsTrackingPriority(t *testing.T) {
	w := newWhys()
	s, r1, r2 := pair(w.options(Options{}), cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	w.s = s
	chk := false // chk_nginx failed (weight -20) from 10 s
	w.extra["r1/VI_1"] = func(in *vrrp.ReasonInput) {
		if chk {
			in.Trackers = []vrrp.TrackerEffect{{Kind: "script", Name: "chk_nginx", Down: true, Delta: -20}}
		}
	}
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(sec(10), func() { chk = true; r1.Priority("VI_1", 80) })
	runChecks(t, s, w, []checkAt{
		{ms(16600), "r1/VI_1", "BACKUP: master 10.0.0.2 advertises priority 90, ours is 80 (base 100, chk_nginx failed: -20); last advert 0.3 s ago"},
	})
	wantLines(t, "reasons at each transition", []string{
		"0s r1/VI_1 BACKUP: no master heard yet; ours is 100",
		"0s r2/VI_1 BACKUP: no master heard yet; ours is 90",
		"3.609375s r1/VI_1 MASTER since 13:46:43 after master-down timer (no master heard)",
		"13.257812s r2/VI_1 MASTER since 13:46:53 after preempting 10.0.0.1 (priority 80, ours 90)",
		"13.257812s r1/VI_1 BACKUP: master 10.0.0.2 advertises priority 90, ours is 80 (base 100, chk_nginx failed: -20); last advert 0.0 s ago",
	}, w.take())
}

// TestReasonsSyncGroup: members become MASTER together (one by its timer,
// the other with its group), a fault on one forces the other to FAULT, and
// the other node's group takes over after the priority 0 adverts the
// faulted master sends.
func TestReasonsSyncGroup(t *testing.T) {
	w := newWhys()
	s := New(w.options(Options{}))
	w.s = s
	r1 := s.AddRouter("r1", "10.0.0.1", "", "G1", cfg("VI_1", 1, 100, "10.0.0.101"), cfg("VI_2", 2, 100, "10.0.0.102"))
	r2 := s.AddRouter("r2", "10.0.0.2", "", "G1", cfg("VI_1", 1, 90, "10.0.0.101"), cfg("VI_2", 2, 90, "10.0.0.102"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), func() { r1.Fault("VI_2", "if:eth2", true) })
	runChecks(t, s, w, []checkAt{
		{sec(12), "r1/VI_1", "FAULT: a member of sync group G1 is in FAULT"},
		{sec(12), "r1/VI_2", "FAULT: interface eth2 is down"},
	})
	wantLines(t, "reasons at each transition", []string{
		"0s r1/VI_1 BACKUP: no master heard yet; ours is 100",
		"0s r1/VI_2 BACKUP: no master heard yet; ours is 100",
		"0s r2/VI_1 BACKUP: no master heard yet; ours is 90",
		"0s r2/VI_2 BACKUP: no master heard yet; ours is 90",
		"3.609375s r1/VI_2 MASTER since 13:46:43 after master-down timer (no master heard)",
		"3.609375s r1/VI_1 MASTER since 13:46:43 with sync group G1",
		"10.5s r1/VI_2 FAULT: interface eth2 is down",
		"10.5s r1/VI_1 FAULT: a member of sync group G1 is in FAULT",
		"11.148437s r2/VI_2 MASTER since 13:46:51 after 10.0.0.1 left MASTER (priority 0 advert)",
		"11.148437s r2/VI_1 MASTER since 13:46:51 with sync group G1",
	}, w.take())
}

// TestReasonsScriptPending: an instance whose unweighted script has not
// reported waits in FAULT, and says for what.
func TestReasonsScriptPending(t *testing.T) {
	w := newWhys()
	s := New(w.options(Options{}))
	w.s = s
	r1 := s.AddRouter("r1", "10.0.0.1", "", "", cfg("VI_1", 1, 100, "10.0.0.101"))
	pending := true
	w.extra["r1/VI_1"] = func(in *vrrp.ReasonInput) {
		if pending {
			in.Pending = []string{"track_script chk"}
		}
	}
	s.At(0, func() { r1.StartAwaiting("chk", "VI_1") })
	s.At(sec(2), func() { pending = false; r1.ScriptResult("VI_1", "chk", true) })
	runChecks(t, s, w, []checkAt{
		{sec(1), "r1/VI_1", "FAULT: waiting for the first result of track_script chk"},
		{sec(3), "r1/VI_1", "BACKUP: back from FAULT, no master heard yet; ours is 100"},
		{sec(6), "r1/VI_1", "MASTER since 13:46:45 after master-down timer (no master heard)"},
	})
	wantLines(t, "reasons at each transition", []string{
		"0s r1/VI_1 FAULT: waiting for the first result of track_script chk",
		"2s r1/VI_1 BACKUP: back from FAULT, no master heard yet; ours is 100",
		"5.609375s r1/VI_1 MASTER since 13:46:45 after master-down timer (no master heard)",
	}, w.take())
}
