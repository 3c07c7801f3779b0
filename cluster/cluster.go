// Package cluster checks the configurations of a keepalived cluster
// together: what no single file can show. It pairs the vrrp_instances of
// several nodes the way the wire does (address family and VRID on one
// segment, unicast peers by address), reports what makes the partners
// drop each other's adverts (and so become MASTER side by side), what
// makes the election surprising (ties broken by address, nopreempt on one
// side, weights that cannot move the master), and computes, per virtual
// router, who is master when all is well and after each single failure.
//
// It is a pure package: it takes loaded configurations (config.Config) and
// imports nothing of ours but config. The priority arithmetic follows
// keepalived 2.2.7 / 2.4.3 (vrrp_track.c process_script_update_priority,
// vrrp_set_effective_priority; vrrp.c vrrp_state_backup,
// vrrp_state_master_rx, vrrp_saddr_cmp): see election.go.
package cluster

import (
	"net/netip"
	"slices"

	"github.com/keepalived-go/keepalived/config"
)

// Node is one configuration file of the cluster, as one host runs it.
type Node struct {
	// Name is how the node is named in findings and tables: the file as
	// the user gave it (lb1.conf).
	Name   string
	Config *config.Config
}

// Finding is one cluster finding: a config.Diagnostic positioned at the
// first node's text, with the positions of the other nodes' text it is
// about in Related (also written into the message, so that the text form
// carries both: `lb1.conf:12:5: error: ... lb2.conf:14:5 ...`).
type Finding struct {
	config.Diagnostic
	Related []config.Pos `json:"related,omitempty"`
}

// String is the finding as check-config prints it.
func (f Finding) String() string { return f.Diagnostic.String() }

// Report is the result of Check.
type Report struct {
	Findings []Finding `json:"findings"`
	Routers  []Router  `json:"routers"`
}

// HasErrors reports whether any finding is an error.
func (r Report) HasErrors() bool {
	for _, f := range r.Findings {
		if f.Severity == config.Error {
			return true
		}
	}
	return false
}

// member is one node's vrrp_instance in a virtual router.
type member struct {
	node int // index into the nodes given to Check
	name string
	cfg  *config.Config
	in   *config.Instance
	// addr is the advert source address when the configuration tells it
	// (unicast_src_ip / mcast_src_ip, or a unicast peer address that only
	// this node can own); invalid when only the host knows it (the
	// interface's primary address).
	addr     netip.Addr
	inferred bool
}

func (m *member) family() config.Family {
	if m.in.Family == config.FamilyUnset {
		return config.IPv4
	}
	return m.in.Family
}

// label is how messages name a member: "lb2.conf (VI_1)".
func (m *member) label() string { return m.name + " (" + m.in.Name + ")" }

func (m *member) vips() map[netip.Addr]config.Address {
	s := make(map[netip.Addr]config.Address, len(m.in.VIPs))
	for _, a := range m.in.VIPs {
		s[a.Addr()] = a
	}
	return s
}

func (m *member) peers() map[netip.Addr]bool {
	s := map[netip.Addr]bool{}
	for _, p := range m.in.UnicastPeers {
		s[p.Addr] = true
	}
	return s
}

// router is a virtual router: at most one member per node, in node order.
type router struct {
	members []*member
}

func (r *router) has(node int) bool {
	for _, m := range r.members {
		if m.node == node {
			return true
		}
	}
	return false
}

// Check checks the nodes' configurations together. Nodes with a nil
// Config are skipped (their file could not be read; check-config reports
// that already). The findings are in node order, then line and column.
func Check(nodes []Node) Report {
	routers := pair(nodes)
	for _, r := range routers {
		inferAddrs(r)
	}
	var fs []Finding
	for _, r := range routers {
		fs = append(fs, wireFindings(r)...)
		fs = append(fs, unicastFindings(r, nodes)...)
	}
	routerOf := map[*config.Instance]*router{}
	for _, r := range routers {
		for _, m := range r.members {
			routerOf[m.in] = r
		}
	}
	tables := make([]Router, 0, len(routers))
	for _, r := range routers {
		t, more := elect(r, routerOf)
		fs = append(fs, more...)
		tables = append(tables, t)
	}
	fs = append(fs, syncGroupFindings(routers)...)
	sortFindings(fs, nodes)
	return Report{Findings: fs, Routers: tables}
}

