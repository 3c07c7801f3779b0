package e2e

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// The auth_hmac block both nodes of the HMAC pairs carry: two keys (so a
// peer signing with either is accepted), key 1 active, enforce.
const pairHMAC = `key 1 hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
key 2 kge-second-key-0123456789abcdefghijkl
active_key 1
mode enforce`

var (
	k3k3 = combo{Keepalived243, Keepalived243}
	ok3  = combo{Ours, Keepalived243}
	k3o  = combo{Keepalived243, Ours}
)

// TestKA243Pairs: keepalived 2.4.3 beside us with auth_hmac in enforce
// mode, ours in each role (2.4.3+2.4.3, the baseline, is measured by
// TestHABench/hmac): the backup takes over on SIGKILL within the protocol
// bound. A 2.4.3 node in enforce mode
// drops unsigned adverts, so ours electing beside it (and not taking the VIP
// while the master lives) shows it signs, and 2.4.3's adverts accepted by
// ours show it verifies.
func TestKA243Pairs(t *testing.T) {
	for _, c := range []combo{ok3, k3o} {
		t.Run("hmac-sigkill/"+c.String(), func(t *testing.T) {
			p := startPair(t, c.M, c.B, pairOpts{HMAC: pairHMAC})
			checkHMACPair(t, p)
			m := p.failover("hmac-sigkill", p.crashBound(), p.crash)
			checkWithin(t, "takeover after SIGKILL", m.Takeover, m.Bound, slack())
			checkWithin(t, "client outage after SIGKILL", m.Outage.Dur(), m.Takeover, 400*time.Millisecond+slack())
			report(t, m)
		})
	}
}

// checkHMACPair holds a started pair past the master-down interval: a
// backup in enforce mode that dropped the master's adverts would take the
// VIP by then. Neither daemon may log an auth_hmac complaint, and every
// advert on the wire carries the 28-byte trailer (v2 with one VIP: 20 + 28).
func checkHMACPair(t *testing.T, p *pair) {
	t.Helper()
	time.Sleep(4 * time.Second)
	if p.B.HasAddr(lanVIP) {
		t.Fatalf("%s: backup took the VIP beside a live signing master", p.name())
	}
	for _, h := range []*Host{p.M, p.B} {
		log := h.Daemon().LogText()
		for _, bad := range []string{"authentication trailer", "authentication HMAC", "authentication key id", "disabling extension", "auth_hmac"} {
			if strings.Contains(log, bad) {
				t.Errorf("%s (%s) logs %q:\n%s", h.Name, h.Daemon().Impl, bad, log)
			}
		}
	}
	caps, _ := filepath.Glob(filepath.Join(p.L.Dir, "tcpdump-*.txt"))
	adverts := 0
	for _, f := range caps {
		b, _ := os.ReadFile(f)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "VRRPv2, Advertisement") {
				adverts++
				if !strings.Contains(l, "length 48") {
					t.Errorf("advert without the trailer: %s", l)
				}
			}
		}
	}
	if adverts < 3 {
		t.Errorf("%d adverts captured", adverts)
	}
}

// attackerSend sends a VRRP packet (no IP header) from c1, with source
// address src (spoofed when not c1's), to the VRRP group.
func attackerSend(t *testing.T, l *Lab, src netip.Addr, pkt []byte) {
	t.Helper()
	l.Host("c1").Must(l.Tools.Lab, "send", "-dev", "eth0", "-src", src.String(), "-dst", "224.0.0.18", hex.EncodeToString(pkt))
}

// forged is a VRRPv2 advert for the pair's VIP at priority 255, with auth
// PASS kge1 (sniffed from the wire) when pass.
func forged(src netip.Addr, pass bool) []byte {
	a := vrrp.Advert{Version: 2, VRID: 51, Priority: 255, AdverInt: time.Second, Addrs: []netip.Addr{lanVIP}}
	if pass {
		a.AuthType = vrrp.AuthPass
		copy(a.AuthData[:], "kge1")
	}
	return a.AppendEncode(nil, src, netip.MustParseAddr("224.0.0.18"))
}

