package parser

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// lowerText parses and lowers text as the file t.conf and returns the
// model and every finding as `t.conf:L:C: severity: message`.
func lowerText(t *testing.T, text string) (*config.Config, config.Diagnostics, []string) {
	t.Helper()
	f, diags, err := ParseString("t.conf", text, Options{ConfigID: "test"})
	if err != nil {
		t.Fatalf("ParseString: %v", err)
	}
	cfg, more := Lower(f, Options{ConfigID: "test"})
	diags = append(diags, more...)
	var lines []string
	for _, d := range diags {
		lines = append(lines, d.String())
	}
	return cfg, diags, lines
}

// inst wraps instance keywords in a minimal valid multicast instance.
func inst(body string) string {
	return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n" + body + "\n}\n"
}

// vip is a virtual_ipaddress block line set for inst bodies.
const vip = "    virtual_ipaddress {\n        10.0.0.1/24\n    }"

// lowerModelCases: snippet -> model fields, and the findings it yields.
var lowerModelCases = []struct {
	name  string
	text  string
	check func(t *testing.T, c *config.Config)
	diags []string // exact findings; nil means "none"
}{
	{
		name: "defaults of a bare instance",
		text: inst(vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			want := struct {
				Prio, Ver, VRID, Down, TTL int
				Adv                        time.Duration
				Fam                        config.Family
				Accept, Master, Preempt    bool
				Dst                        netip.Addr
			}{100, 2, 51, 3, 255, time.Second, config.IPv4, true, false, true, netip.MustParseAddr("224.0.0.18")}
			got := want
			got.Prio, got.Ver, got.VRID, got.Down, got.TTL = in.Priority, in.Version, in.VRID, in.DownTimerAdverts, in.UnicastTTL
			got.Adv, got.Fam, got.Accept, got.Master, got.Preempt, got.Dst = in.AdvertInt, in.Family, in.Accept, in.WantMaster(), !in.Nopreempt, in.McastDst
			if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if g := in.Garp; g != config.DefaultGarp() {
				t.Errorf("garp = %+v, want defaults", g)
			}
		},
	},
	{
		name: "state MASTER without priority is the owner",
		text: inst("    state MASTER\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Priority != 255 || !in.WantMaster() || !in.Owner() {
				t.Errorf("priority %d, want 255 and MASTER", in.Priority)
			}
		},
		diags: []string{"t.conf:4:5: notice: (VI_1) state MASTER without priority: priority is 255 (address owner)"},
	},
	{
		name: "nopreempt cleared with state MASTER (seed 002)",
		text: inst("    state MASTER\n    priority 100\n    nopreempt\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Instances[0].Nopreempt {
				t.Error("nopreempt kept")
			}
		},
		diags: []string{"t.conf:6:5: warning: (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing"},
	},
	{
		name: "!nopreempt is a comment (seed 000)",
		text: inst("    state BACKUP\n    !nopreempt\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Instances[0].Nopreempt {
				t.Error("nopreempt set by a comment")
			}
		},
	},
	{
		name: "nopreempt on a BACKUP is kept, preempt_delay cleared by it",
		text: inst("    state BACKUP\n    nopreempt\n    preempt_delay 5\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if !in.Nopreempt || in.PreemptDelay != 0 {
				t.Errorf("nopreempt %v delay %v", in.Nopreempt, in.PreemptDelay)
			}
		},
		diags: []string{"t.conf:6:5: warning: (VI_1) preempt_delay is incompatible with nopreempt mode - resetting"},
	},
	{
		name: "VRRPv2 advert_int rounds to whole seconds",
		text: inst("    advert_int 1.5\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if got := c.Instances[0].AdvertInt; got != 2*time.Second {
				t.Errorf("advert_int %v, want 2s", got)
			}
		},
		diags: []string{"t.conf:4:5: warning: (VI_1) VRRPv2 advertisement interval 1.500000s must be an integer. rounding to 2s (sub-second intervals need `version 3`)"},
	},
	{
		name: "VRRPv2 advert_int below 0.5 rounds up to 1s",
		text: inst("    advert_int 0.3\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if got := c.Instances[0].AdvertInt; got != time.Second {
				t.Errorf("advert_int %v, want 1s", got)
			}
		},
		diags: []string{"t.conf:4:5: warning: (VI_1) VRRPv2 advertisement interval 0.300000s must be an integer. rounding to 1s (sub-second intervals need `version 3`)"},
	},
	{
		name: "VRRPv3 advert_int in 10 ms units",
		text: inst("    version 3\n    advert_int 0.015\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if got := c.Instances[0].AdvertInt; got != 20*time.Millisecond {
				t.Errorf("advert_int %v, want 20ms", got)
			}
		},
		diags: []string{"t.conf:5:5: warning: (VI_1) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding"},
	},
	{
		name: "VRRPv3 advert_int 0.1 is kept",
		text: inst("    version 3\n    advert_int 0.1\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if got := c.Instances[0].AdvertInt; got != 100*time.Millisecond {
				t.Errorf("advert_int %v", got)
			}
		},
	},
	{
		name: "auth_pass truncated to 8 bytes",
		text: inst("    authentication {\n        auth_type PASS\n        auth_pass 0123456789\n    }\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			a := c.Instances[0].Auth
			if a.Type != config.AuthPass || string(a.Pass[:]) != "01234567" {
				t.Errorf("auth %v %q", a.Type, a.Pass)
			}
		},
		diags: []string{"t.conf:6:19: warning: Truncating auth_pass to 8 characters"},
	},
	{
		name: "short auth_pass zero padded",
		text: inst("    authentication {\n        auth_type PASS\n        auth_pass 1111\n    }\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if p := c.Instances[0].Auth.Pass; p != [8]byte{'1', '1', '1', '1'} {
				t.Errorf("pass %q", p)
			}
		},
	},
	{
		name: "IPv6 VIPs deduce IPv6 and version 3",
		text: inst("    virtual_ipaddress {\n        fe80::1/64\n        2001:db8::1/64\n    }"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Family != config.IPv6 || in.Version != 3 || in.McastDst != netip.MustParseAddr("ff02::12") || in.UnicastTTL != -1 {
				t.Errorf("family %v version %d dst %v ttl %d", in.Family, in.Version, in.McastDst, in.UnicastTTL)
			}
			if !in.VIPs[0].NoDAD {
				t.Error("IPv6 VIPs are added without DAD by default")
			}
		},
	},
	{
		name: "mixed families in virtual_ipaddress",
		text: inst("    virtual_ipaddress {\n        10.0.0.1\n        2001:db8::1\n    }"),
		check: func(t *testing.T, c *config.Config) {
			if n := len(c.Instances[0].VIPs); n != 1 {
				t.Errorf("%d VIPs, want 1", n)
			}
		},
		diags: []string{"t.conf:6:9: error: (VI_1): address family must match VRRP instance [2001:db8::1/128] - ignoring"},
	},
	{
		name: "all virtual_ipaddress options",
		text: inst("    virtual_ipaddress {\n        10.0.0.1/24 dev eth1 scope link brd + label eth1:v noprefixroute no_track use_vmac\n        10.0.0.2 preferred_lft forever home\n    }\n    virtual_ipaddress_excluded {\n        2001:db8::5/64 -nodad\n    }"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			a, b := in.VIPs[0], in.VIPs[1]
			if a.Prefix.String() != "10.0.0.1/24" || a.Dev != "eth1" || a.Scope != "link" || a.Broadcast != "+" || a.Label != "eth1:v" || !a.NoPrefixRoute || !a.NoTrack || !a.UseVMAC {
				t.Errorf("first VIP %+v", a)
			}
			if b.PreferredLft == nil || *b.PreferredLft != 0xffffffff || !b.Home || b.Prefix.Bits() != 32 {
				t.Errorf("second VIP %+v", b)
			}
			if e := in.ExcludedVIPs[0]; e.NoDAD || !e.Addr().Is6() {
				t.Errorf("eVIP %+v", e)
			}
		},
	},
	{
		name: "bad VIP is skipped",
		text: inst("    virtual_ipaddress {\n        10.0.0./24\n        10.0.0.2 bogus\n    }"),
		check: func(t *testing.T, c *config.Config) {
			if n := len(c.Instances[0].VIPs); n != 1 {
				t.Errorf("%d VIPs", n)
			}
		},
		diags: []string{
			"t.conf:5:9: error: VRRP parsed invalid IP 10.0.0./24. skipping IP...",
			"t.conf:6:18: error: Unknown configuration entry 'bogus' for ip address - ignoring",
		},
	},
	{
		name: "virtual_routes and virtual_rules",
		text: inst(vip + "\n    virtual_routes {\n        192.168.1.0/24 via 10.0.0.254 dev eth0 table 100 metric 5\n        blackhole 192.168.2.0/24\n    }\n    virtual_rules {\n        from 192.168.1.0/24 table 100 priority 200\n        to 192.168.3.0/24 table main\n    }"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			r := in.Routes[0]
			if r.Dst.String() != "192.168.1.0/24" || r.Via.String() != "10.0.0.254" || r.Dev != "eth0" || r.Table != 100 || r.Metric != 5 {
				t.Errorf("route %+v", r)
			}
			if b := in.Routes[1]; b.Type != "blackhole" || !b.NoTrack {
				t.Errorf("route %+v", b)
			}
			ru := in.Rules[0]
			if ru.From.String() != "192.168.1.0/24" || ru.Table != 100 || ru.Preference != 200 || ru.Family != config.IPv4 {
				t.Errorf("rule %+v", ru)
			}
			if in.Rules[1].Preference != 16384 || in.Rules[1].Table != 254 {
				t.Errorf("rule %+v", in.Rules[1])
			}
		},
		diags: []string{
			"t.conf:9:9: warning: Warning - cannot track route 192.168.2.0/24 with no interface specified, not tracking",
			"t.conf:13:9: warning: Rule has no preference specified - setting to 16384. This is probably not what you want.",
		},
	},
	{
		name: "unicast peers make the instance unicast",
		text: inst("    unicast_src_ip 10.0.0.2\n    unicast_ttl 10\n    unicast_peer {\n        10.0.0.3\n        10.0.0.4 min_ttl 2 max_ttl 9\n    }\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if !in.Unicast || in.UnicastSrc.String() != "10.0.0.2" || in.UnicastTTL != 10 || len(in.UnicastPeers) != 2 || in.McastDst.IsValid() {
				t.Errorf("%+v", in)
			}
			if p := in.UnicastPeers[1]; p.MinTTL != 2 || p.MaxTTL != 9 || !in.CheckUnicastSrc {
				t.Errorf("peer %+v check %v", p, in.CheckUnicastSrc)
			}
		},
	},
	{
		name: "unicast keyword without peers falls back to multicast",
		text: inst("    unicast_src_ip 10.0.0.2\n    unicast_ttl 10\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Instances[0].Unicast {
				t.Error("unicast without peers")
			}
		},
		diags: []string{
			"t.conf:1:1: warning: (VI_1) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.",
			"t.conf:5:5: warning: (VI_1): Cannot use unicast_ttl without unicast peers - resetting",
		},
	},
	{
		name: "notify scripts with user",
		text: inst(vip + "\n    notify_master \"/bin/notify.sh master 'a b'\" root\n    notify /bin/all.sh"),
		check: func(t *testing.T, c *config.Config) {
			n := c.Instances[0].Notify
			if diff := cmp.Diff([]string{"/bin/notify.sh", "master", "a b"}, n.Master.Argv); diff != "" || n.Master.User != "root" {
				t.Errorf("notify_master %+v %s", n.Master, diff)
			}
			if n.Generic == nil || n.Generic.Argv[0] != "/bin/all.sh" {
				t.Errorf("notify %+v", n.Generic)
			}
		},
	},
	{
		name: "track_script weights from the script and the entry",
		text: "vrrp_script chk {\n    script \"/bin/true x\"\n    weight -20\n    rise 2\n    fall 3\n    interval 2\n    timeout 1\n    init_fail\n}\n" +
			inst(vip+"\n    track_script {\n        chk\n    }") +
			"vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n" + vip + "\n    track_script {\n        chk weight 10 reverse\n    }\n}\n",
		check: func(t *testing.T, c *config.Config) {
			s := c.Scripts[0]
			if s.Weight != -20 || s.Rise != 2 || s.Fall != 3 || s.Interval != 2*time.Second || s.Timeout != time.Second || !s.InitFail || len(s.Command.Argv) != 2 {
				t.Errorf("script %+v", s)
			}
			if diff := cmp.Diff([]config.TrackScript{{Name: "chk", Weight: -20}}, c.Instances[0].TrackScripts); diff != "" {
				t.Errorf("VI_1 (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff([]config.TrackScript{{Name: "chk", Weight: 10, Reverse: true}}, c.Instances[1].TrackScripts); diff != "" {
				t.Errorf("VI_2 (-want +got)\n%s", diff)
			}
		},
	},
	{
		name: "track_interface and track_file",
		text: "track_file tf {\n    file /tmp/x\n    weight -3 reverse\n    init_file 5 overwrite\n}\n" +
			inst(vip+"\n    track_interface {\n        eth1\n        eth2 weight -254\n        eth3 weight 10 reverse\n    }\n    track_file {\n        tf\n        tf\n    }"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			var got []config.TrackInterface
			for _, t := range in.TrackInterfaces {
				t.Pos = config.Pos{}
				got = append(got, t)
			}
			want := []config.TrackInterface{{Name: "eth1"}, {Name: "eth2", Weight: -253}, {Name: "eth3", Weight: 10, Reverse: true}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if diff := cmp.Diff([]config.TrackFileRef{{Name: "tf", Weight: -3, Reverse: true}}, in.TrackFiles); diff != "" {
				t.Errorf("track_file (-want +got)\n%s", diff)
			}
			if tf := c.TrackFiles[0]; !tf.InitFile || tf.InitValue != 5 || !tf.Overwrite {
				t.Errorf("track_file %+v", tf)
			}
		},
		diags: []string{
			"t.conf:14:21: warning: (VI_1) weight for eth2 cannot be +/-254. Setting to +/-253",
			"t.conf:19:9: error: (VI_1) duplicate track_file tf - ignoring",
		},
	},
	{
		name: "global_defs keys",
		text: "global_defs {\n    router_id r1\n    vrrp_version 3\n    vrrp_mcast_group4 224.0.0.19\n    vrrp_garp_master_repeat 2\n    vrrp_garp_master_delay 1\n    vrrp_garp_lower_prio_repeat 1\n    vrrp_strict\n    script_user nobody nogroup\n    enable_script_security\n    notify_fifo /tmp/f root\n    smtp_server 127.0.0.1\n    lvs_sync_daemon eth0 VI_1\n    vrrp_startup_delay 5.5\n}\n" +
			inst("    priority 255\n    virtual_ipaddress {\n        10.0.0.1\n    }"),
		check: func(t *testing.T, c *config.Config) {
			g := c.Global
			if g.RouterID != "r1" || g.Version != 3 || g.McastGroup4.String() != "224.0.0.19" || !g.Strict || g.ScriptUser != "nobody" || g.ScriptGroup != "nogroup" || !g.EnableScriptSecurity || g.NotifyFifo.Path != "/tmp/f" || g.NotifyFifo.User != "root" || g.StartupDelay != 5500*time.Millisecond {
				t.Errorf("global %+v", g)
			}
			if g.Garp.MasterRepeat != 2 || g.Garp.LowerPrioRepeat != 1 || g.Garp.LowerPrioDelay != time.Second {
				t.Errorf("garp %+v", g.Garp)
			}
			if len(g.Other) != 1 || g.Other[0].Keyword != "lvs_sync_daemon" || g.Mail.Server != "127.0.0.1:25" {
				t.Errorf("other %+v", g.Other)
			}
			in := c.Instances[0]
			// Strict: garp lower prio repeat/delay 0, lower_prio_no_advert on.
			if in.Version != 3 || in.McastDst.String() != "224.0.0.19" || in.Garp.LowerPrioRepeat != 0 || in.Garp.LowerPrioDelay != 0 || !in.LowerPrioNoAdvert || !in.Accept || !in.Strict {
				t.Errorf("instance %+v", in)
			}
		},
		diags: []string{"t.conf:13:5: notice: `lvs_sync_daemon` is accepted and not run (LVS / the checker is not part of keepalived-go)"},
	},
	{
		name: "strict mode corrections",
		text: "global_defs {\n    vrrp_strict\n}\n" + inst("    state MASTER\n    priority 100\n    accept\n    preempt_delay 3\n    authentication {\n        auth_type PASS\n        auth_pass x\n    }\n"+vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.State != config.StateBackup || in.Accept || in.Auth.Type != config.AuthNone || in.PreemptDelay != 0 {
				t.Errorf("%+v", in)
			}
		},
		diags: []string{
			"t.conf:7:5: warning: (VI_1) State MASTER must match being address owner",
			"t.conf:9:5: warning: (VI_1) warning - accept mode for VRRP version 2 does not comply with RFC3768 - resetting",
			"t.conf:10:5: warning: (VI_1) preempt_delay is incompatible with strict mode - resetting",
			"t.conf:12:9: warning: (VI_1) Strict mode does not support authentication. Ignoring.",
		},
	},
	{
		name: "sync group members defined later, tracking weights dropped",
		text: "vrrp_script w {\n    script /bin/true\n    weight 5\n}\nvrrp_sync_group G {\n    group {\n        VI_1\n        VI_2\n    }\n    notify_master /bin/g.sh\n}\n" +
			inst(vip+"\n    track_script {\n        w\n    }\n    track_interface {\n        eth1 weight 5\n    }") +
			"vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n" + vip + "\n}\n",
		check: func(t *testing.T, c *config.Config) {
			g := c.SyncGroups[0]
			if diff := cmp.Diff([]string{"VI_1", "VI_2"}, g.Members); diff != "" {
				t.Errorf("members (-want +got)\n%s", diff)
			}
			in := c.Instances[0]
			// The script goes; the interface keeps weight 5, which
			// keepalived 2.2.7 applies though it says it ignores it.
			if in.SyncGroup != "G" || len(in.TrackScripts) != 0 || in.TrackInterfaces[0].Weight != 5 {
				t.Errorf("%+v", in)
			}
			if g.Notify.Master == nil {
				t.Error("group notify lost")
			}
		},
		diags: []string{
			"t.conf:19:9: warning: (VI_1) ignoring tracked script w with weights due to SYNC group (set sync_group_tracking_weight in the group to keep weights, or use weight 0 for FAULT)",
			"t.conf:22:9: warning: (VI_1) ignoring eth1 tracked interface weight due to SYNC group (keepalived applies the weight all the same: only its dump of the instance shows weight 0)",
		},
	},
	{
		name: "owner ignores weighted tracking",
		text: "vrrp_script w {\n    script /bin/true\n    weight 5\n}\n" + inst("    priority 255\n    nopreempt\n"+vip+"\n    track_script {\n        w\n    }"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if len(in.TrackScripts) != 0 || in.Nopreempt || !in.Accept {
				t.Errorf("%+v", in)
			}
		},
		diags: []string{
			"t.conf:9:5: warning: (VI_1) nopreempt is incompatible with priority 255. resetting nopreempt",
			"t.conf:14:9: warning: (VI_1) ignoring tracked script w with weights due to address_owner",
		},
	},
	{
		name: "LVS blocks kept with one notice per kind",
		text: "virtual_server 10.0.0.1 80 {\n    delay_loop 6\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.0.0.2 80 {\n        weight 1\n    }\n}\nvirtual_server 10.0.0.1 443 {\n    lb_algo rr\n    lb_kind NAT\n    protocol TCP\n    real_server 10.0.0.3 443 {\n    }\n}\nbfd_instance b {\n    neighbor_ip 10.0.0.9\n}\n" + inst(vip),
		check: func(t *testing.T, c *config.Config) {
			if len(c.Raw) != 3 || c.Raw[1].Keyword != "virtual_server" || c.Raw[1].Args[1] != "443" {
				t.Errorf("raw %+v", c.Raw)
			}
		},
		diags: []string{
			"t.conf:1:1: notice: `virtual_server` is accepted and kept but not run (LVS is not part of keepalived-go)",
			"t.conf:17:1: notice: `bfd_instance` is accepted and kept but not run (BFD is not part of keepalived-go)",
		},
	},
	{
		name: "root keywords",
		text: "net_namespace blue\nuse_pid_dir\ninstance i1\n" + inst(vip),
		check: func(t *testing.T, c *config.Config) {
			if g := c.Global; g.NetNamespace != "blue" || !g.UsePidDir || g.InstanceName != "i1" {
				t.Errorf("%+v", g)
			}
		},
	},
	{
		name:  "static addresses default to default_interface",
		text:  "global_defs {\n    default_interface eth9\n}\nstatic_ipaddress {\n    192.168.1.1/24\n    192.168.1.2/24 dev eth1\n}\nstatic_routes {\n    10.1.0.0/16 via 192.168.1.254\n}\n",
		diags: []string{"t.conf:9:5: warning: Warning - cannot track route 10.1.0.0/16 with no interface specified, not tracking"},
		check: func(t *testing.T, c *config.Config) {
			if c.StaticAddresses[0].Dev != "eth9" || c.StaticAddresses[1].Dev != "eth1" || len(c.StaticRoutes) != 1 {
				t.Errorf("%+v %+v", c.StaticAddresses, c.StaticRoutes)
			}
		},
	},
}

func TestLowerModel(t *testing.T) {
	for _, tc := range lowerModelCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, lines := lowerText(t, tc.text)
			if tc.check != nil {
				tc.check(t, cfg)
			}
			if diff := cmp.Diff(tc.diags, lines); diff != "" {
				t.Errorf("findings (-want +got)\n%s", diff)
			}
		})
	}
}

