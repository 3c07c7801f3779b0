package e2e

// auth_type AH (issue 12, item 5) on the wire beside keepalived 2.2.7:
// the advert bytes of the same configuration, ours against 2.2.7's, in
// the six variants of the 2.4.3 comparison plus AH over multicast and
// unicast; and mixed pairs electing and failing over with AH.

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// scenarioAH, when set, gives every pair scenario's instances auth_type AH
// instead of PASS.
var scenarioAH bool

// wire227Variants are compared against keepalived 2.2.7, variant i as
// VRID 100+i.
var wire227Variants = append(append([]wireVariant(nil), wireVariants...),
	wireVariant{name: "v2 AH", version: 2, ah: true},
	wireVariant{name: "v2 AH unicast", version: 2, ah: true, unicast: true},
)

func wire227Conf() string {
	var b strings.Builder
	b.WriteString("global_defs {\n    router_id lb1\n}\n")
	for i, v := range wire227Variants {
		writeVariant(&b, v, 100+i, false)
	}
	return b.String()
}

// maskedAH is masked(b) with, for an AH datagram, the AH sequence number
// and ICV zeroed too (both per advert: the ICV covers the identification).
func maskedAH(b []byte, ipv6, ah bool) []byte {
	m := masked(b, ipv6, false)
	if ah && len(m) >= 20+vrrp.AHLen {
		clear(m[20+8 : 20+vrrp.AHLen])
	}
	return m
}

// checkAHWire hands a captured AH datagram (lb1 to the group or to lb2)
// to one of our VRRP instances configured as lb2's backup with the
// configuration's password: it must accept it (ICV, SPI, sequence).
func checkAHWire(d []byte, vrid int, unicast bool) error {
	hdrs, p, ok := vrrp.SplitAH(d)
	if !ok {
		return fmt.Errorf("not an AH datagram: % x", d)
	}
	var key [8]byte
	copy(key[:], "kge1")
	c := vrrp.Config{Name: "check", VRID: uint8(vrid), Version: 2, Priority: 50, AdvertInt: time.Second,
		VIPs: []netip.Addr{netip.AddrFrom4([4]byte{10, 0, byte(vrid), 10})}, Src: lbAddr(2).Addr(),
		McastGroup: vrrp.MulticastGroup4, UnicastTTL: 255, AuthType: vrrp.AuthAH, AuthPass: key, DownTimerAdverts: 3}
	if unicast {
		c.UnicastPeers = []netip.Addr{lbAddr(1).Addr()}
	}
	in, err := vrrp.NewInstance(c)
	if err != nil {
		return err
	}
	now := time.Now()
	in.Step(now, vrrp.Startup{})
	var logs []string
	r := vrrp.Received{Src: netip.AddrFrom4([4]byte(d[12:16])), Dst: netip.AddrFrom4([4]byte(d[16:20])), TTL: d[8],
		IPLen: len(d), Packet: p, AH: hdrs}
	for _, a := range in.Step(now.Add(time.Millisecond), &r) {
		if l, ok := a.(vrrp.Log); ok {
			logs = append(logs, l.Msg)
		}
	}
	if st := in.Stats(); st.AdvertRcvd != 1 || st.AuthFailure != 0 || st.AuthTypeMismatch != 0 {
		return fmt.Errorf("our backup did not accept it: %+v %q", st.KeepalivedStats, logs)
	}
	return nil
}

// TestKA227WireBytes: for every variant, our advert has keepalived
// 2.2.7's bytes, apart from the per-packet fields: the IPv4
// identification and header checksum, and with AH the sequence number
// and the ICV, which each side's must verify with the configuration's
// password.
func TestKA227WireBytes(t *testing.T) {
	needOurs(t)
	l := newLAN(t, 2)
	var vrids []int
	for i := range wire227Variants {
		vrids = append(vrids, 100+i)
	}
	theirs := runForAdvertsOf(t, l, Keepalived, wire227Conf(), vrids)
	ours := runForAdvertsOf(t, l, Ours, wire227Conf(), vrids)
	for i, v := range wire227Variants {
		vrid := 100 + i
		t.Run(v.name, func(t *testing.T) {
			a, b := theirs[vrid], ours[vrid]
			if a == nil || b == nil {
				t.Fatalf("no advert for VRID %d: keepalived 2.2.7 %d bytes, ours %d bytes", vrid, len(a), len(b))
			}
			if !bytes.Equal(maskedAH(a, v.ipv6, v.ah), maskedAH(b, v.ipv6, v.ah)) {
				t.Errorf("VRID %d differs:\nkeepalived 2.2.7 % x\nours             % x", vrid, a, b)
			}
			if !v.ah {
				return
			}
			if a[9] != vrrp.ProtoAH {
				t.Errorf("keepalived 2.2.7's AH advert is protocol %d", a[9])
			}
			for who, p := range map[string][]byte{"keepalived 2.2.7": a, "ours": b} {
				if err := checkAHWire(p, vrid, v.unicast); err != nil {
					t.Errorf("%s's advert: %v", who, err)
				}
			}
		})
	}
}

// checkAHPair holds a started AH pair past the master-down interval (a
// backup dropping the master's adverts would take the VIP by then):
// neither daemon may complain about AH, and every advert on the wire is
// an AH one.
func checkAHPair(t *testing.T, p *pair) {
	t.Helper()
	time.Sleep(4 * time.Second)
	if p.B.HasAddr(lanVIP) {
		t.Fatalf("%s: backup took the VIP beside a live AH master", p.name())
	}
	for _, h := range []*Host{p.M, p.B} {
		log := h.Daemon().LogText()
		for _, bad := range []string{"IPSEC", "AH header", "auth type", "authentication type"} {
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
				if !strings.Contains(l, ": AH(") || !strings.Contains(l, "authtype ah") {
					t.Errorf("advert without AH: %s", l)
				}
			}
		}
	}
	if adverts < 3 {
		t.Errorf("%d adverts captured", adverts)
	}
}

// TestKA227AHPairs: ours beside keepalived 2.2.7 with auth_type AH, ours
// in each role: they elect (the backup stays backup past the master-down
// interval), the backup takes over on SIGKILL, and a restarted master
// (its AH counter back at zero) takes the VIP back with preemption, which
// needs keepalived's shared counter (it continues above the numbers it
// heard, or the master it preempts would drop its adverts as replays).
func TestKA227AHPairs(t *testing.T) {
	needLong(t)
	scenarioAH = true
	defer func() { scenarioAH = false }()
	for _, c := range []combo{ok, ko} {
		t.Run("ah-sigkill/"+c.String(), func(t *testing.T) {
			p := startPair(t, c.M, c.B, pairOpts{})
			checkAHPair(t, p)
			m := p.failover("ah-sigkill", p.crashBound(), p.crash)
			checkWithin(t, "takeover after SIGKILL", m.Takeover, m.Bound, slack())
			checkWithin(t, "client outage after SIGKILL", m.Outage.Dur(), m.Takeover, 400*time.Millisecond+slack())
			report(t, m)
		})
		t.Run("ah-preempt-back/"+c.String(), func(t *testing.T) {
			for _, m := range runPreemptBack(t, c) {
				m.Scenario = "ah " + m.Scenario
				report(t, m)
			}
		})
	}
}
