package cluster

import (
	"fmt"
	"slices"
	"strings"

	"github.com/keepalived-go/keepalived/config"
)

// The election as keepalived runs it, reduced to what the configurations
// decide (keepalived 2.4.3 vrrp_track.c, vrrp.c; reference 4.3, 5.5, 6.5):
//
//   - effective priority = base + the contributions of the weighted
//     trackers (script, interface, process; weight w, reverse r):
//     w > 0 adds w while up (r: subtracts w while up); w < 0 subtracts |w|
//     while down (r: adds |w| while down); clamped to 1..254; an address
//     owner (255) never moves. Weight 0 means FAULT while down (r: up).
//     The instance's own interface and the interfaces of its VIPs are
//     tracked with weight 0. Weighted trackers are ignored for address
//     owners. A sync-group member without sync_group_tracking_weight has
//     no weighted script, process or file of its own (the parser drops
//     them), but its weighted track_interface and its group's weighted
//     trackers count, as keepalived 2.2.7 applies them. Weighted
//     track_files add value*weight, which no configuration tells: they are
//     left out of the table.
//   - at start every node is BACKUP; the highest priority times out first
//     (the skew is shorter) and becomes master; equal priorities are
//     settled by the higher advert source address (vrrp_saddr_cmp: the
//     configured unicast_src_ip / mcast_src_ip, else the interface's
//     primary address, which only the host knows).
//   - a BACKUP takes over from a running master only when its priority is
//     strictly higher and it does not have nopreempt (vrrp_state_backup
//     accepts any advert with nopreempt, and an equal priority always).
//   - a master in FAULT or stopped leaves the election to the others.
//   - a member of a sync group in FAULT takes its whole group to FAULT.

// Router is the table of one virtual router: its members and, per event,
// every member's priority and who is master.
type Router struct {
	VRID    int      `json:"vrid"`
	Family  string   `json:"family"`
	VIPs    []string `json:"vips"`
	Members []Member `json:"members"`
	Rows    []Row    `json:"rows"`
	// Note says when the order the nodes start in decides the master
	// (the table assumes they start together).
	Note string `json:"note,omitempty"`
}

// Member is one node's instance of a virtual router.
type Member struct {
	Node     string     `json:"node"`
	Instance string     `json:"instance"`
	Pos      config.Pos `json:"pos"`
	VRID     int        `json:"vrid"`
	Priority int        `json:"priority"` // configured (base) priority
	// Address is the advert source address when the configurations tell
	// it (empty: the interface's primary address).
	Address string `json:"address,omitempty"`
	// AddressInferred: not configured on the node, but the one address
	// its partners' unicast_peer lists and no other node owns.
	AddressInferred bool `json:"address_inferred,omitempty"`
	Nopreempt       bool `json:"nopreempt,omitempty"`
}

