package vrrp

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Why an instance is in its state (issue 15, item 3): a pure function of a
// snapshot, so that `keepalived status`, /status, the JSON dump and the
// transition log line all say the same words. The core and the daemon
// supply the snapshot; nothing here reads a clock or keeps state.

// Cause is what made an instance enter its current state. The zero value
// is "not recorded".
type Cause uint8

const (
	CauseUnknown Cause = iota
	// CauseStartup: the state taken at start (BACKUP with its first down
	// timer, MASTER at once as the address owner).
	CauseStartup
	// CauseMasterDown: BACKUP -> MASTER when the master-down timer expired
	// (no valid advert for down_timer_adverts intervals plus the skew).
	CauseMasterDown
	// CausePriorityZero: BACKUP -> MASTER after the master's priority-0
	// advert (it stopped or left MASTER), one skew time later.
	CausePriorityZero
	// CausePreempt: BACKUP -> MASTER after discarding lower-priority
	// adverts (preemption; CauseFrom is the old master).
	CausePreempt
	// CauseHigherPriority: MASTER -> BACKUP on an advert of higher
	// priority, or of equal priority from a higher address (CauseFrom).
	CauseHigherPriority
	// CauseFault: -> FAULT because of Status.Faults.
	CauseFault
	// CauseFaultCleared: FAULT -> BACKUP when the last fault cleared.
	CauseFaultCleared
	// CauseSyncGroup: forced by the instance's sync group (a sibling went
	// BACKUP or FAULT, or the group went MASTER together).
	CauseSyncGroup
)

func (c Cause) String() string {
	switch c {
	case CauseStartup:
		return "startup"
	case CauseMasterDown:
		return "master-down timer"
	case CausePriorityZero:
		return "priority 0 advert"
	case CausePreempt:
		return "preempted"
	case CauseHigherPriority:
		return "higher priority advert"
	case CauseFault:
		return "fault"
	case CauseFaultCleared:
		return "fault cleared"
	case CauseSyncGroup:
		return "sync group"
	}
	return "unknown"
}

