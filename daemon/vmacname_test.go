package daemon

import (
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// vmacRec records the names the daemon asks its VMACs for.
type vmacRec struct{ asked []string }

func (v *vmacRec) EnsureVMAC(parent, name string, mac net.HardwareAddr, ipv6 bool) (string, bool, error) {
	v.asked = append(v.asked, name)
	if name == "" {
		name = "vrrp.51"
	}
	return name, true, nil
}

func (v *vmacRec) DeleteVMAC(name string) error { return nil }

// TestVMACPrefixNamesTheMacvlan: vmac_prefix changes the name of a
// use_vmac macvlan that has none of its own (PREFIX.VRID, cut to fit 15
// characters); use_vmac NAME keeps its name; the default prefix leaves the
// choice to the host.
func TestVMACPrefixNamesTheMacvlan(t *testing.T) {
	for _, tc := range []struct {
		prefix, own, want string
	}{
		{"", "", ""},
		{"vrrp", "", ""},
		{"kv", "", "kv.51"},
		{"averyverylongprefix", "", "averyverylon.51"},
		{"kv", "mine", "mine"},
	} {
		cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
		cfg.Instances[0].UseVMAC, cfg.Instances[0].VMACName = true, tc.own
		cfg.Global.VMACPrefix = tc.prefix
		h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
		rec := &vmacRec{}
		h.d.opts.Host.VMACs = rec
		h.start()
		h.advance(time.Second)
		if diff := cmp.Diff([]string{tc.want}, rec.asked); diff != "" {
			t.Errorf("vmac_prefix %q, use_vmac %q: names asked (-want +got)\n%s", tc.prefix, tc.own, diff)
		}
	}
}