// lowerDiagCases: snippet -> exact findings, with the -t exit status
// (TestSnippetsAgainstKeepalived checks that status against keepalived).
var lowerDiagCases = []struct {
	name  string
	text  string
	want  []string
	exitT int // config.ConfigTestExit of the findings
}{
	{
		name:  "did you mean, in the block's own keywords",
		text:  inst("    virtual_route_id 5\n" + vip),
		want:  []string{"t.conf:4:5: error: unknown keyword `virtual_route_id` in vrrp_instance; did you mean `virtual_router_id`?"},
		exitT: 5,
	},
	{
		name:  "a misspelt block is one error, its contents unreported",
		text:  "vrrp_instanc VI_1 {\n    interface eth0\n    bogus 1\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n",
		want:  []string{"t.conf:1:1: error: unknown keyword `vrrp_instanc` at the top level; did you mean `vrrp_instance`? Its lines are read as top-level keywords (the others are ignored) and its `}` is an unknown keyword there, as keepalived does"},
		exitT: 5,
	},
	{
		name:  "keyword of another block",
		text:  inst("    weight 10\n" + vip),
		want:  []string{"t.conf:4:5: error: unknown keyword `weight` in vrrp_instance (`weight` belongs in vrrp_script)"},
		exitT: 5,
	},
	{
		name:  "keywords are case-sensitive",
		text:  inst("    state master\n" + vip),
		want:  []string{"t.conf:4:11: error: (VI_1) unknown state 'master', defaulting to BACKUP; keywords and values are case-sensitive: write `MASTER`"},
		exitT: 5,
	},
	{
		name:  "missing parameter aborts keepalived (exit 2)",
		text:  inst("    priority\n" + vip),
		want:  []string{"t.conf:4:5: error: *** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2"},
		exitT: 2,
	},
	{
		name:  "a second keyword on the line is silently lost by keepalived",
		text:  "vrrp_instance VI_1 {\n    interface eth0 virtual_router_id 5\n" + vip + "\n}\n",
		want:  []string{"t.conf:1:1: error: (VI_1) the virtual router id must be set", "t.conf:2:20: warning: keepalived reads one keyword per line: `virtual_router_id 5` after `interface` is silently ignored; put it on its own line"},
		exitT: 5,
	},
	{
		name:  "VRID out of range",
		text:  "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 256\n" + vip + "\n}\n",
		want:  []string{"t.conf:3:5: error: (VI_1) the virtual router id must be set", "t.conf:3:23: error: (VI_1): VRID '256' not valid - must be between 1 & 255"},
		exitT: 5,
	},
	{
		name:  "priority out of range",
		text:  inst("    priority 0\n" + vip),
		want:  []string{"t.conf:4:14: error: (VI_1) Priority not valid! must be between 1 & 255. Using default 100"},
		exitT: 5,
	},
	{
		name:  "unquoted script arguments are dropped by keepalived",
		text:  "vrrp_script chk {\n    script /bin/pidof haproxy\n}\n" + inst(vip+"\n    track_script {\n        chk\n    }"),
		want:  []string{"t.conf:2:23: warning: keepalived runs only the second word of the line as the command: `haproxy` is silently dropped; quote the whole command: script \"/bin/pidof haproxy\""},
		exitT: 0,
	},
	{
		name:  "an unquoted notify argument is taken as a user",
		text:  inst(vip + "\n    notify_master /bin/foo.sh --master"),
		want:  []string{"t.conf:7:31: warning: `--master` is taken as the user to run `/bin/foo.sh` as, not as an argument (keepalived drops the script when no such user exists); quote the command: notify_master \"/bin/foo.sh --master\""},
		exitT: 0,
	},
	{
		name:  "track_script naming an undefined script",
		text:  "vrrp_script chk_nginx {\n    script /bin/true\n}\n" + inst(vip+"\n    track_script {\n        chk_ngnix\n    }"),
		want:  []string{"t.conf:1:1: notice: Warning - script chk_nginx is not used", "t.conf:11:9: warning: (VI_1) track script chk_ngnix not found, ignoring...; did you mean `chk_nginx`?"},
		exitT: 5,
	},
	{
		name:  "track_script naming a script defined later",
		text:  inst(vip+"\n    track_script {\n        chk\n    }") + "vrrp_script chk {\n    script /bin/true\n}\n",
		want:  []string{"t.conf:8:9: warning: (VI_1) track script chk not found, ignoring... (vrrp_script chk is defined at t.conf:11:1, after this reference: keepalived only sees objects defined before they are used, so it is not tracked; move the vrrp_script block up)"},
		exitT: 5,
	},
	{
		name:  "a vrrp_script without script is removed",
		text:  "vrrp_script chk {\n    interval 2\n}\n" + inst(vip+"\n    track_script {\n        chk\n    }"),
		want:  []string{"t.conf:1:1: error: No script set for vrrp_script chk - removing", "t.conf:11:9: warning: (VI_1) track script chk not found, ignoring... (vrrp_script chk was removed: it has no script)"},
		exitT: 5,
	},
	{
		name:  "VRRPv3 without VIPs",
		text:  inst("    version 3"),
		want:  []string{"t.conf:1:1: error: (VI_1) No VIP specified; at least one is required (VRRPv3)"},
		exitT: 5,
	},
	{
		name:  "VRRPv2 without VIPs",
		text:  inst(""),
		want:  []string{"t.conf:1:1: warning: (VI_1) No VIP specified; at least one is sensible"},
		exitT: 5,
	},
	{
		name:  "duplicate VRID on one interface and family",
		text:  inst(vip) + "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 51\n" + vip + "\n}\n",
		want:  []string{"t.conf:8:1: error: VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0 (VI_1 is at t.conf:1:1)"},
		exitT: 5,
	},
	{
		name: "same VRID: other interface, other family, unicast: no conflict",
		text: inst(vip) +
			"vrrp_instance VI_2 {\n    interface eth1\n    virtual_router_id 51\n" + vip + "\n}\n" +
			"vrrp_instance VI_3 {\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        fe80::1\n    }\n}\n" +
			"vrrp_instance VI_4 {\n    interface eth0\n    virtual_router_id 51\n    unicast_peer {\n        10.0.0.9\n    }\n" + vip + "\n}\n",
		want:  nil,
		exitT: 0,
	},
	{
		name:  "explicit vrrp_garp_interval 0 is rejected by 2.2.7",
		text:  "global_defs {\n    vrrp_garp_interval 0\n}\n" + inst(vip),
		want:  []string{"t.conf:2:24: error: vrrp_garp_interval '0' is invalid (keepalived 2.2.7 rejects an explicit 0 although 0 is the default: remove the line)"},
		exitT: 5,
	},
	{
		name:  "out-of-range script weight",
		text:  "vrrp_script chk {\n    script /bin/true\n    weight 300\n}\n" + inst(vip+"\n    track_script {\n        chk\n    }"),
		want:  []string{"t.conf:3:12: error: vrrp_script chk weight 300 must be in [-253, 253]"},
		exitT: 5,
	},
	{
		name:  "a sync group naming a missing instance",
		text:  "vrrp_sync_group G {\n    group {\n        VI_1\n        VI_X\n    }\n}\n" + inst(vip),
		want:  []string{"t.conf:1:1: warning: Sync group G has only 1 virtual router(s) - this probably isn't what you want", "t.conf:4:9: error: Virtual router VI_X specified in sync group G doesn't exist - ignoring; did you mean `VI_1`?"},
		exitT: 5,
	},
	{
		name:  "sync group members without group block (lvs_syncd sample)",
		text:  "vrrp_sync_group VG1 {\n    VI_1\n}\n" + inst(vip),
		want:  []string{"t.conf:1:1: error: Sync group VG1 has no virtual router(s). removing", "t.conf:2:5: error: unknown keyword `VI_1` in vrrp_sync_group (instance names belong inside `group { ... }`)"},
		exitT: 5,
	},
	{
		name:  "duplicate instance name",
		text:  inst(vip) + inst(vip),
		want:  []string{"t.conf:8:15: error: vrrp instance VI_1 already defined"},
		exitT: 5,
	},
}

