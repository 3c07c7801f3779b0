package vrrpsim

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.txt transcripts")

func us(n int64) time.Duration { return time.Duration(n) * time.Microsecond }

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

func sec(n int64) time.Duration { return time.Duration(n) * time.Second }

func addrs(s ...string) []netip.Addr {
	var out []netip.Addr
	for _, a := range s {
		out = append(out, netip.MustParseAddr(a))
	}
	return out
}

// cfg is a keepalived-default instance: v2, advert_int 1, GARP 5 + 5 after 5 s.
func cfg(name string, vrid, prio uint8, vips ...string) vrrp.Config {
	return vrrp.Config{
		Name: name, VRID: vrid, Version: 2, Priority: prio, AdvertInt: time.Second,
		VIPs:            addrs(vips...),
		GarpMasterDelay: 5 * time.Second, GarpMasterRepeat: 5, GarpMasterRefreshRepeat: 1,
		GarpLowerPrioDelay: 5 * time.Second, GarpLowerPrioRepeat: 5,
	}
}

func v3(c vrrp.Config, interval time.Duration) vrrp.Config {
	c.Version, c.AdvertInt = 3, interval
	return c
}

// golden compares the transcript with testdata/NAME.txt (rewritten with
// -update) and fails on any invariant violation.
func golden(t *testing.T, s *Sim) {
	t.Helper()
	for _, v := range s.Violations() {
		t.Errorf("invariant: %s", v)
	}
	path := filepath.Join("testdata", t.Name()+".txt")
	got := s.Transcript()
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s (-want +got):\n%s", path, diff(string(want), got))
	}
}

// diff is a small line diff for transcripts.
func diff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	var out strings.Builder
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			out.WriteString("-" + x + "\n+" + y + "\n")
		}
	}
	return out.String()
}

func wantMasterAt(t *testing.T, r *Router, inst string, at time.Duration) {
	t.Helper()
	if got := r.MasterSince(inst).Sub(Epoch); got != at {
		t.Errorf("%s %s became master at %v, want %v", r.Name, inst, got, at)
	}
}

func wantMasters(t *testing.T, s *Sim, want ...string) {
	t.Helper()
	if got := strings.Join(s.Masters(), " "); got != strings.Join(want, " ") {
		t.Errorf("masters %q, want %q", got, strings.Join(want, " "))
	}
}

func pair(opt Options, c1, c2 vrrp.Config) (*Sim, *Router, *Router) {
	s := New(opt)
	r1 := s.AddRouter("r1", "10.0.0.1", "fe80::1", "", c1)
	r2 := s.AddRouter("r2", "10.0.0.2", "fe80::2", "", c2)
	return s, r1, r2
}

// TestElection: two routers start together; the higher priority's down
// timer (3 x 1 s + (256-100)/256 s) expires first (RFC 3768 section 6.4.2).
func TestElection(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.RunUntil(sec(12))
	wantMasterAt(t, r1, "VI_1", us(3609375))
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestElectionTie: equal priorities expire together; in MASTER the advert
// from the higher address wins (RFC 5798 section 6.4.3, keepalived only
// breaks the tie in MASTER, reference 6.5).
func TestElectionTie(t *testing.T) {
	s, r1, r2 := pair(Options{Delay: us(100)}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 100, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.RunUntil(sec(6))
	wantMasters(t, s, "r2/VI_1")
	golden(t, s)
}

// TestOwnerStartup: the address owner (255) becomes master 1 us after
// start-up and the running master yields to its advert (RFC 3768 6.4.1).
func TestOwnerStartup(t *testing.T) {
	owner := cfg("VI_1", 51, 255, "10.0.0.100")
	owner.WantMaster = true
	s, r1, r2 := pair(Options{}, owner, cfg("VI_1", 51, 100, "10.0.0.100"))
	s.At(0, r2.Start)
	s.At(sec(10), r1.Start)
	s.RunUntil(sec(13))
	wantMasterAt(t, r2, "VI_1", us(3609375))
	wantMasterAt(t, r1, "VI_1", sec(10)+us(1))
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestGracefulHandover: a stopping master sends priority 0; the backup
// takes over after its skew time, (256-90)/256 s = 0.648437 s (RFC 3768
// section 6.4.2 "If the Priority in the ADVERTISEMENT is zero").
func TestGracefulHandover(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), r1.Stop)
	s.RunUntil(sec(13))
	wantMasterAt(t, r2, "VI_1", ms(10500)+us(648437))
	golden(t, s)
}

// TestCrashFailover: after a crash the backup takes over one master down
// interval after the last advert it heard: 3 s + (256-90)/256 s = 3.648437 s
// (RFC 3768 section 6.1 Master_Down_Interval).
func TestCrashFailover(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), r1.Crash)
	s.RunUntil(sec(16))
	// r1's last advert: 3.609375 + 6 s = 9.609375.
	wantMasterAt(t, r2, "VI_1", us(9609375)+us(3648437))
	golden(t, s)
}

