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

// ka243Auth is how both nodes of a keepalived 2.4.3 pair table are
// authenticated.
type ka243Auth struct {
	Name string // the rows' prefix in BENCHMARKS-ha.md: "hmac", "plain"
	// HMAC is the auth_hmac block body on both nodes; "" is plain VRRP:
	// v2 auth_type PASS (auth_pass kge1), what the keepalived 2.2.7 pairs
	// of TestScenarios and make bench-ha use.
	HMAC string
	// AdvertLen is the VRRP length tcpdump shows for every advert of the
	// pair: v2 with one VIP is 8 + 4 + 8 bytes of auth data, 20; auth_hmac
	// adds its 28-byte trailer (and sends auth type 0), 48.
	AdvertLen int
}

var (
	authHMAC  = ka243Auth{Name: "hmac", HMAC: pairHMAC, AdvertLen: 48}
	authPlain = ka243Auth{Name: "plain", AdvertLen: 20}
	// ka243Auths: issue 12's mixed pairs run with and without auth_hmac.
	ka243Auths = []ka243Auth{authHMAC, authPlain}
)

// ka243Scenario is a scenario of scenarios (by name) and the node that
// must hold the VIP after it.
type ka243Scenario struct {
	Name   string
	Holder string // lb1 or lb2
	Only   bool   // Holder is the only node holding the VIP
}

// ka243Scenarios are the scenarios of the keepalived 2.4.3 pair tables
// (names in scenarios), each with the node that must hold the VIP after
// it: after a SIGKILL the crashed lb1 keeps its address configured (the
// host is gone as far as clients are concerned), so only lb2 is checked.
var ka243Scenarios = []ka243Scenario{
	{"sigkill", "lb2", false},
	{"sigterm", "lb2", true},
	{"preempt-back", "lb1", true},
	{"nopreempt-back", "lb2", true},
}

// ka243Quick is what TestKA243Pairs runs in make test, by auth and
// scenario: each role's SIGKILL takeover with and without auth_hmac (held
// 5.5 s first: each implementation accepts the other's adverts as
// backup), and without auth_hmac ours returning nopreempt beside a 2.4.3
// master (it stays silent for 6 s). The plain runs cost 42 s beside the
// 28 s of the auth_hmac ones (2026-12-02, the shared 2-core machine); the whole
// table, both auths x four scenarios x {ours+2.4.3, 2.4.3+ours,
// 2.4.3+2.4.3} in one run, is behind KGE_LONG=1 (make test-long) and in
// make bench-ha with ours+ours besides.
var ka243Quick = map[string][]combo{
	"hmac sigkill":         {ok3, k3o},
	"plain sigkill":        {ok3, k3o},
	"plain nopreempt-back": {ok3},
}

// TestKA243Pairs (issue 12, item 3): keepalived 2.4.3 beside us, ours in
// each role, with auth_hmac enforce on both and without it (v2 auth PASS),
// against 2.4.3+2.4.3 as the reference in the same run: SIGKILL and
// SIGTERM of the master (the backup takes over within the protocol
// bound), the old master returning with preemption (it takes the VIP back
// within its master-down interval) and with nopreempt (it stays backup,
// the VIP stays on lb2). A 2.4.3 node in enforce mode drops unsigned
// adverts, so ours electing beside it (and not taking the VIP while the
// master lives) shows it signs, and 2.4.3's adverts accepted by ours show
// it verifies. make test runs ka243Quick; KGE_LONG=1 the whole table.
func TestKA243Pairs(t *testing.T) {
	long := longTier()
	for _, a := range ka243Auths {
		t.Run(a.Name, func(t *testing.T) {
			for _, s := range ka243Scenarios {
				combos := ka243Quick[a.Name+" "+s.Name]
				if long {
					combos = []combo{ok3, k3o, k3k3}
				}
				for _, c := range combos {
					t.Run(s.Name+"/"+c.String(), func(t *testing.T) { runKA243(t, a, s, c) })
				}
			}
		})
	}
}

// pairStarted, when set, is called by startPair with every pair it has
// started (runKA243 holds the pair and keeps it for its checks).
var pairStarted func(testing.TB, *pair)

