package e2e

// Advert bytes on the wire, ours against keepalived 2.4.3's for the same
// configuration: the six variants (v2 PASS, v2 none, v3 IPv4, v3 IPv6
// link-local, v2 unicast, v3 unicast), each without and with auth_hmac,
// as twelve instances of one configuration run by each daemon in turn.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// wireVariant is one instance of the comparison configuration.
type wireVariant struct {
	name    string
	version int
	pass    bool
	ipv6    bool
	unicast bool
	ah      bool // auth_type AH (the keepalived 2.2.7 comparison)
}

var wireVariants = []wireVariant{
	{name: "v2 PASS", version: 2, pass: true},
	{name: "v2 none", version: 2},
	{name: "v3 IPv4", version: 3},
	{name: "v3 IPv6 link-local", version: 3, ipv6: true},
	{name: "v2 unicast", version: 2, unicast: true},
	{name: "v3 unicast", version: 3, unicast: true},
}

// wireConf is the comparison configuration: variant i is VRID 60+i
// without auth_hmac and VRID 80+i with it.
func wireConf() string {
	var b strings.Builder
	b.WriteString("global_defs {\n    router_id lb1\n}\n")
	for _, withHMAC := range []bool{false, true} {
		for i, v := range wireVariants {
			vrid := 60 + i
			if withHMAC {
				vrid = 80 + i
			}
			writeVariant(&b, v, vrid, withHMAC)
		}
	}
	return b.String()
}

// writeVariant writes the vrrp_instance of variant v as VRID vrid.
func writeVariant(b *strings.Builder, v wireVariant, vrid int, withHMAC bool) {
	fmt.Fprintf(b, "vrrp_instance W%d {\n    state MASTER\n    interface eth0\n    virtual_router_id %d\n    priority 100\n    advert_int 1\n    version %d\n", vrid, vrid, v.version)
	switch {
	case v.ah:
		b.WriteString("    authentication {\n        auth_type AH\n        auth_pass kge1\n    }\n")
	case v.pass:
		b.WriteString("    authentication {\n        auth_type PASS\n        auth_pass kge1\n    }\n")
	}
	if withHMAC {
		b.WriteString("    auth_hmac {\n")
		for _, l := range strings.Split(pairHMAC, "\n") {
			fmt.Fprintf(b, "        %s\n", l)
		}
		b.WriteString("        anti_replay monotonic\n    }\n")
	}
	if v.unicast {
		fmt.Fprintf(b, "    unicast_src_ip %s\n    unicast_peer {\n        %s\n    }\n", lbAddr(1).Addr(), lbAddr(2).Addr())
	}
	if v.ipv6 {
		fmt.Fprintf(b, "    virtual_ipaddress {\n        fe80::1:%d/64 dev eth0\n    }\n}\n", vrid)
	} else {
		fmt.Fprintf(b, "    virtual_ipaddress {\n        10.0.%d.10/24 dev eth0\n    }\n}\n", vrid)
	}
}

var (
	hexLineRE   = regexp.MustCompile(`^\s+0x[0-9a-f]+:\s+((?:[0-9a-f]{2,4}\s?)+)`)
	vrrpVRID_RE = regexp.MustCompile(`VRRPv\d, Advertisement, vrid (\d+), prio (\d+)`)
)

// captureAdverts runs `tcpdump -x` on host's bridge port for d and returns
// the last advert (IP header included) of each VRID with priority > 0.
func captureAdverts(t *testing.T, l *Lab, h *Host, d time.Duration) map[int][]byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ip", "netns", "exec", l.Switch, "tcpdump", "-n", "-l", "-x", "--immediate-mode", "-Q", "in", "-i", h.Ports[0], "vrrp or ip6 proto 112 or ip proto 51")
	out, _ := cmd.Output()
	got := map[int][]byte{}
	vrid := -1
	var cur []byte
	flush := func() {
		if vrid >= 0 && len(cur) > 0 {
			got[vrid] = cur
		}
		vrid, cur = -1, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := hexLineRE.FindStringSubmatch(line); m != nil {
			if vrid >= 0 {
				b, err := hex.DecodeString(strings.ReplaceAll(strings.TrimSpace(m[1]), " ", ""))
				if err == nil {
					cur = append(cur, b...)
				}
			}
			continue
		}
		flush()
		if m := vrrpVRID_RE.FindStringSubmatch(line); m != nil {
			if prio, _ := strconv.Atoi(m[2]); prio > 0 {
				vrid, _ = strconv.Atoi(m[1])
			}
		}
	}
	flush()
	return got
}

// runForAdverts runs impl on lb1 with the comparison configuration and
// returns what it sent. It captures until every variant's VRID has sent
// an advert (or 30 s have passed): an IPv6 instance becomes master only
// once its link-local address has left DAD, which on a loaded machine
// can be later than the IPv4 ones.
func runForAdverts(t *testing.T, l *Lab, impl Impl) map[int][]byte {
	var vrids []int
	for i := range wireVariants {
		vrids = append(vrids, 60+i, 80+i)
	}
	return runForAdvertsOf(t, l, impl, wireConf(), vrids)
}