// TestPreemptOn: a higher-priority backup discards the running master's
// lower adverts and takes over when its down timer expires (RFC 3768
// section 6.4.2, Preempt_Mode true).
func TestPreemptOn(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r2.Start)
	s.At(sec(10), r1.Start)
	s.RunUntil(sec(20))
	wantMasterAt(t, r2, "VI_1", us(3648437))
	wantMasterAt(t, r1, "VI_1", sec(10)+us(3609375))
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestPreemptOff: with nopreempt the higher-priority backup never takes
// over a live master (RFC 3768 section 6.4.2, Preempt_Mode false).
func TestPreemptOff(t *testing.T) {
	c1 := cfg("VI_1", 51, 100, "10.0.0.100")
	c1.Nopreempt = true
	s, r1, r2 := pair(Options{}, c1, cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r2.Start)
	s.At(sec(10), r1.Start)
	s.RunUntil(sec(60))
	wantMasters(t, s, "r2/VI_1")
	golden(t, s)
}

// TestPreemptDelay: keepalived accepts lower-priority adverts for
// preempt_delay after the first one, then discards them and takes over one
// master down interval after the last accepted advert (reference 6.5).
func TestPreemptDelay(t *testing.T) {
	c1 := cfg("VI_1", 51, 100, "10.0.0.100")
	c1.PreemptDelay = 15 * time.Second
	s, r1, r2 := pair(Options{}, c1, cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r2.Start)
	s.At(ms(10000), r1.Start)
	s.RunUntil(sec(35))
	// r2 master at 3.648437 sends every second; r1 hears the first at
	// 10.648437 (preempt until 25.648437, exclusive: keepalived compares
	// preempt_time > now), accepts up to the one at 24.648437 and takes
	// over 3.609375 s after it.
	wantMasterAt(t, r1, "VI_1", us(24648437)+us(3609375))
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestPartitionHeal: each side of a partition elects its own master; on
// heal the lower-priority master yields to the higher one's advert and the
// higher answers the lower advert at once with an advert and gratuitous
// ARPs (RFC 3768 section 6.4.3, reference 6.5).
func TestPartitionHeal(t *testing.T) {
	s, r1, r2 := pair(Options{Delay: us(200)}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), func() { s.Partition([]string{"r1"}, []string{"r2"}) })
	s.At(ms(20300), s.Heal)
	s.RunUntil(sec(30))
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestTrackingPriority: tracking lowers the master's effective priority
// below the backup's; the backup discards the lower adverts and takes
// over; when the priority comes back, the first router preempts again
// (reference 4.3, 6.5).
func TestTrackingPriority(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), func() { r1.Priority("VI_1", 80) })
	s.At(ms(20500), func() { r1.Priority("VI_1", 100) })
	s.RunUntil(sec(30))
	// r2 accepted r1's last prio-100 advert at 10.609375? No: r1's advert at
	// 10.609375 already carries 80, so r2's timer runs from 9.609375.
	wantMasterAt(t, r2, "VI_1", us(9609375)+us(3648437))
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestTrackingPriorityClamp: effective priority is clamped to 1..254 and an
// owner's 255 never moves (reference 4.3, 5.5).
func TestTrackingPriorityClamp(t *testing.T) {
	owner := cfg("VI_1", 51, 255, "10.0.0.100")
	owner.WantMaster = true
	s, r1, r2 := pair(Options{}, owner, cfg("VI_1", 51, 100, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(sec(2), func() { r1.Priority("VI_1", 10) })
	s.At(sec(3), func() { r2.Priority("VI_1", 400) })
	s.At(sec(4), func() { r2.Priority("VI_1", -50) })
	s.RunUntil(sec(6))
	if p := r1.Instance("VI_1").Status().EffectivePriority; p != 255 {
		t.Errorf("owner priority %d", p)
	}
	if p := r2.Instance("VI_1").Status().EffectivePriority; p != 1 {
		t.Errorf("clamped priority %d, want 1", p)
	}
	golden(t, s)
}

// TestFault: a master going FAULT sends priority 0 (twice, as keepalived
// does) and drops its VIPs; the backup takes over after its skew time. When
// the fault clears the router comes back as BACKUP with a full down timer
// and preempts (reference 6.5 FAULT).
func TestFault(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), func() { r1.Fault("VI_1", "eth0", true) })
	s.At(ms(20500), func() { r1.Fault("VI_1", "eth0", false) })
	s.RunUntil(sec(30))
	wantMasterAt(t, r2, "VI_1", ms(10500)+us(648437))
	wantMasterAt(t, r1, "VI_1", ms(20500)+us(3609375))
	if st := r1.Instance("VI_1").Stats(); st.PriZeroSent != 1 || st.ReleaseMaster != 1 {
		t.Errorf("stats %+v", st)
	}
	golden(t, s)
}

