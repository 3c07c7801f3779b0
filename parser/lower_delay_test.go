package parser

import (
	"errors"
	"testing"
	"time"
)

// TestDelayAfterBoot: vrrp_delay_after_boot (keepalived 2.4.3) leaves only
// what remains of the delay since boot, and the start-up delay is the
// larger of that and vrrp_startup_delay, in either order.
func TestDelayAfterBoot(t *testing.T) {
	for _, tc := range []struct {
		name   string
		global string
		up     time.Duration
		upErr  error
		want   time.Duration
		diags  int
	}{
		{"remaining after 20 s of uptime", "vrrp_delay_after_boot 60", 20 * time.Second, nil, 40 * time.Second, 0},
		{"boot long past", "vrrp_delay_after_boot 60", time.Hour, nil, 0, 0},
		{"larger startup delay wins", "vrrp_delay_after_boot 30\n    vrrp_startup_delay 15", 20 * time.Second, nil, 15 * time.Second, 0},
		{"larger after-boot wins, either order", "vrrp_startup_delay 5\n    vrrp_delay_after_boot 30", 20 * time.Second, nil, 10 * time.Second, 0},
		{"no uptime", "vrrp_delay_after_boot 30", 0, errors.New("no /proc"), 0, 1},
		{"invalid", "vrrp_delay_after_boot soon", time.Second, nil, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := uptime
			uptime = func() (time.Duration, error) { return tc.up, tc.upErr }
			defer func() { uptime = old }()
			cfg, _, lines := lowerText(t, "global_defs {\n    "+tc.global+"\n}\n"+inst("    virtual_ipaddress {\n        10.0.0.1\n    }"))
			if cfg.Global.StartupDelay != tc.want {
				t.Errorf("StartupDelay = %v, want %v", cfg.Global.StartupDelay, tc.want)
			}
			if len(lines) != tc.diags {
				t.Errorf("findings %q, want %d", lines, tc.diags)
			}
		})
	}
}
