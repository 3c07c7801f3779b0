package parser

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// TestConflictKeywords: our keepalived_go_* conflict keywords land in
// Global.Conflict, defaults stand without them, and bad values are
// reported with their position.
func TestConflictKeywords(t *testing.T) {
	load := func(t *testing.T, globals string) (*config.Config, config.Diagnostics) {
		t.Helper()
		p := filepath.Join(t.TempDir(), "k.conf")
		text := "global_defs {\n" + globals + "}\nvrrp_instance VI_1 {\n interface lo\n virtual_router_id 1\n priority 100\n virtual_ipaddress { 10.9.9.9 }\n}\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags, err := LoadFile(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return cfg, diags
	}
	cfg, _ := load(t, "")
	if got := cfg.Global.Conflict; got.Interval != 5*time.Second || got.Hold != 30*time.Second || got.Policy != "" || got.Notify != nil {
		t.Errorf("defaults: %+v", got)
	}
	cfg, diags := load(t, " keepalived_go_vip_conflict_interval 2\n keepalived_go_conflict_hold 10\n keepalived_go_conflict_policy lower-mac-yields\n keepalived_go_notify_conflict \"/bin/echo conflict\"\n")
	c := cfg.Global.Conflict
	if c.Interval != 2*time.Second || c.Hold != 10*time.Second || c.Policy != config.ConflictPolicyLowerMACYields ||
		c.Notify == nil || strings.Join(c.Notify.Argv, " ") != "/bin/echo conflict" {
		t.Errorf("set: %+v", c)
	}
	for _, d := range diags {
		if strings.Contains(d.String(), "keepalived_go") {
			t.Errorf("unexpected finding: %s", d)
		}
	}
	_, diags = load(t, " keepalived_go_conflict_policy first-wins\n keepalived_go_vip_conflict_interval x\n")
	var all []string
	for _, d := range diags {
		all = append(all, d.String())
	}
	s := strings.Join(all, "\n")
	if !strings.Contains(s, ":2:32: error: unknown keepalived_go_conflict_policy 'first-wins'") ||
		!strings.Contains(s, "keepalived_go_vip_conflict_interval 'x' invalid") {
		t.Errorf("findings:\n%s", s)
	}
}