// TestOwnerFault: an owner recovering from FAULT comes back as BACKUP with
// the normal down timer, not at once (reference 5.5).
func TestOwnerFault(t *testing.T) {
	owner := cfg("VI_1", 51, 255, "10.0.0.100")
	owner.WantMaster = true
	s, r1, r2 := pair(Options{}, owner, cfg("VI_1", 51, 100, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(5500), func() { r1.Fault("VI_1", "chk", true) })
	s.At(ms(15500), func() { r1.Fault("VI_1", "chk", false) })
	s.RunUntil(sec(22))
	wantMasterAt(t, r1, "VI_1", ms(15500)+us(3003906))
	golden(t, s)
}

// TestSyncGroup: members of a sync group become master together, and a
// fault on one member takes the whole group to FAULT on that router, so the
// other router's group takes over both VRIDs (reference 8.1).
func TestSyncGroup(t *testing.T) {
	s := New(Options{})
	r1 := s.AddRouter("r1", "10.0.0.1", "", "G1", cfg("VI_1", 1, 100, "10.0.0.101"), cfg("VI_2", 2, 100, "10.0.0.102"))
	r2 := s.AddRouter("r2", "10.0.0.2", "", "G1", cfg("VI_1", 1, 90, "10.0.0.101"), cfg("VI_2", 2, 90, "10.0.0.102"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(10500), func() { r1.Fault("VI_2", "eth1", true) })
	s.At(ms(20500), func() { r1.Fault("VI_2", "eth1", false) })
	s.RunUntil(sec(30))
	wantMasterAt(t, r1, "VI_1", ms(20500)+us(3609375))
	wantMasterAt(t, r1, "VI_2", ms(20500)+us(3609375))
	wantMasterAt(t, r2, "VI_1", ms(10500)+us(648437))
	wantMasterAt(t, r2, "VI_2", ms(10500)+us(648437))
	wantMasters(t, s, "r1/VI_1", "r1/VI_2")
	golden(t, s)
}

// TestReconfigureMidElection: a backup reconfigured to a higher priority
// before the election ends restarts its down timer with the new priority
// and then preempts the master elected meanwhile (reference 6.8).
func TestReconfigureMidElection(t *testing.T) {
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(sec(2), func() { r2.Reconfigure("VI_1", cfg("VI_1", 51, 110, "10.0.0.100")) })
	s.RunUntil(sec(10))
	wantMasterAt(t, r1, "VI_1", us(3609375))
	wantMasterAt(t, r2, "VI_1", sec(2)+us(3570312))
	wantMasters(t, s, "r2/VI_1")
	golden(t, s)
}

// TestV3Fast: VRRPv3 at advert_int 0.1 s: skew ((256-90) x 10 cs)/256 =
// 64.843 ms, master down 364.843 ms (RFC 5798 section 6.1).
func TestV3Fast(t *testing.T) {
	s, r1, r2 := pair(Options{}, v3(cfg("VI_1", 51, 100, "10.0.0.100"), ms(100)), v3(cfg("VI_1", 51, 90, "10.0.0.100"), ms(100)))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(2050), r1.Crash)
	s.RunUntil(sec(3))
	wantMasterAt(t, r1, "VI_1", us(360937))
	// Last advert of r1: 0.360937 + 16 x 0.1 = 1.960937.
	wantMasterAt(t, r2, "VI_1", us(1960937)+us(364843))
	golden(t, s)
}

// TestV3BackupAdoptsInterval: a VRRPv3 backup uses the master's advert
// interval for its timers (RFC 5798 section 6.4.2 Master_Adver_Interval).
func TestV3BackupAdoptsInterval(t *testing.T) {
	s, r1, r2 := pair(Options{}, v3(cfg("VI_1", 51, 100, "10.0.0.100"), ms(500)), v3(cfg("VI_1", 51, 90, "10.0.0.100"), sec(2)))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(5000), r1.Crash)
	s.RunUntil(sec(8))
	// r1: 1.5 + 0.304687 = 1.804687, adverts every 0.5 s, last at 4.804687;
	// r2 with the master's 0.5 s: 1.5 + ((166 x 50 x 625) / 16 us) = 1.824218.
	wantMasterAt(t, r1, "VI_1", us(1804687))
	wantMasterAt(t, r2, "VI_1", us(4804687)+us(1824218))
	golden(t, s)
}

