package parser

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// TestScriptTimeouts: startup_script_timeout and shutdown_script_timeout
// land in the model (the parent reads them there), keepalived's 10 s when
// absent, and an out-of-range value keeps the default with a finding.
func TestScriptTimeouts(t *testing.T) {
	for _, c := range []struct {
		name, body          string
		startup, shutdown   time.Duration
		wantFindingsAtLeast int
	}{
		{"defaults", "", config.DefaultScriptTimeout, config.DefaultScriptTimeout, 0},
		{"set", "startup_script_timeout 3\n shutdown_script_timeout 1000\n", 3 * time.Second, 1000 * time.Second, 0},
		{"out of range", "startup_script_timeout 0\n shutdown_script_timeout 1001\n", config.DefaultScriptTimeout, config.DefaultScriptTimeout, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keepalived.conf")
			if err := os.WriteFile(path, []byte("global_defs {\n "+c.body+"}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags, err := LoadFile(path, Options{ConfigID: "x"})
			if err != nil || cfg == nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if got := cfg.Global.StartupScriptTimeout; got != c.startup {
				t.Errorf("startup timeout %v, want %v", got, c.startup)
			}
			if got := cfg.Global.ShutdownScriptTimeout; got != c.shutdown {
				t.Errorf("shutdown timeout %v, want %v", got, c.shutdown)
			}
			if len(diags) < c.wantFindingsAtLeast {
				t.Errorf("findings %v, want at least %d", diags, c.wantFindingsAtLeast)
			}
		})
	}
}