// TestKA243Attacks (item 4 of issue 12): with auth_hmac enforce on ours
// (master) and keepalived 2.4.3 (backup), an advert replayed from a
// capture, one with a flipped byte, one signed with a key id neither
// holds, and an unsigned priority-255 advert from a host without the key
// are each dropped and counted by both, and the VIP never moves. The same
// priority-255 advert against auth PASS, and against no authentication,
// takes the VIP off the master (the time and the client outage reported).
func TestKA243Attacks(t *testing.T) {
	attacker := lanClient.Addr()
	t.Run("auth_hmac enforce", func(t *testing.T) {
		p := startPair(t, Ours, Keepalived243, pairOpts{HMAC: pairHMAC})
		caps := captureAdverts(t, p.L, p.M, 1500*time.Millisecond)
		capd := caps[51]
		if len(capd) != 20+48 {
			t.Fatalf("captured advert of %d bytes, want 68", len(capd))
		}
		vr := capd[20:]
		flipped := bytes.Clone(vr)
		flipped[2] = 255 // priority
		unknown := bytes.Clone(vr)
		unknown[2], unknown[20+1] = 255, 9 // priority, trailer key id
		start := time.Now()
		attackerSend(t, p.L, lbAddr(1).Addr(), vr) // replayed, as the master
		for i := 0; i < 3; i++ {
			attackerSend(t, p.L, attacker, forged(attacker, false))
			attackerSend(t, p.L, attacker, flipped)
			attackerSend(t, p.L, attacker, unknown)
			time.Sleep(300 * time.Millisecond)
		}
		time.Sleep(time.Second)
		if got := holders(p.L, lanVIP, "lb1", "lb2"); len(got) != 1 || got[0] != "lb1" {
			t.Errorf("VIP on %v after the attacks, want lb1 only", got)
		}
		// The VIP never moved: the backup sent no advert and no gratuitous
		// ARP, the master no priority-0 advert, since the first attack.
		if a, ok := p.L.Wire.Wait(start, 10*time.Millisecond, func(pk Packet) bool {
			return pk.Kind == "advert" && pk.Host == "lb2" || pk.Kind == "advert" && pk.Host == "lb1" && pk.Prio == 0 || pk.Garp && pk.Host == "lb2"
		}); ok {
			t.Errorf("the attacks moved the master role: %v", a)
		}
		t.Logf("longest client outage during the attacks: %v", p.Prober.Longest(start).Dur().Round(time.Millisecond))
		theirs := p.B.Daemon().LogText()
		for _, want := range []string{
			"replayed authentication trailer from 10.0.0.11",
			"missing authentication trailer from 10.0.0.100",
			"invalid authentication HMAC from 10.0.0.100",
			"unknown authentication key id 9 from 10.0.0.100",
		} {
			if !strings.Contains(theirs, want) {
				t.Errorf("keepalived 2.4.3 did not log %q", want)
			}
		}
		ours := p.M.Daemon().LogText()
		for _, want := range []string{
			"(VI_1) missing authentication trailer from 10.0.0.100",
			"(VI_1) invalid authentication HMAC from 10.0.0.100",
			"(VI_1) unknown authentication key id 9 from 10.0.0.100",
		} {
			if !strings.Contains(ours, want) {
				t.Errorf("ours did not log %q", want)
			}
		}
		p.M.Daemon().Signal(syscall.SIGUSR2)
		time.Sleep(500 * time.Millisecond)
		stats, _ := p.M.Run("sh", "-c", "cat /tmp/keepalived.stats \"$TMPDIR/keepalived.stats\" 2>/dev/null")
		for _, want := range []string{"    Missing: 3\n", "    Unknown Key: 3\n", "    Invalid HMAC: 3\n"} {
			if !strings.Contains(stats, want) {
				t.Errorf("our keepalived.stats lacks %q:\n%s", want, stats)
			}
		}
		t.Logf("auth_hmac enforce: 1 replay + 3 x (unsigned priority 255, flipped byte, unknown key id): VIP stayed on lb1")
	})
	// The same priority-255 advert against auth PASS (the password sniffed
	// from the wire) and against no authentication: it takes the VIP off
	// the master.
	for _, tc := range []struct {
		name string
		o    pairOpts
		pass bool
	}{
		{"auth PASS for contrast", pairOpts{}, true},
		{"no authentication for contrast", pairOpts{NoAuth: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPair(t, Ours, Keepalived243, tc.o)
			_, at, ok := p.L.Wire.AtPhase("lb1", 51, p.phase(), 5*time.Second)
			if !ok {
				t.Fatal("no advert from the master lb1")
			}
			attackerSend(t, p.L, attacker, forged(attacker, tc.pass))
			deadline := time.Now().Add(2 * time.Second)
			for p.M.HasAddr(lanVIP) && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if p.M.HasAddr(lanVIP) {
				t.Fatalf("%s: a forged priority-255 advert did not move the VIP off the master", tc.name)
			}
			took := time.Since(at)
			// Nobody holds the VIP until a node's master-down timer (reset
			// by the forged advert) expires: the outage lasts that long.
			if !p.Prober.WaitDown(at, 2*time.Second) {
				t.Errorf("%s: the client saw no outage with the VIP off the master", tc.name)
			}
			if !p.Prober.WaitServed("", 10*time.Second) {
				t.Fatalf("%s: client not served again within 10 s:%s", tc.name, p.Prober.Recent(8))
			}
			time.Sleep(200 * time.Millisecond)
			o := p.Prober.Longest(at)
			t.Logf("%s: one forged priority-255 advert took the VIP off the master after %v; client outage %v",
				tc.name, took.Round(time.Millisecond), o.Dur().Round(time.Millisecond))
			report(t, Measure{Scenario: "attack: forged priority 255, " + strings.TrimSuffix(tc.name, " for contrast"), Impls: p.name(),
				Event: at, Outage: o, Note: fmt.Sprintf("VIP off the master after %v", took.Round(time.Millisecond))})
		})
	}
}

