package parser

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/keepalived-go/keepalived/config"
)

// lower243Cases are snippet-to-model cases for the keywords keepalived
// 2.3 / 2.4 added that change VRRP behaviour (2.4.3 semantics), and for
// the 2.2.7 behaviour we keep where the two differ.
var lower243Cases = []struct {
	name  string
	text  string
	check func(t *testing.T, c *config.Config)
	// want are findings that must be among ours (substrings).
	want []string
	exit int // keepalived -t exit status we give
}{
	{
		name: "no_virtual_ipaddress silences the missing VIP",
		text: "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    version 3\n    no_virtual_ipaddress\n}\n",
		check: func(t *testing.T, c *config.Config) {
			if !c.Instances[0].AllowNoVIPs {
				t.Error("AllowNoVIPs not set")
			}
		},
		want: []string{"5:5: notice: `no_virtual_ipaddress` is a keepalived 2.3.0+ keyword"},
	},
	{
		name: "no_virtual_ipaddress is cleared in strict mode",
		text: "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    strict_mode\n    no_virtual_ipaddress\n}\n",
		check: func(t *testing.T, c *config.Config) {
			if c.Instances[0].AllowNoVIPs {
				t.Error("AllowNoVIPs kept in strict mode")
			}
		},
		want: []string{"no_virtual_ipaddress and strict mode incompatible", "No VIP specified; at least one is required"},
		exit: 5,
	},
	{
		name: "timer_expired_backup defaults to 254 and needs nopreempt",
		text: inst("    nopreempt\n    timer_expired_backup\n"+vip) + "vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    thread_timer_expired 100\n" + vip + "\n}\n",
		check: func(t *testing.T, c *config.Config) {
			if got := c.Instances[0].HighestOtherPriority; got != 254 {
				t.Errorf("VI_1 HighestOtherPriority %d, want 254", got)
			}
			if got := c.Instances[1].HighestOtherPriority; got != 0 {
				t.Errorf("VI_2 HighestOtherPriority %d, want 0 (no nopreempt)", got)
			}
		},
		want: []string{"thread_timer_expired - please replace with keyword 'timer_expired_backup'", "(VI_2) expired_timer_backup requires nopreempt - resetting"},
		exit: 5,
	},
	{
		name: "timer_expired_backup out of range",
		text: inst("    nopreempt\n    timer_expired_backup 255\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if got := c.Instances[0].HighestOtherPriority; got != 0 {
				t.Errorf("HighestOtherPriority %d, want 0", got)
			}
		},
		want: []string{"timer_expired_backup highest_other_priority not valid! must be between 1 & 254"},
		exit: 5,
	},
	{
		name: "v3_checksum_as_v2 global default and instance override",
		text: "global_defs {\n    v3_checksum_as_v2\n}\n" + inst("    version 3\n"+vip) +
			"vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    version 3\n    v3_checksum_as_v2 false\n" + vip + "\n}\n",
		check: func(t *testing.T, c *config.Config) {
			if !c.Global.V3ChecksumAsV2 || !c.Instances[0].V3ChecksumAsV2 || c.Instances[1].V3ChecksumAsV2 {
				t.Errorf("global %v, VI_1 %v, VI_2 %v", c.Global.V3ChecksumAsV2, c.Instances[0].V3ChecksumAsV2, c.Instances[1].V3ChecksumAsV2)
			}
		},
	},
	{
		name: "owner_ignore_adverts only for the owner",
		text: inst("    priority 255\n    owner_ignore_adverts\n"+vip) +
			"vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    priority 100\n    owner_ignore_adverts yes\n" + vip + "\n}\n",
		check: func(t *testing.T, c *config.Config) {
			if !c.Instances[0].OwnerIgnoreAdverts || c.Instances[1].OwnerIgnoreAdverts {
				t.Errorf("VI_1 %v, VI_2 %v", c.Instances[0].OwnerIgnoreAdverts, c.Instances[1].OwnerIgnoreAdverts)
			}
		},
		want: []string{"(VI_2) ignoring owner_ignore_adverts since priority is not 255"},
		exit: 5,
	},
	{
		name: "vrrp_owner_ignore_adverts is the owners' default",
		text: "global_defs {\n    vrrp_owner_ignore_adverts\n}\n" + inst("    priority 255\n"+vip) +
			"vrrp_instance VI_2 {\n    interface eth0\n    virtual_router_id 52\n    priority 100\n" + vip + "\n}\n",
		check: func(t *testing.T, c *config.Config) {
			if !c.Instances[0].OwnerIgnoreAdverts || c.Instances[1].OwnerIgnoreAdverts {
				t.Errorf("VI_1 %v, VI_2 %v", c.Instances[0].OwnerIgnoreAdverts, c.Instances[1].OwnerIgnoreAdverts)
			}
		},
	},
	{
		// keepalived 2.4.3 turns owner_ignore_adverts on for an owner in
		// strict mode; 2.2.7 does not, and we keep 2.2.7's behaviour.
		name: "strict owner keeps reading adverts as 2.2.7 does",
		text: inst("    priority 255\n    strict_mode\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Instances[0].OwnerIgnoreAdverts {
				t.Error("OwnerIgnoreAdverts set without the keyword")
			}
		},
	},
	{
		name: "dump files and json_version",
		text: "global_defs {\n    state_dump_file /var/run/ka/state.txt\n    stats_dump_file /tmp/s\n    json_dump_file /tmp/j\n    json_version 2\n}\n" + inst(vip),
		check: func(t *testing.T, c *config.Config) {
			g := c.Global
			if g.StateDumpFile != "/var/run/ka/state.txt" || g.StatsDumpFile != "/tmp/s" || g.JSONDumpFile != "/tmp/j" || g.JSONVersion != 2 {
				t.Errorf("%+v", g)
			}
		},
		want: []string{"stats_dump_file is kept but", "json_dump_file is kept but"},
	},
	{
		name: "json_version out of range",
		text: "global_defs {\n    json_version 3\n}\n" + inst(vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Global.JSONVersion != 0 {
				t.Errorf("JSONVersion %d", c.Global.JSONVersion)
			}
		},
		want: []string{"2:18: error: Invalid JSON version"},
		exit: 5,
	},
	{
		name: "fractional vrrp_script interval and timeout",
		text: "vrrp_script chk {\n    script /bin/true\n    interval 0.25\n    timeout 1.5\n}\n" + inst("    track_script {\n        chk\n    }\n"+vip),
		check: func(t *testing.T, c *config.Config) {
			s := c.Scripts[0]
			if s.Interval != 250*time.Millisecond || s.Timeout != 1500*time.Millisecond {
				t.Errorf("interval %v timeout %v", s.Interval, s.Timeout)
			}
		},
		// 2.2.7's -t reports the fraction (and ignores it): same class here.
		want: []string{"3:14: warning: (chk): vrrp script interval 0.25: keepalived 2.2.7 takes whole seconds only"},
		exit: 5,
	},
	{
		name: "subsystem keywords get one notice each",
		text: "global_defs {\n    enable_snmp_vrrp\n    enable_dbus\n    lvs_flush\n    bfd_priority 1\n}\n" + inst(vip),
		want: []string{
			"2:5: notice: `enable_snmp_vrrp` is accepted and not run (SNMP",
			"3:5: notice: `enable_dbus` is accepted and not run (DBus",
			"4:5: notice: `lvs_flush` is accepted and not run (LVS",
			"5:5: notice: `bfd_priority` is accepted and not run (BFD",
		},
	},
	{
		name: "virtual_server typos and bad values are findings",
		text: "virtual_server 10.0.0.50 80 {\n    delay_lop 6\n    lb_algo rrr\n    protocol tcp\n    real_server 10.0.0.51 80 {\n        weight 70000\n        HTTP_GET {\n            url {\n                pth /\n                status_code 200 99\n            }\n            connect_timeout\n        }\n        TCP_CHEK {\n        }\n    }\n}\n" + inst(vip),
		check: func(t *testing.T, c *config.Config) {
			if len(c.Raw) != 1 || c.Raw[0].Keyword != "virtual_server" || len(c.Raw[0].Block) != 4 || c.Raw[0].Block[3].Keyword != "real_server" || len(c.Raw[0].Block[3].Block) != 3 {
				t.Errorf("raw %+v", c.Raw)
			}
		},
		want: []string{
			"1:1: notice: `virtual_server` is accepted and kept but not run",
			"2:5: error: unknown keyword `delay_lop` in virtual_server; did you mean `delay_loop`?",
			"3:13: error: Invalid virtual_server lb_algo 'rrr'",
			"6:16: error: Invalid real_server weight '70000' - must be in [0, 65535]",
			"9:17: error: unknown keyword `pth` in HTTP_GET/url; did you mean `path`?",
			"10:33: error: Invalid HTTP status code '99'",
			"missing a parameter after keyword `connect_timeout`",
			"14:9: error: unknown keyword `TCP_CHEK` in real_server; did you mean `TCP_CHECK`?",
		},
		exit: 2,
	},
	{
		name: "virtual_server completion as keepalived checks it",
		text: "virtual_server 10.0.0.50 80 {\n    delay_loop 6\n}\nvirtual_server 10.0.0.50 81 {\n    real_server 10.0.0.51 81 {\n    }\n}\nvirtual_server 10.0.0.50 82 {\n    protocol TCP\n    real_server 10.0.0.51 82 {\n        lvs_method DR\n    }\n}\n" + inst(vip),
		want: []string{
			"1:1: warning: Virtual server [10.0.0.50]:none:80 has no real servers - ignoring",
			"4:1: warning: Virtual server [10.0.0.50]:none:81: no protocol set - defaulting to UDP",
			"4:1: warning: Virtual server [10.0.0.50]:none:81: no forwarding method set, setting default NAT",
		},
		exit: 5,
	},
	{
		name: "linkbeat_interfaces and interface_up_down_delays entries",
		text: "linkbeat_interfaces {\n    eth0\n    eth1 MII\n    eth2 BOGUS\n}\ninterface_up_down_delays {\n    eth0 1 2\n    eth1 x\n    eth2\n}\n" + inst(vip),
		want: []string{
			"4:10: error: extra characters BOGUS in linkbeat interface",
			"8:10: warning: Invalid down delay x for eth1",
			"9:5: warning: No timeouts specified for eth2 up/down delays",
		},
		exit: 5,
	},
	{
		name: "bfd_instance, SSL, track_group and virtual_server_group",
		text: "bfd_instance b1 {\n    min_rx 0.5\n    neighbor_ip 10.0.0.300\n}\nSSL {\n    certifcate /tmp/c\n}\ntrack_group tg {\n    group {\n        VI_1\n    }\n    grop x\n}\nvirtual_server_group g {\n    10.0.0.1-10 80\n    fwmark 0\n    bogus 80\n}\n" + inst(vip),
		want: []string{
			"2:12: error: Configuration error: BFD instance b1 min_rx value 0.5 is not valid (must be in range [1-4294967]), ignoring",
			"3:17: error: Configuration error: BFD instance b1 has malformed neighbor address 10.0.0.300, ignoring instance",
			"6:5: error: unknown keyword `certifcate` in SSL; did you mean `certificate`?",
			"12:5: error: unknown keyword `grop` in track_group; did you mean `group`?",
			"16:12: error: virtual server group fwmark '0' must be in [1, 4294967295]",
			"17:5: error: Invalid virtual server group g entry `bogus`",
		},
		exit: 5,
	},
}

