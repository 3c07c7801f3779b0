package daemon

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
)

// TestNewStartPolicy: New runs what keepalived 2.2.7 runs (with its
// corrections) and refuses what keepalived refuses, with ErrIncludeCheck
// for a failed strict include; strict start refuses any error.
func TestNewStartPolicy(t *testing.T) {
	const lenient = "global_defs {\n    some_option_we_do_not_know yes\n}\n" +
		"vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 300\n" +
		"    virtual_ipaddress {\n        10.0.0.100/24\n    }\n}\n"
	tests := []struct {
		name    string
		text    string
		extra   config.Diagnostics // appended to the parser's findings
		strict  bool
		wantErr error // nil: New succeeds
		include bool  // the error also wraps ErrIncludeCheck
	}{
		{name: "keepalived corrects it: runs", text: lenient},
		{name: "--strict-config refuses it", text: lenient, strict: true, wantErr: ErrConfig},
		{name: "keepalived_go_strict_config refuses it", text: strings.Replace(lenient, "global_defs {\n", "global_defs {\n    keepalived_go_strict_config\n", 1), wantErr: ErrConfig},
		{name: "no VRID: keepalived refuses it too", text: strings.Replace(lenient, "    virtual_router_id 51\n", "", 1), wantErr: ErrConfig},
		{name: "missing interface: refused", text: strings.Replace(lenient, "eth0", "eth9", 1), wantErr: ErrConfig},
		{name: "reload_check_config refuses what -t reports", text: strings.Replace(lenient, "global_defs {\n", "global_defs {\n    reload_check_config\n", 1), wantErr: ErrConfig},
		{name: "reload_check_config refuses a warning too", wantErr: ErrConfig,
			text: "global_defs {\n    reload_check_config\n    vrrp_vmac_garp_intvl 5\n}\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n" +
				"    virtual_ipaddress {\n        10.0.0.100/24\n    }\n}\n"},
		{name: "failed strict include: refused with the include error", text: lenient, wantErr: ErrConfig, include: true,
			extra: config.Diagnostics{{Pos: config.Pos{File: "keepalived.conf", Line: 12, Col: 1}, Severity: config.Error, Class: config.ClassFileNotFound, Msg: "Config files missing 'x'"}}},
		{name: "failed strict include with --strict-config: still the include error", text: lenient, strict: true, wantErr: ErrConfig, include: true,
			extra: config.Diagnostics{{Pos: config.Pos{File: "keepalived.conf", Line: 12, Col: 1}, Severity: config.Error, Class: config.ClassFileNotFound, Msg: "Config files missing 'x'"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			var logs bytes.Buffer
			t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			clock := func() time.Duration { return 0 }
			host := newFakeHost(clock, eth("eth0", true, "10.0.0.1/24"))
			d, err := New(Options{
				ConfigFile: "keepalived.conf", Host: host.host(), TmpDir: t.TempDir(),
				Logger:       slog.New(logHandler{mu: &mu, buf: &logs, clock: clock}),
				Now:          func() time.Time { return t0 },
				StrictConfig: tc.strict,
				Load: func(string, string) (*config.Config, config.Diagnostics, error) {
					f, diags, err := parser.ParseString("keepalived.conf", tc.text, parser.Options{ConfigID: "t"})
					if err != nil {
						return nil, diags, err
					}
					cfg, more := parser.Lower(f, parser.Options{ConfigID: "t"})
					return cfg, append(append(diags, more...), tc.extra...), nil
				},
				notifier: &recNotifier{},
				scripts:  func(*config.Config, *slog.Logger, scriptRunner) (scriptRunner, error) { return nil, nil },
			})
			mu.Lock()
			log := logs.String()
			mu.Unlock()
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v\n%s", err, log)
				}
				if p := d.cfg.Instances[0].Priority; p != 100 {
					t.Errorf("priority %d, want keepalived's default 100", p)
				}
				for _, want := range []string{
					"keepalived.conf:2:5: error: unknown keyword `some_option_we_do_not_know` in global_defs",
					"keepalived.conf:7:14: error: (VI_1) Priority not valid! must be between 1 & 255. Using default 100",
					"has 2 error(s) that keepalived corrects or skips",
				} {
					if strings.Count(log, want) != 1 {
						t.Errorf("log has %q %d times, want once\n%s", want, strings.Count(log, want), log)
					}
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("New: %v, want %v\n%s", err, tc.wantErr, log)
			}
			if got := errors.Is(err, ErrIncludeCheck); got != tc.include {
				t.Errorf("wraps ErrIncludeCheck: %v, want %v (%v)", got, tc.include, err)
			}
		})
	}
}
