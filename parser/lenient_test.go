package parser

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// lenientCases are configurations keepalived 2.2.7 logs and runs (or
// refuses), with the values it runs them with, as its own daemon showed
// them (`keepalived -n -l -D -d -P` in a namespace, its "VRRP Instance"
// dump). For each: the model we run, the start-up exit status
// (config.Diagnostics.StartExit: 0 = runs), and the findings, each with
// its position and severity.
var lenientCases = []struct {
	name  string
	text  string
	exit  int
	check func(t *testing.T, c *config.Config)
	diags []string
}{
	{
		name: "priority out of range is keepalived's default 100",
		text: inst("    state MASTER\n    priority 300\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if p := c.Instances[0].Priority; p != 100 {
				t.Errorf("priority %d, want 100 (keepalived: Using default 100)", p)
			}
		},
		diags: []string{"t.conf:5:14: error: (VI_1) Priority not valid! must be between 1 & 255. Using default 100"},
	},
	{
		name: "priority that is not a number is 100",
		text: inst("    priority high\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if p := c.Instances[0].Priority; p != 100 {
				t.Errorf("priority %d, want 100", p)
			}
		},
		diags: []string{"t.conf:4:14: error: (VI_1) Priority not valid! must be between 1 & 255. Using default 100"},
	},
	{
		name: "unknown global_defs keyword is skipped",
		text: "global_defs {\n    some_option_we_do_not_know yes\n    router_id R1\n}\n" + inst(vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Global.RouterID != "R1" || len(c.Instances) != 1 {
				t.Errorf("router_id %q, %d instances", c.Global.RouterID, len(c.Instances))
			}
		},
		diags: []string{"t.conf:2:5: error: unknown keyword `some_option_we_do_not_know` in global_defs"},
	},
	{
		name: "misspelt keywords inside an instance are skipped, the rest applies",
		text: inst("    priorty 150\n    advert_intt 2\n    preempt_delay 5\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Priority != 100 || in.AdvertInt != time.Second || in.PreemptDelay != 5*time.Second {
				t.Errorf("priority %d advert %v preempt_delay %v, want 100 1s 5s", in.Priority, in.AdvertInt, in.PreemptDelay)
			}
		},
		diags: []string{
			"t.conf:4:5: error: unknown keyword `priorty` in vrrp_instance; did you mean `priority`?",
			"t.conf:5:5: error: unknown keyword `advert_intt` in vrrp_instance; did you mean `advert_int`?",
		},
	},
	{
		name: "state SLAVE is BACKUP",
		text: inst("    state SLAVE\n    priority 255\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.State != config.StateBackup || in.Priority != 255 {
				t.Errorf("state %v priority %d, want BACKUP 255", in.State, in.Priority)
			}
		},
		diags: []string{"t.conf:4:11: error: (VI_1) unknown state 'SLAVE', defaulting to BACKUP"},
	},
	{
		name: "auth_type PASS; is no authentication",
		text: inst("    authentication {\n        auth_type PASS;\n        auth_pass secret\n    }\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if a := c.Instances[0].Auth; a.Type != config.AuthNone {
				t.Errorf("auth %+v, want none (keepalived: Authentication type = none)", a)
			}
		},
		diags: []string{"t.conf:5:19: error: (VI_1) unknown authentication type 'PASS;'"},
	},
	{
		name: "advert_int .2 in VRRPv2 is rounded to 1 s",
		text: inst("    advert_int .2\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if d := c.Instances[0].AdvertInt; d != time.Second {
				t.Errorf("advert_int %v, want 1s", d)
			}
		},
		diags: []string{"t.conf:4:5: warning: (VI_1) VRRPv2 advertisement interval 0.200000s must be an integer. rounding to 1s (sub-second intervals need `version 3`)"},
	},
	{
		name: "vrrp_script interval .2 is read as keepalived 2.3.2+ reads it",
		// The one 2.4.3 reading we take over 2.2.7's (README, "keepalived
		// 2.3 and 2.4 configurations"): 2.2.7 would use its default 1 s.
		text: "global_defs {\n    enable_script_security\n}\nvrrp_script chk {\n    script \"/bin/true\"\n    interval .2\n}\n" +
			inst("    track_script {\n        chk\n    }\n"+vip),
		check: func(t *testing.T, c *config.Config) {
			if len(c.Scripts) != 1 || c.Scripts[0].Interval != 200*time.Millisecond {
				t.Fatalf("scripts %+v, want chk with interval 0.2s", c.Scripts)
			}
		},
		diags: []string{
			"t.conf:6:14: warning: (chk): vrrp script interval .2: keepalived 2.2.7 takes whole seconds only and would use its default; keepalived-go uses 0.2s, as keepalived 2.3.2+ does",
		},
	},
	{
		name: "missing final brace: the instance is kept whole",
		text: strings.TrimSuffix(inst("    priority 120\n"+vip), "}\n"),
		check: func(t *testing.T, c *config.Config) {
			if len(c.Instances) != 1 || c.Instances[0].Priority != 120 || len(c.Instances[0].VIPs) != 1 {
				t.Errorf("instances %+v", c.Instances)
			}
		},
		diags: []string{"t.conf:1:20: error: There are 1 missing '}'s or extra '{'s"},
	},
	{
		name: "a stray prose line inside an instance is an unknown keyword",
		text: inst("    This is the instance for the web VIP\n    priority 120\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if c.Instances[0].Priority != 120 {
				t.Errorf("priority %d, want 120", c.Instances[0].Priority)
			}
		},
		diags: []string{"t.conf:4:5: error: unknown keyword `This` in vrrp_instance"},
	},
	{
		name: "unicast addresses with a prefix length: keepalived takes the address",
		text: inst("    unicast_src_ip 192.168.0.91/24\n    unicast_peer {\n        192.168.0.92/24\n        192.168.0.93-95\n    }\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if !in.Unicast || in.UnicastSrc != netip.MustParseAddr("192.168.0.91") || len(in.UnicastPeers) != 2 ||
				in.UnicastPeers[0].Addr != netip.MustParseAddr("192.168.0.92") || in.UnicastPeers[1].Addr != netip.MustParseAddr("192.168.0.93") {
				t.Errorf("unicast %v src %v peers %+v", in.Unicast, in.UnicastSrc, in.UnicastPeers)
			}
		},
		diags: []string{
			"t.conf:4:20: notice: `unicast_src_ip 192.168.0.91/24`: keepalived takes the address 192.168.0.91 and ignores `/24`",
			"t.conf:6:9: notice: `unicast_peer 192.168.0.92/24`: keepalived takes the address 192.168.0.92 and ignores `/24`",
			"t.conf:7:9: notice: `unicast_peer 192.168.0.93-95`: keepalived takes the address 192.168.0.93 and ignores `-95`",
		},
	},
	{
		name: "mcast_dst_ip with a prefix length",
		text: inst("    mcast_dst_ip 224.0.0.19/32\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			if a := c.Instances[0].McastDst; a != netip.MustParseAddr("224.0.0.19") {
				t.Errorf("mcast_dst_ip %v", a)
			}
		},
		diags: []string{"t.conf:4:18: notice: `mcast_dst_ip 224.0.0.19/32`: keepalived takes the address 224.0.0.19 and ignores `/32`"},
	},
	{
		name: "a misspelt block: its lines are instance keywords and its } ends the instance",
		text: "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    virtual_ipadress {\n        10.0.0.1/24\n        priority 50\n    }\n    priority 120\n}\n",
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Priority != 50 || len(in.VIPs) != 0 {
				t.Errorf("priority %d VIPs %v, want 50 and none (keepalived reads the block's priority, and ends the instance at its })", in.Priority, in.VIPs)
			}
		},
		diags: []string{
			"t.conf:1:1: warning: (VI_1) No VIP specified; at least one is sensible",
			"t.conf:4:5: error: unknown keyword `virtual_ipadress` in vrrp_instance; did you mean `virtual_ipaddress`? Its lines are read as vrrp_instance keywords and its `}` ends the vrrp_instance, as keepalived does; what follows is read at the top level",
			"t.conf:5:9: error: unknown keyword `10.0.0.1/24` in vrrp_instance",
			"t.conf:8:5: error: unknown keyword `priority` at the top level (`priority` belongs in vrrp_instance)",
		},
	},
	{
		name: "a block after a keyword that takes none",
		text: inst("    priority 120 {\n        advert_int 3\n    }\n    advert_int 5\n" + vip),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Priority != 120 || in.AdvertInt != 3*time.Second || len(in.VIPs) != 0 {
				t.Errorf("priority %d advert %v VIPs %v, want 120 3s none", in.Priority, in.AdvertInt, in.VIPs)
			}
		},
		diags: []string{
			"t.conf:1:1: warning: (VI_1) No VIP specified; at least one is sensible",
			"t.conf:4:18: error: Unexpected '{' - `priority` takes no block: as keepalived does, its lines are read as vrrp_instance keywords and its `}` ends the vrrp_instance; what follows is read at the top level",
			"t.conf:7:5: error: unknown keyword `advert_int` at the top level (`advert_int` belongs in vrrp_instance)",
			"t.conf:8:5: error: unknown keyword `virtual_ipaddress` at the top level (`virtual_ipaddress` belongs in vrrp_instance); its lines are read as top-level keywords (the others are ignored) and its `}` is an unknown keyword there, as keepalived does",
		},
	},
	{
		// keepalived 2.2.7's dump: priority 150, BACKUP, PASS "secret".
		name: "a block inside authentication ends it; its `}` ends the instance",
		text: inst(vip + "\n    authentication {\n        auth_type PASS\n        auth_pass secret {\n        }\n        priority 150\n    }\n    priority 50\n    state MASTER\n"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Priority != 150 || in.WantMaster() || in.Auth.Type != config.AuthPass || string(in.Auth.Pass[:6]) != "secret" {
				t.Errorf("priority %d master %v auth %v %q, want 150, BACKUP, PASS secret", in.Priority, in.WantMaster(), in.Auth.Type, in.Auth.Pass)
			}
		},
		diags: []string{
			"t.conf:9:26: error: Unexpected '{' - `auth_pass` takes no block: as keepalived does, its lines are read as authentication keywords and its `}` ends the authentication; what follows is read in the vrrp_instance, which its `}` ends",
			"t.conf:13:5: error: unknown keyword `priority` at the top level (`priority` belongs in vrrp_instance)",
			"t.conf:14:5: error: unknown keyword `state` at the top level (`state` belongs in vrrp_instance)",
		},
	},
	{
		name: "an unknown block inside authentication: its lines are authentication keywords",
		text: inst(vip + "\n    authentication {\n        auth_extra {\n            auth_type PASS\n            auth_pass secret\n        }\n        priority 150\n    }\n    state MASTER\n"),
		check: func(t *testing.T, c *config.Config) {
			in := c.Instances[0]
			if in.Priority != 150 || in.WantMaster() || in.Auth.Type != config.AuthPass {
				t.Errorf("priority %d master %v auth %v, want 150, BACKUP, PASS", in.Priority, in.WantMaster(), in.Auth.Type)
			}
		},
		diags: []string{
			"t.conf:8:9: error: unknown keyword `auth_extra` in authentication; its lines are read as authentication keywords and its `}` ends the authentication, as keepalived does; what follows is read in the vrrp_instance, which its `}` ends",
			"t.conf:14:5: error: unknown keyword `state` at the top level (`state` belongs in vrrp_instance)",
		},
	},
	{
		name: "an unknown top-level block: the vrrp_instance in it runs",
		text: "cluster {\n" + inst("    priority 120\n"+vip) + "}\n",
		check: func(t *testing.T, c *config.Config) {
			if in := c.Instances[0]; in.Name != "VI_1" || in.Priority != 120 || len(in.VIPs) != 1 {
				t.Errorf("%s priority %d VIPs %v", in.Name, in.Priority, in.VIPs)
			}
		},
		diags: []string{"t.conf:1:1: error: unknown keyword `cluster` at the top level; its lines are read as top-level keywords (the others are ignored) and its `}` is an unknown keyword there, as keepalived does"},
	},
	{
		name:  "an instance without VRID in an unknown top-level block: refused",
		text:  "cluster {\nvrrp_instance VI_1 {\n    interface eth0\n" + vip + "\n}\n}\n",
		exit:  config.ExitStartConfig,
		diags: []string{"t.conf:1:1: error: unknown keyword `cluster` at the top level; its lines are read as top-level keywords (the others are ignored) and its `}` is an unknown keyword there, as keepalived does", "t.conf:2:1: error: (VI_1) the virtual router id must be set"},
	},
	// What keepalived 2.2.7 refuses at start: its VRRP process exits with
	// KEEPALIVED_EXIT_CONFIG (2) and the parent with it.
	{
		name:  "no virtual_router_id: refused",
		text:  "vrrp_instance VI_1 {\n    interface eth0\n" + vip + "\n}\n",
		exit:  config.ExitStartConfig,
		diags: []string{"t.conf:1:1: error: (VI_1) the virtual router id must be set"},
	},
	{
		name: "a VRID that is not a number leaves none: refused",
		text: "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51x\n" + vip + "\n}\n",
		exit: config.ExitStartConfig,
		diags: []string{
			"t.conf:3:5: error: (VI_1) the virtual router id must be set",
			"t.conf:3:23: error: (VI_1): VRID '51x' not valid - must be between 1 & 255",
		},
	},
	{
		name:  "a missing parameter: refused",
		text:  inst("    priority\n" + vip),
		exit:  config.ExitStartConfig,
		diags: []string{"t.conf:4:5: error: *** Configuration line starting `priority` is missing a parameter after keyword `priority` at word position 2"},
	},
	{
		name:  "VRRPv3 without a VIP: refused",
		text:  inst("    version 3\n"),
		exit:  config.ExitStartConfig,
		diags: []string{"t.conf:1:1: error: (VI_1) No VIP specified; at least one is required (VRRPv3)"},
	},
	{
		name: "duplicate VRID: refused",
		text: inst(vip) + strings.Replace(inst(vip), "VI_1", "VI_2", 1),
		exit: config.ExitStartConfig,
		diags: []string{
			"t.conf:8:1: error: VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0 (VI_1 is at t.conf:1:1)",
		},
	},
}

func TestLenientStart(t *testing.T) {
	for _, tc := range lenientCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, diags, lines := lowerText(t, tc.text)
			if got := diags.StartExit(); got != tc.exit {
				t.Errorf("StartExit %d, want %d\n%s", got, tc.exit, strings.Join(lines, "\n"))
			}
			if strings.Join(lines, "\n") != strings.Join(tc.diags, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(tc.diags, "\n"))
			}
			if tc.check != nil {
				if len(cfg.Instances) == 0 {
					t.Fatalf("no instance kept\n%s", strings.Join(lines, "\n"))
				}
				tc.check(t, cfg)
			}
		})
	}
}
