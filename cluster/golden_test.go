package cluster_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/cluster"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/*/want.{txt,json}")

// loadCase changes to testdata/NAME (so that positions read lb1.conf:3:5)
// and loads its nodes in the order of its `nodes` file (the first is the
// main file, as -f), with each file's findings.
func loadCase(t *testing.T, dir string) ([]cluster.Node, config.Diagnostics) {
	t.Helper()
	t.Chdir(dir)
	b, err := os.ReadFile("nodes")
	if err != nil {
		t.Fatal(err)
	}
	var nodes []cluster.Node
	var diags config.Diagnostics
	for _, name := range strings.Fields(string(b)) {
		path := name
		cfg, ds, err := parser.LoadFile(path, parser.Options{ConfigID: "test"})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		diags = append(diags, ds...)
		diags = append(diags, config.ScriptSecurity(cfg)...)
		nodes = append(nodes, cluster.Node{Name: path, Config: cfg})
	}
	return nodes, diags
}

// render is what `check-config --offline -f FIRST --peer ...` prints: each
// file's findings, the cluster's, then the tables.
func render(t *testing.T, diags config.Diagnostics, rep cluster.Report) (string, string) {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.String() + "\n")
	}
	for _, f := range rep.Findings {
		b.WriteString(f.String() + "\n")
	}
	b.WriteString("\n" + rep.TablesText())
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), string(js) + "\n"
}

// TestGolden checks every case of testdata against want.txt and
// want.json (go test -run TestGolden ./cluster/ -update rewrites them).
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*")
	if len(dirs) == 0 {
		t.Fatal("no cases in testdata")
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			nodes, diags := loadCase(t, dir)
			rep := cluster.Check(nodes)
			txt, js := render(t, diags, rep)
			for _, g := range []struct{ file, got string }{{"want.txt", txt}, {"want.json", js}} {
				path := g.file
				if *update {
					if err := os.WriteFile(path, []byte(g.got), 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), g.got); diff != "" {
					t.Errorf("%s (-want +got):\n%s", path, diff)
				}
			}
		})
	}
}

// TestCleanPairHasNoFinding: a correct pair (master 100 / backup 90 with
// a check whose weight moves the master) gives no finding at all, per
// file or across them, and a table whose master follows the check.
func TestCleanPairHasNoFinding(t *testing.T) {
	nodes, diags := loadCase(t, "testdata/clean-pair")
	rep := cluster.Check(nodes)
	if len(diags) != 0 || len(rep.Findings) != 0 {
		t.Fatalf("want no finding, got %v %v", diags, rep.Findings)
	}
	if len(rep.Routers) != 1 {
		t.Fatalf("want one virtual router, got %d", len(rep.Routers))
	}
	rows := rep.Routers[0].Rows
	byEvent := map[string]cluster.Row{}
	for _, r := range rows {
		byEvent[r.Event] = r
	}
	lb1, lb2 := nodes[0].Name, nodes[1].Name
	for ev, want := range map[string]string{
		"all well":                           lb1,
		lb1 + ": track_script chk_web fails": lb2,
		lb1 + ": node stopped":               lb2,
		lb2 + ": track_script chk_web fails": lb1,
		lb1 + ": interface eth0 down":        lb2,
	} {
		r, ok := byEvent[ev]
		if !ok {
			t.Errorf("no row %q in %v", ev, rows)
			continue
		}
		if len(r.Master) != 1 || r.Master[0] != want {
			t.Errorf("%s: master %v, want %s", ev, r.Master, want)
		}
	}
}

// TestEveryFindingIsCovered keeps the golden cases covering every kind of
// finding the package reports: one fragment of each message must appear
// in some want.txt.
func TestEveryFindingIsCovered(t *testing.T) {
	files, _ := filepath.Glob("testdata/*/want.txt")
	var all strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	for _, frag := range []string{
		"virtual_router_id 10 here, but 101",
		"VRRP version 2 here, but 3",
		"VRRPv2 drops the adverts (\"advertisement interval mismatch\")",
		"a VRRPv3 backup adopts the master's interval",
		"auth_type PASS here, but none",
		"auth_pass differs",
		"virtual_ipaddress differs",
		"VIP 10.0.0.162 is 10.0.0.162/24 here, but 10.0.0.162/32",
		"adverts go to multicast group 224.0.0.19 here",
		"adverts go unicast here, but multicast",
		"unicast_peer does not list 10.0.0.1",
		"unicast_peer 10.0.0.3 is the address of no node given",
		"two virtual routers share one VRID",
		"priority 100 here and at",
		"is master by its higher address",
		"a node started first stays master; the table assumes",
		"the higher primary address of the interfaces decides",
		"nopreempt is cleared by state MASTER",
		"nopreempt here but not at",
		"can never move the master",
		"has nopreempt and never takes over",
		"a backup does not take over from an equal priority",
		"its failure makes this node master",
		"state MASTER, but",
		"priority 255 (address owner) here and at",
		"sync group G holds",
		"is in no sync group",
		"is on no other node given",
		"they must be on the same segment",
	} {
		if !strings.Contains(all.String(), frag) {
			t.Errorf("no golden case reports %q", frag)
		}
	}
}
