package parser

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// TestLowerProcessGlobals: umask, min_auto_priority_delay,
// vrrp_garp_extra_if / garp_extra_if, vmac_addr_prefix and the reload
// keywords land in their typed fields, with keepalived 2.2.7's messages
// (global_parser.c, vrrp_parser.c) for bad values.
func TestLowerProcessGlobals(t *testing.T) {
	u := func(v uint32) *uint32 { return &v }
	type want struct {
		umask    *uint32
		minDelay time.Duration
		extra    config.GarpExtraIf
		addrPfx  string
		reload   string
		timeFile string
		repeat   bool
		saveDir  string
		useInst  bool
	}
	cases := []struct {
		name, text string
		want       want
		diags      []string
	}{
		{name: "umask octal", text: "umask 022", want: want{umask: u(0o22)}},
		{name: "umask hex", text: "umask 0x3f", want: want{umask: u(0o77)}},
		{name: "umask decimal", text: "umask 18", want: want{umask: u(0o22)}},
		{name: "umask symbolic", text: "umask IWGRP|IWOTH", want: want{umask: u(0o22)}},
		{name: "umask symbolic missing or", text: "umask IWGRP | IWOTH IXOTH",
			diags: []string{"t.conf:2:25: error: Invalid umask syntax IXOTH"}},
		{name: "umask symbolic split", text: "umask IWGRP | IWOTH |IXOTH", want: want{umask: u(0o23)}},
		{name: "umask symbolic words", text: "umask IWGRP |IWOTH", want: want{umask: u(0o22)}},
		{name: "umask too large", text: "umask 01000", diags: []string{"t.conf:2:11: error: invalid umask value 01000"}},
		{name: "umask garbage", text: "umask 02x", diags: []string{"t.conf:2:11: error: invalid umask value 02x"}},
		{name: "umask extra", text: "umask 022 033", diags: []string{"t.conf:2:15: error: Extra parameter(s) to umask option"}},
		{name: "umask unknown bit", text: "umask IWFOO", diags: []string{"t.conf:2:11: error: Unknown umask bit IWFOO"}},
		{name: "umask dangling or", text: "umask IWGRP|", diags: []string{"t.conf:2:5: error: umask missing bit value"}},
		{name: "min delay", text: "min_auto_priority_delay 5000", want: want{minDelay: 5 * time.Millisecond}},
		{name: "min delay range", text: "min_auto_priority_delay 0",
			diags: []string{"t.conf:2:29: error: min_auto_priority_delay '0' must be in [1, 10000000] - ignoring"}},
		{name: "garp extra all", text: "vrrp_garp_extra_if all 30", want: want{extra: config.GarpExtraIf{Interval: 30 * time.Second, AllIf: true}}},
		{name: "garp extra plain", text: "vrrp_garp_extra_if 30", want: want{extra: config.GarpExtraIf{Interval: 30 * time.Second}}},
		{name: "garp extra no time", text: "vrrp_garp_extra_if all", want: want{extra: config.GarpExtraIf{AllIf: true}},
			diags: []string{"t.conf:2:5: error: vrrp_garp_extra_if specified without time - ignoring"}},
		{name: "garp extra zero", text: "vrrp_garp_extra_if 0",
			diags: []string{"t.conf:2:24: error: vrrp_garp_extra_if '0' invalid - ignoring"}},
		{name: "vmac addr prefix", text: "vmac_addr_prefix va", want: want{addrPfx: "va"}},
		{name: "vmac addr prefix twice", text: "vmac_addr_prefix va\n    vmac_addr_prefix vb", want: want{addrPfx: "va"},
			diags: []string{"t.conf:3:22: error: vmac_addr prefix has already been specified - ignoring vb"}},
		{name: "reload file bare", text: "reload_file", want: want{reload: config.DefaultReloadFile}},
		{name: "reload file", text: "reload_file /tmp/r", want: want{reload: "/tmp/r"}},
		{name: "reload time file", text: "reload_time_file /tmp/t\n    reload_repeat", want: want{timeFile: "/tmp/t", repeat: true}},
		{name: "reload time file bare", text: "reload_time_file", diags: []string{"t.conf:2:5: error: reload_time_file invalid"}},
		{name: "config save dir", text: "config_save_dir /var/tmp/ka/", want: want{saveDir: "/var/tmp/ka"}},
		{name: "data use instance", text: "data_use_instance", want: want{useInst: true}},
		{name: "data use instance off", text: "data_use_instance false"},
		{name: "data use instance bad", text: "data_use_instance maybe",
			diags: []string{"t.conf:2:23: error: Invalid value 'maybe' for global date_use_instance specified"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, lines := lowerText(t, "global_defs {\n    "+tc.text+"\n}\n")
			g := cfg.Global
			got := want{umask: g.Umask, minDelay: g.MinAutoPriorityDelay, extra: g.GarpExtraIf, addrPfx: g.VMACAddrPrefix,
				reload: g.ReloadFile, timeFile: g.ReloadTimeFile, repeat: g.ReloadRepeat, saveDir: g.ConfigSaveDir, useInst: g.DataUseInstance}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(want{})); diff != "" {
				t.Errorf("model (-want +got)\n%s", diff)
			}
			var diags []string
			for _, l := range lines {
				if !strings.Contains(l, "notice:") {
					diags = append(diags, l)
				}
			}
			if diff := cmp.Diff(tc.diags, diags); diff != "" {
				t.Errorf("findings (-want +got)\n%s", diff)
			}
		})
	}
}