// runKA243 runs scenario k for one pairing with auth
// a on both nodes, checks it beyond the scenario's own assertions and
// reports its measures, named "AUTH SCENARIO" (hmac sigkill, plain
// sigkill, ...). Before a SIGKILL or a SIGTERM the pair is held 5.5 s
// past the backup's start, past its master-down interval (holdPair): a backup that
// dropped the master's adverts would have taken the VIP by then (and
// would fake a fast takeover). After the scenario: the right node holds
// the VIP, a takeover with a protocol bound is within it plus slack(),
// every advert on the wire has a's length, and neither node's logs (every
// daemon run of the scenario) carry an authentication complaint.
func runKA243(t *testing.T, a ka243Auth, k ka243Scenario, c combo) {
	name := k.Name
	var s scenario
	for _, x := range scenarios {
		if x.Name == name {
			s = x
		}
	}
	if s.Run == nil {
		t.Fatalf("no scenario %q", name)
	}
	var p *pair
	scenarioHMAC = a.HMAC
	pairStarted = func(t testing.TB, q *pair) {
		p = q
		if name == "sigkill" || name == "sigterm" {
			holdPair(t, q)
		}
	}
	defer func() { scenarioHMAC, pairStarted = "", nil }()
	ms := s.Run(t, c)
	if p == nil {
		t.Fatalf("%s: no pair started", name)
	}
	if k.Only {
		if h := holders(p.L, lanVIP, "lb1", "lb2"); len(h) != 1 || h[0] != k.Holder {
			t.Errorf("%s %s: VIP held by %v, want [%s]", a.Name, name, h, k.Holder)
		}
	} else if !p.L.Host(k.Holder).HasAddr(lanVIP) {
		t.Errorf("%s %s: %s does not hold the VIP", a.Name, name, k.Holder)
	}
	checkPairAuth(t, p, a)
	for _, m := range ms {
		if m.Bound > 0 {
			checkWithin(t, name+" takeover", m.Takeover, m.Bound, slack())
		}
		m.Scenario = a.Name + " " + m.Scenario
		report(t, m)
	}
}

// checkHMACPair holds a started auth_hmac pair past the backup's
// master-down interval and checks its adverts and logs (checkPairAuth).
func checkHMACPair(t *testing.T, p *pair) {
	t.Helper()
	holdPair(t, p)
	checkPairAuth(t, p, authHMAC)
}

// holdPair holds a started pair 4 s more, 5.5 s past the backup's start
// (the master-down interval of priority 90 is 3.65 s, from the end of its
// start-up): a backup that dropped the master's adverts holds the VIP by
// then.
func holdPair(t testing.TB, p *pair) {
	t.Helper()
	time.Sleep(4 * time.Second)
	if p.B.HasAddr(lanVIP) {
		t.Fatalf("%s: backup took the VIP beside a live master", p.name())
	}
}

// authComplaints are log lines keepalived 2.4.3 (keepalived/vrrp/vrrp.c)
// and ours write about an advert whose authentication is wrong.
var authComplaints = []string{"authentication trailer", "authentication HMAC", "authentication key id", "disabling extension",
	"authentication clock skew", "Invalid auth type", "invalid passwd", "AH header", "auth_hmac"}

// checkPairAuth checks a pair's wire and logs so far: at least 3 adverts
// captured, every one of a.AdvertLen bytes (the trailer on each with
// auth_hmac; PASS and no trailer without), and no authentication
// complaint in any daemon log of either host (nor the word auth_hmac:
// a warning about the block).
func checkPairAuth(t testing.TB, p *pair, a ka243Auth) {
	t.Helper()
	bad := authComplaints
	for _, h := range []*Host{p.M, p.B} {
		logs, _ := filepath.Glob(filepath.Join(h.Dir, "log", "keepalived-*.log"))
		for _, f := range logs {
			b, _ := os.ReadFile(f)
			for _, w := range bad {
				if strings.Contains(string(b), w) {
					t.Errorf("%s: %s logs %q:\n%s", h.Name, filepath.Base(f), w, b)
				}
			}
		}
	}
	caps, _ := filepath.Glob(filepath.Join(p.L.Dir, "tcpdump-*.txt"))
	adverts := 0
	want := fmt.Sprintf("length %d", a.AdvertLen)
	for _, f := range caps {
		b, _ := os.ReadFile(f)
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "VRRPv2, Advertisement") {
				adverts++
				if !strings.Contains(l, want+",") && !strings.HasSuffix(l, want) {
					t.Errorf("%s: advert not of %s: %s", a.Name, want, l)
				}
				if a.HMAC == "" && !strings.Contains(l, "authtype simple") {
					t.Errorf("plain: advert without auth PASS: %s", l)
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
// instances get (runKA243 sets it).
var scenarioHMAC string

// hmacCombos: ours+ours, ours beside keepalived 2.4.3 in each role, and
// 2.4.3+2.4.3 as the baseline measured in the same run.
var hmacCombos = []combo{oo, ok3, k3o, k3k3}

// runKA243Bench returns TestHABench's part for auth a (TestHABench/hmac,
// TestHABench/plain243): ka243Scenarios for every pairing of hmacCombos,
// one scenario's pairings after another in the same run, the rows named
// "hmac SCENARIO" or "plain SCENARIO".
func runKA243Bench(a ka243Auth) func(*testing.T) {
	return func(t *testing.T) {
		for _, s := range ka243Scenarios {
			t.Run(s.Name, func(t *testing.T) {
				for _, c := range hmacCombos {
					t.Run(c.String(), func(t *testing.T) { runKA243(t, a, s, c) })
				}
			})
		}
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
