// Package vrrpsim is a deterministic multi-router VRRP simulator for the
// pure core in package vrrp: virtual time, one Ethernet segment with a
// delivery delay, random jitter and loss from a seeded generator, and
// partitions. It writes a readable transcript and checks invariants after
// every step (see Sim.Violations). Stdlib only, no clock.
package vrrpsim

import (
	"bytes"
	"container/heap"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// Options shape the segment and the transcript.
type Options struct {
	// Delay is the one-way delivery delay of every advert.
	Delay time.Duration
	// Jitter adds a random delay in [0, Jitter) per delivery.
	Jitter time.Duration
	// Loss is the probability an advert is lost on its way to one router.
	// With loss, the single-master and no-preemption invariants are not
	// checked (lost adverts legitimately cause takeovers).
	Loss float64
	// Seed seeds jitter and loss.
	Seed uint64
	// LogAdverts writes every advert to the transcript (priority-0 adverts
	// are always written).
	LogAdverts bool
	// Quiet leaves Log actions of the instances out of the transcript.
	Quiet bool
	// NoTranscript turns the transcript off (benchmarks).
	NoTranscript bool
	// OnTransition, when set, is called for every Transition an instance
	// emits, with the instance's Status after the Step that emitted it
	// (what the daemon has when it explains a state, vrrp.CauseOf).
	OnTransition func(router, instance string, tr vrrp.Transition, st vrrp.Status)
}

// Epoch is virtual time zero.
var Epoch = time.Unix(1_000_000, 0).UTC()

// Sim is the simulated segment and its routers.
type Sim struct {
	opt     Options
	now     time.Time
	rng     *rand.Rand
	routers []*Router
	byAddr  map[netip.Addr]*Router
	q       evHeap
	tq      timerHeap
	seq     uint64
	out     strings.Builder
	viol    []string

	lastDisturb time.Time
	expect      []expectation
	dual        map[dualKey]time.Time // since when a VRID has had two masters
	lastAt      map[[2]*Router]time.Time
	byVRID      map[vridKey][]*Node
	touched     []*Node
	settleC     time.Duration // cached settle(), reset by disturb
	tolC        time.Duration
	steps       uint64
}

// Router is one host: its addresses, its instances and maybe a sync group.
type Router struct {
	Name  string
	Addr4 netip.Addr
	Addr6 netip.Addr
	sim   *Sim
	nodes []*Node
	group *vrrp.SyncGroup
	gname string
	up    bool
	comp  int // partition component; routers talk only within one
}

// Node is one instance on a router.
type Node struct {
	r        *Router
	cfg      vrrp.Config
	in       *vrrp.Instance
	vips     bool
	masterAt time.Time
	tidx     int
	ord      int // router index << 16 | node index: tie-break of equal deadlines
	deadline time.Time
}

type expectation struct {
	vrid     uint8
	ipv6     bool
	comp     int
	deadline time.Time
	what     string
}

// New returns an empty segment at Epoch.
func New(opt Options) *Sim {
	return &Sim{opt: opt, now: Epoch, lastDisturb: Epoch,
		rng: rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)), byAddr: map[netip.Addr]*Router{},
		lastAt: map[[2]*Router]time.Time{}, byVRID: map[vridKey][]*Node{}, dual: map[dualKey]time.Time{}}
}

// Now is the current virtual time.
func (s *Sim) Now() time.Time { return s.now }

// Elapsed is the virtual time since Epoch.
func (s *Sim) Elapsed() time.Duration { return s.now.Sub(Epoch) }

// Steps counts the instance steps taken.
func (s *Sim) Steps() uint64 { return s.steps }

// Transcript returns what happened so far.
func (s *Sim) Transcript() string { return s.out.String() }

// Violations lists the invariant violations seen so far.
func (s *Sim) Violations() []string { return s.viol }

func (s *Sim) logf(format string, a ...any) {
	if s.opt.NoTranscript {
		return
	}
	fmt.Fprintf(&s.out, "%11.6f ", s.now.Sub(Epoch).Seconds())
	fmt.Fprintf(&s.out, format, a...)
	s.out.WriteByte('\n')
}