// TestLowerInstanceGarpExtraIf: an instance's garp_extra_if overrides the
// global one (0 turns it off); without one it inherits vrrp_garp_extra_if.
func TestLowerInstanceGarpExtraIf(t *testing.T) {
	cases := []struct {
		name, global, body string
		want               config.GarpExtraIf
		diags              []string
	}{
		{name: "inherit", global: "vrrp_garp_extra_if 20 all", want: config.GarpExtraIf{Interval: 20 * time.Second, AllIf: true}},
		{name: "own", global: "vrrp_garp_extra_if 20 all", body: "    garp_extra_if 5", want: config.GarpExtraIf{Interval: 5 * time.Second}},
		{name: "off", global: "vrrp_garp_extra_if 20", body: "    garp_extra_if 0"},
		{name: "deprecated", body: "    vmac_garp_intvl all 7", want: config.GarpExtraIf{Interval: 7 * time.Second, AllIf: true},
			diags: []string{`t.conf:7:5: warning: Keyword "vmac_garp_intvl" is deprecated - please use "garp_extra_if"`}},
		{name: "no time", body: "    garp_extra_if all",
			diags: []string{"t.conf:7:5: error: (VI_1): garp_extra_if specified without time - ignoring"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, lines := lowerText(t, "global_defs {\n    "+tc.global+"\n}\n"+inst(tc.body+"\n"+vip))
			if len(cfg.Instances) != 1 {
				t.Fatalf("instances: %d", len(cfg.Instances))
			}
			if diff := cmp.Diff(tc.want, cfg.Instances[0].ExtraIfGarp(&cfg.Global)); diff != "" {
				t.Errorf("garp_extra_if (-want +got)\n%s", diff)
			}
			var diags []string
			for _, l := range lines {
				if !strings.Contains(l, "notice:") && !strings.Contains(l, "t.conf:2:") {
					diags = append(diags, l)
				}
			}
			if diff := cmp.Diff(tc.diags, diags); diff != "" {
				t.Errorf("findings (-want +got)\n%s", diff)
			}
		})
	}
}

