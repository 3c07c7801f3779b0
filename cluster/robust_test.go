package cluster_test

import (
	"path/filepath"
	"testing"

	"github.com/keepalived-go/keepalived/cluster"
	"github.com/keepalived-go/keepalived/parser"
)

// TestEveryLowerCaseChecksWithoutPanic runs the cluster check on every
// configuration of the parser's lowering corpus (seeds, samples, snippets,
// edge cases, broken ones included), each paired with the next and with
// itself (every instance then has a twin with the same address: ties,
// owners), so that malformed models never panic and every router gets a
// table with an "all well" row.
func TestEveryLowerCaseChecksWithoutPanic(t *testing.T) {
	files, _ := filepath.Glob("../parser/testdata/lower/*.conf")
	if len(files) < 10 {
		t.Fatalf("only %d files in the lowering corpus", len(files))
	}
	var nodes []cluster.Node
	for _, f := range files {
		cfg, _, err := parser.LoadFile(f, parser.Options{ConfigID: "test"})
		if err != nil {
			continue
		}
		nodes = append(nodes, cluster.Node{Name: f, Config: cfg})
	}
	for i := range nodes {
		next := nodes[(i+1)%len(nodes)]
		for _, pair := range [][]cluster.Node{{nodes[i], next}, {nodes[i], nodes[i]}, {nodes[i], {Name: "unread.conf"}}} {
			rep := cluster.Check(pair)
			for _, r := range rep.Routers {
				if len(r.Rows) == 0 || r.Rows[0].Event != "all well" || len(r.Members) == 0 {
					t.Errorf("%s + %s: router VRID %d without a table: %+v", pair[0].Name, pair[1].Name, r.VRID, r)
				}
				for _, row := range r.Rows {
					if len(row.Priorities) != len(r.Members) {
						t.Errorf("%s: row %q has %d cells for %d members", pair[0].Name, row.Event, len(row.Priorities), len(r.Members))
					}
				}
			}
			_ = rep.TablesText()
		}
	}
}