// Note writes a comment line into the transcript.
func (s *Sim) Note(format string, a ...any) { s.logf("# "+format, a...) }

// AddRouter adds a router (down until Start) with instances built from
// cfgs; each config's Src is set to the router's address of its family.
// With group != "", the instances form a sync group of that name.
func (s *Sim) AddRouter(name string, addr4, addr6 string, group string, cfgs ...vrrp.Config) *Router {
	r := &Router{Name: name, sim: s, gname: group}
	if addr4 != "" {
		r.Addr4 = netip.MustParseAddr(addr4)
		s.byAddr[r.Addr4] = r
	}
	if addr6 != "" {
		r.Addr6 = netip.MustParseAddr(addr6)
		s.byAddr[r.Addr6] = r
	}
	for j, c := range cfgs {
		c = complete(c)
		n := &Node{r: r, cfg: c, tidx: -1, ord: len(s.routers)<<16 | j}
		r.nodes = append(r.nodes, n)
		k := vridKey{c.VRID, c.IPv6}
		s.byVRID[k] = append(s.byVRID[k], n)
	}
	s.routers = append(s.routers, r)
	return r
}

// Router returns the router named name.
func (s *Sim) Router(name string) *Router {
	for _, r := range s.routers {
		if r.Name == name {
			return r
		}
	}
	return nil
}

// Instance returns the router's instance named name (nil if none).
func (r *Router) Instance(name string) *vrrp.Instance {
	if n := r.node(name); n != nil {
		return n.in
	}
	return nil
}

// Up reports whether the router is running.
func (r *Router) Up() bool { return r.up }

func (r *Router) node(name string) *Node {
	for _, n := range r.nodes {
		if n.cfg.Name == name {
			return n
		}
	}
	return nil
}

func (r *Router) src(ipv6 bool) netip.Addr {
	if ipv6 {
		return r.Addr6
	}
	return r.Addr4
}

// complete fills what a scenario leaves unset as keepalived's parser
// completes every instance (package config holds those defaults; the core
// fills none in): down_timer_adverts 3, the family's multicast group, a
// unicast TTL of 255 over IPv4, GARP repeats of at least 1.
func complete(c vrrp.Config) vrrp.Config {
	if c.DownTimerAdverts == 0 {
		c.DownTimerAdverts = 3
	}
	if !c.McastGroup.IsValid() {
		c.McastGroup = vrrp.MulticastGroup4
		if c.IPv6 {
			c.McastGroup = vrrp.MulticastGroup6
		}
	}
	if c.UnicastTTL == 0 && !c.IPv6 {
		c.UnicastTTL = vrrp.TTL
	}
	c.GarpMasterRepeat = max(c.GarpMasterRepeat, 1)
	c.GarpMasterRefreshRepeat = max(c.GarpMasterRefreshRepeat, 1)
	return c
}

// build makes fresh instances (start or restart after a crash).
func (r *Router) build() {
	var ins []*vrrp.Instance
	for _, n := range r.nodes {
		c := n.cfg
		c.Src = r.src(c.IPv6)
		in, err := vrrp.NewInstance(c)
		if err != nil {
			panic(fmt.Sprintf("vrrpsim: %s: %v", r.Name, err))
		}
		n.in, n.vips, n.masterAt = in, false, time.Time{}
		ins = append(ins, in)
	}
	r.group = nil
	if r.gname != "" {
		r.group = vrrp.NewSyncGroup(r.gname, ins)
	}
}

// --- scheduling ---

type ev struct {
	at  time.Time
	seq uint64
	fn  func()
}

type evHeap []ev

func (h evHeap) Len() int { return len(h) }
func (h evHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h evHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *evHeap) Push(x any)   { *h = append(*h, x.(ev)) }
func (h *evHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type timerHeap []*Node

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if !h[i].deadline.Equal(h[j].deadline) {
		return h[i].deadline.Before(h[j].deadline)
	}
	return h[i].ord < h[j].ord
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].tidx, h[j].tidx = i, j
}
func (h *timerHeap) Push(x any) {
	n := x.(*Node)
	n.tidx = len(*h)
	*h = append(*h, n)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	n.tidx = -1
	return n
}

