package vrrp

import "time"

// SyncGroup is a vrrp_sync_group as keepalived 2.2.7 runs it (vrrp_sync.c,
// reference 8.1): a member goes MASTER only when every other member wants
// MASTER too; one member going BACKUP takes all to BACKUP; one in FAULT
// takes all to FAULT, and they come back together when the last fault
// clears. It is a pure layer over its member instances, which must be
// stepped through it from then on.
type SyncGroup struct {
	name           string
	members        []*Instance
	state          State
	inited         bool
	numMemberFault int
	numMemberInit  int            // members whose scripts have yet to report
	seq            []MemberAction // actions of all members in the order made
}

// MemberAction is one action of a member, in StepSeq's ordered output.
type MemberAction struct {
	Member string
	Action Action
}

// NewSyncGroup binds the members (an instance belongs to one group only;
// a member already in a group is skipped, as keepalived ignores it).
func NewSyncGroup(name string, members []*Instance) *SyncGroup {
	g := &SyncGroup{name: name}
	for _, m := range members {
		if m == nil || m.sync != nil {
			continue
		}
		m.sync = g
		g.members = append(g.members, m)
	}
	return g
}

// Dissolve unbinds the members, which keep their state: a group rebuilt
// on reload takes them (NewSyncGroup skips a member still bound to a
// group). The group must not be stepped afterwards.
func (g *SyncGroup) Dissolve() {
	for _, m := range g.members {
		if m.sync == g {
			m.sync = nil
		}
	}
	g.members = nil
}

// Name is the group's name.
func (g *SyncGroup) Name() string { return g.name }

// State is the group's state (INIT before its first member starts).
func (g *SyncGroup) State() State { return g.state }

// Members returns the member instances in configured order.
func (g *SyncGroup) Members() []*Instance { return g.members }

// Step runs the timers of all members due by now (earliest first), then ev
// on the member named member (ev nil: timers only), and returns each
// member's actions by instance name.
func (g *SyncGroup) Step(now time.Time, member string, ev Event) map[string][]Action {
	out := make(map[string][]Action, len(g.members))
	for _, ma := range g.StepSeq(now, member, ev) {
		out[ma.Member] = append(out[ma.Member], ma.Action)
	}
	return out
}

// StepSeq is Step with the actions of all members in the order keepalived
// makes them (for example a member's own transition, the group's "Syncing
// instances" line, then the other members' transitions). Like
// Instance.Step, it reuses its memory: the list and the actions are valid
// until the group's next Step, and a member's received advert or a
// master's advert costs no allocation.
func (g *SyncGroup) StepSeq(now time.Time, member string, ev Event) []MemberAction {
	clear(g.seq)
	g.seq = g.seq[:0]
	for _, m := range g.members {
		m.reset()
	}
	if _, ok := ev.(Stalled); ok {
		// Before the overdue timers, as for a lone instance.
		for _, m := range g.members {
			if m.cfg.Name == member {
				m.now = now
				m.stalled()
			}
		}
		ev = nil
	}
	g.runTimers(now)
	if ev != nil {
		for _, m := range g.members {
			if m.cfg.Name == member {
				m.now = now
				m.handle(ev)
				break
			}
		}
		g.runTimers(now)
	}
	for _, m := range g.members {
		m.flushReload()
	}
	return g.seq
}

// NextDeadline is the earliest deadline of any member.
func (g *SyncGroup) NextDeadline() (time.Time, bool) {
	var t time.Time
	for _, m := range g.members {
		if d, ok := m.NextDeadline(); ok && (t.IsZero() || d.Before(t)) {
			t = d
		}
	}
	return t, !t.IsZero()
}

func (g *SyncGroup) runTimers(now time.Time) {
	for i := 0; i < 1000*len(g.members)+1; i++ {
		var next *Instance
		var at time.Time
		for _, m := range g.members {
			if d, ok := m.NextDeadline(); ok && !d.After(now) && (next == nil || d.Before(at)) {
				next, at = m, d
			}
		}
		if next == nil {
			return
		}
		next.fireNext(now)
	}
}

