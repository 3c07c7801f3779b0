// Package procwatch runs keepalived's vrrp_track_process: it counts the
// processes matching each block and reports when a block gains or loses
// its quorum, as keepalived 2.2.7's core/track_process.c does.
//
// The package has two halves. Core (this file) is pure: it holds the
// process table (pid -> the blocks that pid counts for), applies the
// kernel's process events (fork, exec, comm change, exit) and /proc scans
// to it, and runs the fork / terminate delays as deadlines on the caller's
// clock. Watch (watch.go, with the Linux seam in *_linux.go) feeds it: a
// /proc scan at start, then the process-events connector (NETLINK_CONNECTOR,
// CN_IDX_PROC), a rescan after the connector overruns, or, when the
// connector cannot be used, a /proc poll.
package procwatch

import (
	"bytes"
	"fmt"
	"math"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// Proc is what a /proc scan or an exec event knows of one process.
type Proc struct {
	// Comm is the kernel's command name (/proc/PID/comm, at most 15 bytes).
	Comm string
	// Cmdline is /proc/PID/cmdline: the arguments, each ended by a NUL.
	Cmdline []byte
	// Zombie: the process has exited and is not yet reaped (state Z).
	Zombie bool
}

// paramMatch is how a block's process arguments are compared.
type paramMatch int

const (
	matchNone    paramMatch = iota // the name alone
	matchExact                     // the arguments exactly
	matchPartial                   // the arguments start with the block's (whole arguments)
	matchInitial                   // ... and the block's last argument may be a prefix
)

// String is keepalived's word for the mode in the .data dump ("" for exact).
func (m paramMatch) String() string {
	switch m {
	case matchExact:
		return "exact"
	case matchPartial:
		return "partial"
	case matchInitial:
		return "initial"
	}
	return "none"
}

// tracker is one vrrp_track_process block as keepalived runs it.
type tracker struct {
	cfg       *config.TrackProcess
	path      string
	params    []byte // each argument followed by a NUL; nil without arguments
	match     paramMatch
	full      bool // compare with the command line, not comm
	quorum    int
	quorumMax int // math.MaxInt: unlimited
	forkDelay time.Duration
	termDelay time.Duration

	count    int
	up       bool // have_quorum
	forkAt   time.Time
	forkOn   bool
	termAt   time.Time
	termOn   bool
	reported bool
}

// newTracker derives keepalived's runtime fields from the model: arguments
// after the process name mean an exact parameter match on the command
// line, param_match means the command line too (vrrp_parser.c); no
// quorum_max is unlimited. (`delay` is the parser's: it sets both delays.)
func newTracker(c *config.TrackProcess) *tracker {
	t := &tracker{cfg: c, path: c.Process, full: c.FullCommand, quorum: c.Quorum, quorumMax: math.MaxInt}
	if c.QuorumMax != nil {
		t.quorumMax = *c.QuorumMax
	}
	for _, a := range c.Args {
		t.params = append(append(t.params, a...), 0)
	}
	switch c.ParamMatch {
	case "exact":
		t.match = matchExact
	case "initial":
		t.match = matchInitial
	case "partial":
		t.match = matchPartial
	}
	if len(c.Args) > 0 && t.match == matchNone {
		t.match = matchExact
	}
	if len(c.Args) > 0 || t.match != matchNone {
		t.full = true
	}
	t.forkDelay, t.termDelay = c.ForkDelay, c.TerminateDelay
	return t
}

// inQuorum is keepalived's "quorum <= count <= quorum_max".
func (t *tracker) inQuorum() bool { return t.count >= t.quorum && t.count <= t.quorumMax }

// name is what the block's process name is compared with: the command
// line's first word for full_command, else comm.
func (t *tracker) name(p Proc) (string, []byte, bool) {
	if !t.full {
		return p.Comm, nil, true
	}
	if len(p.Cmdline) == 0 {
		return "", nil, false
	}
	first, rest, _ := bytes.Cut(p.Cmdline, []byte{0})
	return string(first), rest, true
}

// matches is check_process / read_procs' test for one block: the name,
// then the arguments as param_match says (check_params).
func (t *tracker) matches(p Proc) (nameOK, paramsOK bool) {
	name, params, ok := t.name(p)
	if !ok || name != t.path {
		return false, false
	}
	if t.match == matchNone {
		return true, true
	}
	return true, t.checkParams(params)
}

// checkParams compares the arguments after the name (NUL-separated, as
// the kernel gives them) with the block's.
func (t *tracker) checkParams(params []byte) bool {
	if t.match == matchExact && t.params == nil && len(params) == 0 {
		return true
	}
	if len(params) < len(t.params) {
		return false
	}
	switch {
	case t.match == matchExact:
		return len(params) == len(t.params) && bytes.Equal(params, t.params)
	case t.params == nil:
		return true
	case t.match == matchPartial:
		return bytes.HasPrefix(params, t.params)
	}
	// initial: the last argument may be the start of the process's.
	return len(t.params) == 1 || bytes.HasPrefix(params, t.params[:len(t.params)-1])
}

// Change is a block gaining or losing its quorum.
type Change struct {
	Name string
	Up   bool
	// Log is keepalived's line for it ("Quorum lost for tracked process
	// NAME"); empty for the initial state, which keepalived does not log.
	Log string
}

// Status is one block's state for the .data dump and the status API.
type Status struct {
	Name       string
	Process    string
	Params     string // the arguments joined by spaces; "" without
	ParamMatch string // "", "exact", "partial", "initial" ("" = none)
	Quorum     int
	QuorumMax  int // -1: unlimited
	Current    int
	HaveQuorum bool
	Weight     int
	Reverse    bool
	TermDelay  time.Duration
	ForkDelay  time.Duration
	ForkTimer  bool
	TermTimer  bool
	Full       bool
}

// Core is the decision half of process tracking. It is not safe for
// concurrent use: Watch drives it from one goroutine.
type Core struct {
	trackers []*tracker
	// procs maps a pid to the blocks it counts for, in the order they
	// were added; a block may appear twice (see onExec).
	procs   map[int][]*tracker
	useComm bool // some block compares comm
	useCmd  bool // some block compares the command line
	changes []Change
}

// NewCore builds the core for a configuration's vrrp_track_process blocks.
func NewCore(blocks []*config.TrackProcess) *Core {
	c := &Core{procs: map[int][]*tracker{}}
	for _, b := range blocks {
		t := newTracker(b)
		c.trackers = append(c.trackers, t)
		if t.full {
			c.useCmd = true
		} else {
			c.useComm = true
		}
	}
	return c
}

// Needs says what a process reader must fill in: comm and/or the command line.
func (c *Core) Needs() (comm, cmdline bool) { return c.useComm, c.useCmd }

// Empty reports whether there is nothing to track.
func (c *Core) Empty() bool { return len(c.trackers) == 0 }

// Init counts the processes of a first /proc scan and returns every
// block's initial state (keepalived's initialise_process_tracking_priorities:
// no delay and no log line).
func (c *Core) Init(table map[int]Proc) []Change {
	c.changes = c.changes[:0]
	c.load(table)
	for _, t := range c.trackers {
		t.up = t.inQuorum()
		t.reported = true
		c.changes = append(c.changes, Change{Name: t.cfg.Name, Up: t.up})
	}
	return c.changes
}

// load rebuilds the process table from a scan (read_procs), in pid order
// so that a block listed twice for a pid is impossible here.
func (c *Core) load(table map[int]Proc) {
	clear(c.procs)
	for _, t := range c.trackers {
		t.count = 0
	}
	for pid, p := range table {
		if p.Zombie && c.useComm {
			continue
		}
		for _, t := range c.trackers {
			if n, ok := t.matches(p); n && ok {
				c.add(pid, t)
			}
		}
	}
}

func (c *Core) add(pid int, t *tracker) {
	c.procs[pid] = append(c.procs[pid], t)
	t.count++
}

// setStatus is update_process_status: report a change of have_quorum.
func (c *Core) setStatus(t *tracker, up bool) {
	if up == t.up && t.reported {
		return
	}
	t.up, t.reported = up, true
	word := "lost"
	if up {
		word = "gained"
	}
	c.changes = append(c.changes, Change{Name: t.cfg.Name, Up: up, Log: fmt.Sprintf("Quorum %s for tracked process %s", word, t.cfg.Name)})
}

// removeRef is remove_process_from_track: pid no longer counts for t.
func (c *Core) removeRef(pid int, t *tracker) {
	refs := c.procs[pid]
	for i, r := range refs {
		if r != t {
			continue
		}
		c.procs[pid] = append(refs[:i:i], refs[i+1:]...)
		old := t.count
		t.count--
		if old == t.quorum || t.count == t.quorumMax {
			t.forkOn = false
			c.setStatus(t, t.count == t.quorumMax)
		}
		return
	}
}

// gained is the common tail of a process starting to count for t outside
// a fork (check_process): crossing into the quorum, or one past quorum_max.
func (c *Core) gained(t *tracker) {
	if t.count == t.quorum || (t.quorumMax != math.MaxInt && t.count == t.quorumMax+1) {
		t.termOn = false
		c.setStatus(t, t.count == t.quorum)
	}
}

// Fork applies a fork event: a child of a counted process counts for the
// same blocks, its gain delayed by fork_delay (check_process_fork).
func (c *Core) Fork(now time.Time, parent, child int) []Change {
	c.changes = c.changes[:0]
	refs, ok := c.procs[parent]
	if !ok {
		return nil
	}
	for _, t := range refs {
		c.add(child, t)
		if t.count != t.quorum && (t.quorumMax == math.MaxInt || t.count != t.quorumMax+1) {
			continue
		}
		if t.termOn {
			t.termOn = false
		} else if t.forkDelay > 0 {
			t.forkOn, t.forkAt = true, now.Add(t.forkDelay)
			continue
		}
		c.setStatus(t, t.count == t.quorum)
	}
	return c.changes
}

// Exec applies an exec event (check_process): the process is matched
// again with what it now is; ok false means it could not be read (gone
// already) and nothing changes. As in keepalived, a counted process that
// execs into a matching program is added again without removing its
// earlier entry, so it counts twice until it exits.
func (c *Core) Exec(pid int, p Proc, ok bool) []Change {
	c.changes = c.changes[:0]
	if !ok {
		return nil
	}
	c.check(pid, p, false)
	return c.changes
}

func (c *Core) check(pid int, p Proc, haveComm bool) {
	_, had := c.procs[pid]
	for _, t := range c.trackers {
		if t.full && haveComm {
			continue // a comm event says nothing of the command line
		}
		name, params := t.matches(p)
		switch {
		case name && !params:
			if had {
				c.removeRef(pid, t)
			}
		case name:
			c.add(pid, t)
			c.gained(t)
		case had && !haveComm:
			c.removeRef(pid, t)
		}
	}
	if refs, ok := c.procs[pid]; ok && len(refs) == 0 {
		delete(c.procs, pid)
	}
}

// Comm applies a comm change (prctl PR_SET_NAME, check_process_comm_change):
// a process counted by its old name stops counting, and is matched by its
// new one (blocks on the command line are not affected).
func (c *Core) Comm(pid int, comm string) []Change {
	c.changes = c.changes[:0]
	refs := c.procs[pid]
	for _, t := range append([]*tracker(nil), refs...) {
		if t.full {
			continue
		}
		if comm == t.path {
			return c.changes // the name it is counted by has not changed
		}
		c.dropOne(pid, t)
		old := t.count
		t.count--
		if old == t.quorum || t.count == t.quorumMax {
			t.forkOn = false
			c.setStatus(t, t.count == t.quorumMax)
		}
	}
	c.check(pid, Proc{Comm: comm}, true)
	return c.changes
}

// dropOne removes one entry of t from pid's list without counting.
func (c *Core) dropOne(pid int, t *tracker) {
	refs := c.procs[pid]
	for i, r := range refs {
		if r == t {
			c.procs[pid] = append(refs[:i:i], refs[i+1:]...)
			return
		}
	}
}

// Exit applies a process's exit (check_process_termination): its loss is
// delayed by terminate_delay, and cancels a pending fork delay.
func (c *Core) Exit(now time.Time, pid int) []Change {
	c.changes = c.changes[:0]
	refs, ok := c.procs[pid]
	if !ok {
		return nil
	}
	delete(c.procs, pid)
	for _, t := range refs {
		old := t.count
		t.count--
		if old != t.quorum && t.count != t.quorumMax {
			continue
		}
		if t.forkOn {
			t.forkOn = false
		} else if t.termDelay > 0 {
			t.termOn, t.termAt = true, now.Add(t.termDelay)
			continue
		}
		c.setStatus(t, t.count == t.quorumMax)
	}
	return c.changes
}

// Rescan replaces the process table by a new /proc scan after the
// connector lost events (reinitialise_track_processes): pending delays are
// dropped; a block that gained its quorum is reported at once (2.2.7 does
// not apply fork_delay there) and one that lost it after terminate_delay.
//
// One deliberate difference: 2.2.7 settles only the blocks whose count
// changed across the rescan, so a loss whose terminate delay the rescan
// cancelled is never reported (the instance stays up with its process
// gone). Here every block whose reported state disagrees with its new
// count is settled.
func (c *Core) Rescan(now time.Time, table map[int]Proc) []Change {
	c.changes = c.changes[:0]
	for _, t := range c.trackers {
		t.forkOn, t.termOn = false, false
	}
	c.load(table)
	for _, t := range c.trackers {
		switch in := t.inQuorum(); {
		case in == t.up:
		case in:
			c.setStatus(t, true)
		case t.termDelay > 0:
			t.termOn, t.termAt = true, now.Add(t.termDelay)
		default:
			c.setStatus(t, false)
		}
	}
	return c.changes
}

// Poll applies a /proc poll, the fallback when no process events can be
// had (keepalived has none: without the connector its blocks never gain
// quorum). A poll cannot see forks or exits, only counts, so the delays
// apply to the count: a block that gains its quorum waits fork_delay, one
// that loses it terminate_delay, and a pending delay whose condition is
// gone by the next poll is dropped.
func (c *Core) Poll(now time.Time, table map[int]Proc) []Change {
	c.changes = c.changes[:0]
	c.load(table)
	for _, t := range c.trackers {
		in := t.inQuorum()
		switch {
		case in == t.up:
			t.forkOn, t.termOn = false, false
		case in:
			t.termOn = false
			if t.forkDelay == 0 {
				c.setStatus(t, true)
			} else if !t.forkOn {
				t.forkOn, t.forkAt = true, now.Add(t.forkDelay)
			}
		default:
			t.forkOn = false
			if t.termDelay == 0 {
				c.setStatus(t, false)
			} else if !t.termOn {
				t.termOn, t.termAt = true, now.Add(t.termDelay)
			}
		}
	}
	return c.changes
}

// NextDeadline is the earliest pending fork or terminate delay.
func (c *Core) NextDeadline() (time.Time, bool) {
	var next time.Time
	ok := false
	for _, t := range c.trackers {
		for _, d := range []struct {
			on bool
			at time.Time
		}{{t.forkOn, t.forkAt}, {t.termOn, t.termAt}} {
			if d.on && (!ok || d.at.Before(next)) {
				next, ok = d.at, true
			}
		}
	}
	return next, ok
}

// Advance fires the delays due by now: the block's state is then what its
// count says (process_gained/lost_quorum_timer_thread).
func (c *Core) Advance(now time.Time) []Change {
	c.changes = c.changes[:0]
	for _, t := range c.trackers {
		if t.forkOn && !now.Before(t.forkAt) {
			t.forkOn = false
			c.setStatus(t, t.inQuorum())
		}
		if t.termOn && !now.Before(t.termAt) {
			t.termOn = false
			c.setStatus(t, t.inQuorum())
		}
	}
	return c.changes
}

// Status returns every block's state, in configuration order.
func (c *Core) Status() []Status {
	out := make([]Status, 0, len(c.trackers))
	for _, t := range c.trackers {
		s := Status{Name: t.cfg.Name, Process: t.path, Quorum: t.quorum, Current: t.count, HaveQuorum: t.up,
			Weight: t.cfg.Weight, Reverse: t.cfg.Reverse, TermDelay: t.termDelay, ForkDelay: t.forkDelay,
			ForkTimer: t.forkOn, TermTimer: t.termOn, Full: t.full}
		s.QuorumMax = -1
		if t.quorumMax != math.MaxInt {
			s.QuorumMax = t.quorumMax
		}
		if t.params != nil {
			s.Params = string(bytes.ReplaceAll(t.params[:len(t.params)-1], []byte{0}, []byte{' '}))
		}
		if t.match != matchNone {
			s.ParamMatch = t.match.String()
		}
		out = append(out, s)
	}
	return out
}