// At schedules fn at elapsed virtual time d (after what is already
// scheduled for that time).
func (s *Sim) At(d time.Duration, fn func()) {
	s.seq++
	heap.Push(&s.q, ev{at: Epoch.Add(d), seq: s.seq, fn: fn})
}

func (s *Sim) after(d time.Duration, fn func()) {
	s.seq++
	heap.Push(&s.q, ev{at: s.now.Add(d), seq: s.seq, fn: fn})
}

// refresh puts the node's next deadline in the timer heap.
func (s *Sim) refresh(n *Node) {
	d, ok := time.Time{}, false
	if n.r.up && n.in != nil {
		if n.r.group != nil {
			d, ok = n.r.group.NextDeadline()
		} else {
			d, ok = n.in.NextDeadline()
		}
	}
	if !ok {
		if n.tidx >= 0 {
			heap.Remove(&s.tq, n.tidx)
		}
		return
	}
	n.deadline = d
	if n.tidx >= 0 {
		heap.Fix(&s.tq, n.tidx)
	} else {
		heap.Push(&s.tq, n)
	}
}

// RunFor runs the simulation for d of virtual time.
func (s *Sim) RunFor(d time.Duration) { s.RunUntil(s.now.Add(d).Sub(Epoch)) }

// RunUntil runs every event and timer up to elapsed time d.
func (s *Sim) RunUntil(d time.Duration) {
	end := Epoch.Add(d)
	for {
		var next time.Time
		timer := false
		if len(s.tq) > 0 {
			next, timer = s.tq[0].deadline, true
		}
		if len(s.q) > 0 && (!timer || s.q[0].at.Before(next)) {
			next, timer = s.q[0].at, false
		}
		if next.IsZero() || next.After(end) {
			break
		}
		if next.After(s.now) {
			s.now = next
		}
		if timer {
			n := s.tq[0]
			s.step(n, nil)
		} else {
			e := heap.Pop(&s.q).(ev)
			e.fn()
		}
		s.check()
	}
	if end.After(s.now) {
		s.now = end
	}
}

// step runs one event on a node (through its sync group if any), applies
// the actions and refreshes the deadlines.
func (s *Sim) step(n *Node, e vrrp.Event) {
	s.steps++
	r := n.r
	if r.group != nil {
		s.touched = append(s.touched, r.nodes...)
		for _, ma := range r.group.StepSeq(s.now, n.cfg.Name, e) {
			s.apply(r.node(ma.Member), []vrrp.Action{ma.Action})
		}
		for _, m := range r.nodes {
			s.refresh(m)
		}
		return
	}
	s.touched = append(s.touched, n)
	s.apply(n, n.in.Step(s.now, e))
	s.refresh(n)
}

func (s *Sim) apply(n *Node, acts []vrrp.Action) {
	who := ""
	if !s.opt.NoTranscript {
		who = n.r.Name + " " + n.cfg.Name
	}
	for _, a := range acts {
		switch a := a.(type) {
		case *vrrp.SendAdvert:
			if a.Priority == 0 || s.opt.LogAdverts {
				s.logf("%s advert prio %d -> %v", who, a.Priority, a.Dst)
			}
			s.send(n, a)
		case vrrp.Transition:
			reason := ""
			if a.Reason != "" {
				reason = " (" + a.Reason + ")"
			}
			s.logf("%s %v -> %v%s", who, a.From, a.To, reason)
			if s.opt.OnTransition != nil {
				s.opt.OnTransition(n.r.Name, n.cfg.Name, a, n.in.Status())
			}
			if a.To == vrrp.StateMaster {
				n.masterAt = s.now
				s.checkTakeover(n, a)
			}
		case vrrp.AddVIPs:
			n.vips = true
			s.logf("%s add VIPs %v", who, n.cfg.VIPs)
		case vrrp.DelVIPs:
			n.vips = false
			s.logf("%s del VIPs", who)
		case vrrp.Announce:
			s.logf("%s garp x%d %v", who, a.Repeat, a.Addrs)
		case vrrp.Log:
			if !s.opt.Quiet && !a.Detail { // -D lines are not in transcripts
				if a.Group != "" {
					s.logf("%s VRRP_Group(%s) %s", n.r.Name, a.Group, a.Msg)
				} else {
					s.logf("%s (%s) %s", n.r.Name, n.cfg.Name, a.Msg)
				}
			}
		case vrrp.NotifyRxLowerPri:
			s.logf("%s notify master_rx_lower_pri", who)
		case vrrp.GroupTransition:
			s.logf("%s group %s -> %v", n.r.Name, a.Group, a.To)
		}
	}
}

