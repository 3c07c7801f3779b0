package config

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConfigTestExit(t *testing.T) {
	d := func(c Class) Diagnostic { return Diagnostic{Severity: Error, Class: c} }
	tests := []struct {
		name  string
		diags Diagnostics
		want  int
	}{
		{"nothing", nil, 0},
		{"only our own findings", Diagnostics{{Severity: Warning}, {Severity: Notice}}, 0},
		// The only FILE_NOT_FOUND errors are failed strict include checks.
		{"strict include failed", Diagnostics{d(ClassFileNotFound)}, 6},
		{"strict include failed beside a general error", Diagnostics{d(ClassGeneral), d(ClassFileNotFound)}, 6},
		{"fatal", Diagnostics{d(ClassFatal)}, 4},
		{"bad interface alone", Diagnostics{d(ClassBadInterface)}, 4},
		// The quirk: the numerically largest class wins, so the general
		// error that accompanies a missing interface makes it 5.
		{"bad interface with its general error", Diagnostics{d(ClassGeneral), d(ClassBadInterface)}, 5},
		{"general", Diagnostics{d(ClassGeneral), d(ClassFatal)}, 5},
		{"security beats everything but a missing parameter", Diagnostics{d(ClassGeneral), d(ClassSecurity), d(ClassBadInterface)}, 6},
		{"missing parameter aborts", Diagnostics{d(ClassSecurity), d(ClassMissingParameter)}, 2},
	}
	for _, tc := range tests {
		if got := ConfigTestExit(tc.diags); got != tc.want {
			t.Errorf("%s: ConfigTestExit = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestCheckHost(t *testing.T) {
	p := func(line int) Pos { return Pos{File: "k.conf", Line: line, Col: 5} }
	cfg := &Config{
		Global: DefaultGlobal(),
		Instances: []*Instance{{
			Name: "VI_1", Pos: p(1), Interface: "eth9",
			Positions:       map[string]Pos{"interface": p(2)},
			TrackInterfaces: []TrackInterface{{Name: "eth0", Pos: p(3)}, {Name: "eth8", Pos: p(4)}},
			VIPs:            []Address{{Pos: p(5), Prefix: netip.MustParsePrefix("10.0.0.1/32"), Dev: "eth7"}},
			Routes:          []Route{{Pos: p(6), Dev: "eth6"}},
		}},
		StaticAddresses: []Address{{Pos: p(7), Prefix: netip.MustParsePrefix("10.0.1.1/24"), Dev: "eth0"}},
	}
	cfg.Global.DefaultInterface = "eth5"
	cfg.StaticAddresses = append(cfg.StaticAddresses, Address{Pos: p(8), Prefix: netip.MustParsePrefix("10.0.2.1/24"), Dev: "eth5"})
	exists := func(n string) bool { return n == "eth0" }
	var got []string
	ds := CheckHost(cfg, exists)
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{
		"k.conf:8:5: error: Static address 10.0.2.1/24 requires either an interface or default interface must exist (default_interface eth5 does not)",
		"k.conf:2:5: error: WARNING - interface eth9 for vrrp_instance VI_1 doesn't exist",
		"k.conf:4:5: error: (VI_1) tracked interface eth8 doesn't exist",
		"k.conf:5:5: error: WARNING - interface eth7 for ip address 10.0.0.1 doesn't exist",
		"k.conf:6:5: error: WARNING - interface eth6 for VROUTE nexthop doesn't exist",
		"k.conf:8:5: error: Non-existent interface specified in configuration",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if got := ConfigTestExit(ds); got != 5 {
		t.Errorf("exit %d, want 5 (keepalived's quirk)", got)
	}
	cfg.Global.DynamicInterfaces = true
	if ds := CheckHost(cfg, exists); len(ds) != 0 {
		t.Errorf("dynamic_interfaces: %v", ds)
	}
}

func TestValidateVRIDs(t *testing.T) {
	g4 := DefaultMcastGroup4()
	mk := func(name, ifn string, vrid int, fam Family, uni bool, peers ...string) *Instance {
		in := &Instance{Name: name, Interface: ifn, VRID: vrid, Family: fam, Unicast: uni, Pos: Pos{File: "k.conf", Line: vrid}}
		if !uni {
			in.McastDst = g4
		}
		for _, p := range peers {
			in.UnicastPeers = append(in.UnicastPeers, DefaultUnicastPeer(netip.MustParseAddr(p)))
		}
		return in
	}
	tests := []struct {
		name string
		ins  []*Instance
		want int
	}{
		{"same VRID same interface", []*Instance{mk("A", "eth0", 1, IPv4, false), mk("B", "eth0", 1, IPv4, false)}, 1},
		{"other interface", []*Instance{mk("A", "eth0", 1, IPv4, false), mk("B", "eth1", 1, IPv4, false)}, 0},
		{"other family", []*Instance{mk("A", "eth0", 1, IPv4, false), mk("B", "eth0", 1, IPv6, false)}, 0},
		{"unicast and multicast are separate", []*Instance{mk("A", "eth0", 1, IPv4, false), mk("B", "eth0", 1, IPv4, true, "10.0.0.1")}, 0},
		{"unicast with disjoint peers", []*Instance{mk("A", "eth0", 1, IPv4, true, "10.0.0.1"), mk("B", "eth0", 1, IPv4, true, "10.0.0.2")}, 0},
		{"unicast with a shared peer", []*Instance{mk("A", "eth0", 1, IPv4, true, "10.0.0.1"), mk("B", "eth0", 1, IPv4, true, "10.0.0.1")}, 1},
	}
	for _, tc := range tests {
		ds := Validate(&Config{Instances: tc.ins})
		if len(ds) != tc.want {
			t.Errorf("%s: %d findings, want %d: %v", tc.name, len(ds), tc.want, ds)
		}
	}
}

func TestScriptSecurity(t *testing.T) {
	cfg := &Config{
		Global:    DefaultGlobal(),
		Scripts:   []*Script{{Name: "chk", Pos: Pos{File: "k.conf", Line: 3, Col: 1}}},
		Instances: []*Instance{{Name: "VI_1", TrackScripts: []TrackScript{{Name: "chk"}}}},
	}
	ds := ScriptSecurity(cfg)
	if len(ds) != 1 || ds[0].Class != ClassSecurity || ConfigTestExit(ds) != 6 || !strings.HasPrefix(ds[0].Msg, "SECURITY VIOLATION") {
		t.Fatalf("%v", ds)
	}
	cfg.Global.EnableScriptSecurity = true
	if ds := ScriptSecurity(cfg); len(ds) != 0 {
		t.Errorf("with enable_script_security: %v", ds)
	}
}

func TestDumpStable(t *testing.T) {
	in := DefaultInstance("VI_1")
	in.VRID, in.Priority, in.Version, in.Family, in.Interface = 7, 150, 3, IPv4, "eth0"
	in.AdvertInt = 100_000_000
	in.VIPs = []Address{{Prefix: netip.MustParsePrefix("10.0.0.1/24"), Dev: "eth1"}}
	in.TrackScripts = []TrackScript{{Name: "chk", Weight: -10}, {Name: "f"}}
	cfg := &Config{Global: DefaultGlobal(), Instances: []*Instance{in}}
	d := NewDump(cfg)
	di := d.Instances[0]
	if di.AdvertInt != "100ms" || di.State != "BACKUP" || !di.Preempt || di.VIPs[0] != "10.0.0.1/24 dev eth1" {
		t.Errorf("%+v", di)
	}
	if diff := cmp.Diff([]string{"chk weight -10", "f (fault)"}, di.Tracking.Scripts); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	a, _ := DumpJSON(cfg)
	b, _ := DumpJSON(cfg)
	if string(a) != string(b) || !strings.HasSuffix(string(a), "}\n") {
		t.Error("dump not stable")
	}
}
