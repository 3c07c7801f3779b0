package config

import (
	"net/netip"
	"testing"
	"time"
)

// The defaults that depend on other settings, with keepalived 2.2.7's
// values written out by hand (vrrp/vrrp.c vrrp_complete_instance).
func TestDependentDefaults(t *testing.T) {
	g := DefaultGlobal()
	g.Version = 2
	if got := DefaultVersionFor(IPv4, &g); got != 2 {
		t.Errorf("version over IPv4 with vrrp_version 2: %d, want 2", got)
	}
	g.Version = 3
	if got := DefaultVersionFor(IPv4, &g); got != 3 {
		t.Errorf("version over IPv4 with vrrp_version 3: %d, want 3", got)
	}
	g.Version = 2
	if got := DefaultVersionFor(IPv6, &g); got != 3 {
		t.Errorf("version over IPv6: %d, want 3", got)
	}
	if DefaultFamily != IPv4 {
		t.Errorf("DefaultFamily %v, want IPv4", DefaultFamily)
	}

	for s, want := range map[InitialState]int{StateMaster: 255, StateBackup: 100, StateUnset: 100} {
		if got := DefaultPriorityFor(s); got != want {
			t.Errorf("priority in state %v: %d, want %d", s, got, want)
		}
	}
	if got := DefaultUnicastTTLFor(IPv4); got != 255 {
		t.Errorf("unicast_ttl over IPv4: %d, want 255", got)
	}
	if got := DefaultUnicastTTLFor(IPv6); got != -1 {
		t.Errorf("unicast_ttl over IPv6: %d, want -1 (the kernel's)", got)
	}

	for _, tc := range []struct{ owner, strict, want bool }{
		{false, false, true}, {true, false, true}, {false, true, false}, {true, true, true},
	} {
		if got := DefaultAcceptFor(tc.owner, tc.strict); got != tc.want {
			t.Errorf("accept owner=%v strict=%v: %v, want %v", tc.owner, tc.strict, got, tc.want)
		}
	}

	g.McastGroup4 = netip.MustParseAddr("224.0.0.99")
	if got := DefaultMcastDstFor(IPv4, &g); got != netip.MustParseAddr("224.0.0.99") {
		t.Errorf("mcast_dst over IPv4: %v, want global_defs' 224.0.0.99", got)
	}
	if got := DefaultMcastDstFor(IPv6, &g); got != netip.MustParseAddr("ff02::12") {
		t.Errorf("mcast_dst over IPv6: %v, want ff02::12", got)
	}

	for _, tc := range []struct{ strict, global, lower, higher bool }{
		{false, false, false, false},
		{false, true, true, true},
		{true, false, true, false},
		{true, true, true, false},
	} {
		g.LowerPrioNoAdvert, g.HigherPrioSendAdv = tc.global, tc.global
		if got := DefaultLowerPrioNoAdvertFor(tc.strict, &g); got != tc.lower {
			t.Errorf("lower_prio_no_advert strict=%v global=%v: %v, want %v", tc.strict, tc.global, got, tc.lower)
		}
		if got := DefaultHigherPrioSendAdvertFor(tc.strict, &g); got != tc.higher {
			t.Errorf("higher_prio_send_advert strict=%v global=%v: %v, want %v", tc.strict, tc.global, got, tc.higher)
		}
	}

	g.NotifyPrioChanges = true
	if !DefaultNotifyPrioChangesFor(nil, &g) {
		t.Error("notify_priority_changes without a group: not global_defs' true")
	}
	if DefaultNotifyPrioChangesFor(&SyncGroup{NotifyPrioChanges: false}, &g) {
		t.Error("notify_priority_changes in a group that has it off: true")
	}
}

func TestGarpDefaults(t *testing.T) {
	g := Garp{MasterDelay: 7 * time.Second, MasterRepeat: 3, MasterRefreshRepeat: 1}
	g.LowerPrioDefaults(false, false)
	if g.LowerPrioRepeat != 3 || g.LowerPrioDelay != 7*time.Second {
		t.Errorf("lower-prio not written: %+v, want repeat 3 delay 7s (the master's)", g)
	}
	g = Garp{MasterDelay: 7 * time.Second, MasterRepeat: 3, LowerPrioRepeat: 1, LowerPrioDelay: 2 * time.Second}
	g.LowerPrioDefaults(true, true)
	if g.LowerPrioRepeat != 1 || g.LowerPrioDelay != 2*time.Second {
		t.Errorf("lower-prio written: %+v, want repeat 1 delay 2s kept", g)
	}

	want := Garp{MasterDelay: 5 * time.Second, MasterRepeat: 5, MasterRefreshRepeat: 1, LowerPrioDelay: 5 * time.Second, LowerPrioRepeat: 5}
	if got := InstanceGarpDefaults(DefaultGarp(), false); got != want {
		t.Errorf("instance GARP: %+v, want %+v", got, want)
	}
	want.LowerPrioDelay, want.LowerPrioRepeat = 0, 0
	if got := InstanceGarpDefaults(DefaultGarp(), true); got != want {
		t.Errorf("instance GARP in strict mode: %+v, want %+v", got, want)
	}
}

// The global_defs an instance starts from, and none without globals.
func TestDefaultInstanceFor(t *testing.T) {
	g := DefaultGlobal()
	g.SkipCheckAdvAddr, g.CheckUnicastSrc = true, true
	in := DefaultInstanceFor("VI_1", &g)
	if in.Name != "VI_1" || !in.SkipCheckAdvAddr || !in.CheckUnicastSrc {
		t.Errorf("with vrrp_skip_check_adv_addr and vrrp_check_unicast_src: %+v", in)
	}
	if in.AdvertInt != DefaultAdvertInt {
		t.Errorf("advert_int %v, want the instance default %v", in.AdvertInt, DefaultAdvertInt)
	}
	if in := DefaultInstanceFor("VI_2", nil); in.SkipCheckAdvAddr || in.CheckUnicastSrc {
		t.Errorf("without globals: skip %v check %v, want both off", in.SkipCheckAdvAddr, in.CheckUnicastSrc)
	}
}