// send delivers an advert to the routers that can hear it.
func (s *Sim) send(from *Node, a *vrrp.SendAdvert) {
	src := from.r.src(from.cfg.IPv6)
	// Delivered later: the packet is only valid until the sender's next Step.
	pkt := bytes.Clone(a.Packet)
	for _, r := range s.routers {
		if r == from.r || !r.up || r.comp != from.r.comp {
			continue
		}
		if !a.Dst.IsMulticast() && r.src(from.cfg.IPv6) != a.Dst {
			continue
		}
		if s.opt.Loss > 0 && s.rng.Float64() < s.opt.Loss {
			continue
		}
		d := s.opt.Delay
		if s.opt.Jitter > 0 {
			d += time.Duration(s.rng.Int64N(int64(s.opt.Jitter)))
		}
		// A segment does not reorder: deliveries between two routers stay
		// in sending order whatever the jitter.
		at := s.now.Add(d)
		pairKey := [2]*Router{from.r, r}
		if last, ok := s.lastAt[pairKey]; ok && at.Before(last) {
			at = last
		}
		s.lastAt[pairKey] = at
		d = at.Sub(s.now)
		to, comp := r, from.r.comp
		ttl, dst, v6 := a.TTL, a.Dst, from.cfg.IPv6
		s.after(d, func() {
			if !to.up || to.comp != comp {
				return
			}
			rx := vrrp.Received{Src: src, Dst: dst, TTL: ttl, IPLen: 20 + len(pkt), Packet: pkt}
			if hdrs, p, ok := vrrp.SplitAH(pkt); ok && !v6 {
				// auth_type AH: the core sent the whole datagram
				rx.AH, rx.Packet, rx.IPLen = hdrs, p, len(pkt)
			}
			if len(rx.Packet) < 2 {
				return
			}
			for _, n := range to.nodes {
				if n.cfg.VRID == rx.Packet[1] && n.cfg.IPv6 == v6 {
					s.step(n, rx)
					return
				}
			}
		})
	}
}

// --- operations (each is a disturbance for the invariants) ---

func (s *Sim) disturb() {
	s.lastDisturb = s.now
	s.expect = nil
	s.settleC, s.tolC = 0, 0
}

// Start boots the router: fresh instances, Startup.
func (r *Router) Start() {
	s := r.sim
	s.disturb()
	s.logf("%s start", r.Name)
	r.build()
	r.up = true
	for _, n := range r.nodes {
		s.step(n, vrrp.Startup{})
	}
}

// StartAwaiting starts the router as keepalived starts with an unweighted
// vrrp_script in state init: each named instance tracks script key, which
// has not reported yet (vrrp.Fault Init), so it (and its sync group) waits
// silently in FAULT until ScriptResult.
func (r *Router) StartAwaiting(key string, insts ...string) {
	s := r.sim
	s.disturb()
	s.logf("%s start, script %s pending on %v", r.Name, key, insts)
	r.build()
	r.up = true
	for _, name := range insts {
		if n := r.node(name); n != nil {
			s.step(n, vrrp.Fault{Key: "init " + key, On: true, Init: true})
		}
	}
	for _, n := range r.nodes {
		s.step(n, vrrp.Startup{})
	}
}

// ScriptResult is the first result of script key on inst after
// StartAwaiting: a failure is a fault, raised before the pending state
// ends (as the daemon reports it).
func (r *Router) ScriptResult(inst, key string, ok bool) {
	s := r.sim
	s.disturb()
	s.logf("%s %s script %s first result ok=%v", r.Name, inst, key, ok)
	n := r.node(inst)
	if n == nil || !r.up {
		return
	}
	if !ok {
		s.step(n, vrrp.Fault{Key: key, On: true})
	}
	s.step(n, vrrp.Fault{Key: "init " + key, On: false, Init: true})
}

