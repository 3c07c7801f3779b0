package config

import "testing"

// TestDumpFileName: keepalived 2.2.7's open_dump_file names with
// data_use_instance.
func TestDumpFileName(t *testing.T) {
	for _, tc := range []struct {
		use         bool
		netns, inst string
		name, want  string
	}{
		{true, "", "lb1", "keepalived.data", "keepalived.lb1.data"},
		{true, "ns1", "", "keepalived.stats", "keepalived.ns1.stats"},
		{true, "ns1", "lb1", "keepalived_parent.data", "keepalived_parent.ns1_lb1.data"},
		{true, "", "", "keepalived.data", "keepalived.data"},
		{false, "ns1", "lb1", "keepalived.json", "keepalived.json"},
	} {
		g := Global{DataUseInstance: tc.use, NetNamespace: tc.netns, InstanceName: tc.inst}
		if got := g.DumpFileName(tc.name); got != tc.want {
			t.Errorf("%+v: %s -> %s, want %s", tc, tc.name, got, tc.want)
		}
	}
}