func TestLowerDiagnostics(t *testing.T) {
	for _, tc := range lowerDiagCases {
		t.Run(tc.name, func(t *testing.T) {
			_, diags, lines := lowerText(t, tc.text)
			if diff := cmp.Diff(tc.want, lines); diff != "" {
				t.Errorf("findings (-want +got)\n%s", diff)
			}
			if got := config.ConfigTestExit(diags); got != tc.exitT {
				t.Errorf("ConfigTestExit = %d, want %d", got, tc.exitT)
			}
		})
	}
}

// TestEveryInstanceKeywordHandled: each keyword of the vrrp_instance table
// is lowered by a handler (none falls through to the internal error).
func TestEveryInstanceKeywordHandled(t *testing.T) {
	for _, kw := range instanceKeywords {
		text := "vrrp_instance VI_1 {\n    " + kw + " x y\n}\n"
		if instanceBlocks[kw] {
			text = "vrrp_instance VI_1 {\n    " + kw + " {\n    }\n}\n"
		}
		_, _, lines := lowerText(t, text)
		for _, l := range lines {
			if strings.Contains(l, "internal:") || strings.Contains(l, "unknown keyword") {
				t.Errorf("%s: %s", kw, l)
			}
		}
	}
}

// TestSuggest: the did-you-mean distance is tight enough not to guess.
func TestSuggest(t *testing.T) {
	tests := []struct{ ctx, word, want string }{
		{ctxInstance, "virtual_route_id", "virtual_router_id"},
		{ctxInstance, "priorty", "priority"},
		{ctxInstance, "Priority", "priority"},
		{ctxInstance, "virtual_ipadress", "virtual_ipaddress"},
		{ctxInstance, "unicast_peers", "unicast_peer"},
		{ctxGlobal, "router-id", "router_id"},
		{ctxRoot, "vrrp_instances", "vrrp_instance"},
		{ctxInstance, "banana", ""},
		{ctxInstance, "ab", ""},
	}
	for _, tc := range tests {
		if got := suggest(tc.ctx, tc.word); got != tc.want {
			t.Errorf("suggest(%s, %q) = %q, want %q", tc.ctx, tc.word, got, tc.want)
		}
	}
}

