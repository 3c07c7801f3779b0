package cluster

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
	"github.com/keepalived-go/keepalived/vrrp"
	sim "github.com/keepalived-go/keepalived/vrrp/sim"
)

// TestTablesAgreeWithTheSimulator replays every row of every golden
// table in the VRRP simulator (our protocol core on a virtual segment):
// the nodes start together, the event happens (a fault, a tracking
// priority, a graceful stop), then is undone; the simulator's master must
// be one the table names at each step. The table assumes the adverts get
// through, so every member gets the first member's wire settings (VRID,
// version, interval, VIPs); priorities, nopreempt, state and addresses
// are each node's own. Routers of sync groups are left out (the table
// models the group one level deep).
func TestTablesAgreeWithTheSimulator(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*")
	root, _ := os.Getwd()
	checked := 0
	for _, dir := range dirs {
		b, err := os.ReadFile(filepath.Join(dir, "nodes"))
		if err != nil {
			t.Fatal(err)
		}
		var nodes []Node
		for _, name := range strings.Fields(string(b)) {
			cfg, _, err := parser.LoadFile(filepath.Join(root, dir, name), parser.Options{ConfigID: "test"})
			if err != nil {
				t.Fatal(err)
			}
			nodes = append(nodes, Node{Name: name, Config: cfg})
		}
		routers := pair(nodes)
		routerOf := map[*config.Instance]*router{}
		for _, r := range routers {
			inferAddrs(r)
			for _, m := range r.members {
				routerOf[m.in] = r
			}
		}
		for _, r := range routers {
			if len(r.members) < 2 || slices.ContainsFunc(r.members, func(m *member) bool { return m.in.SyncGroup != "" }) {
				continue
			}
			tab, _ := elect(r, routerOf)
			evs, _ := events(r)
			for k, rw := range tab.Rows[1:] {
				checked++
				replay(t, dir, r, evs[k], tab.Rows[0], rw)
			}
		}
	}
	t.Logf("%d rows replayed", checked)
	if checked < 50 {
		t.Errorf("only %d rows replayed", checked)
	}
}

func replay(t *testing.T, dir string, r *router, ev event, well, rw Row) {
	t.Helper()
	s := sim.New(sim.Options{Quiet: true})
	ref := r.members[0]
	srs := make([]*sim.Router, len(r.members))
	for i, m := range r.members {
		c := vrrp.Config{
			Name: m.in.Name, VRID: uint8(ref.in.VRID), Version: ref.in.Version, IPv6: ref.family() == config.IPv6,
			Priority: uint8(m.in.Priority), WantMaster: m.in.WantMaster(), AdvertInt: ref.in.AdvertInt,
			Nopreempt: m.in.Nopreempt, Accept: true, DownTimerAdverts: 3,
			McastGroup:       ref.cfg.McastGroup(ref.in),
			GarpMasterRepeat: 1, GarpMasterRefreshRepeat: 1, GarpLowerPrioRepeat: 1,
		}
		for _, v := range ref.in.VIPs {
			c.VIPs = append(c.VIPs, v.Addr())
		}
		addr := m.addr
		if !addr.IsValid() {
			if c.IPv6 {
				addr = netip.AddrFrom16([16]byte{0xfe, 0x80, 15: byte(i + 1)})
			} else {
				addr = netip.AddrFrom4([4]byte{10, 255, 0, byte(i + 1)})
			}
		}
		a4, a6 := addr.String(), ""
		if c.IPv6 {
			a4, a6 = "", addr.String()
		}
		srs[i] = s.AddRouter(m.name, a4, a6, "", c)
	}
	// feed applies a scene: faults on or off, tracking priorities.
	feed := func(e event) {
		for i, m := range r.members {
			if e.kind == "node" && e.node == m.node {
				continue
			}
			failed := allWell
			if e.node == m.node {
				failed = e
			}
			st := evalInstance(m.cfg, m.in, failed)
			srs[i].Fault(m.in.Name, "tracker", st.fault)
			sum := 0
			for _, tk := range trackers(m.cfg, m.in) {
				d, _ := contribution(tk.weight, tk.reverse, !(tk.kind == failed.kind && tk.name == failed.name))
				sum += d
			}
			srs[i].Priority(m.in.Name, m.in.Priority+sum)
		}
	}
	masters := func() []string {
		var out []string
		for _, m := range s.Masters() {
			out = append(out, strings.SplitN(m, "/", 2)[0])
		}
		return out
	}
	check := func(when string, want []string) {
		t.Helper()
		got := masters()
		if len(got) != 1 || !slices.Contains(want, got[0]) {
			t.Errorf("%s VRID %d %q, %s: simulator masters %v, table %v", dir, ref.in.VRID, rw.Event, when, got, want)
		}
	}
	for _, sr := range srs {
		sr.Start()
	}
	feed(allWell)
	s.RunFor(30 * time.Second)
	check("all well", well.Master)
	if ev.kind == "node" {
		srs[memberIndex(r, ev.node)].Stop()
	} else {
		feed(ev)
	}
	s.RunFor(30 * time.Second)
	if len(rw.Master) == 0 {
		if got := masters(); len(got) != 0 {
			t.Errorf("%s %q: simulator masters %v, table none", dir, rw.Event, got)
		}
	} else {
		check("after the event", rw.Master)
	}
	if ev.kind == "node" {
		i := memberIndex(r, ev.node)
		srs[i].Start()
	}
	feed(allWell)
	s.RunFor(30 * time.Second)
	check("after recovery", rw.AfterRecovery)
}