func TestLower243(t *testing.T) {
	for _, tc := range lower243Cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags, lines := lowerText(t, tc.text)
			if tc.check != nil {
				tc.check(t, cfg)
			}
			for _, w := range tc.want {
				found := false
				for _, l := range lines {
					if strings.Contains(l, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("missing finding %q in:\n%s", w, strings.Join(lines, "\n"))
				}
			}
			if got := config.ConfigTestExit(diags); got != tc.exit {
				t.Errorf("-t exit %d, want %d:\n%s", got, tc.exit, strings.Join(lines, "\n"))
			}
		})
	}
}

// TestPreprocessEnv checks keepalived 2.4's ${_ENV NAME}.
func TestPreprocessEnv(t *testing.T) {
	t.Setenv("KG_TEST_RID", "r42")
	text := "global_defs {\n    router_id ${_ENV KG_TEST_RID}\n    vmac_prefix v${_ENV KG_TEST_UNSET_VAR}x\n    smtp_helo_name ${_ENV A B}\n}\n" + inst(vip)
	cfg, _, lines := lowerText(t, text)
	if cfg.Global.RouterID != "r42" || cfg.Global.VMACPrefix != "vx" {
		t.Errorf("router_id %q, vmac_prefix %q", cfg.Global.RouterID, cfg.Global.VMACPrefix)
	}
	want := []string{"t.conf:4:20: warning: Definition _ENV requires between 1 and 1 parameters, 2 specified."}
	var got []string
	for _, l := range lines {
		if strings.Contains(l, "Definition") {
			got = append(got, l)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