// initState is the group state a starting member sees (vrrp_sync_set_group,
// initialise_tracking_priorities, then vrrp_init_state): FAULT if any member
// has a fault, INIT if any member's scripts have yet to report, MASTER if
// every member is an address owner wanting MASTER, else BACKUP. Every
// member's tracking must be known before the first one starts.
func (g *SyncGroup) initState() State {
	if g.inited {
		return g.state
	}
	g.inited = true
	g.state = StateMaster
	for _, m := range g.members {
		if !(m.wantState == StateMaster && m.basePrio == PrioOwner) {
			g.state = StateBackup
		}
	}
	for _, m := range g.members {
		if m.faultCount() > 0 {
			g.numMemberFault++
		}
		if len(m.inits) > 0 {
			g.numMemberInit++
		}
	}
	switch {
	case g.numMemberFault > 0:
		g.state = StateFault
	case g.numMemberInit > 0:
		// initialise_tracking_priorities: INIT until they report.
		g.state = StateInit
	}
	return g.state
}

func (g *SyncGroup) log(in *Instance, to State) {
	in.emit(Log{Group: g.name, Msg: "Syncing instances to " + to.String() + " state"})
}

func (g *SyncGroup) setState(in *Instance, to State) {
	g.state = to
	in.emit(GroupTransition{Group: g.name, To: to})
}

// canGotoMaster is vrrp_sync_can_goto_master: prefer BACKUP to thrashing;
// a member that may not go yet waits another master down interval.
func (g *SyncGroup) canGotoMaster(in *Instance) bool {
	if g.state == StateMaster {
		return true
	}
	for _, m := range g.members {
		if m != in && m.wantState != StateMaster {
			in.msDownTimer = in.downTimer()
			in.initSands()
			return false
		}
	}
	return true
}

// backup is vrrp_sync_backup.
func (g *SyncGroup) backup(in *Instance) {
	if g.state == StateBackup {
		return
	}
	g.log(in, StateBackup)
	for _, m := range g.members {
		if m == in || m.state == StateBackup || m.stopped {
			continue
		}
		m.now = in.now
		m.wantState = StateBackup
		if m.state == StateFault || m.state == StateInit {
			m.leaveFault("sync group")
		} else {
			m.leaveMaster(false, "sync group")
		}
	}
	g.setState(in, StateBackup)
}

// master is vrrp_sync_master.
func (g *SyncGroup) master(in *Instance) {
	if g.state == StateMaster || !g.canGotoMaster(in) {
		return
	}
	g.log(in, StateMaster)
	for _, m := range g.members {
		if m == in || m.state == StateMaster || m.stopped {
			continue
		}
		m.now = in.now
		m.wantState = StateMaster
		m.gotoMaster("sync group")
	}
	g.setState(in, StateMaster)
}

// fault is vrrp_sync_fault.
func (g *SyncGroup) fault(in *Instance) {
	if g.state == StateFault {
		return
	}
	g.log(in, StateFault)
	for _, m := range g.members {
		if m == in || m.state == StateFault || m.stopped {
			continue
		}
		m.now = in.now
		m.wantState = StateFault
		if m.state == StateMaster {
			m.leaveMaster(false, "sync group")
		} else {
			// keepalived sets FAULT first ("a bit of a bodge"), so it
			// notifies without logging "Entering FAULT STATE".
			m.transition(StateFault, "sync group")
			m.leaveFault("sync group")
		}
	}
	g.setState(in, StateFault)
}

// lowerPrioGarp sends the other members' lower-priority GARPs.
func (g *SyncGroup) lowerPrioGarp(in *Instance) {
	for _, m := range g.members {
		if m != in {
			m.now = in.now
			m.lowerPrioGarp()
		}
	}
}
