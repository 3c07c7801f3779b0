package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// TestGarpExtraIf: with garp_extra_if 2 all, a master sends, every 2 s
// (checked as each advert goes), one gratuitous ARP on each other
// interface holding one of its VIPs, for the first address there, and
// none on its own interface; without "all" (no VMACs for addresses), or
// without the keyword, nothing beyond the usual bursts. It fails if the
// keyword has no effect.
func TestGarpExtraIf(t *testing.T) {
	cases := []struct {
		name  string
		extra *config.GarpExtraIf
		glob  config.GarpExtraIf
		want  []string
	}{
		{name: "instance all", extra: &config.GarpExtraIf{Interval: 2 * time.Second, AllIf: true},
			want: []string{"+6.609375s garp eth1 10.1.0.100", "+9.609375s garp eth1 10.1.0.100"}},
		{name: "global all", glob: config.GarpExtraIf{Interval: 2 * time.Second, AllIf: true},
			want: []string{"+6.609375s garp eth1 10.1.0.100", "+9.609375s garp eth1 10.1.0.100"}},
		{name: "instance off", extra: &config.GarpExtraIf{}, glob: config.GarpExtraIf{Interval: 2 * time.Second, AllIf: true}},
		{name: "no all", extra: &config.GarpExtraIf{Interval: 2 * time.Second}},
		{name: "none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
			in.Garp.MasterDelay = 0 // no second burst in the window
			in.VIPs = append(in.VIPs,
				config.Address{Prefix: mustPrefix("10.1.0.100/24"), Dev: "eth1"},
				config.Address{Prefix: mustPrefix("10.1.0.101/24"), Dev: "eth1"})
			in.GarpExtraIf = tc.extra
			cfg := configOf(in)
			cfg.Global.GarpExtraIf = tc.glob
			h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
			h.start()
			h.advance(3609375 * time.Microsecond) // master: the usual bursts
			h.host.take()
			h.advance(7 * time.Second)
			var got []string
			for _, l := range h.host.take() {
				if strings.Contains(l, " garp ") {
					got = append(got, l)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("extra GARPs (-want +got):\n%s", diff)
			}
		})
	}
}