// pair groups the instances of every node into virtual routers the way
// the wire does: the same address family and VRID (and, when a node has
// several such instances on different interfaces, the partner whose
// unicast peers name it, else the same interface name, else a shared
// VIP). Routers that share a VIP across nodes but differ in VRID are then
// merged, since they were meant to be one (and differ in VRID: a finding).
func pair(nodes []Node) []*router {
	type key struct {
		fam  config.Family
		vrid int
	}
	var order []key
	buckets := map[key][]*member{}
	for ni, n := range nodes {
		if n.Config == nil {
			continue
		}
		for _, in := range n.Config.Instances {
			m := &member{node: ni, name: n.Name, cfg: n.Config, in: in}
			if in.UnicastSrc.IsValid() {
				m.addr = in.UnicastSrc
			} else if in.McastSrc.IsValid() {
				m.addr = in.McastSrc
			}
			k := key{m.family(), in.VRID}
			if _, ok := buckets[k]; !ok {
				order = append(order, k)
			}
			buckets[k] = append(buckets[k], m)
		}
	}
	var routers []*router
	for _, k := range order {
		routers = append(routers, splitBucket(buckets[k])...)
	}
	// Merge routers sharing a VIP across distinct nodes (a VRID typo).
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(routers) && !merged; i++ {
			for j := i + 1; j < len(routers) && !merged; j++ {
				if canMerge(routers[i], routers[j]) {
					routers[i].members = append(routers[i].members, routers[j].members...)
					slices.SortStableFunc(routers[i].members, func(a, b *member) int { return a.node - b.node })
					routers = slices.Delete(routers, j, j+1)
					merged = true
				}
			}
		}
	}
	return routers
}

// splitBucket splits the instances of one family and VRID into routers of
// at most one member per node. The node with the most such instances
// seeds the routers; every other instance joins the router it has most in
// common with (affinity), or the first one free of its node when it has
// nothing in common with any: the same VRID is then enough.
func splitBucket(ms []*member) []*router {
	count := map[int]int{}
	for _, m := range ms {
		count[m.node]++
	}
	ms = slices.Clone(ms)
	slices.SortStableFunc(ms, func(a, b *member) int { return count[b.node] - count[a.node] })
	var rs []*router
	for _, m := range ms {
		best, bestScore := -1, 0
		for i, r := range rs {
			if r.has(m.node) {
				continue
			}
			if s := affinity(r, m); s > bestScore || best < 0 {
				best, bestScore = i, s
			}
		}
		if best < 0 {
			rs = append(rs, &router{members: []*member{m}})
			continue
		}
		rs[best].members = append(rs[best].members, m)
	}
	for _, r := range rs {
		slices.SortStableFunc(r.members, func(a, b *member) int { return a.node - b.node })
	}
	return rs
}

// affinity scores how surely m belongs with the members of r: unicast
// peers naming each other, then the same interface name, then a VIP.
func affinity(r *router, m *member) int {
	s := 0
	mv := m.vips()
	for _, o := range r.members {
		if (o.addr.IsValid() && m.peers()[o.addr]) || (m.addr.IsValid() && o.peers()[m.addr]) {
			s = max(s, 4)
		}
		if o.in.Interface != "" && o.in.Interface == m.in.Interface {
			s = max(s, 2)
		}
		for _, a := range o.in.VIPs {
			if _, ok := mv[a.Addr()]; ok {
				s = max(s, 1)
			}
		}
	}
	return s
}

func canMerge(a, b *router) bool {
	for _, m := range b.members {
		if a.has(m.node) {
			return false
		}
	}
	for _, m := range a.members {
		mv := m.vips()
		for _, o := range b.members {
			for _, v := range o.in.VIPs {
				if _, ok := mv[v.Addr()]; ok {
					return true
				}
			}
		}
	}
	return false
}

// inferAddrs fills in the address of the one unicast member without
// unicast_src_ip when its partners' unicast_peer lists name exactly one
// address that no member owns: on the wire that address is the node's.
func inferAddrs(r *router) {
	var unknown *member
	for _, m := range r.members {
		if !m.in.Unicast {
			continue
		}
		if !m.addr.IsValid() {
			if unknown != nil {
				return
			}
			unknown = m
		}
	}
	if unknown == nil {
		return
	}
	owned := map[netip.Addr]bool{}
	for _, m := range r.members {
		if m.addr.IsValid() {
			owned[m.addr] = true
		}
	}
	var cand netip.Addr
	for _, m := range r.members {
		if m == unknown || !m.in.Unicast {
			continue
		}
		for _, p := range m.in.UnicastPeers {
			if owned[p.Addr] {
				continue
			}
			if cand.IsValid() && cand != p.Addr {
				return
			}
			cand = p.Addr
		}
	}
	if cand.IsValid() {
		unknown.addr, unknown.inferred = cand, true
	}
}

// sortFindings orders findings by node (the order given), line, column.
func sortFindings(fs []Finding, nodes []Node) {
	rank := map[string]int{}
	for i, n := range nodes {
		if n.Config == nil {
			continue
		}
		for _, f := range n.Config.Files {
			if _, ok := rank[f]; !ok {
				rank[f] = i
			}
		}
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		ra, oka := rank[a.Pos.File]
		rb, okb := rank[b.Pos.File]
		if !oka {
			ra = len(nodes)
		}
		if !okb {
			rb = len(nodes)
		}
		if ra != rb {
			return ra - rb
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}