// scenarioHMAC, when set, is an auth_hmac block every pair scenario's
// instances get (TestHABench/hmac runs the scenarios with it).
var scenarioHMAC string

// hmacCombos: ours+ours, ours beside keepalived 2.4.3 in each role, and
// 2.4.3+2.4.3 as the baseline measured in the same run.
var hmacCombos = []combo{oo, ok3, k3o, k3k3}

// runHMACBench runs the failover scenarios with auth_hmac enforce on both
// nodes for every HMAC pairing; the rows are named "hmac SCENARIO".
func runHMACBench(t *testing.T) {
	scenarioHMAC = pairHMAC
	defer func() { scenarioHMAC = "" }()
	for _, s := range scenarios {
		switch s.Name {
		case "sigkill", "sigterm", "preempt-back", "nopreempt-back":
		default:
			continue
		}
		t.Run(s.Name, func(t *testing.T) {
			for _, c := range hmacCombos {
				t.Run(c.String(), func(t *testing.T) {
					for _, m := range s.Run(t, c) {
						m.Scenario = "hmac " + m.Scenario
						report(t, m)
					}
				})
			}
		})
	}
}

// TestKA243Rolling (issue 12, item 3): a rolling migration of a keepalived
// 2.4.3 pair with auth_hmac enforce, the client polling the VIP
// throughout. Step 1: the backup lb2 is stopped (SIGTERM, as `systemctl
// stop` does) and ours started there with the same file; it must stay
// backup past its master-down interval (2.4.3's signed adverts accepted)
// with no client outage. Step 2: the master lb1 is stopped the same way;
// ours on lb2 takes over after its skew time: the one graceful handover.
// Step 3: ours starts on lb1 and preempts back (2.4.3 is gone: ours+ours).
// No step may cost the client more than one graceful handover.
func TestKA243Rolling(t *testing.T) {
	needLong(t)
	p := startPair(t, Keepalived243, Keepalived243, pairOpts{HMAC: pairHMAC})
	checkHMACPair(t, p)
	graceful := p.skew() + 400*time.Millisecond + slack()
	noAuthComplaint := func(h *Host) {
		t.Helper()
		log := h.Daemon().LogText()
		for _, bad := range []string{"authentication trailer", "authentication HMAC", "authentication key id", "disabling extension"} {
			if strings.Contains(log, bad) {
				t.Errorf("%s (%s) logs %q:\n%s", h.Name, h.Daemon().Impl, bad, log)
			}
		}
	}

	// 1: the backup becomes ours.
	s1 := time.Now()
	if !p.B.Daemon().Stop(5 * time.Second) {
		t.Fatal("keepalived 2.4.3 on lb2 did not exit within 5 s of SIGTERM")
	}
	p.B.StartDaemon(Ours)
	time.Sleep(5 * time.Second) // past ours' master-down interval (3.65 s)
	if h := holders(p.L, lanVIP, "lb1", "lb2"); len(h) != 1 || h[0] != "lb1" {
		t.Fatalf("step 1: VIP held by %v, want [lb1]", h)
	}
	if adv := p.L.Wire.Packets(s1, AdvertFrom("lb2", 51)); len(adv) > 0 {
		t.Errorf("step 1: ours on lb2 sent adverts beside the live 2.4.3 master: first %v", adv[0])
	}
	noAuthComplaint(p.B)
	m1 := Measure{Scenario: "rolling 1: backup lb2 2.4.3 -> ours", Impls: "keepalived-2.4.3+ours", Event: s1,
		Outage: p.Prober.Longest(s1), NewMaster: "lb1"}
	checkWithin(t, "client outage replacing the backup", m1.Outage.Dur(), 0, time.Second)
	report(t, m1)

	// 2: the master stops; ours on lb2 takes over.
	m2 := p.failover("rolling 2: master lb1 2.4.3 stopped", p.skew(), func() { p.M.Daemon().Signal(syscall.SIGTERM) })
	m2.Impls = "keepalived-2.4.3+ours"
	if !p.M.Daemon().Wait(5 * time.Second) {
		t.Errorf("keepalived 2.4.3 on lb1 did not exit within 5 s of SIGTERM")
	}
	checkWithin(t, "takeover after the master's SIGTERM", m2.Takeover, m2.Bound, slack())
	checkWithin(t, "client outage of the graceful handover", m2.Outage.Dur(), 0, graceful)
	report(t, m2)

	// 3: ours on lb1 takes the VIP back.
	s3 := time.Now()
	p.M.StartDaemon(Ours)
	adv, ok := p.L.Wire.Wait(s3, 10*time.Second, AdvertFrom("lb1", 51))
	if !ok {
		t.Fatal("step 3: ours on lb1 did not become master")
	}
	if !p.Prober.WaitServed("lb1", 5*time.Second) {
		t.Fatalf("step 3: client not served by lb1:%s", p.Prober.Recent(8))
	}
	time.Sleep(time.Second)
	if h := holders(p.L, lanVIP, "lb1", "lb2"); len(h) != 1 || h[0] != "lb1" {
		t.Errorf("step 3: VIP held by %v, want [lb1]", h)
	}
	noAuthComplaint(p.M)
	noAuthComplaint(p.B)
	m3 := Measure{Scenario: "rolling 3: ours on lb1 preempts back", Impls: "ours+ours", Event: s3, Takeover: adv.At.Sub(s3),
		Bound: 3*time.Second + 156*time.Second/256, Outage: p.Prober.Longest(s3), NewMaster: "lb1"}
	checkWithin(t, "client outage of the handback", m3.Outage.Dur(), 0, graceful)
	report(t, m3)
	t.Logf("rolling migration: outages %v, %v, %v (graceful handover bound %v)",
		m1.Outage.Dur().Round(time.Millisecond), m2.Outage.Dur().Round(time.Millisecond), m3.Outage.Dur().Round(time.Millisecond), graceful)
}

