package config

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden plans in testdata/diff")

// base builds a small running configuration: two instances on eth0, a
// script, a sync group and a static address.
func base() *Config {
	return &Config{
		Scripts: []*Script{{Name: "chk", Command: Command{Raw: "/bin/true", Argv: []string{"/bin/true"}}, Interval: time.Second, Rise: 1, Fall: 1}},
		Instances: []*Instance{
			inst("VI_1", 51, "eth0", 100, "10.0.0.1/32", "10.0.0.2/32"),
			inst("VI_2", 52, "eth0", 100, "10.0.1.1/24"),
		},
		SyncGroups:      []*SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2"}}},
		StaticAddresses: []Address{addr("192.168.9.1/24", "eth1")},
	}
}

func inst(name string, vrid int, ifname string, prio int, vips ...string) *Instance {
	in := &Instance{Pos: Pos{File: "keepalived.conf", Line: vrid, Col: 1}, Name: name, Interface: ifname, VRID: vrid,
		Priority: prio, AdvertInt: time.Second, Version: 2, Family: IPv4, Accept: true, DownTimerAdverts: 3,
		Garp: Garp{MasterDelay: 5 * time.Second, MasterRepeat: 5, MasterRefreshRepeat: 1}}
	for _, v := range vips {
		in.VIPs = append(in.VIPs, addr(v, ""))
	}
	return in
}

func addr(p, dev string) Address {
	return Address{Pos: Pos{File: "keepalived.conf", Line: 7, Col: 5}, Prefix: netip.MustParsePrefix(p), Dev: dev}
}

// clone deep-copies a configuration through its instances (enough for the
// edits below).
func clone(c *Config) *Config {
	n := *c
	n.Instances = nil
	for _, in := range c.Instances {
		cp := *in
		cp.VIPs = append([]Address(nil), in.VIPs...)
		n.Instances = append(n.Instances, &cp)
	}
	n.Scripts = nil
	for _, s := range c.Scripts {
		cp := *s
		n.Scripts = append(n.Scripts, &cp)
	}
	n.SyncGroups = nil
	for _, g := range c.SyncGroups {
		cp := *g
		cp.Members = append([]string(nil), g.Members...)
		n.SyncGroups = append(n.SyncGroups, &cp)
	}
	n.StaticAddresses = append([]Address(nil), c.StaticAddresses...)
	return &n
}

func TestDiffGolden(t *testing.T) {
	tests := []struct {
		name string
		old  func() *Config
		edit func(c *Config)
	}{
		{name: "unchanged", old: base, edit: func(c *Config) {}},
		{name: "positions-only", old: base, edit: func(c *Config) {
			// Moving lines around (new positions) is no change.
			for _, in := range c.Instances {
				in.Pos.Line += 100
				for i := range in.VIPs {
					in.VIPs[i].Pos.Line += 100
				}
			}
		}},
		{name: "vip-added-and-removed", old: base, edit: func(c *Config) {
			c.Instances[0].VIPs = []Address{addr("10.0.0.1/32", ""), addr("10.0.0.3/32", "")}
		}},
		{name: "vip-prefix-changed", old: base, edit: func(c *Config) {
			c.Instances[1].VIPs = []Address{addr("10.0.1.1/25", "")}
		}},
		{name: "priority-and-advert", old: base, edit: func(c *Config) {
			c.Instances[0].Priority = 110
			c.Instances[0].AdvertInt = 2 * time.Second
			c.Instances[0].Garp.MasterRepeat = 3
		}},
		{name: "rename-keeps-state", old: base, edit: func(c *Config) {
			c.Instances[0].Name = "VI_WEB"
			c.SyncGroups[0].Members[0] = "VI_WEB"
		}},
		{name: "vrid-changed", old: base, edit: func(c *Config) {
			c.Instances[1].VRID = 53
		}},
		{name: "interface-changed", old: base, edit: func(c *Config) {
			c.Instances[1].Interface = "eth1"
		}},
		{name: "to-unicast", old: base, edit: func(c *Config) {
			c.Instances[0].Unicast = true
			c.Instances[0].UnicastSrc = netip.MustParseAddr("192.168.0.1")
			c.Instances[0].UnicastPeers = []UnicastPeer{{Addr: netip.MustParseAddr("192.168.0.2"), MaxTTL: 255}}
		}},
		{name: "global-mcast-group", old: base, edit: func(c *Config) {
			c.Global.McastGroup4 = netip.MustParseAddr("224.0.0.19")
		}},
		{name: "instance-added-and-removed", old: base, edit: func(c *Config) {
			c.Instances = []*Instance{c.Instances[0], inst("VI_3", 60, "eth1", 90, "10.0.2.1/32")}
			c.SyncGroups = nil
		}},
		{name: "scripts-and-notify", old: base, edit: func(c *Config) {
			c.Scripts[0].Interval = 2 * time.Second
			c.Scripts = append(c.Scripts, &Script{Name: "chk2", Command: Command{Raw: "/bin/false"}})
			c.Instances[0].Notify.Master = &Command{Pos: Pos{Line: 3}, Raw: "/etc/keepalived/master.sh", Argv: []string{"/etc/keepalived/master.sh"}}
			c.Instances[0].TrackScripts = []TrackScript{{Name: "chk", Weight: 10}}
		}},
		{name: "auth-pass-hidden", old: base, edit: func(c *Config) {
			c.Instances[0].Auth = Auth{Type: AuthPass, Pass: [8]byte{'s', 'e', 'c', 'r', 'e', 't'}}
		}},
		{name: "static", old: base, edit: func(c *Config) {
			c.StaticAddresses = []Address{addr("192.168.9.2/24", "eth1")}
			c.StaticRoutes = []Route{{Dst: netip.MustParsePrefix("10.10.0.0/16"), Via: netip.MustParseAddr("192.168.9.254"), Raw: "10.10.0.0/16  via 192.168.9.254"}}
		}},
		{name: "from-nothing", old: func() *Config { return nil }, edit: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := tt.old()
			var next *Config
			if tt.edit != nil {
				next = clone(old)
				tt.edit(next)
			} else {
				next = base()
			}
			got := Diff(old, next).String()
			path := filepath.Join("testdata", "diff", tt.name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("plan for %s:\n--- want\n%s--- got\n%s", tt.name, want, got)
			}
		})
	}
}