// TestUnicast: unicast peers, IPv6, v3.
func TestUnicastIPv6(t *testing.T) {
	c1 := v3(cfg("VI_6", 7, 100, "fe80::100"), sec(1))
	c1.IPv6, c1.UnicastPeers = true, addrs("fe80::2")
	c2 := c1
	c2.Priority, c2.UnicastPeers = 90, addrs("fe80::1")
	s, r1, r2 := pair(Options{}, c1, c2)
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.At(ms(6500), r1.Stop)
	s.RunUntil(sec(8))
	wantMasterAt(t, r1, "VI_6", us(3609375))
	wantMasterAt(t, r2, "VI_6", ms(6500)+us(648437))
	golden(t, s)
}

// TestLossNoFlap: 5% loss at advert_int 1 with three adverts in the down
// interval: no takeover in 10 minutes with this seed (transcript shows
// none), while VIPs stay only on masters.
func TestLossNoFlap(t *testing.T) {
	s, r1, r2 := pair(Options{Loss: 0.05, Seed: 7, Quiet: true}, cfg("VI_1", 51, 100, "10.0.0.100"), cfg("VI_1", 51, 90, "10.0.0.100"))
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.RunUntil(10 * time.Minute)
	wantMasters(t, s, "r1/VI_1")
	golden(t, s)
}

// TestSyncGroupWaits: a member whose own VRID has no master may not go
// MASTER while another member of its group still sees a live master; it
// waits, re-arming a full master down interval each time, and the whole
// group moves when the other member's master dies (reference 8.1,
// vrrp_sync_can_goto_master).
func TestSyncGroupWaits(t *testing.T) {
	s := New(Options{})
	r1 := s.AddRouter("r1", "10.0.0.1", "", "G1", cfg("VI_1", 1, 100, "10.0.0.101"), cfg("VI_2", 2, 100, "10.0.0.102"))
	r2 := s.AddRouter("r2", "10.0.0.2", "", "", cfg("VI_1", 1, 200, "10.0.0.101"))
	s.At(0, r2.Start)
	s.At(0, r1.Start)
	s.At(ms(12500), r2.Crash)
	s.RunUntil(sec(20))
	// r2 master of VRID 1 at 3.218750; r1's VI_2 finds no master but
	// waits for VI_1; r2 crashes, its last advert at 12.218750, and r1's
	// VI_1 expires 3.609375 s later, taking VI_2 along.
	wantMasterAt(t, r2, "VI_1", us(3218750))
	wantMasterAt(t, r1, "VI_1", us(12218750)+us(3609375))
	wantMasterAt(t, r1, "VI_2", us(12218750)+us(3609375))
	wantMasters(t, s, "r1/VI_1", "r1/VI_2")
	golden(t, s)
}