// ipv6Addr is lb i's global IPv6 address in TestKA243AcceptsOurIPv6.
func ipv6Addr(i int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom16([16]byte{0xfd, 0, 0, 0x12, 14: 0, 15: byte(0x10 + i)}), 64)
}

// TestKA243AcceptsOurIPv6 (issue 12, item 2): keepalived 2.4.3 as BACKUP
// in enforce mode beside ours as MASTER, VRRPv3 over IPv6, multicast
// (VRID 61, from the link-local address) and unicast (VRID 62, between the
// global addresses), auth_hmac on both: 2.4.3 stays BACKUP past its
// master-down interval and sends nothing, and its keepalived.stats show
// the adverts received with no authentication error of any kind.
func TestKA243AcceptsOurIPv6(t *testing.T) {
	needOurs(t)
	needKA243(t)
	var specs []HostSpec
	for i := 1; i <= 2; i++ {
		specs = append(specs, HostSpec{Name: fmt.Sprintf("lb%d", i),
			Ifaces: []IfaceSpec{{Name: "eth0", Addrs: []netip.Prefix{lbAddr(i)}}}})
	}
	l := New(t, tools, specs...)
	l.WatchWire()
	// The unicast sources without DAD: ours does not open a unicast socket
	// on a tentative address (keepalived 2.4.3 binds with IPV6_FREEBIND).
	for i := 1; i <= 2; i++ {
		l.Host(fmt.Sprintf("lb%d", i)).Must("ip", "addr", "add", ipv6Addr(i).String(), "dev", "eth0", "nodad")
	}
	vipM, vipU := netip.MustParseAddr("fd00:12::61"), netip.MustParseAddr("fd00:12::62")
	conf := func(me int) string {
		state, prio := "BACKUP", 90
		if me == 1 {
			state, prio = "MASTER", 100
		}
		m := Instance{Name: "VI_6M", State: state, Iface: "eth0", VRID: 61, Prio: prio, AdvertInt: "1", Version: 3,
			HMAC: pairHMAC, VIPs: []netip.Prefix{netip.PrefixFrom(vipM, 64)}}
		u := m
		u.Name, u.VRID, u.VIPs = "VI_6U", 62, []netip.Prefix{netip.PrefixFrom(vipU, 64)}
		u.Src, u.Peers = ipv6Addr(me).Addr(), []netip.Addr{ipv6Addr(3 - me).Addr()}
		return Conf(fmt.Sprintf("lb%d", me), m, u)
	}
	m, b := l.Host("lb1"), l.Host("lb2")
	m.WriteConf(conf(1))
	b.WriteConf(conf(2))
	m.StartDaemon(Ours)
	waitVIP(t, m, vipM, 20*time.Second)
	waitVIP(t, m, vipU, 20*time.Second)
	start := time.Now()
	b.StartDaemon(Keepalived243)
	time.Sleep(7 * time.Second) // past 2.4.3's master-down interval (3 s + skew), and its addresses' DAD
	for _, vip := range []netip.Addr{vipM, vipU} {
		if h := holders(l, vip, "lb1", "lb2"); len(h) != 1 || h[0] != "lb1" {
			t.Errorf("VIP %s held by %v, want [lb1]", vip, h)
		}
	}
	for _, vrid := range []int{61, 62} {
		if adv := l.Wire.Packets(start, AdvertFrom("lb2", vrid)); len(adv) > 0 {
			t.Errorf("keepalived 2.4.3 sent adverts for VRID %d beside our master: first %v", vrid, adv[0])
		}
		if n := len(l.Wire.Packets(start, AdvertFrom("lb1", vrid))); n < 5 {
			caps, _ := filepath.Glob(filepath.Join(l.Dir, "tcpdump-*.txt"))
			var lines []string
			for _, f := range caps {
				b, _ := os.ReadFile(f)
				for _, ln := range strings.Split(string(b), "\n") {
					if strings.Contains(ln, fmt.Sprintf("vrid %d,", vrid)) && len(lines) < 5 {
						lines = append(lines, filepath.Base(f)+": "+ln)
					}
				}
			}
			t.Errorf("%d adverts of ours for VRID %d on the wire since 2.4.3 started; tcpdump saw:\n%s", n, vrid, strings.Join(lines, "\n"))
		}
	}
	b.Daemon().Signal(syscall.SIGUSR2)
	time.Sleep(500 * time.Millisecond)
	stats, _ := b.Run("sh", "-c", "cat /tmp/keepalived.stats \"$TMPDIR/keepalived.stats\" 2>/dev/null")
	for _, name := range []string{"VI_6M", "VI_6U"} {
		_, sec, ok := strings.Cut(stats, "VRRP Instance: "+name+"\n")
		if !ok {
			t.Fatalf("keepalived 2.4.3's keepalived.stats has no %s:\n%s", name, stats)
		}
		if i := strings.Index(sec, "VRRP Instance: "); i >= 0 {
			sec = sec[:i]
		}
		var rcvd int
		if _, err := fmt.Sscanf(sec, "  Advertisements:\n    Received: %d", &rcvd); err != nil || rcvd < 5 {
			t.Errorf("%s: 2.4.3 received %d adverts (%v):\n%s", name, rcvd, err, sec)
		}
		for _, want := range []string{"    Type Mismatch: 0\n", "    Failure: 0\n", "    Missing: 0\n", "    Malformed: 0\n",
			"    Unknown Key: 0\n", "    Invalid HMAC: 0\n", "    Stale: 0\n", "    Replay: 0\n", "  Became master: 0\n"} {
			if !strings.Contains(sec, want) {
				t.Errorf("%s: 2.4.3's stats lack %q:\n%s", name, want, sec)
			}
		}
		t.Logf("%s: keepalived 2.4.3 as backup received %d of our signed IPv6 adverts, no authentication error", name, rcvd)
	}
	log := b.Daemon().LogText()
	for _, bad := range []string{"authentication trailer", "authentication HMAC", "authentication key id", "Entering MASTER"} {
		if strings.Contains(log, bad) {
			t.Errorf("keepalived 2.4.3 logs %q:\n%s", bad, log)
		}
	}
}
