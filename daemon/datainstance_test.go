package daemon

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDataUseInstance: with data_use_instance and an instance name and
// network namespace, the data, stats and JSON dumps carry both names
// before the extension (keepalived 2.2.7 open_dump_file); without the
// keyword they keep keepalived's plain names. It fails if the keyword has
// no effect.
func TestDataUseInstance(t *testing.T) {
	for _, tc := range []struct {
		name string
		use  bool
		want []string
	}{
		{"on", true, []string{"keepalived.ns1_lb1.data", "keepalived.ns1_lb1.json", "keepalived.ns1_lb1.stats"}},
		{"off", false, []string{"keepalived.data", "keepalived.json", "keepalived.stats"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := captureHarness(t)
			h.d.opts.TmpDir = t.TempDir()
			g := &h.d.cfg.Global
			g.DataUseInstance, g.InstanceName, g.NetNamespace = tc.use, "lb1", "ns1"
			if err := h.d.writeData(h.now); err != nil {
				t.Fatal(err)
			}
			if err := h.d.writeStats(false); err != nil {
				t.Fatal(err)
			}
			if err := h.d.writeJSON(h.now); err != nil {
				t.Fatal(err)
			}
			ents, _ := os.ReadDir(h.d.opts.TmpDir)
			var got []string
			for _, e := range ents {
				got = append(got, filepath.Base(e.Name()))
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("dump files %q, want %q", got, tc.want)
			}
		})
	}
}
