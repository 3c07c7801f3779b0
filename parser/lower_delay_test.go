package parser

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keepalived-go/keepalived/config"
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
			// One notice always: vrrp_delay_after_boot is a 2.3+ keyword.
			if len(lines) != tc.diags+1 {
				t.Errorf("findings %q, want the 2.3+ notice and %d more", lines, tc.diags)
			}
		})
	}
}

// TestLowerMail: the e-mail keywords land in Global.Mail as keepalived
// reads them: every word of notification_email is an address, the port
// of smtp_server defaults to 25, a zero smtp_connect_timeout becomes 1 s.
func TestLowerMail(t *testing.T) {
	cfg, _, lines := lowerText(t, "global_defs {\n    notification_email {\n        ops@example.com\n        a@example.com b@example.com\n    }\n"+
		"    notification_email_from keepalived@lb1\n    smtp_server 192.0.2.25 2525\n    smtp_helo_name lb1.example\n    smtp_connect_timeout 0\n    no_email_faults\n    smtp_alert\n}\n"+
		inst("    virtual_ipaddress {\n        10.0.0.1\n    }"))
	want := config.Mail{Server: "192.0.2.25:2525", HeloName: "lb1.example", From: "keepalived@lb1",
		Emails: []string{"ops@example.com", "a@example.com", "b@example.com"}, ConnectTimeout: time.Second, NoEmailFaults: true}
	if diff := cmp.Diff(want, cfg.Global.Mail); diff != "" {
		t.Errorf("Mail (-want +got)\n%s", diff)
	}
	if !cfg.Global.SMTPAlert || !cfg.Instances[0].SMTPAlert {
		t.Errorf("smtp_alert not the instances' default: global %v instance %v", cfg.Global.SMTPAlert, cfg.Instances[0].SMTPAlert)
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "smtp_conect_timeout must be greater than 0, setting to 1") {
		t.Errorf("findings %q", lines)
	}
	_, _, lines = lowerText(t, "global_defs {\n    smtp_server 192.0.2.25 http\n}\n"+inst("    virtual_ipaddress {\n        10.0.0.1\n    }"))
	if len(lines) != 1 || !strings.Contains(lines[0], "Invalid smtp server 192.0.2.25 http") {
		t.Errorf("bad port: findings %q", lines)
	}
}