// runForAdvertsOf runs impl on lb1 with conf and returns what it sent,
// capturing until each of vrids has sent an advert (or 30 s have passed).
func runForAdvertsOf(t *testing.T, l *Lab, impl Impl, conf string, vrids []int) map[int][]byte {
	h := l.Host("lb1")
	h.WriteConf(conf)
	d := h.StartDaemon(impl)
	time.Sleep(1500 * time.Millisecond)
	got := map[int][]byte{}
	missing := func() bool {
		for _, v := range vrids {
			if got[v] == nil {
				return true
			}
		}
		return false
	}
	for deadline := time.Now().Add(30 * time.Second); missing() && time.Now().Before(deadline); {
		for vrid, b := range captureAdverts(t, l, h, 3500*time.Millisecond) {
			if got[vrid] == nil {
				got[vrid] = b
			}
		}
	}
	if !d.Stop(5 * time.Second) {
		d.Kill()
	}
	return got
}

// masked is b with the bytes that legitimately differ between two senders
// of one configuration zeroed: the IPv4 identification and header
// checksum (the kernel's), and with a trailer the sequence and HMAC (and
// for IPv6 the VRRP checksum, which covers them).
func masked(b []byte, ipv6, trailer bool) []byte {
	m := bytes.Clone(b)
	hl := 40
	if !ipv6 {
		hl = int(m[0]&0x0f) * 4
		m[4], m[5], m[10], m[11] = 0, 0, 0, 0
	}
	if trailer && len(m) >= hl+vrrp.HMACTrailerLen {
		clear(m[len(m)-vrrp.HMACTrailerLen+4:])
		if ipv6 {
			m[hl+6], m[hl+7] = 0, 0
		}
	}
	return m
}

// TestKA243WireBytes: for every variant, our advert has keepalived
// 2.4.3's bytes; with auth_hmac the same layout and fixed fields, and each
// side's signature verifies with the keys of the configuration (ours
// accepting 2.4.3's is what a mixed pair needs; TestKA243Pairs shows 2.4.3
// accepting ours).
func TestKA243WireBytes(t *testing.T) {
	needKA243(t)
	needOurs(t)
	l := newLAN(t, 2)
	theirs := runForAdverts(t, l, Keepalived243)
	ours := runForAdverts(t, l, Ours)
	keys := []vrrp.HMACKey{{ID: 1, Key: mustHexKey(t)}, {ID: 2, Key: []byte("kge-second-key-0123456789abcdefghijkl")}}
	for i, v := range wireVariants {
		for _, withHMAC := range []bool{false, true} {
			vrid := 60 + i
			name := v.name
			if withHMAC {
				vrid, name = 80+i, v.name+" auth_hmac"
			}
			t.Run(name, func(t *testing.T) {
				a, b := theirs[vrid], ours[vrid]
				if a == nil || b == nil {
					t.Fatalf("no advert for VRID %d: keepalived 2.4.3 %d bytes, ours %d bytes", vrid, len(a), len(b))
				}
				if !bytes.Equal(masked(a, v.ipv6, withHMAC), masked(b, v.ipv6, withHMAC)) {
					t.Errorf("VRID %d differs:\nkeepalived 2.4.3 % x\nours             % x", vrid, a, b)
				}
				if !withHMAC {
					return
				}
				for who, p := range map[string][]byte{"keepalived 2.4.3": a, "ours": b} {
					if err := verifyWire(p, v, vrid, keys); err != nil {
						t.Errorf("%s's advert: %v", who, err)
					}
				}
			})
		}
	}
}

func mustHexKey(t *testing.T) []byte {
	k, err := hex.DecodeString(strings.TrimPrefix(strings.Fields(pairHMAC)[2], "hex:"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// verifyWire checks the trailer of a captured advert (IP header first).
func verifyWire(p []byte, v wireVariant, vrid int, keys []vrrp.HMACKey) error {
	var src netip.Addr
	hl := 40
	if v.ipv6 {
		src = netip.AddrFrom16([16]byte(p[8:24]))
	} else {
		hl = int(p[0]&0x0f) * 4
		src = netip.AddrFrom4([4]byte(p[12:16]))
	}
	pkt := p[hl:]
	n := vrrp.ExpectedLen(uint8(v.version), pkt[3], v.ipv6)
	if len(pkt) != n+vrrp.HMACTrailerLen {
		return fmt.Errorf("%d bytes of VRRP, want %d + %d", len(pkt), n, vrrp.HMACTrailerLen)
	}
	a := vrrp.NewHMACAuth(vrrp.HMACConfig{Keys: keys, ActiveKey: 1}, nil)
	if res, _, _ := a.Verify(time.Now(), v.version, uint8(vrid), src, pkt[:n], pkt[n:]); res != vrrp.HMACOK {
		return fmt.Errorf("trailer check: %v", res)
	}
	return nil
}