// TestDiffMatchesByIdentityNotName checks reference 6.8: a renamed
// instance is the same running instance, and of two old instances with the
// same identity the one with the same name is kept.
func TestDiffMatchesByIdentityNotName(t *testing.T) {
	old := base()
	next := clone(old)
	next.Instances[0].Name, next.Instances[1].Name = "VI_2", "VI_1"
	p := Diff(old, next)
	for _, c := range p.Instances {
		if c.Op != OpKeep {
			t.Fatalf("op %s for %s, want keep", c.Op, c.Name)
		}
		if c.Old.VRID != c.New.VRID {
			t.Errorf("%s: kept vrid %d as vrid %d", c.Name, c.Old.VRID, c.New.VRID)
		}
	}
}

// TestDiffAddsBeforeRemoving pins the order the daemon applies a kept
// instance's addresses in: the plan lists additions before removals.
func TestDiffAddsBeforeRemoving(t *testing.T) {
	old := base()
	next := clone(old)
	next.Instances[1].VIPs = []Address{addr("10.0.1.1/25", "")}
	s := Diff(old, next).String()
	add := strings.Index(s, "add vip 10.0.1.1/25")
	del := strings.Index(s, "del vip 10.0.1.1/24")
	if add < 0 || del < 0 || add > del {
		t.Errorf("want the add before the del in:\n%s", s)
	}
}

func TestPlanEmpty(t *testing.T) {
	if p := Diff(base(), base()); !p.Empty() {
		t.Errorf("identical configurations: plan not empty:\n%s", p)
	}
	next := base()
	next.Instances[0].Priority = 120
	if p := Diff(base(), next); p.Empty() {
		t.Error("priority change: plan empty")
	}
}

func TestIdentityDefaults(t *testing.T) {
	c := &Config{}
	in := inst("VI_1", 51, "eth0", 100)
	if got := c.InstanceIdentity(in).McastGroup; got != netip.MustParseAddr("224.0.0.18") {
		t.Errorf("default group %s", got)
	}
	in.Family = IPv6
	if got := c.InstanceIdentity(in).McastGroup; got != netip.MustParseAddr("ff02::12") {
		t.Errorf("default IPv6 group %s", got)
	}
	in.Unicast = true
	if got := c.InstanceIdentity(in).McastGroup; got.IsValid() {
		t.Errorf("unicast identity has group %s", got)
	}
}

// TestDiffUseVMACAddrReplaces: turning use_vmac_addr on or off makes a new
// running instance (keepalived's vrrp_exist compares VRRP_VMAC_ADDR_BIT),
// so its address VMACs are made or removed by the reload.
func TestDiffUseVMACAddrReplaces(t *testing.T) {
	old := base()
	next := clone(old)
	next.Instances[0].UseVMACAddr = true
	ops := map[Op]int{}
	for _, c := range Diff(old, next).Instances {
		ops[c.Op]++
	}
	if ops[OpAdd] != 1 || ops[OpRemove] != 1 {
		t.Errorf("ops %v; want one add and one remove:\n%s", ops, Diff(old, next))
	}
	if s := Diff(old, next).String(); !strings.Contains(s, "use_vmac_addr off -> on") {
		t.Errorf("plan does not say why:\n%s", s)
	}
}