// Crash kills the router without a word (kill -9 of the whole process
// group, power loss): its state is frozen, its VIPs stay where they were.
func (r *Router) Crash() {
	s := r.sim
	masters := s.mastersOf(r)
	s.disturb()
	s.logf("%s crash", r.Name)
	r.up = false
	for _, n := range r.nodes {
		s.refresh(n)
	}
	s.expectTakeover(r, masters, false)
}

// Stop is a graceful stop (SIGTERM): priority-0 adverts from masters.
func (r *Router) Stop() {
	s := r.sim
	masters := s.mastersOf(r)
	s.disturb()
	s.logf("%s stop", r.Name)
	for _, n := range r.nodes {
		s.step(n, vrrp.Shutdown{})
	}
	r.up = false
	for _, n := range r.nodes {
		n.vips = false
		s.refresh(n)
	}
	s.expectTakeover(r, masters, true)
}

// Priority feeds a tracking priority (total) to an instance.
func (r *Router) Priority(inst string, total int) {
	s := r.sim
	s.disturb()
	s.logf("%s %s tracking priority %d", r.Name, inst, total)
	if n := r.node(inst); n != nil && r.up {
		s.step(n, vrrp.Priority{Effective: total})
	}
}

// Fault turns a fault source on or off.
func (r *Router) Fault(inst, key string, on bool) {
	s := r.sim
	s.disturb()
	s.logf("%s %s fault %s %v", r.Name, inst, key, on)
	if n := r.node(inst); n != nil && r.up {
		s.step(n, vrrp.Fault{Key: key, On: on})
	}
}

// Reconfigure applies a changed config (Src is filled in).
func (r *Router) Reconfigure(inst string, c vrrp.Config) {
	s := r.sim
	s.disturb()
	s.logf("%s %s reconfigure priority %d advert_int %v nopreempt %v", r.Name, inst, c.Priority, c.AdvertInt, c.Nopreempt)
	n := r.node(inst)
	if n == nil {
		return
	}
	c = complete(c)
	n.cfg = c
	if r.up {
		c.Src = r.src(c.IPv6)
		s.step(n, vrrp.Reconfigure{Config: c})
	}
}

// Partition splits the segment: each list of router names becomes one
// component; routers not named form component 0 together.
func (s *Sim) Partition(groups ...[]string) {
	s.disturb()
	for _, r := range s.routers {
		r.comp = 0
	}
	var desc []string
	for i, g := range groups {
		for _, name := range g {
			if r := s.Router(name); r != nil {
				r.comp = i + 1
			}
		}
		desc = append(desc, "{"+strings.Join(g, " ")+"}")
	}
	s.logf("partition %s", strings.Join(desc, " "))
}

// Heal reconnects the whole segment.
func (s *Sim) Heal() {
	s.disturb()
	for _, r := range s.routers {
		r.comp = 0
	}
	s.logf("heal")
}

// --- invariants ---

func (s *Sim) mastersOf(r *Router) []*Node {
	var out []*Node
	if !r.up {
		return nil
	}
	for _, n := range r.nodes {
		if n.in.Status().State == vrrp.StateMaster {
			out = append(out, n)
		}
	}
	return out
}

func (s *Sim) violate(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	s.viol = append(s.viol, fmt.Sprintf("%.6f %s", s.now.Sub(Epoch).Seconds(), msg))
	s.logf("!! VIOLATION %s", msg)
}

// settle is how long after a disturbance a segment may legitimately still
// have two masters of a VRID: twice the longest master down interval any
// node can run (a VRRPv3 backup adopts the master's interval, so the
// longest interval of any node counts), one more interval, the longest
// preempt_delay, and the delivery delay both ways.
func (s *Sim) settle() time.Duration {
	var maxInt, maxPD time.Duration
	maxAdverts := 3
	for _, r := range s.routers {
		for _, n := range r.nodes {
			c := n.cfg
			maxInt = max(maxInt, c.AdvertInt)
			maxPD = max(maxPD, c.PreemptDelay)
			maxAdverts = max(maxAdverts, c.DownTimerAdverts)
		}
	}
	down := time.Duration(maxAdverts+1) * maxInt
	return 2*down + maxInt + maxPD + 2*(s.opt.Delay+s.opt.Jitter)
}