// TestLowerVRRPProcessTuning: vrrp_priority, vrrp_rt_priority and
// vrrp_cpu_affinity with keepalived 2.2.7's messages (a real-time
// priority out of range is clamped; a bad CPU drops the set, reported by
// the host check).
func TestLowerVRRPProcessTuning(t *testing.T) {
	cases := []struct {
		text     string
		nice, rt int
		cpus     []int
		diags    []string
	}{
		{text: "vrrp_priority -5", nice: -5},
		{text: "vrrp_priority 20", diags: []string{"t.conf:2:19: error: Invalid vrrp process priority specified"}},
		{text: "vrrp_rt_priority 50", rt: 50},
		{text: "vrrp_rt_priority 150", rt: 99, diags: []string{"t.conf:2:22: error: vrrp process real-time priority 150 greater than maximum 99 - setting to maximum"}},
		{text: "vrrp_rt_priority 0", rt: 1, diags: []string{"t.conf:2:22: error: vrrp process real-time priority 0 less than minimum 1 - setting to minimum"}},
		{text: "vrrp_cpu_affinity 0", cpus: []int{0}},
		{text: "vrrp_cpu_affinity 0 x"}, // the host check reports it (config.CheckHost)
	}
	for _, tc := range cases {
		cfg, _, lines := lowerText(t, "global_defs {\n    "+tc.text+"\n}\n")
		g := cfg.Global
		var diags []string
		for _, l := range lines {
			if !strings.Contains(l, "notice:") {
				diags = append(diags, l)
			}
		}
		if g.VRRPProcessPriority != tc.nice || g.VRRPRealtimePriority != tc.rt || !cmp.Equal(g.VRRPCPUAffinity, tc.cpus) || !cmp.Equal(diags, tc.diags) {
			t.Errorf("%q: nice %d rt %d cpus %v %q, want %d %d %v %q", tc.text, g.VRRPProcessPriority, g.VRRPRealtimePriority, g.VRRPCPUAffinity, diags, tc.nice, tc.rt, tc.cpus, tc.diags)
		}
	}
}

// TestLowerProcessMonitorRcvBufs: process_monitor_rcv_bufs and its _force
// land in the model the track_process connector is opened with, as
// keepalived 2.2.7's handlers read them (0 or a bad size keeps the earlier
// value; a bare _force means true; a bad word keeps it).
func TestLowerProcessMonitorRcvBufs(t *testing.T) {
	cases := []struct {
		text  string
		size  uint32
		force bool
		diags []string
	}{
		{text: "process_monitor_rcv_bufs 1048576", size: 1048576},
		{text: "process_monitor_rcv_bufs 1048576\n    process_monitor_rcv_bufs 0", size: 1048576},
		{text: "process_monitor_rcv_bufs 1048576\n    process_monitor_rcv_bufs x", size: 1048576,
			diags: []string{"t.conf:3:30: error: process_monitor_rcv_bufs size (x) invalid"}},
		{text: "process_monitor_rcv_bufs", diags: []string{"t.conf:2:5: error: process_monitor_rcv_bufs size missing"}},
		{text: "process_monitor_rcv_bufs_force", force: true},
		{text: "process_monitor_rcv_bufs_force off"},
		{text: "process_monitor_rcv_bufs_force\n    process_monitor_rcv_bufs_force maybe", force: true,
			diags: []string{"t.conf:3:36: error: Invalid value 'maybe' for global process_monitor_rcv_bufs_force specified"}},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			cfg, _, lines := lowerText(t, "global_defs {\n    "+tc.text+"\n}\n")
			if g := cfg.Global; g.ProcessMonitorRcvBufs != tc.size || g.ProcessMonitorRcvBufsForce != tc.force {
				t.Errorf("size %d force %v; want %d %v", g.ProcessMonitorRcvBufs, g.ProcessMonitorRcvBufsForce, tc.size, tc.force)
			}
			var diags []string
			for _, l := range lines {
				if strings.Contains(l, "not run") {
					t.Errorf("still reported as not run: %s", l)
				}
				if !strings.Contains(l, "notice:") {
					diags = append(diags, l)
				}
			}
			if diff := cmp.Diff(tc.diags, diags); diff != "" {
				t.Errorf("findings (-want +got)\n%s", diff)
			}
		})
	}
}
