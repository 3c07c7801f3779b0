package config

import "testing"

// TestDataDumpPath follows keepalived 2.4.3's open_dump_file naming.
func TestDataDumpPath(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"", "/tmp/keepalived.data"},
		{"/var/run/ka/state.txt", "/var/run/ka/state.txt"},
		{"/var/run/ka/", "/var/run/ka/keepalived.data"},
		{"state.txt", "/tmp/state.txt"},
		{"sub/state.txt", "/tmp/state.txt"},
		{"/state", "/state"},
	} {
		g := Global{StateDumpFile: tc.file}
		if got := g.DataDumpPath("/tmp"); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.file, got, tc.want)
		}
	}
}