// dualTolerance is how long two masters may coexist after convergence: a
// preempting backup and the master it replaces overlap until its first
// advert arrives.
func (s *Sim) dualTolerance() time.Duration {
	var maxInt time.Duration
	for _, r := range s.routers {
		for _, n := range r.nodes {
			maxInt = max(maxInt, n.cfg.AdvertInt)
		}
	}
	return maxInt + 2*(s.opt.Delay+s.opt.Jitter)
}

// downOf is the master down interval of a backup node as it stands.
func downOf(n *Node) time.Duration {
	st := n.in.Status()
	c := n.in.Config()
	return vrrp.MasterDownInterval(c.Version, uint8(st.EffectivePriority), st.MasterAdverInt, c.DownTimerAdverts)
}

// expectTakeover records that, after a master left, some live backup in
// its component must become master within the master down interval
// (crash) or the skew time (graceful stop) plus the delay (RFC 3768
// section 6.4.2 / RFC 5798 section 6.4.2).
func (s *Sim) expectTakeover(r *Router, masters []*Node, graceful bool) {
	for _, m := range masters {
		var worst time.Duration
		found := false
		for _, o := range s.routers {
			if o == r || !o.up || o.comp != r.comp {
				continue
			}
			for _, n := range o.nodes {
				if n.cfg.VRID != m.cfg.VRID || n.cfg.IPv6 != m.cfg.IPv6 {
					continue
				}
				st := n.in.Status()
				if st.State == vrrp.StateMaster {
					found, worst = false, -1
					break
				}
				if st.State != vrrp.StateBackup {
					continue
				}
				// A VRRPv3 backup may still adopt the leaving master's
				// interval from an advert in flight.
				c := n.in.Config()
				mai := st.MasterAdverInt
				if c.Version == 3 {
					mai = max(mai, m.in.Config().AdvertInt)
				}
				d := vrrp.MasterDownInterval(c.Version, uint8(st.EffectivePriority), mai, c.DownTimerAdverts)
				if graceful {
					d = vrrp.SkewTime(c.Version, uint8(st.EffectivePriority), mai)
				}
				if d > worst {
					worst = d
				}
				found = true
			}
			if worst < 0 {
				break
			}
		}
		if !found {
			continue
		}
		what := "crash"
		if graceful {
			what = "graceful stop"
		}
		s.expect = append(s.expect, expectation{vrid: m.cfg.VRID, ipv6: m.cfg.IPv6, comp: r.comp,
			deadline: s.now.Add(worst + 2*(s.opt.Delay+s.opt.Jitter)), what: what})
	}
}

// check runs the invariants after a step, on the nodes the step touched
// and the VRIDs with pending expectations or two masters.
func (s *Sim) check() {
	var keys []dualKey
	add := func(k dualKey) {
		for _, o := range keys {
			if o == k {
				return
			}
		}
		keys = append(keys, k)
	}
	for _, n := range s.touched {
		if !n.r.up {
			continue
		}
		st := n.in.State()
		if n.vips != (st == vrrp.StateMaster) {
			s.violate("%s %s holds VIPs=%v in %v", n.r.Name, n.cfg.Name, n.vips, st)
			n.vips = st == vrrp.StateMaster
		}
		add(dualKey{n.cfg.VRID, n.cfg.IPv6, n.r.comp})
	}
	s.touched = s.touched[:0]
	for _, e := range s.expect {
		add(dualKey{e.vrid, e.ipv6, e.comp})
	}
	for k := range s.dual {
		add(k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].vrid < keys[j].vrid })
	var ms []*Node
	masters := func(k dualKey) []*Node {
		ms = ms[:0]
		for _, n := range s.byVRID[vridKey{k.vrid, k.v6}] {
			if n.r.up && n.r.comp == k.comp && n.in.State() == vrrp.StateMaster {
				ms = append(ms, n)
			}
		}
		return ms
	}
	// Expected takeovers.
	kept := s.expect[:0]
	for _, e := range s.expect {
		if len(masters(dualKey{e.vrid, e.ipv6, e.comp})) > 0 {
			continue
		}
		if s.now.After(e.deadline) {
			s.violate("no takeover of VRID %d within %s deadline %.6f", e.vrid, e.what, e.deadline.Sub(Epoch).Seconds())
			continue
		}
		kept = append(kept, e)
	}
	s.expect = kept
	if s.opt.Loss > 0 {
		return
	}
	converged := s.now.Sub(s.lastDisturb) > s.settleCached()+s.tolCached()
	for _, k := range keys {
		ms := masters(k)
		if len(ms) < 2 {
			delete(s.dual, k)
			continue
		}
		since, ok := s.dual[k]
		if !ok {
			s.dual[k] = s.now
			continue
		}
		if converged && s.now.Sub(since) > s.tolCached() {
			var names []string
			for _, m := range ms {
				names = append(names, m.r.Name)
			}
			s.violate("VRID %d has %d masters after convergence since %.6f: %s", k.vrid, len(ms), since.Sub(Epoch).Seconds(), strings.Join(names, " "))
			s.dual[k] = s.now
		}
	}
}

