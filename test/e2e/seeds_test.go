package e2e

import (
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// seedNode is one load balancer of a seed setup.
type seedNode struct {
	Name   string
	Iface  string
	Addr   string // with prefix length
	Conf   string // file under testdata/seeds
	Script string // check script file under testdata/seeds, or ""
	// ScriptPath is where the config expects the script.
	ScriptPath string
}

// seed is one of the five published setups, on the lab.
type seed struct {
	Name   string
	Nodes  [2]seedNode // [0] is expected to be master after start-up
	VIP    netip.Addr
	VRID   int
	Client string
	Webs   []HostSpec // seed 003's web servers
	Nginx  string     // nginx.conf whose http block the LBs use (003)
	Ports  []int      // extra nginx ports (000's Docker port 10000)
	Other  []otherVIP // further instances and who holds their VIP
	// NginxKilled is what the walkthroughs' step 2 (nginx stopped on the
	// master) leads to: "restart" (the check script restarts nginx, the VIP
	// stays), "move" (the VIP moves to the other node), "" (no check).
	NginxKilled string
	// TakesBack: the first node takes the VIP back when it returns.
	TakesBack bool
}

type otherVIP struct {
	VIP    netip.Addr
	Holder int // index into Nodes
}

var seeds = []seed{
	{
		Name: "000-unicast-equal-priority",
		Nodes: [2]seedNode{
			{Name: "n14", Iface: "eth0", Addr: "10.211.55.14/24", Conf: "000-node-10.211.55.14.conf", Script: "000-check-nginx.sh", ScriptPath: "/etc/keepalived/check-nginx.sh"},
			{Name: "n3", Iface: "eth0", Addr: "10.211.55.3/24", Conf: "000-node-10.211.55.3.conf", Script: "000-check-nginx.sh", ScriptPath: "/etc/keepalived/check-nginx.sh"},
		},
		VIP: mustAddr("10.211.55.4"), VRID: 32, Client: "10.211.55.100/24", Ports: []int{10000},
		NginxKilled: "move", TakesBack: false, // equal priority: the returning node stays backup
	},
	{
		Name: "001-master-backup",
		Nodes: [2]seedNode{
			{Name: "n150", Iface: "ens33", Addr: "192.168.1.150/24", Conf: "001-node150-master-backup.conf"},
			{Name: "n151", Iface: "ens33", Addr: "192.168.1.151/24", Conf: "001-node151-master-backup.conf"},
		},
		VIP: mustAddr("192.168.1.140"), VRID: 255, Client: "192.168.1.100/24",
		NginxKilled: "", TakesBack: true,
	},
	{
		Name: "001-dual-master",
		Nodes: [2]seedNode{
			{Name: "n150", Iface: "ens33", Addr: "192.168.1.150/24", Conf: "001-node150-dual-master.conf", Script: "001-check_nginx_alive_or_not.sh", ScriptPath: "/etc/keepalived/check_nginx_alive_or_not.sh"},
			{Name: "n151", Iface: "ens33", Addr: "192.168.1.151/24", Conf: "001-node151-dual-master.conf", Script: "001-check_nginx_alive_or_not.sh", ScriptPath: "/etc/keepalived/check_nginx_alive_or_not.sh"},
		},
		VIP: mustAddr("192.168.1.140"), VRID: 255, Client: "192.168.1.100/24",
		Other:       []otherVIP{{VIP: mustAddr("192.168.1.141"), Holder: 1}},
		NginxKilled: "restart", TakesBack: true,
	},
	{
		Name: "002-nopreempt-master",
		Nodes: [2]seedNode{
			{Name: "n133", Iface: "eth0", Addr: "192.168.50.133/24", Conf: "002-master-192.168.50.133.conf", Script: "002-nginx_check.sh", ScriptPath: "/etc/keepalived/nginx_check.sh"},
			{Name: "n134", Iface: "eth1", Addr: "192.168.50.134/24", Conf: "002-backup-192.168.50.134.conf", Script: "002-nginx_check.sh", ScriptPath: "/etc/keepalived/nginx_check.sh"},
		},
		VIP: mustAddr("192.168.50.130"), VRID: 33, Client: "192.168.50.100/24",
		NginxKilled: "restart", TakesBack: true, // nopreempt is cleared with state MASTER
	},
	{
		Name: "003-dispatcher",
		Nodes: [2]seedNode{
			{Name: "n40", Iface: "ens33", Addr: "192.168.0.40/24", Conf: "003-master-192.168.0.40.conf", Script: "003-nginx_pid.sh", ScriptPath: "/etc/keepalived/nginx_pid.sh"},
			{Name: "n41", Iface: "ens33", Addr: "192.168.0.41/24", Conf: "003-backup-192.168.0.41.conf", Script: "003-nginx_pid.sh", ScriptPath: "/etc/keepalived/nginx_pid.sh"},
		},
		VIP: mustAddr("192.168.0.150"), VRID: 51, Client: "192.168.0.100/24",
		Webs: []HostSpec{
			{Name: "web1", Nginx: true, Web: true, Ifaces: []IfaceSpec{{Name: "eth0", Addrs: []netip.Prefix{mustPrefix("192.168.0.42/24")}}}},
			{Name: "web2", Nginx: true, Web: true, Ifaces: []IfaceSpec{{Name: "eth0", Addrs: []netip.Prefix{mustPrefix("192.168.0.43/24")}}}},
		},
		Nginx:       "003-nginx-dispatcher.nginx.conf",
		NginxKilled: "restart", TakesBack: true,
	},
	{
		Name: "004-small-gap-weight",
		Nodes: [2]seedNode{
			{Name: "n128", Iface: "ens33", Addr: "192.168.16.128/24", Conf: "004-master-192.168.16.128.conf", Script: "004-check_nginx_pid.sh", ScriptPath: "/usr/local/src/check_nginx_pid.sh"},
			{Name: "n129", Iface: "ens33", Addr: "192.168.16.129/24", Conf: "004-backup-192.168.16.129.conf", Script: "004-check_nginx_pid.sh", ScriptPath: "/usr/local/src/check_nginx_pid.sh"},
		},
		VIP: mustAddr("192.168.16.130"), VRID: 66, Client: "192.168.16.100/24",
		NginxKilled: "restart", TakesBack: true,
	},
}

func readSeed(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "seeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// dispatcherHTTP is the inside of a seed nginx.conf's http block, with its
// relative `include mime.types;` dropped (the lab's nginx.conf includes
// Debian's).
func dispatcherHTTP(conf string) string {
	start := strings.Index(conf, "http {")
	end := strings.LastIndex(conf, "}")
	body := conf[start+len("http {") : end]
	return regexp.MustCompile(`(?m)^\s*include\s+mime\.types;\s*$`).ReplaceAllString(body, "")
}

// seedLab builds the seed's LAN: its two nodes with their own addresses
// and interface names, its web servers, and a client.
func seedLab(t testing.TB, s seed) *Lab {
	testenv.NeedRoot(t)
	var specs []HostSpec
	for _, n := range s.Nodes {
		hs := HostSpec{Name: n.Name, Nginx: true, NginxPorts: s.Ports,
			Ifaces: []IfaceSpec{{Name: n.Iface, Addrs: []netip.Prefix{mustPrefix(n.Addr)}}}}
		if s.Nginx != "" {
			hs.NginxHTTP = dispatcherHTTP(readSeed(t, s.Nginx))
		}
		specs = append(specs, hs)
	}
	specs = append(specs, s.Webs...)
	specs = append(specs, HostSpec{Name: "c1", Ifaces: []IfaceSpec{{Name: "eth0", Addrs: []netip.Prefix{mustPrefix(s.Client)}}}})
	// Web servers first: the dispatchers' nginx needs its upstreams' addresses only
	// at request time, so the order is for readability of the logs.
	l := New(t, tools, specs...)
	for _, n := range s.Nodes {
		h := l.Host(n.Name)
		h.WriteConf(readSeed(t, n.Conf))
		if n.Script != "" {
			rel := strings.TrimPrefix(n.ScriptPath, "/etc/keepalived/")
			if strings.HasPrefix(n.ScriptPath, "/usr/local/") {
				rel = "usr-local/" + strings.TrimPrefix(n.ScriptPath, "/usr/local/")
			} else {
				rel = "etc-keepalived/" + rel
			}
			h.WriteFile(rel, readSeed(t, n.Script), 0o755)
		}
	}
	l.WatchWire()
	return l
}

// runSeed walks the seed through what its walkthrough tests by hand, with
// impls[0] on the first node and impls[1] on the second.
func runSeed(t *testing.T, s seed, impls [2]Impl) {
	for _, impl := range impls {
		if impl == Ours {
			needOurs(t)
		}
	}
	l := seedLab(t, s)
	n0, n1 := l.Host(s.Nodes[0].Name), l.Host(s.Nodes[1].Name)
	names := []string{n0.Name, n1.Name}
	label := implsName(impls[0], impls[1])

	// 1. Both nodes up: the first holds the VIP, the client is served.
	n0.StartDaemon(impls[0])
	waitVIP(t, n0, s.VIP, 10*time.Second)
	n1.StartDaemon(impls[1])
	for _, o := range s.Other {
		waitVIP(t, l.Host(s.Nodes[o.Holder].Name), o.VIP, 10*time.Second)
	}
	p := l.Host("c1").StartProber(s.VIP)
	if !p.WaitServed(n0.Name, 8*time.Second) {
		t.Fatalf("%s: client not served by %s: %v", label, n0.Name, p.Recent(8))
	}
	time.Sleep(2500 * time.Millisecond) // a check-script round on both
	checkHolders(t, l, s, names, n0.Name, "after start-up")

	// 2. nginx killed on the master.
	master := n0
	if s.NginxKilled != "" {
		killed := time.Now()
		n0.KillNginx()
		if !p.WaitDown(killed, 2*time.Second) {
			t.Fatalf("%s: client did not notice nginx killed on %s", label, n0.Name)
		}
		switch s.NginxKilled {
		case "restart":
			if !p.WaitServed(n0.Name, 12*time.Second) {
				t.Fatalf("%s: nginx killed on %s: client not served by it again (check script should restart nginx): %v", label, n0.Name, p.Recent(8))
			}
			if len(n0.ProcsNamed("nginx")) == 0 {
				t.Errorf("%s: nginx not running again on %s", label, n0.Name)
			}
			checkHolders(t, l, s, names, n0.Name, "after nginx was restarted by the check script")
		case "move":
			if !p.WaitServed(n1.Name, 12*time.Second) {
				t.Fatalf("%s: nginx killed on %s: the VIP did not move to %s: %v", label, n0.Name, n1.Name, p.Recent(8))
			}
			checkHolders(t, l, s, names, n1.Name, "after nginx died on the master")
			master = n1
			// Service restored on n0; with equal priority n1 stays master.
			n0.StartNginx()
			time.Sleep(4 * time.Second)
			checkHolders(t, l, s, names, n1.Name, "after nginx came back on the old master")
		}
	}
	other := n1
	if master == n1 {
		other = n0
	}

	// 3. keepalived stopped on the master: the other node serves.
	since := time.Now()
	master.Daemon().Stop(5 * time.Second)
	if !p.WaitServed(other.Name, 5*time.Second) {
		t.Fatalf("%s: keepalived stopped on %s: client not served by %s: %v", label, master.Name, other.Name, p.Recent(8))
	}
	time.Sleep(300 * time.Millisecond)
	o := p.Longest(since)
	report(t, Measure{Scenario: "seed " + s.Name + " stop master", Impls: label, Outage: o, Bound: 0})
	checkWithin(t, "client outage after stopping keepalived on the master", o.Dur(), 1500*time.Millisecond, 0)
	checkHolders(t, l, s, names, other.Name, "after stopping the master")

	// 4. The master comes back: preemption decides.
	implOf := impls[0]
	if master == n1 {
		implOf = impls[1]
	}
	master.StartDaemon(implOf)
	want := other.Name
	if s.TakesBack && master == n0 {
		want = n0.Name
	}
	if !p.WaitServed(want, 10*time.Second) {
		t.Fatalf("%s: after %s came back, client not served by %s: %v", label, master.Name, want, p.Recent(8))
	}
	time.Sleep(4500 * time.Millisecond) // longer than a master-down interval
	checkHolders(t, l, s, names, want, "after the old master came back")
	if d := n0.Daemon(); d.Exited() {
		t.Errorf("%s: %s exited: %v", label, n0.Name, d.ExitErr())
	}
	if d := n1.Daemon(); d.Exited() {
		t.Errorf("%s: %s exited: %v", label, n1.Name, d.ExitErr())
	}
}

// checkHolders checks that exactly want holds the seed's VIP (and that the
// other instances' VIPs are where they belong).
func checkHolders(t testing.TB, l *Lab, s seed, names []string, want, when string) {
	t.Helper()
	if got := holders(l, s.VIP, names...); len(got) != 1 || got[0] != want {
		t.Errorf("%s: VIP %s held by %v, want exactly [%s]", when, s.VIP, got, want)
	}
	for _, o := range s.Other {
		w := s.Nodes[o.Holder].Name
		if got := holders(l, o.VIP, names...); len(got) != 1 || got[0] != w {
			t.Errorf("%s: VIP %s held by %v, want exactly [%s]", when, o.VIP, got, w)
		}
	}
}

// TestSeeds runs each published setup with two of our daemons, unchanged.
// The mixed pairs and keepalived's own run are in TestHABench.
func TestSeeds(t *testing.T) {
	impls := [2]Impl{Ours, Ours}
	if os.Getenv("KGE_SEED_IMPL") == "keepalived" {
		impls = [2]Impl{Keepalived, Keepalived}
	}
	for _, s := range seeds {
		t.Run(s.Name, func(t *testing.T) { runSeed(t, s, impls) })
	}
}