// MarshalText makes a Cause a JSON string.
func (c Cause) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads what MarshalText wrote (a client of /status or the
// control socket decodes it); a word it does not know is CauseUnknown.
func (c *Cause) UnmarshalText(b []byte) error {
	*c = CauseUnknown
	for k := CauseStartup; k <= CauseSyncGroup; k++ {
		if k.String() == string(b) {
			*c = k
		}
	}
	return nil
}

// TrackerEffect is one tracked object's part in the effective priority:
// Kind "script", "interface", "process" or "file", Down when it is failed
// (down, quorum lost; a file has a value, not a state), Delta what it adds
// to the base priority now.
type TrackerEffect struct {
	Kind  string
	Name  string
	Down  bool
	Delta int
}

// ReasonInput is the snapshot a reason is computed from.
type ReasonInput struct {
	Status       Status
	Now          time.Time
	BasePriority int
	Nopreempt    bool
	// Trackers are the weighted trackers (Delta != 0 are shown).
	Trackers []TrackerEffect
	// Cause and CauseFrom / CausePriority say what made the last
	// transition: the master whose adverts stopped, the higher-priority
	// sender, the preempted master, and its priority.
	Cause         Cause
	CauseFrom     netip.Addr
	CausePriority int
	// DownTimerAdverts is down_timer_adverts (3 when zero).
	DownTimerAdverts int
	SyncGroup        string
	// TrackInterfaces are the instance's (and its group's) track_interface
	// names: a fault on one says "track_interface eth1 is down".
	TrackInterfaces []string
	// Pending are the unweighted trackers yet to report a first result
	// ("track_script chk"): what holds a starting instance in FAULT.
	Pending []string
}

// Reason is why an instance is in its state, in words (Text) and in parts
// for JSON readers.
type Reason struct {
	State    string    `json:"state"`
	Text     string    `json:"text"`
	Cause    Cause     `json:"cause"`
	Since    time.Time `json:"since,omitzero"`
	Priority int       `json:"priority"`
	Base     int       `json:"base_priority"`
	// Parts are the weighted trackers that move the priority now,
	// "chk_nginx failed: -10".
	Parts          []string `json:"priority_parts,omitempty"`
	Master         string   `json:"master,omitempty"`
	MasterPriority int      `json:"master_priority,omitempty"`
	// LastAdvertAgo is the seconds since the master's last advert (BACKUP).
	LastAdvertAgo *float64 `json:"last_advert_ago_s,omitempty"`
	// Faults are Status.Faults in words ("interface eth1 is down").
	Faults []string `json:"faults,omitempty"`
}

// Explain computes the reason from a snapshot. Examples:
//
//	BACKUP: master 10.0.0.11 advertises priority 100, ours is 90 (base 100, chk_nginx failed: -10); last advert 0.4 s ago
//	FAULT: interface eth1 is down
//	MASTER since 12:03:04 after master-down timer (3 adverts missed from 10.0.0.12)
func Explain(in ReasonInput) Reason {
	st := in.Status
	r := Reason{State: st.State.String(), Cause: in.Cause, Since: st.LastTransition, Priority: st.EffectivePriority, Base: in.BasePriority}
	for _, t := range in.Trackers {
		if t.Delta == 0 {
			continue
		}
		state := " ok"
		switch {
		case t.Kind == "file":
			state = "" // a value, neither up nor down
		case t.Down && t.Kind == "interface":
			state = " down"
		case t.Down:
			state = " failed"
		}
		r.Parts = append(r.Parts, fmt.Sprintf("%s%s: %+d", t.Name, state, t.Delta))
	}
	for _, k := range st.Faults {
		w := faultWords(k)
		if name, ok := strings.CutPrefix(k, "if:"); ok && slices.Contains(in.TrackInterfaces, name) {
			w = "track_interface " + name + " is down"
		}
		r.Faults = append(r.Faults, w)
	}
	prio := fmt.Sprint(st.EffectivePriority)
	if len(r.Parts) > 0 || (in.BasePriority != 0 && in.BasePriority != st.EffectivePriority) {
		parts := append([]string{fmt.Sprintf("base %d", in.BasePriority)}, r.Parts...)
		prio += " (" + strings.Join(parts, ", ") + ")"
	}
	since := ""
	if !r.Since.IsZero() {
		since = " since " + r.Since.Format("15:04:05")
	}
	switch st.State {
	case StateFault:
		switch {
		case len(r.Faults) > 0:
			r.Text = "FAULT: " + strings.Join(r.Faults, "; ")
		case in.Cause == CauseSyncGroup && in.SyncGroup != "":
			r.Text = fmt.Sprintf("FAULT: a member of sync group %s is in FAULT", in.SyncGroup)
		case len(in.Pending) > 0:
			r.Text = "FAULT: waiting for the first result of " + strings.Join(in.Pending, ", ")
		case in.SyncGroup != "":
			r.Text = fmt.Sprintf("FAULT: held by sync group %s (a member is in FAULT or waiting for its scripts)", in.SyncGroup)
		default:
			r.Text = "FAULT" + since
		}
	case StateBackup:
		r.Text = "BACKUP: " + in.backupWhy(&r, prio)
	case StateMaster:
		r.Text = "MASTER" + since + in.masterWhy()
	default:
		r.Text = st.State.String()
	}
	return r
}

func (in ReasonInput) backupWhy(r *Reason, prio string) string {
	st := in.Status
	var b strings.Builder
	// The master is the sender of the last valid advert, if it came since
	// the instance entered BACKUP (one heard before a FAULT is stale).
	if h := st.Heard; h.From.IsValid() && !h.At.Before(st.LastTransition) {
		r.Master, r.MasterPriority = h.From.String(), h.Priority
		if h.Priority == 0 {
			fmt.Fprintf(&b, "master %s left MASTER (priority 0 advert), ours is %s; taking over after the skew time", h.From, prio)
			return b.String()
		}
		fmt.Fprintf(&b, "master %s advertises priority %d, ours is %s", h.From, h.Priority, prio)
		switch {
		case h.Priority == st.EffectivePriority:
			b.WriteString(" (equal: a backup does not take over)")
		case h.Priority < st.EffectivePriority && in.Nopreempt:
			b.WriteString(" but nopreempt")
		case h.Priority < st.EffectivePriority:
			b.WriteString(" (lower: ours takes over when the down timer expires)")
		}
		if !in.Now.IsZero() {
			ago := in.Now.Sub(h.At).Seconds()
			r.LastAdvertAgo = &ago
			fmt.Fprintf(&b, "; last advert %.1f s ago", ago)
		}
		return b.String()
	}
	switch in.Cause {
	case CauseHigherPriority:
		fmt.Fprintf(&b, "left MASTER for %s (priority %d)", in.CauseFrom, in.CausePriority)
	case CauseSyncGroup:
		fmt.Fprintf(&b, "held by sync group %s", in.SyncGroup)
	case CauseFaultCleared:
		b.WriteString("back from FAULT, no master heard yet")
	default:
		b.WriteString("no master heard yet")
	}
	fmt.Fprintf(&b, "; ours is %s", prio)
	return b.String()
}

func (in ReasonInput) masterWhy() string {
	n := in.DownTimerAdverts
	if n == 0 {
		n = 3
	}
	switch in.Cause {
	case CauseStartup:
		if in.Status.EffectivePriority == 255 {
			return " at start: address owner (priority 255)"
		}
		return " at start"
	case CauseMasterDown:
		if in.CauseFrom.IsValid() {
			return fmt.Sprintf(" after master-down timer (%d adverts missed from %s)", n, in.CauseFrom)
		}
		return " after master-down timer (no master heard)"
	case CausePriorityZero:
		return fmt.Sprintf(" after %s left MASTER (priority 0 advert)", in.CauseFrom)
	case CausePreempt:
		return fmt.Sprintf(" after preempting %s (priority %d, ours %d)", in.CauseFrom, in.CausePriority, in.Status.EffectivePriority)
	case CauseSyncGroup:
		return fmt.Sprintf(" with sync group %s", in.SyncGroup)
	case CauseFaultCleared:
		return " after its fault cleared"
	}
	return ""
}

// faultWords is a fault key of the daemon ("if:eth1", "script:chk", ...)
// in words.
func faultWords(k string) string {
	kind, name, _ := strings.Cut(k, ":")
	switch kind {
	case "if":
		return "interface " + name + " is down"
	case "script":
		return "track_script " + name + " failed"
	case "process":
		return "track_process " + name + " lost its quorum"
	case "file":
		return "track_file " + name + " reports a fault"
	case "src":
		return "no source address"
	case "socket":
		return "no VRRP socket"
	case "conflict":
		return "yielded a conflicting VIP (keepalived_go_conflict_policy)"
	}
	return k
}

// CauseOf reads the cause of a Transition the core emitted, from the
// Transition and the instance's Status after the Step that emitted it (the
// core keeps what is needed: the master it last heard, Status.Heard), so
// the daemon computes it on a transition and never per advert. It returns
// the cause, the address it concerns (the master whose adverts stopped,
// the higher-priority sender, the preempted master) and that address's
// priority.
//
// A BACKUP -> MASTER by the down timer is told apart by the last valid
// advert heard: none (nobody heard), priority 0 (the master left: the
// timer was the skew time), a lower priority still heard within two
// advert intervals (we preempted it: its adverts were being discarded),
// else the master's adverts stopped.
func CauseOf(tr Transition, st Status) (Cause, netip.Addr, int) {
	r := tr.Reason
	h := st.Heard
	switch {
	case r == "init" || r == "address owner" || r == ReasonInitHold:
		return CauseStartup, netip.Addr{}, 0
	case r == "master down timer expired":
		switch {
		case !h.From.IsValid():
			return CauseMasterDown, netip.Addr{}, 0
		case h.Priority == 0:
			return CausePriorityZero, h.From, 0
		case h.Priority < st.EffectivePriority && st.MasterAdverInt > 0 &&
			st.LastTransition.Sub(h.At) < 2*st.MasterAdverInt:
			return CausePreempt, h.From, h.Priority
		}
		from := st.LastAdvertFrom
		if !from.IsValid() {
			from = h.From
		}
		return CauseMasterDown, from, h.Priority
	case r == "higher priority advert" || r == "equal priority advert from higher address":
		return CauseHigherPriority, st.MasterAddr, st.MasterPriority
	case strings.HasPrefix(r, "fault cleared"):
		return CauseFaultCleared, netip.Addr{}, 0
	case strings.HasPrefix(r, "fault"):
		return CauseFault, netip.Addr{}, 0
	case r == "sync group":
		return CauseSyncGroup, netip.Addr{}, 0
	}
	return CauseUnknown, netip.Addr{}, 0
}
