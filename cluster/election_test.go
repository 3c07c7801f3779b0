package cluster

import (
	"net/netip"
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// TestContribution is keepalived's weight table (vrrp_track.c
// process_script_update_priority; reference 4.3): what a tracker adds in
// each state, for each sign of weight and reverse.
func TestContribution(t *testing.T) {
	for _, c := range []struct {
		w       int
		reverse bool
		ok      bool
		delta   int
		fault   bool
	}{
		{0, false, true, 0, false}, {0, false, false, 0, true},
		{0, true, true, 0, true}, {0, true, false, 0, false},
		{10, false, true, 10, false}, {10, false, false, 0, false},
		{10, true, true, -10, false}, {10, true, false, 0, false},
		{-10, false, true, 0, false}, {-10, false, false, -10, false},
		{-10, true, true, 0, false}, {-10, true, false, 10, false},
	} {
		d, f := contribution(c.w, c.reverse, c.ok)
		if d != c.delta || f != c.fault {
			t.Errorf("contribution(%d, reverse %v, ok %v) = %d, %v; want %d, %v", c.w, c.reverse, c.ok, d, f, c.delta, c.fault)
		}
	}
}

// TestEffective: clamped to 1..254, an owner stays at 255
// (vrrp_set_effective_priority).
func TestEffective(t *testing.T) {
	for _, c := range []struct{ base, sum, want int }{
		{100, 0, 100}, {100, -150, 1}, {200, 100, 254}, {255, -50, 255}, {254, 10, 254}, {1, -1, 1},
	} {
		if got := effective(c.base, c.sum); got != c.want {
			t.Errorf("effective(%d, %d) = %d, want %d", c.base, c.sum, got, c.want)
		}
	}
}

// TestElectFrom: a running master keeps its place against an equal
// priority and against nopreempt nodes; a strictly higher preempting node
// takes over; at start the highest priority wins, ties by the higher
// address when known (vrrp.c vrrp_state_backup, vrrp_state_master_rx).
func TestElectFrom(t *testing.T) {
	mk := func(prio int, nopreempt bool, addr string) *member {
		m := &member{in: &config.Instance{Priority: prio, Nopreempt: nopreempt}}
		if addr != "" {
			m.addr = netip.MustParseAddr(addr)
		}
		return m
	}
	sc := func(prios ...int) scene {
		s := scene{down: make([]bool, len(prios)), held: make([]bool, len(prios))}
		for _, p := range prios {
			st := instState{prio: p}
			if p == 0 {
				st.fault = true
			}
			s.st = append(s.st, st)
		}
		return s
	}
	for _, c := range []struct {
		name    string
		members []*member
		s       scene
		inc     int
		want    []int
	}{
		{"start: highest wins", []*member{mk(90, false, ""), mk(100, false, "")}, sc(90, 100), -1, []int{1}},
		{"start: tie by higher address", []*member{mk(100, false, "10.0.0.2"), mk(100, false, "10.0.0.10")}, sc(100, 100), -1, []int{1}},
		{"start: tie, addresses unknown", []*member{mk(100, false, ""), mk(100, false, "10.0.0.10")}, sc(100, 100), -1, []int{0, 1}},
		{"equal does not preempt", []*member{mk(100, false, "10.0.0.1"), mk(100, false, "10.0.0.9")}, sc(100, 100), 0, []int{0}},
		{"higher preempts", []*member{mk(100, false, ""), mk(90, false, "")}, sc(80, 90), 0, []int{1}},
		{"nopreempt does not", []*member{mk(100, false, ""), mk(90, true, "")}, sc(80, 90), 0, []int{0}},
		{"fault hands over to the highest", []*member{mk(100, false, ""), mk(90, true, ""), mk(95, true, "")}, sc(0, 90, 95), 0, []int{2}},
		{"highest preempting of several", []*member{mk(100, false, ""), mk(90, true, ""), mk(95, false, ""), mk(93, false, "")}, sc(80, 99, 95, 93), 0, []int{2}},
	} {
		r := &router{members: c.members}
		got := electFrom(r, c.s, c.inc)
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
	}
}