// TestSyncGroupScriptPending: a sync group whose member VI_2 tracks an
// unweighted script that has not reported yet starts as keepalived 2.2.7
// does (issue 14): both members wait in FAULT ("init hold", which the
// daemon neither logs nor notifies) until the script's first result; a
// success takes VI_2, then the group and VI_1, to BACKUP, and they elect
// together. On r2 the script fails at once: VI_2 reports the FAULT it was
// in, then the group goes FAULT, and both stay there.
func TestSyncGroupScriptPending(t *testing.T) {
	s := New(Options{})
	r1 := s.AddRouter("r1", "10.0.0.1", "", "G1", cfg("VI_1", 1, 100, "10.0.0.101"), cfg("VI_2", 2, 100, "10.0.0.102"))
	r2 := s.AddRouter("r2", "10.0.0.2", "", "G1", cfg("VI_1", 1, 90, "10.0.0.101"), cfg("VI_2", 2, 90, "10.0.0.102"))
	s.At(0, func() { r1.StartAwaiting("chk", "VI_2") })
	s.At(0, func() { r2.StartAwaiting("chk", "VI_2") })
	s.At(ms(20), func() { r1.ScriptResult("VI_2", "chk", true) })
	s.At(ms(20), func() { r2.ScriptResult("VI_2", "chk", false) })
	s.RunUntil(sec(10))
	wantMasterAt(t, r1, "VI_1", ms(20)+us(3609375))
	wantMasterAt(t, r1, "VI_2", ms(20)+us(3609375))
	wantMasters(t, s, "r1/VI_1", "r1/VI_2")
	for _, name := range []string{"VI_1", "VI_2"} {
		if st := r2.Instance(name).State(); st != vrrp.StateFault {
			t.Errorf("r2 %s is %v, want FAULT", name, st)
		}
	}
	golden(t, s)
}

// TestAdvertIntervalMismatch: VRRPv2 routers with different advert_int drop
// each other's adverts ("to prevent concurrent VRID running", RFC 3768
// section 7.1 "MUST verify that the Adver Interval ... is the same"), so
// both end up master: keepalived's behaviour, and the simulator's
// single-master invariant reports it.
func TestAdvertIntervalMismatch(t *testing.T) {
	c2 := cfg("VI_1", 51, 90, "10.0.0.100")
	c2.AdvertInt = 2 * time.Second
	s, r1, r2 := pair(Options{}, cfg("VI_1", 51, 100, "10.0.0.100"), c2)
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	s.RunUntil(sec(30))
	wantMasterAt(t, r1, "VI_1", us(3609375))
	wantMasterAt(t, r2, "VI_1", sec(6)+us(648437))
	wantMasters(t, s, "r1/VI_1", "r2/VI_1")
	if st := r2.Instance("VI_1").Stats(); st.AdvertIntervalErr == 0 || st.AdvertRcvd != 0 {
		t.Errorf("r2 stats %+v", st)
	}
	v := strings.Join(s.Violations(), "\n")
	if !strings.Contains(v, "r2 VI_1 (prio 90, nopreempt false) took over from live master r1") || !strings.Contains(v, "VRID 51 has 2 masters") {
		t.Errorf("violations %v, want the takeover and the two masters reported", v)
	}
	path := filepath.Join("testdata", t.Name()+".txt")
	if *update {
		if err := os.WriteFile(path, []byte(s.Transcript()), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(path); err != nil || string(want) != s.Transcript() {
		t.Errorf("transcript differs from %s (%v):\n%s", path, err, diff(string(want), s.Transcript()))
	}
}

// TestPartitionHealWinnerSilent is the heal order where the losing master
// hears the winner first: it yields without a word, so the winner never
// hears a lower-priority advert and sends no gratuitous ARP (keepalived
// 2.2.7's behaviour: clients keep the loser's MAC until their ARP entry
// expires). With higher_prio_send_advert the loser sends one advert before
// yielding, the winner answers it with an advert and its lower-priority
// GARPs, and clients move at once (reference 6.5).
func TestPartitionHealWinnerSilent(t *testing.T) {
	for _, send := range []bool{false, true} {
		c2 := cfg("VI_1", 51, 90, "10.0.0.100")
		c2.HigherPrioSendAdvert = send
		s, r1, r2 := pair(Options{Delay: us(200)}, cfg("VI_1", 51, 100, "10.0.0.100"), c2)
		s.Note("higher_prio_send_advert %v on r2", send)
		s.At(0, r1.Start)
		s.At(0, r2.Start)
		s.At(ms(10500), func() { s.Partition([]string{"r1"}, []string{"r2"}) })
		// r1 sends at .609375, r2 at .258012: healing at 20.3 makes r1's
		// advert reach r2 first.
		s.At(ms(20300), s.Heal)
		s.RunUntil(sec(22))
		wantMasters(t, s, "r1/VI_1")
		garp := strings.Contains(s.Transcript(), "20.609775 r1 VI_1 garp x5")
		if garp != send {
			t.Errorf("higher_prio_send_advert %v: winner's GARP after heal %v", send, garp)
		}
		if send {
			golden(t, s)
		}
	}
}