// Row is one event: "all well", a tracker failing on one node, or a node
// stopping; then the master, and who is master once it is undone.
type Row struct {
	Event string `json:"event"`
	// Node, Kind ("script", "interface", "process", "file", "node") and
	// Name say what failed; empty for "all well".
	Node       string `json:"node,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Name       string `json:"name,omitempty"`
	Priorities []Cell `json:"priorities"`
	// Master is the node that is master; several when the configurations
	// do not decide it (a tie settled by interface addresses, or by who
	// was master before); empty when no node is.
	Master []string `json:"master"`
	// AfterRecovery is who is master once the failure is undone.
	AfterRecovery []string `json:"after_recovery,omitempty"`
}

// Cell is one member's state in a row.
type Cell struct {
	// State is "up" (in the election), "FAULT", "down" (stopped) or
	// "held" (BACKUP because its sync group lost another virtual router
	// on this node).
	State    string `json:"state"`
	Priority int    `json:"priority,omitempty"`
}

// tracker is one tracked object as it affects an instance.
type tracker struct {
	kind, name string
	weight     int
	reverse    bool
	pos        config.Pos
	// via names the sync-group sibling whose tracker this is ("" for the
	// instance's own): its FAULT takes the whole group to FAULT.
	via string
}

func (t tracker) label() string {
	switch t.kind {
	case "script":
		return "track_script " + t.name
	case "interface":
		return "interface " + t.name
	case "process":
		return "track_process " + t.name
	}
	return "track_file " + t.name
}

// contribution is keepalived's effect of one tracker in state ok:
// a priority delta, or a fault (weight 0).
func contribution(w int, reverse, ok bool) (delta int, fault bool) {
	switch {
	case w == 0:
		return 0, ok == reverse
	case w > 0 && ok:
		if reverse {
			return -w, false
		}
		return w, false
	case w < 0 && !ok:
		if reverse {
			return -w, false
		}
		return w, false
	}
	return 0, false
}

// trackers lists what affects instance in of cfg, first occurrence of
// each object only.
func trackers(cfg *config.Config, in *config.Instance) []tracker {
	sg := cfg.SyncGroup(in.SyncGroup)
	weighted := !in.Owner()
	var ts []tracker
	seen := map[string]bool{}
	add := func(t tracker) {
		if k := t.kind + ":" + t.name; !seen[k] {
			seen[k] = true
			ts = append(ts, t)
		}
	}
	if in.Interface != "" && !in.DontTrackPrimary {
		add(tracker{kind: "interface", name: in.Interface, pos: in.KeywordPos("interface")})
	}
	for _, a := range in.VIPs {
		if a.Dev != "" && !a.NoTrack && a.Dev != in.Interface {
			add(tracker{kind: "interface", name: a.Dev, pos: a.Pos})
		}
	}
	tis := in.TrackInterfaces
	tss := in.TrackScripts
	tps := in.TrackProcesses
	tfs := in.TrackFiles
	if sg != nil {
		tis = append(slices.Clone(tis), sg.TrackInterfaces...)
		tss = append(slices.Clone(tss), sg.TrackScripts...)
		tps = append(slices.Clone(tps), sg.TrackProcesses...)
		tfs = append(slices.Clone(tfs), sg.TrackFiles...)
	}
	for _, t := range tis {
		w := t.Weight
		if !weighted {
			w = 0
		}
		p := t.Pos
		if p == (config.Pos{}) {
			p = in.KeywordPos("track_interface")
		}
		add(tracker{kind: "interface", name: t.Name, weight: w, reverse: t.Reverse, pos: p})
	}
	for _, t := range tss {
		if t.Weight != 0 && !weighted {
			continue
		}
		add(tracker{kind: "script", name: t.Name, weight: t.Weight, reverse: t.Reverse, pos: in.KeywordPos("track_script")})
	}
	for _, t := range tps {
		if t.Weight != 0 && !weighted {
			continue
		}
		add(tracker{kind: "process", name: t.Name, weight: t.Weight, reverse: t.Reverse, pos: in.KeywordPos("track_process")})
	}
	for _, t := range tfs {
		if t.Weight != 0 {
			continue // value * weight: not known from the configuration
		}
		add(tracker{kind: "file", name: t.Name, reverse: t.Reverse, pos: in.KeywordPos("track_file")})
	}
	return ts
}

// event is what a row of the table changes: a tracker on one node
// failing (kind, name), a node stopping (kind "node"), or nothing
// (node < 0).
type event struct {
	node       int
	kind, name string
}

var allWell = event{node: -1}

// instState is an instance's state in an event, with the parts of its
// priority (for messages).
type instState struct {
	fault bool
	prio  int
	parts []string // "chk +10"
}

func evalInstance(cfg *config.Config, in *config.Instance, failed event) instState {
	st := instState{}
	sum := 0
	for _, t := range trackers(cfg, in) {
		ok := !(t.kind == failed.kind && t.name == failed.name)
		d, f := contribution(t.weight, t.reverse, ok)
		if f {
			st.fault = true
		}
		if d != 0 {
			sum += d
			st.parts = append(st.parts, fmt.Sprintf("%s %+d", t.name, d))
		}
	}
	st.prio = effective(in.Priority, sum)
	return st
}

// effective is keepalived's vrrp_set_effective_priority.
func effective(base, sum int) int {
	if base == config.OwnerPriority {
		return base
	}
	return min(max(base+sum, 1), config.OwnerPriority-1)
}

// memberState is m's state in event ev: its own trackers, and FAULT when
// a sibling of its sync group (on the same node) is in FAULT.
func memberState(m *member, ev event) (instState, bool) {
	if ev.kind == "node" && ev.node == m.node {
		return instState{}, true
	}
	failed := event{node: -1}
	if ev.node == m.node {
		failed = ev
	}
	st := evalInstance(m.cfg, m.in, failed)
	if sg := m.cfg.SyncGroup(m.in.SyncGroup); sg != nil && !st.fault {
		for _, name := range sg.Members {
			if s := m.cfg.Instance(name); s != nil && s != m.in && evalInstance(m.cfg, s, failed).fault {
				st.fault = true
			}
		}
	}
	return st, false
}

// scene is every member's state in one event.
type scene struct {
	st   []instState
	down []bool
	// held: BACKUP because its sync group lost another virtual router
	// (withGroups).
	held []bool
}

func (s scene) up(i int) bool { return !s.down[i] && !s.st[i].fault && !s.held[i] }

func (s scene) equal(o scene) bool {
	for i := range s.st {
		if s.down[i] != o.down[i] || s.held[i] != o.held[i] || s.st[i].fault != o.st[i].fault || s.st[i].prio != o.st[i].prio {
			return false
		}
	}
	return true
}

func sceneOf(r *router, ev event) scene {
	n := len(r.members)
	s := scene{st: make([]instState, n), down: make([]bool, n), held: make([]bool, n)}
	for i, m := range r.members {
		s.st[i], s.down[i] = memberState(m, ev)
	}
	return s
}

// withGroups is sceneOf plus keepalived's sync-group rule one level deep:
// when the node an event happens on loses, through it, the mastership of
// another virtual router of the same sync group, the group goes BACKUP
// on that node, so it is held out of this router's election too (a member
// only goes MASTER when all its group's members want MASTER).
func withGroups(r *router, ev event, routerOf map[*config.Instance]*router) scene {
	s := sceneOf(r, ev)
	if ev.node < 0 || ev.kind == "node" {
		return s
	}
	i := memberIndex(r, ev.node)
	m := r.members[i]
	sg := m.cfg.SyncGroup(m.in.SyncGroup)
	if sg == nil || !s.up(i) {
		return s
	}
	for _, name := range sg.Members {
		sib := m.cfg.Instance(name)
		rs := routerOf[sib]
		if sib == nil || sib == m.in || rs == nil || rs == r || len(rs.members) < 2 {
			continue
		}
		j := memberIndex(rs, ev.node)
		if j < 0 {
			continue
		}
		was := electFrom(rs, sceneOf(rs, allWell), -1)
		if len(was) == 1 && was[0] == j && !slices.Contains(electAll(rs, sceneOf(rs, ev), was), j) {
			s.held[i] = true
		}
	}
	return s
}

// electFrom is who is master after scene s when inc was master before
// (-1: nobody, as at start). The result has several members when the
// configurations do not decide it.
func electFrom(r *router, s scene, inc int) []int {
	if inc < 0 || !s.up(inc) {
		var all []int
		for i := range r.members {
			if s.up(i) {
				all = append(all, i)
			}
		}
		return best(r, s, all)
	}
	var pre []int
	for i, m := range r.members {
		if i != inc && s.up(i) && !m.in.Nopreempt && s.st[i].prio > s.st[inc].prio {
			pre = append(pre, i)
		}
	}
	if len(pre) == 0 {
		return []int{inc}
	}
	return best(r, s, pre)
}

// best is the highest priority among cands, ties settled by the higher
// source address when every tied member's address is known.
func best(r *router, s scene, cands []int) []int {
	top := -1
	for _, i := range cands {
		top = max(top, s.st[i].prio)
	}
	var tied []int
	for _, i := range cands {
		if s.st[i].prio == top {
			tied = append(tied, i)
		}
	}
	if len(tied) < 2 {
		return tied
	}
	win := tied[0]
	for _, i := range tied {
		if !r.members[i].addr.IsValid() {
			return tied
		}
		if r.members[i].addr.Compare(r.members[win].addr) > 0 {
			win = i
		}
	}
	return []int{win}
}

// electAll is electFrom for every possible incumbent, merged.
func electAll(r *router, s scene, incs []int) []int {
	if len(incs) == 0 {
		return electFrom(r, s, -1)
	}
	var out []int
	for _, inc := range incs {
		for _, w := range electFrom(r, s, inc) {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	slices.Sort(out)
	return out
}

// events lists, per member in node order, the trackers that change its
// state (its own, and those of its sync-group siblings), then the node
// stopping.
func events(r *router) ([]event, map[event]tracker) {
	var evs []event
	tr := map[event]tracker{}
	for _, m := range r.members {
		ts := trackers(m.cfg, m.in)
		if sg := m.cfg.SyncGroup(m.in.SyncGroup); sg != nil {
			for _, name := range sg.Members {
				if s := m.cfg.Instance(name); s != nil && s != m.in {
					for _, t := range trackers(m.cfg, s) {
						t.via = fmt.Sprintf("%s, sync group %s", s.Name, sg.Name)
						ts = append(ts, t)
					}
				}
			}
		}
		for _, t := range ts {
			ev := event{node: m.node, kind: t.kind, name: t.name}
			if _, ok := tr[ev]; ok {
				continue
			}
			tr[ev] = t
			evs = append(evs, ev)
		}
		evs = append(evs, event{node: m.node, kind: "node"})
	}
	return evs, tr
}

func (r *router) names(ix []int) []string {
	out := make([]string, 0, len(ix))
	for _, i := range ix {
		out = append(out, r.members[i].name)
	}
	return out
}

// elect builds the router's table and the findings about its election.
func elect(r *router, routerOf map[*config.Instance]*router) (Router, []Finding) {
	ref := r.members[0]
	t := Router{VRID: ref.in.VRID, Family: ref.family().String()}
	for _, v := range ref.in.VIPs {
		t.VIPs = append(t.VIPs, v.Prefix.String())
	}
	for _, m := range r.members {
		mm := Member{Node: m.name, Instance: m.in.Name, Pos: m.in.Pos, VRID: m.in.VRID, Priority: m.in.Priority, Nopreempt: m.in.Nopreempt}
		if m.addr.IsValid() {
			mm.Address, mm.AddressInferred = m.addr.String(), m.inferred
		}
		t.Members = append(t.Members, mm)
	}
	well := sceneOf(r, allWell)
	master := electFrom(r, well, -1)
	t.Note = startOrderNote(r, well, master)
	t.Rows = append(t.Rows, row(r, "all well", allWell, well, master, nil))
	evs, trs := events(r)
	var fs []Finding
	for _, ev := range evs {
		s := withGroups(r, ev, routerOf)
		if trs[ev].via != "" && s.equal(well) {
			continue // a sibling's tracker that changes nothing here
		}
		after := electAll(r, s, master)
		back := electAll(r, well, after)
		m := r.members[memberIndex(r, ev.node)]
		if ev.kind == "node" && m.in.Owner() && m.in.WantMaster() {
			// An address owner starting is master at once (a running
			// owner that hears it yields, 2.2.7 "reducing local priority").
			back = []int{memberIndex(r, ev.node)}
		}
		what := "node stopped"
		if ev.kind != "node" {
			tk := trs[ev]
			what = tk.label() + " down"
			if tk.kind == "script" || tk.kind == "process" {
				what = tk.label() + " fails"
			}
			if tk.via != "" {
				what += " (" + tk.via + ")"
			}
		}
		t.Rows = append(t.Rows, row(r, m.name+": "+what, ev, s, after, back))
		if ev.kind != "node" && trs[ev].via == "" {
			fs = append(fs, weightFindings(r, trs[ev], memberIndex(r, ev.node), well, s, master, after)...)
		}
	}
	if len(r.members) > 1 {
		fs = append(fs, tieFindings(r, well, master)...)
		fs = append(fs, intentFindings(r, well, master)...)
		fs = append(fs, preemptFindings(r)...)
		fs = append(fs, ownerFindings(r)...)
	}
	return t, fs
}

func memberIndex(r *router, node int) int {
	for i, m := range r.members {
		if m.node == node {
			return i
		}
	}
	return -1
}

func row(r *router, name string, ev event, s scene, master, back []int) Row {
	rw := Row{Event: name, Master: r.names(master)}
	if rw.Master == nil {
		rw.Master = []string{}
	}
	if ev.node >= 0 {
		rw.Node, rw.Kind, rw.Name = r.members[memberIndex(r, ev.node)].name, ev.kind, ev.name
		rw.AfterRecovery = r.names(back)
	}
	for i := range r.members {
		switch {
		case s.down[i]:
			rw.Priorities = append(rw.Priorities, Cell{State: "down"})
		case s.st[i].fault:
			rw.Priorities = append(rw.Priorities, Cell{State: "FAULT"})
		case s.held[i]:
			rw.Priorities = append(rw.Priorities, Cell{State: "held", Priority: s.st[i].prio})
		default:
			rw.Priorities = append(rw.Priorities, Cell{State: "up", Priority: s.st[i].prio})
		}
	}
	return rw
}

// prioText is "110 (90, chk +20)" or "100".
func prioText(m *member, st instState) string {
	if len(st.parts) == 0 {
		return fmt.Sprint(st.prio)
	}
	return fmt.Sprintf("%d (%d, %s)", st.prio, m.in.Priority, strings.Join(st.parts, ", "))
}

func at(m *member, kw string) string {
	return fmt.Sprintf("%s (%s)", m.in.KeywordPos(kw), m.in.Name)
}

// weightFindings: a weighted tracker on the master whose failure cannot
// move the master, and one on another node whose failure makes it master.
func weightFindings(r *router, tk tracker, i int, well, s scene, master, after []int) []Finding {
	if tk.weight == 0 || len(master) != 1 || len(r.members) < 2 {
		return nil
	}
	m := r.members[i]
	pos := tk.pos
	w := fmt.Sprintf("%s (weight %d%s)", tk.label(), tk.weight, map[bool]string{true: " reverse"}[tk.reverse])
	if master[0] == i && slices.Equal(after, master) {
		// The strongest other candidate still up.
		o := -1
		for j := range r.members {
			if j != i && s.up(j) && (o < 0 || s.st[j].prio > s.st[o].prio) {
				o = j
			}
		}
		if o < 0 {
			return nil
		}
		om := r.members[o]
		var why string
		switch {
		case s.st[i].prio == well.st[i].prio:
			why = fmt.Sprintf("its failure leaves this node's priority at %d", s.st[i].prio)
		case om.in.Nopreempt && s.st[o].prio > s.st[i].prio:
			why = fmt.Sprintf("%s has nopreempt and never takes over from a running master, whatever the priorities; only a FAULT or a stop moves the master",
				at(om, "nopreempt"))
		case s.st[o].prio == s.st[i].prio:
			why = fmt.Sprintf("with it failed this node has %s, equal to %s at %s, and a backup does not take over from an equal priority",
				prioText(m, s.st[i]), prioText(om, s.st[o]), at(om, "priority"))
		default:
			why = fmt.Sprintf("with it failed this node has %s, still above %s at %s; moving the master needs a change of more than %d",
				prioText(m, s.st[i]), prioText(om, s.st[o]), at(om, "priority"), well.st[i].prio-s.st[o].prio)
		}
		if tk.weight > 0 && !tk.reverse && tk.kind != "interface" {
			why += " (a positive weight is added while the check succeeds, not when it fails)"
		}
		return []Finding{{Diagnostic: config.Diagnostic{Pos: pos, Severity: config.Warning,
			Msg: fmt.Sprintf("(%s) %s can never move the master: %s", m.in.Name, w, why)},
			Related: []config.Pos{om.in.KeywordPos("priority")}}}
	}
	if master[0] != i && slices.Contains(after, i) && s.up(i) {
		om := r.members[master[0]]
		return []Finding{{Diagnostic: config.Diagnostic{Pos: pos, Severity: config.Warning,
			Msg: fmt.Sprintf("(%s) %s: its failure makes this node master: its priority rises to %s, above %s at %s",
				m.in.Name, w, prioText(m, s.st[i]), prioText(om, s.st[master[0]]), at(om, "priority"))},
			Related: []config.Pos{om.in.KeywordPos("priority")}}}
	}
	return nil
}

// startOrderNote: when the all-well master has nopreempt (a node started
// before it keeps the master) or shares the top priority, the start order
// decides; the table assumes the nodes start together.
func startOrderNote(r *router, well scene, master []int) string {
	if len(r.members) < 2 {
		return ""
	}
	top, n := -1, 0
	for i := range r.members {
		if well.up(i) && well.st[i].prio > top {
			top, n = well.st[i].prio, 0
		}
		if well.up(i) && well.st[i].prio == top {
			n++
		}
	}
	nopre := false
	for _, i := range master {
		nopre = nopre || r.members[i].in.Nopreempt
	}
	switch {
	case n > 1:
		return "equal priorities: a node started first stays master; the table assumes the nodes start together"
	case nopre:
		return "nopreempt: a node started first stays master; the table assumes the nodes start together"
	}
	return ""
}

// tieFindings: the highest priority when all is well is shared, so the
// source address decides at start, and a returning node never preempts.
func tieFindings(r *router, well scene, master []int) []Finding {
	top := -1
	for i := range r.members {
		if well.up(i) {
			top = max(top, well.st[i].prio)
		}
	}
	var tied []int
	for i := range r.members {
		if well.up(i) && well.st[i].prio == top {
			tied = append(tied, i)
		}
	}
	if len(tied) < 2 || top == config.OwnerPriority {
		return nil // two owners: ownerFindings
	}
	a, b := r.members[tied[0]], r.members[tied[1]]
	var who string
	if len(master) == 1 {
		w := r.members[master[0]]
		who = fmt.Sprintf("%s is master by its higher address %s", w.name, w.addr)
	} else {
		who = "the higher primary address of the interfaces decides (not in the configurations: unicast_src_ip or mcast_src_ip would tell)"
	}
	return []Finding{{Diagnostic: config.Diagnostic{Pos: a.in.KeywordPos("priority"), Severity: config.Notice,
		Msg: fmt.Sprintf("(%s) priority %d here and at %s: started together, %s; otherwise the first started stays master, and a node that comes back does not take the master back from an equal priority",
			a.in.Name, top, at(b, "priority"), who)},
		Related: []config.Pos{b.in.KeywordPos("priority")}}}
}

// intentFindings: the one node written `state MASTER` is not master when
// all is well.
func intentFindings(r *router, well scene, master []int) []Finding {
	want := -1
	for i, m := range r.members {
		if m.in.WantMaster() {
			if want >= 0 {
				return nil
			}
			want = i
		}
	}
	if want < 0 || len(master) != 1 || master[0] == want || !well.up(want) {
		return nil
	}
	m, o := r.members[want], r.members[master[0]]
	return []Finding{{Diagnostic: config.Diagnostic{Pos: m.in.KeywordPos("state"), Severity: config.Warning,
		Msg: fmt.Sprintf("(%s) state MASTER, but %s is master when all is well: its priority %s beats %s here (state MASTER does not make a node master; the priority does)",
			m.in.Name, at(o, "priority"), prioText(o, well.st[master[0]]), prioText(m, well.st[want]))},
		Related: []config.Pos{o.in.KeywordPos("priority")}}}
}

// preemptFindings: nopreempt on some members only, and nopreempt written
// where keepalived clears it (state MASTER, priority 255).
func preemptFindings(r *router) []Finding {
	var fs []Finding
	var with, without []*member
	for _, m := range r.members {
		if m.in.Nopreempt {
			with = append(with, m)
		} else {
			without = append(without, m)
		}
		if _, written := m.in.Positions["nopreempt"]; written && !m.in.Nopreempt && (m.in.WantMaster() || m.in.Owner()) {
			fs = append(fs, Finding{Diagnostic: config.Diagnostic{Pos: m.in.KeywordPos("nopreempt"), Severity: config.Warning,
				Msg: fmt.Sprintf("(%s) nopreempt is cleared by %s, so this virtual router preempts: when this node comes back it takes the master back; for nopreempt write state BACKUP on every node",
					m.in.Name, map[bool]string{true: "priority 255", false: "state MASTER"}[m.in.Owner()])}})
		}
	}
	if len(with) > 0 && len(without) > 0 {
		m, o := with[0], without[0]
		fs = append(fs, Finding{Diagnostic: config.Diagnostic{Pos: m.in.KeywordPos("nopreempt"), Severity: config.Warning,
			Msg: fmt.Sprintf("(%s) nopreempt here but not at %s: that node takes the master back whenever its priority is higher, this one never does",
				m.in.Name, at(o, "priority"))},
			Related: []config.Pos{o.in.KeywordPos("priority")}})
	}
	return fs
}

// ownerFindings: two address owners (priority 255) in one virtual router.
func ownerFindings(r *router) []Finding {
	var owners []*member
	for _, m := range r.members {
		if m.in.Owner() {
			owners = append(owners, m)
		}
	}
	if len(owners) < 2 {
		return nil
	}
	a, b := owners[0], owners[1]
	return []Finding{{Diagnostic: config.Diagnostic{Pos: a.in.KeywordPos("priority"), Severity: config.Error,
		Msg: fmt.Sprintf("(%s) priority 255 (address owner) here and at %s: keepalived logs \"CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner\" and the election depends on timing",
			a.in.Name, at(b, "priority"))},
		Related: []config.Pos{b.in.KeywordPos("priority")}}}
}

// syncGroupFindings: a sync group whose members are not the same virtual
// routers on every node (keepalived moves a group as one: a node holding
// other members than its partner fails over the wrong set).
func syncGroupFindings(routers []*router) []Finding {
	routerOf := map[*config.Instance]int{}
	for ri, r := range routers {
		for _, m := range r.members {
			routerOf[m.in] = ri
		}
	}
	// For each member instance, the set of routers of its group (itself alone if none).
	set := func(m *member) ([]int, *config.SyncGroup) {
		sg := m.cfg.SyncGroup(m.in.SyncGroup)
		if sg == nil {
			return []int{routerOf[m.in]}, nil
		}
		var out []int
		for _, name := range sg.Members {
			if in := m.cfg.Instance(name); in != nil {
				out = append(out, routerOf[in])
			}
		}
		slices.Sort(out)
		return slices.Compact(out), sg
	}
	var fs []Finding
	done := map[string]bool{}
	for _, r := range routers {
		if len(r.members) < 2 {
			continue
		}
		ref := r.members[0]
		rs, rg := set(ref)
		for _, o := range r.members[1:] {
			os, og := set(o)
			if slices.Equal(rs, os) || (rg == nil && og == nil) {
				continue
			}
			// One finding per pair of groups, or per group and the node
			// whose instances are in none.
			key := fmt.Sprintf("%p %p", rg, og)
			if rg == nil {
				key = fmt.Sprintf("%p node %d", og, ref.node)
			} else if og == nil {
				key = fmt.Sprintf("%p node %d", rg, o.node)
			}
			if done[key] {
				continue
			}
			done[key] = true
			desc := func(m *member, g *config.SyncGroup, s []int) (string, config.Pos) {
				if g == nil {
					return fmt.Sprintf("%s is in no sync group", m.in.Name), m.in.Pos
				}
				return fmt.Sprintf("sync group %s holds %s", g.Name, routerList(routers, s)), g.Pos
			}
			d1, p1 := desc(ref, rg, rs)
			d2, p2 := desc(o, og, os)
			fs = append(fs, Finding{Diagnostic: config.Diagnostic{Pos: p1, Severity: config.Warning,
				Msg: fmt.Sprintf("%s here, but at %s %s: the nodes do not fail over the same set of virtual routers together", d1, p2, d2)},
				Related: []config.Pos{p2}})
		}
	}
	return fs
}

func routerList(routers []*router, ix []int) string {
	s := make([]string, 0, len(ix))
	for _, i := range ix {
		r := routers[i]
		s = append(s, fmt.Sprintf("VRID %d (%s)", r.members[0].in.VRID, vipList(r.members[0].in.VIPs)))
	}
	return strings.Join(s, ", ")
}
