package parser

import (
	"strings"
	"testing"
)

// TestUseIPVlanNoticedOnce: use_ipvlan (keepalived 2.2.7 runs the
// instance on an ipvlan it makes; keepalived-go does not) gets exactly one
// "not run" notice, at its position, whatever its arguments, and the
// instance keeps its interface.
func TestUseIPVlanNoticedOnce(t *testing.T) {
	for _, args := range []string{"", " ipv0", " ipv0 10.0.0.5/24 bridge"} {
		t.Run(args, func(t *testing.T) {
			cfg, _, lines := lowerText(t, "vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 5\nuse_ipvlan"+args+"\nvirtual_ipaddress {\n10.0.0.1\n}\n}\n")
			var got []string
			for _, l := range lines {
				if strings.Contains(l, "ipvlan") {
					got = append(got, l)
				}
			}
			want := "t.conf:4:1: notice: (VI_1) use_ipvlan is accepted and not run (keepalived-go makes no ipvlan interface: the instance runs on its interface)"
			if len(got) != 1 || got[0] != want {
				t.Errorf("lines naming ipvlan %q; want one: %q", got, want)
			}
			if len(cfg.Instances) != 1 || cfg.Instances[0].Interface != "eth0" {
				t.Errorf("the instance lost its interface: %+v", cfg.Instances)
			}
		})
	}
}