func (s *Sim) settleCached() time.Duration {
	if s.settleC == 0 {
		s.settleC = s.settle()
	}
	return s.settleC
}

func (s *Sim) tolCached() time.Duration {
	if s.tolC == 0 {
		s.tolC = s.dualTolerance()
	}
	return s.tolC
}

type vridKey struct {
	vrid uint8
	v6   bool
}

type dualKey struct {
	vrid uint8
	v6   bool
	comp int
}

// checkTakeover flags a backup taking MASTER from a live, connected master
// it must have heard (master and connected for longer than the master's
// advert interval and the delay), unless the
// backup may preempt it (higher priority, preemption on) or a sync group
// moved it (RFC 3768 section 6.4.2: Preempt_Mode false).
func (s *Sim) checkTakeover(x *Node, t vrrp.Transition) {
	if s.opt.Loss > 0 || t.Reason == "sync group" {
		return
	}
	xs := x.in.Status()
	for _, r := range s.routers {
		if r == x.r || !r.up || r.comp != x.r.comp {
			continue
		}
		for _, m := range r.nodes {
			if m.cfg.VRID != x.cfg.VRID || m.cfg.IPv6 != x.cfg.IPv6 {
				continue
			}
			// x must have had the time to hear one advert of m since
			// they were last connected (and since m became master).
			window := m.in.Config().AdvertInt + 2*(s.opt.Delay+s.opt.Jitter)
			ms := m.in.Status()
			if ms.State != vrrp.StateMaster || s.now.Sub(m.masterAt) <= window || s.now.Sub(s.lastDisturb) <= window {
				continue
			}
			if xs.EffectivePriority > ms.EffectivePriority && !x.in.Config().Nopreempt {
				continue
			}
			// With VRRPv3 a backup runs on the interval of the last advert
			// it accepted; if that came from a third router with a
			// shorter interval, expiring before m's next advert is the
			// protocol, not a fault (RFC 5798 section 6.4.2).
			if x.cfg.Version == 3 && xs.LastAdvertFrom.IsValid() && xs.LastAdvertFrom != r.src(x.cfg.IPv6) {
				continue
			}
			s.violate("%s %s (prio %d, nopreempt %v) took over from live master %s (prio %d)",
				x.r.Name, x.cfg.Name, xs.EffectivePriority, x.in.Config().Nopreempt, r.Name, ms.EffectivePriority)
		}
	}
}

// Masters lists "router/instance" of every running master, sorted.
func (s *Sim) Masters() []string {
	var out []string
	for _, r := range s.routers {
		if !r.up {
			continue
		}
		for _, n := range r.nodes {
			if n.in.Status().State == vrrp.StateMaster {
				out = append(out, r.Name+"/"+n.cfg.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// MasterSince returns when the node became master last (zero if never).
func (r *Router) MasterSince(inst string) time.Time {
	if n := r.node(inst); n != nil {
		return n.masterAt
	}
	return time.Time{}
}
