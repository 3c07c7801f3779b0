package cluster_test

import (
	"path/filepath"
	"testing"

	"github.com/keepalived-go/keepalived/cluster"
	"github.com/keepalived-go/keepalived/parser"
)

// BenchmarkCheck is the cluster check alone (configurations already
// loaded) on the golden cases: the cost check-config --peer adds to
// parsing the files.
func BenchmarkCheck(b *testing.B) {
	for _, c := range []string{"three-node", "wire-mismatch", "election"} {
		dir := filepath.Join("testdata", c)
		var nodes []cluster.Node
		for _, f := range []string{"lb1.conf", "lb2.conf", "lb3.conf"} {
			cfg, _, err := parser.LoadFile(filepath.Join(dir, f), parser.Options{ConfigID: "test"})
			if err != nil {
				continue
			}
			nodes = append(nodes, cluster.Node{Name: f, Config: cfg})
		}
		b.Run(c, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep := cluster.Check(nodes)
				_ = rep.TablesText()
			}
		})
	}
}