// TestLowerHandBuiltAST: Lower works on an AST built by hand (no Raw
// lines), as the daemon's tests may build one.
func TestLowerHandBuiltAST(t *testing.T) {
	w := func(s string) Word { return Word{Text: s} }
	f := &File{Nodes: []*Node{
		{Keyword: "vrrp_script", Args: []Word{w("chk")}, Block: &Block{Nodes: []*Node{
			{Keyword: "script", Args: []Word{{Text: "/bin/pidof haproxy", Quoted: true}}},
		}}},
		{Keyword: "vrrp_instance", Args: []Word{w("VI_1")}, Block: &Block{Nodes: []*Node{
			{Keyword: "interface", Args: []Word{w("eth0")}},
			{Keyword: "virtual_router_id", Args: []Word{w("7")}},
			{Keyword: "virtual_ipaddress", Block: &Block{Nodes: []*Node{{Keyword: "10.0.0.1/24"}}}},
			{Keyword: "track_script", Block: &Block{Nodes: []*Node{{Keyword: "chk"}}}},
		}}},
	}}
	cfg, diags := Lower(f, Options{})
	if diags.HasErrors() {
		t.Fatalf("%v", diags)
	}
	if got := cfg.Scripts[0].Command.Argv; len(got) != 2 || got[1] != "haproxy" {
		t.Errorf("argv %q", got)
	}
	in := cfg.Instances[0]
	if in.VRID != 7 || len(in.VIPs) != 1 || len(in.TrackScripts) != 1 {
		t.Errorf("%+v", in)
	}
}
