package netif

import (
	"slices"
	"testing"
)

// TestVMACNames: keepalived 2.2.7's create_vmac_name order and IFNAMSIZ
// cut, for both families, and DefaultVMACNames as its "vrrp" case.
func TestVMACNames(t *testing.T) {
	cases := []struct {
		prefix string
		vrid   uint8
		ipv6   bool
		want   []string
	}{
		{"vrrp", 51, false, []string{"vrrp.51", "vrrp1.51", "vrrp2.51"}},
		{"vrrp", 51, true, []string{"vrrp.51", "vrrp6.51", "vrrp1.51", "vrrp2.51", "vrrp3.51", "vrrp4.51", "vrrp5.51", "vrrp7.51"}},
		{"va", 255, false, []string{"va.255", "va1.255"}},
		{"averyverylongprefix", 51, false, []string{"averyverylon.51", "averyverylo1.51"}},
		{"averyverylongprefix", 255, true, []string{"averyverylo.255", "averyveryl6.255"}},
	}
	for _, c := range cases {
		got := VMACNames(c.prefix, c.vrid, c.ipv6, len(c.want))
		if !slices.Equal(got, c.want) {
			t.Errorf("VMACNames(%q, %d, %v) = %q, want %q", c.prefix, c.vrid, c.ipv6, got, c.want)
		}
		for _, n := range got {
			if len(n) > 15 {
				t.Errorf("%q is longer than IFNAMSIZ-1", n)
			}
		}
	}
	if got, want := DefaultVMACNames(51, true, 3), VMACNames("vrrp", 51, true, 3); !slices.Equal(got, want) {
		t.Errorf("DefaultVMACNames %q != VMACNames(vrrp) %q", got, want)
	}
}
