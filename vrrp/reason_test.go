package vrrp

import (
	"net/netip"
	"testing"
	"time"
)

// TestExplain: the reason of every state and every kind of transition,
// in the words of issue 15.
func TestExplain(t *testing.T) {
	at := time.Date(2026, 12, 2, 12, 3, 4, 0, time.UTC)
	a11, a12 := netip.MustParseAddr("10.0.0.11"), netip.MustParseAddr("10.0.0.12")
	chk := []TrackerEffect{{Kind: "script", Name: "chk_nginx", Down: true, Delta: -10}, {Kind: "interface", Name: "eth1"}}
	for _, c := range []struct {
		name string
		in   ReasonInput
		want string
	}{
		{"backup below the master, weight failed", ReasonInput{
			Status: Status{State: StateBackup, EffectivePriority: 90, MasterAddr: a11, MasterPriority: 100, LastTransition: at,
				Heard: Heard{At: at.Add(9600 * time.Millisecond), From: a11, Priority: 100}},
			Now:          at.Add(10 * time.Second),
			BasePriority: 100, Trackers: chk, Cause: CauseStartup,
		}, "BACKUP: master 10.0.0.11 advertises priority 100, ours is 90 (base 100, chk_nginx failed: -10); last advert 0.4 s ago"},
		{"backup equal", ReasonInput{
			Status:       Status{State: StateBackup, EffectivePriority: 100, MasterAddr: a11, MasterPriority: 100, Heard: Heard{At: at, From: a11, Priority: 100}},
			BasePriority: 100,
		}, "BACKUP: master 10.0.0.11 advertises priority 100, ours is 100 (equal: a backup does not take over)"},
		{"backup heard its master before a fault, not since", ReasonInput{
			Status:       Status{State: StateBackup, EffectivePriority: 100, MasterAddr: a11, MasterPriority: 100, LastTransition: at, Heard: Heard{At: at.Add(-time.Second), From: a11, Priority: 100}},
			BasePriority: 100, Cause: CauseFaultCleared,
		}, "BACKUP: back from FAULT, no master heard yet; ours is 100"},
		{"backup above a master it discards", ReasonInput{
			Status:       Status{State: StateBackup, EffectivePriority: 100, MasterAddr: a11, LastTransition: at, Heard: Heard{At: at.Add(time.Second), From: a11, Priority: 90}},
			Now:          at.Add(1500 * time.Millisecond),
			BasePriority: 100,
		}, "BACKUP: master 10.0.0.11 advertises priority 90, ours is 100 (lower: ours takes over when the down timer expires); last advert 0.5 s ago"},
		{"backup after its master's priority 0 advert", ReasonInput{
			Status:       Status{State: StateBackup, EffectivePriority: 100, MasterAddr: a11, MasterPriority: 150, Heard: Heard{At: at, From: a11}},
			BasePriority: 100,
		}, "BACKUP: master 10.0.0.11 left MASTER (priority 0 advert), ours is 100; taking over after the skew time"},
		{"backup higher with nopreempt", ReasonInput{
			Status:       Status{State: StateBackup, EffectivePriority: 100, MasterAddr: a11, MasterPriority: 90, Heard: Heard{At: at, From: a11, Priority: 90}},
			BasePriority: 100, Nopreempt: true,
		}, "BACKUP: master 10.0.0.11 advertises priority 90, ours is 100 but nopreempt"},
		{"backup at start, nothing heard", ReasonInput{
			Status: Status{State: StateBackup, EffectivePriority: 100}, BasePriority: 100, Cause: CauseStartup,
		}, "BACKUP: no master heard yet; ours is 100"},
		{"backup after a higher advert", ReasonInput{
			Status: Status{State: StateBackup, EffectivePriority: 100}, BasePriority: 100,
			Cause: CauseHigherPriority, CauseFrom: a12, CausePriority: 150,
		}, "BACKUP: left MASTER for 10.0.0.12 (priority 150); ours is 100"},
		{"backup back from fault", ReasonInput{
			Status: Status{State: StateBackup, EffectivePriority: 100}, BasePriority: 100, Cause: CauseFaultCleared,
		}, "BACKUP: back from FAULT, no master heard yet; ours is 100"},
		{"backup held by its sync group", ReasonInput{
			Status: Status{State: StateBackup, EffectivePriority: 100}, BasePriority: 100, Cause: CauseSyncGroup, SyncGroup: "G",
		}, "BACKUP: held by sync group G; ours is 100"},
		{"fault on an interface", ReasonInput{
			Status: Status{State: StateFault, Faults: []string{"if:eth1"}}, Cause: CauseFault,
		}, "FAULT: interface eth1 is down"},
		{"fault on a script and the source", ReasonInput{
			Status: Status{State: StateFault, Faults: []string{"script:chk", "src"}}, Cause: CauseFault,
		}, "FAULT: track_script chk failed; no source address"},
		{"fault through the sync group", ReasonInput{
			Status: Status{State: StateFault}, Cause: CauseSyncGroup, SyncGroup: "G",
		}, "FAULT: a member of sync group G is in FAULT"},
		{"master after the down timer", ReasonInput{
			Status: Status{State: StateMaster, EffectivePriority: 100, LastTransition: at}, Cause: CauseMasterDown, CauseFrom: a12,
		}, "MASTER since 12:03:04 after master-down timer (3 adverts missed from 10.0.0.12)"},
		{"master after the down timer, none heard", ReasonInput{
			Status: Status{State: StateMaster, EffectivePriority: 100, LastTransition: at}, Cause: CauseMasterDown, DownTimerAdverts: 5,
		}, "MASTER since 12:03:04 after master-down timer (no master heard)"},
		{"master after a priority 0 advert", ReasonInput{
			Status: Status{State: StateMaster, EffectivePriority: 100, LastTransition: at}, Cause: CausePriorityZero, CauseFrom: a12,
		}, "MASTER since 12:03:04 after 10.0.0.12 left MASTER (priority 0 advert)"},
		{"master by preemption", ReasonInput{
			Status: Status{State: StateMaster, EffectivePriority: 100, LastTransition: at}, Cause: CausePreempt, CauseFrom: a12, CausePriority: 90,
		}, "MASTER since 12:03:04 after preempting 10.0.0.12 (priority 90, ours 100)"},
		{"owner at start", ReasonInput{
			Status: Status{State: StateMaster, EffectivePriority: 255, LastTransition: at}, Cause: CauseStartup,
		}, "MASTER since 12:03:04 at start: address owner (priority 255)"},
		{"master with its sync group", ReasonInput{
			Status: Status{State: StateMaster, EffectivePriority: 100, LastTransition: at}, Cause: CauseSyncGroup, SyncGroup: "G",
		}, "MASTER since 12:03:04 with sync group G"},
		{"init", ReasonInput{Status: Status{State: StateInit}}, "INIT"},
	} {
		if got := Explain(c.in).Text; got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

// TestExplainParts: the JSON parts carry what the text says.
func TestExplainParts(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	r := Explain(ReasonInput{
		Status: Status{State: StateBackup, EffectivePriority: 110, MasterAddr: netip.MustParseAddr("fe80::1"), MasterPriority: 120,
			Heard: Heard{At: now.Add(-2 * time.Second), From: netip.MustParseAddr("fe80::1"), Priority: 120}},
		Now: now, BasePriority: 100,
		Trackers: []TrackerEffect{{Kind: "script", Name: "chk", Delta: 10}, {Kind: "interface", Name: "eth2", Down: true, Delta: 0}},
	})
	if r.Master != "fe80::1" || r.MasterPriority != 120 || r.Priority != 110 || r.Base != 100 {
		t.Errorf("parts: %+v", r)
	}
	if len(r.Parts) != 1 || r.Parts[0] != "chk ok: +10" {
		t.Errorf("priority parts %q, want [chk ok: +10]", r.Parts)
	}
	if r.LastAdvertAgo == nil || *r.LastAdvertAgo != 2 {
		t.Errorf("last advert ago %v, want 2", r.LastAdvertAgo)
	}
}

// TestExplainEveryTransitionOfTheCore drives a real instance through each
// kind of transition the core makes (start, master-down timer, a higher
// priority advert, a fault, its clearing, a master timing out again) and
// checks the reason the daemon would show from CauseOf and Status.
func TestExplainEveryTransitionOfTheCore(t *testing.T) {
	c := baseCfg()
	in := mustInstance(t, c)
	step := func(now time.Time, ev Event) (Transition, bool, Reason) {
		t.Helper()
		var tr Transition
		found := false
		for _, a := range in.Step(now, ev) {
			if x, ok := a.(Transition); ok {
				tr, found = x, true
			}
		}
		after := in.Status()
		cause, from, prio := CauseOf(tr, after)
		return tr, found, Explain(ReasonInput{Status: after, Now: now, BasePriority: 100,
			Cause: cause, CauseFrom: from, CausePriority: prio})
	}
	type want struct {
		state State
		text  string
	}
	check := func(what string, tr Transition, found bool, r Reason, w want) {
		t.Helper()
		if !found || tr.To != w.state || r.Text != w.text {
			t.Errorf("%s: transition %v (found %v), reason %q; want %v %q", what, tr, found, r.Text, w.state, w.text)
		}
	}
	tr, ok, r := step(t0, Startup{})
	check("start", tr, ok, r, want{StateBackup, "BACKUP: no master heard yet; ours is 100"})

	d, _ := in.NextDeadline()
	tr, ok, r = step(d, nil)
	check("down timer, nobody heard", tr, ok, r, want{StateMaster, "MASTER since " + d.Format("15:04:05") + " after master-down timer (no master heard)"})

	now := d.Add(500 * time.Millisecond)
	tr, ok, r = step(now, rx(c, 150, peer))
	check("higher priority advert", tr, ok, r, want{StateBackup, "BACKUP: master 10.0.0.2 advertises priority 150, ours is 100; last advert 0.0 s ago"})
	if r.Cause != CauseHigherPriority {
		t.Errorf("cause %v, want %v", r.Cause, CauseHigherPriority)
	}

	now = now.Add(time.Second)
	tr, ok, r = step(now, Fault{Key: "if:eth1", On: true})
	check("fault", tr, ok, r, want{StateFault, "FAULT: interface eth1 is down"})

	now = now.Add(time.Second)
	tr, ok, r = step(now, Fault{Key: "if:eth1", On: false})
	// The master heard before the fault is not shown: nothing says it is
	// still there.
	check("fault cleared", tr, ok, r, want{StateBackup, "BACKUP: back from FAULT, no master heard yet; ours is 100"})
	if r.Cause != CauseFaultCleared {
		t.Errorf("cause %v, want %v", r.Cause, CauseFaultCleared)
	}

	// The master heard before falls silent: the down timer names it.
	now = now.Add(100 * time.Millisecond)
	_, ok, _ = step(now, rx(c, 150, peer))
	for i := 0; i < 10 && !ok; i++ { // other timers (gratuitous ARP) may come first
		d, _ = in.NextDeadline()
		tr, ok, r = step(d, nil)
	}
	check("master silent", tr, ok, r, want{StateMaster, "MASTER since " + d.Format("15:04:05") + " after master-down timer (3 adverts missed from 10.0.0.2)"})
}
