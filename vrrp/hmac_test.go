package vrrp

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// The draft appendix images keepalived 2.4.3's test/auth_hmac_test.c
// checks against (test data): key 00..1f, VRID 51, priority 200, VRRPv3,
// sequence 0x6800000080000000. IPv4 from 198.51.100.10, VIP 192.0.2.100;
// IPv6 from fe80::10, VIP fe80::100 (checksum for destination fe80::20,
// covering the trailer).
const (
	hmacVec4 = "3133c80100644402c0000264" + "010100006800000080000000" + "1b84bc4e8e43892dc6d98448f8ee2265"
	hmacVec6 = "3133c8010064a2e9" + "fe800000000000000000000000000100" + "010100006800000080000000" + "c8c56146ebfd66ee10ec4d8186461b78"
)

func vecKey() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(i)
	}
	return k
}

func vecAuth(mono bool) *HMACAuth {
	return NewHMACAuth(HMACConfig{Keys: []HMACKey{{ID: 1, Key: vecKey()}}, ActiveKey: 1,
		AntiReplayTime: !mono, TimeWindow: 5 * time.Second}, nil)
}

func hmacHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// split cuts a wire image into PDU and trailer, in one buffer.
func split(b []byte) (pdu, tr []byte) {
	n := len(b) - HMACTrailerLen
	return b[:n], b[n:]
}

var (
	vecSrc4 = netip.MustParseAddr("198.51.100.10")
	vecSrc6 = netip.MustParseAddr("fe80::10")
	vecNow  = time.Unix(0x68000000, 0)
)

func TestHMACVectors(t *testing.T) {
	for _, tt := range []struct {
		name string
		img  string
		src  netip.Addr
	}{{"ipv4 appendix vector", hmacVec4, vecSrc4}, {"ipv6 appendix vector", hmacVec6, vecSrc6}} {
		t.Run(tt.name, func(t *testing.T) {
			pdu, tr := split(hmacHex(t, tt.img))
			if res, _, _ := vecAuth(true).Verify(time.Now(), 3, 51, tt.src, pdu, tr); res != HMACOK {
				t.Errorf("verify = %v, want OK", res)
			}
			// Signing the same PDU with the same sequence gives the image.
			a := vecAuth(true)
			b := append([]byte(nil), pdu...)
			b = a.AppendTrailer(b, len(pdu), 3, 51, tt.src, 0x6800000080000000)
			if got := hex.EncodeToString(b); got != tt.img {
				t.Errorf("signed image\n got %s\nwant %s", got, tt.img)
			}
			// In time mode at the vector's own time it verifies too.
			if res, skew, _ := vecAuth(false).Verify(vecNow, 3, 51, tt.src, pdu, tr); res != HMACOK || skew != 0 {
				t.Errorf("time mode at the vector's second: %v skew %d", res, skew)
			}
		})
	}
}

// TestHMACMutations: one flipped bit per field of the IPv6 image, as
// 2.4.3's test does; the checksum is not covered (the kernel's IPv6
// checksum covers the trailer, so it cannot be).
func TestHMACMutations(t *testing.T) {
	img := hmacHex(t, hmacVec6)
	tests := []struct {
		name string
		off  int
		want HMACResult
	}{
		{"tampered priority", 2, HMACBadHMAC},
		{"tampered advert interval", 5, HMACBadHMAC},
		{"tampered checksum", 6, HMACOK},
		{"tampered vip", 8 + 15, HMACBadHMAC},
		{"unsupported ext type", 24, HMACMalformed},
		{"unknown key id", 25, HMACUnknownKey},
		{"nonzero reserved", 26, HMACMalformed},
		{"tampered seconds", 28, HMACBadHMAC},
		{"tampered counter", 34, HMACBadHMAC},
		{"tampered hmac", 36, HMACBadHMAC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := append([]byte(nil), img...)
			b[tt.off] ^= 1
			pdu, tr := split(b)
			if res, _, _ := vecAuth(true).Verify(time.Now(), 3, 51, vecSrc6, pdu, tr); res != tt.want {
				t.Errorf("verify = %v, want %v", res, tt.want)
			}
		})
	}
	pdu, tr := split(img)
	if res, _, _ := vecAuth(true).Verify(time.Now(), 3, 51, netip.MustParseAddr("fe80::20"), pdu, tr); res != HMACBadHMAC {
		t.Errorf("wrong source: %v, want BAD_HMAC", res)
	}
	if res, _, _ := vecAuth(true).Verify(time.Now(), 3, 52, vecSrc6, pdu, tr); res != HMACBadHMAC {
		t.Errorf("wrong vrid: %v, want BAD_HMAC", res)
	}
	if res, _, _ := vecAuth(true).Verify(time.Now(), 2, 51, vecSrc6, pdu, tr); res != HMACBadHMAC {
		t.Errorf("wrong version: %v, want BAD_HMAC", res)
	}
	// A copy of the PDU apart from the trailer verifies the same.
	if res, _, _ := vecAuth(true).Verify(time.Now(), 3, 51, vecSrc6, append([]byte(nil), pdu...), append([]byte(nil), tr...)); res != HMACOK {
		t.Errorf("separate buffers: %v", res)
	}
}

// signAt builds a v3 IPv6 advert signed at now by a.
func signAt(a *HMACAuth, now time.Time) []byte {
	adv := Advert{Version: 3, VRID: 51, Priority: 200, AdverInt: time.Second, IPv6: true, Addrs: []netip.Addr{netip.MustParseAddr("fe80::100")}}
	b := adv.AppendEncode(nil, vecSrc6, netip.MustParseAddr("ff02::12"))
	return a.AppendTrailer(b, len(b), 3, 51, vecSrc6, a.NextSeq(now))
}

func TestHMACReplayAndWindow(t *testing.T) {
	now := time.Unix(1795323980, 250e6)
	tx, rx := vecAuth(false), vecAuth(false)
	pkt := signAt(tx, now)
	pdu, tr := split(pkt)
	if res, _, _ := rx.Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
		t.Fatalf("fresh advert: %v", res)
	}
	if res, _, _ := rx.Verify(now.Add(time.Second), 3, 51, vecSrc6, pdu, tr); res != HMACReplay {
		t.Errorf("replayed advert: %v, want REPLAY", res)
	}
	// The same copy at a second receiver (another unicast peer) is fine.
	if res, _, _ := vecAuth(false).Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
		t.Errorf("second receiver: %v", res)
	}
	// Two adverts within one 1/65536 s step still grow (the counter).
	p2 := signAt(tx, now)
	if pdu2, tr2 := split(p2); true {
		if res, _, _ := rx.Verify(now, 3, 51, vecSrc6, pdu2, tr2); res != HMACOK {
			t.Errorf("second advert in the same instant: %v", res)
		}
		if got := tr2[11]; got != 1 {
			t.Errorf("counter = %d, want 1", got)
		}
	}
	// Outside the window either way: stale, before any digest.
	for _, d := range []time.Duration{-6 * time.Second, 6 * time.Second} {
		p := signAt(vecAuth(false), now.Add(d))
		pdu, tr := split(p)
		res, skew, _ := vecAuth(false).Verify(now, 3, 51, vecSrc6, pdu, tr)
		if res != HMACStale || skew != int32(-d/time.Second) {
			t.Errorf("advert %v from now: %v skew %d, want STALE skew %d", d, res, skew, -d/time.Second)
		}
	}
	// Within the window and monotonic: old stamps are fine when new.
	p := signAt(vecAuth(true), now.Add(-time.Hour))
	pdu, tr = split(p)
	if res, _, _ := vecAuth(true).Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
		t.Errorf("monotonic, an hour old, first seen: %v", res)
	}
}

func TestHMACSequence(t *testing.T) {
	now := time.Unix(1795323980, 0)
	a := vecAuth(false)
	// A sequence stranded an hour ahead restarts from the clock in time mode.
	a.SetSendSeq(uint64(uint32(now.Unix())+3600) << 32)
	if got := a.NextSeq(now) >> 32; got != uint64(now.Unix()) {
		t.Errorf("time mode after a clock step: sec %d, want %d", got, now.Unix())
	}
	// Monotonic mode keeps strict growth.
	m := vecAuth(true)
	ahead := uint64(uint32(now.Unix())+3600) << 32
	m.SetSendSeq(ahead)
	if got := m.NextSeq(now); got != ahead+1 {
		t.Errorf("monotonic: %#x, want %#x", got, ahead+1)
	}
	// A receiver's mark stranded past the window (our clock was stepped
	// back) expires in time mode: an older, fresh advert is let in.
	rx := vecAuth(false)
	pdu, tr := split(signAt(vecAuth(false), now.Add(4*time.Second)))
	if res, _, _ := rx.Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
		t.Fatal(res)
	}
	back := now.Add(-2 * time.Second)
	pdu, tr = split(signAt(vecAuth(false), back))
	if res, _, _ := rx.Verify(back, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
		t.Errorf("after the mark expired: %v", res)
	}
	if res, _, _ := rx.Verify(back, 3, 51, vecSrc6, pdu, tr); res != HMACReplay {
		t.Errorf("replay after expiry: %v", res)
	}
	// In monotonic mode the mark stays.
	mrx := vecAuth(true)
	pdu, tr = split(signAt(vecAuth(true), now.Add(time.Hour)))
	mrx.Verify(now, 3, 51, vecSrc6, pdu, tr)
	pdu, tr = split(signAt(vecAuth(true), now))
	if res, _, _ := mrx.Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACReplay {
		t.Errorf("monotonic keeps its mark: %v", res)
	}
}

func TestHMACRotationAndModes(t *testing.T) {
	k2 := []byte("kge-second-key-0123456789abcdefghijkl")
	both := HMACConfig{Keys: []HMACKey{{1, vecKey()}, {2, k2}}, ActiveKey: 2, AntiReplayTime: true, TimeWindow: 5 * time.Second}
	only1 := HMACConfig{Keys: []HMACKey{{1, vecKey()}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 5 * time.Second}
	now := time.Unix(1795323980, 0)
	p := signAt(NewHMACAuth(both, nil), now)
	pdu, tr := split(p)
	if tr[1] != 2 {
		t.Fatalf("signed with key %d, want 2", tr[1])
	}
	if res, _, _ := NewHMACAuth(both, nil).Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
		t.Errorf("a peer holding keys 1 and 2: %v", res)
	}
	if res, _, id := NewHMACAuth(only1, nil).Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACUnknownKey || id != 2 {
		t.Errorf("a peer holding key 1 only: %v key %d", res, id)
	}
	ro := only1
	ro.Mode = HMACReceiveOnly
	a := NewHMACAuth(ro, nil)
	if a.TrailerLen() != 0 {
		t.Errorf("receive-only trailer length %d", a.TrailerLen())
	}
	b := []byte{1, 2, 3}
	if got := a.AppendTrailer(b, 3, 3, 51, vecSrc6, 1); len(got) != 3 {
		t.Errorf("receive-only appended a trailer")
	}
}

func TestHMACUnicastMarks(t *testing.T) {
	peer := netip.MustParseAddr("fe80::10")
	other := netip.MustParseAddr("fe80::30")
	cfg := HMACConfig{Keys: []HMACKey{{1, vecKey()}}, ActiveKey: 1, AntiReplayTime: true, TimeWindow: 5 * time.Second}
	rx := NewHMACAuth(cfg, []netip.Addr{peer})
	now := time.Unix(1795323980, 0)
	pdu, tr := split(signAt(NewHMACAuth(cfg, nil), now))
	if res, _, _ := rx.Verify(now, 3, 51, peer, pdu, tr); res != HMACOK {
		t.Fatal(res)
	}
	if !rx.IsPeer(peer) || rx.IsPeer(other) {
		t.Errorf("IsPeer")
	}
	// A reload with the same peer keeps its mark: the replay stays closed.
	rx.Reconfigure(cfg, []netip.Addr{other, peer})
	if res, _, _ := rx.Verify(now, 3, 51, peer, pdu, tr); res != HMACReplay {
		t.Errorf("after reload: %v, want REPLAY", res)
	}
}

func TestHMACMulticastSlots(t *testing.T) {
	cfg := HMACConfig{Keys: []HMACKey{{1, vecKey()}}, ActiveKey: 1}
	rx := NewHMACAuth(cfg, nil)
	now := time.Unix(1795323980, 0)
	img := func(src netip.Addr, seq uint64) ([]byte, []byte) {
		adv := Advert{Version: 3, VRID: 51, Priority: 100, AdverInt: time.Second, IPv6: true, Addrs: []netip.Addr{netip.MustParseAddr("fe80::100")}}
		b := adv.AppendEncode(nil, src, netip.MustParseAddr("ff02::12"))
		return split(NewHMACAuth(cfg, nil).AppendTrailer(b, len(b), 3, 51, src, seq))
	}
	first := netip.MustParseAddr("fe80::1")
	p1, t1 := img(first, 100)
	if res, _, _ := rx.Verify(now, 3, 51, first, p1, t1); res != HMACOK {
		t.Fatal(res)
	}
	// Four other senders push the first out of the four slots: its old
	// advert is then accepted again (what keepalived does too).
	for i := 2; i <= 5; i++ {
		src := netip.AddrFrom16([16]byte{0xfe, 0x80, 15: byte(i)})
		p, tr := img(src, 100)
		if res, _, _ := rx.Verify(now, 3, 51, src, p, tr); res != HMACOK {
			t.Fatal(res)
		}
	}
	if res, _, _ := rx.Verify(now, 3, 51, first, p1, t1); res != HMACOK {
		t.Errorf("evicted sender: %v", res)
	}
	if res, _, _ := rx.Verify(now, 3, 51, first, p1, t1); res != HMACReplay {
		t.Errorf("its replay: %v", res)
	}
}

func TestHMACVerifyAllocatesNothing(t *testing.T) {
	tx, rx := vecAuth(false), vecAuth(false)
	now := time.Unix(1795323980, 0)
	pkts := make([][]byte, 200)
	for i := range pkts {
		pkts[i] = signAt(tx, now)
	}
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		pdu, tr := split(pkts[i])
		i++
		if res, _, _ := rx.Verify(now, 3, 51, vecSrc6, pdu, tr); res != HMACOK {
			t.Fatal(res)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per verified advert", allocs)
	}
	buf := make([]byte, 0, 256)
	adv := Advert{Version: 3, VRID: 51, Priority: 200, AdverInt: time.Second, IPv6: true, Addrs: []netip.Addr{netip.MustParseAddr("fe80::100")}}
	allocs = testing.AllocsPerRun(100, func() {
		b := adv.AppendEncode(buf[:0], vecSrc6, netip.MustParseAddr("ff02::12"))
		tx.AppendTrailer(b, len(b), 3, 51, vecSrc6, tx.NextSeq(now))
	})
	if allocs != 0 {
		t.Errorf("%v allocations per signed advert", allocs)
	}
}

func BenchmarkHMACSign(b *testing.B) {
	tx := vecAuth(false)
	now := time.Unix(1795323980, 0)
	adv := Advert{Version: 2, VRID: 51, Priority: 100, AdverInt: time.Second, Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.10")}}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		p := adv.AppendEncode(buf[:0], netip.MustParseAddr("10.0.0.11"), MulticastGroup4)
		tx.AppendTrailer(p, len(p), 2, 51, netip.MustParseAddr("10.0.0.11"), tx.NextSeq(now))
	}
}

func BenchmarkHMACVerify(b *testing.B) {
	tx, rx := vecAuth(true), vecAuth(true)
	now := time.Unix(1795323980, 0)
	src := netip.MustParseAddr("10.0.0.11")
	adv := Advert{Version: 2, VRID: 51, Priority: 100, AdverInt: time.Second, Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.10")}}
	pkts := make([][]byte, 1024)
	for i := range pkts {
		p := adv.AppendEncode(nil, src, MulticastGroup4)
		pkts[i] = tx.AppendTrailer(p, len(p), 2, 51, src, tx.NextSeq(now))
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i == len(pkts) {
			b.StopTimer()
			rx = vecAuth(true)
			i = 0
			b.StartTimer()
		}
		pdu, tr := split(pkts[i])
		i++
		if res, _, _ := rx.Verify(now, 2, 51, src, pdu, tr); res != HMACOK {
			b.Fatal(res)
		}
	}
}

func FuzzHMACTrailer(f *testing.F) {
	f.Add(hmacHex(f, hmacVec6), true)
	f.Add(hmacHex(f, hmacVec4), false)
	f.Add([]byte{}, false)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		src := vecSrc4
		if v6 {
			src = vecSrc6
		}
		rx := vecAuth(true)
		if len(b) < HeaderLen+HMACTrailerLen {
			rx.Verify(time.Now(), 3, 51, src, b, b)
			return
		}
		pdu, tr := split(b)
		res, _, _ := rx.Verify(time.Now(), 3, 51, src, pdu, tr)
		if res == HMACOK {
			// Only a correctly signed image verifies: re-signing it with
			// its own sequence must give the same bytes.
			seq := uint64(tr[4])<<56 | uint64(tr[5])<<48 | uint64(tr[6])<<40 | uint64(tr[7])<<32 |
				uint64(tr[8])<<24 | uint64(tr[9])<<16 | uint64(tr[10])<<8 | uint64(tr[11])
			again := vecAuth(true).AppendTrailer(append([]byte(nil), pdu...), len(pdu), 3, 51, src, seq)
			if string(again[len(pdu)+hmacSignedLen:]) != string(tr[hmacSignedLen:]) {
				t.Fatalf("accepted a trailer it would not have made")
			}
		}
	})
}

// hmacCfgs are the instance variants the trailer runs in: v2 and v3,
// IPv4 and IPv6, multicast and unicast.
func hmacCfgs() map[string]Config {
	h := &HMACConfig{Keys: []HMACKey{{1, vecKey()}, {2, []byte("kge-second-key-0123456789abcdefghijkl")}}, ActiveKey: 1,
		AntiReplayTime: true, TimeWindow: 5 * time.Second}
	v2 := baseCfg()
	v2.HMAC = h
	v3 := v2
	v3.Version = 3
	uni := v3
	uni.UnicastPeers = []netip.Addr{peer}
	v6 := v3
	v6.IPv6, v6.Src, v6.McastGroup = true, netip.MustParseAddr("fe80::1"), netip.MustParseAddr("ff02::12")
	v6.VIPs = []netip.Addr{netip.MustParseAddr("fe80::100")}
	return map[string]Config{"v2 ipv4 multicast": v2, "v3 ipv4 multicast": v3, "v3 ipv4 unicast": uni, "v3 ipv6 multicast": v6}
}

// attackAt is when the attacks of TestHMACInstance are signed and sent.
var attackAt = t0.Add(10 * time.Second)

// attacker is what an instance of c receives from src: the adverts of a
// twin instance of c (same auth_hmac unless h overrides it) sending from
// src at priority 255.
func attacker(t *testing.T, c Config, src netip.Addr, h *HMACConfig) Received {
	t.Helper()
	a := c
	a.Src, a.Priority, a.UnicastPeers, a.HMAC = src, 255, nil, h
	if len(c.UnicastPeers) > 0 {
		a.UnicastPeers = []netip.Addr{c.Src}
	}
	in := mustInstance(t, a)
	dst := c.McastGroup
	if !dst.IsValid() {
		dst = MulticastGroup4
	}
	if len(c.UnicastPeers) > 0 {
		dst = c.Src
	}
	buf := in.AppendAdvert(nil, dst)
	if in.hmac != nil {
		in.now = attackAt
		buf = in.appendHMAC(buf, len(buf), in.hmacSeq())
	}
	return Received{Src: src, Dst: dst, TTL: 255, IPLen: 20 + len(buf), Packet: buf}
}

// TestHMACInstance: a master under attack by adverts of priority 255. A
// correctly signed one takes over (the protocol); unsigned, with a
// flipped byte, signed with a key it does not hold, or replayed, each is
// dropped and counted and the master stays.
func TestHMACInstance(t *testing.T) {
	for name, c := range hmacCfgs() {
		t.Run(name, func(t *testing.T) {
			src := peer
			if c.IPv6 {
				src = netip.MustParseAddr("fe80::2")
			}
			attack := func(r Received) (*Instance, []Action) {
				in, next := masterAt(t, c)
				_ = next
				return in, in.Step(attackAt, r)
			}
			other := &HMACConfig{Keys: []HMACKey{{9, []byte("kge-attacker-key-0123456789abcdefghij")}}, ActiveKey: 9, AntiReplayTime: true, TimeWindow: 5 * time.Second}
			flipped := attacker(t, c, src, c.HMAC)
			flipped.Packet = append([]byte(nil), flipped.Packet...)
			flipped.Packet[2] ^= 1 // priority 254
			tests := []struct {
				name  string
				r     Received
				stays bool
				count func(HMACStats) uint64
				log   string
			}{
				{"signed with a key it holds", attacker(t, c, src, c.HMAC), false, nil, ""},
				{"unsigned", attacker(t, c, src, nil), true, func(s HMACStats) uint64 { return s.Missing }, "missing authentication trailer from " + src.String()},
				{"flipped byte", flipped, true, func(s HMACStats) uint64 { return s.InvalidMAC }, "invalid authentication HMAC from " + src.String()},
				{"unknown key id", attacker(t, c, src, other), true, func(s HMACStats) uint64 { return s.UnknownKey }, "unknown authentication key id 9 from " + src.String()},
			}
			for _, tt := range tests {
				in, acts := attack(tt.r)
				if stays := in.State() == StateMaster; stays != tt.stays {
					t.Errorf("%s: master stays %v, want %v\n%s", tt.name, stays, tt.stays, describe(acts))
				}
				if tt.count != nil {
					if n := tt.count(in.Stats().HMACStats); n != 1 {
						t.Errorf("%s: counted %d, want 1 (%+v)", tt.name, n, in.Stats().HMACStats)
					}
					if !strings.Contains(describe(acts), "log "+tt.log+"\n") {
						t.Errorf("%s: no log %q in\n%s", tt.name, tt.log, describe(acts))
					}
				}
			}
			// Replay: a backup accepts an advert once, then drops its copy.
			b := c
			b.Priority = 50
			in := mustInstance(t, b)
			in.Step(t0, Startup{})
			r := attacker(t, c, src, c.HMAC)
			in.Step(attackAt, r)
			in.Step(attackAt.Add(time.Second), r)
			if s := in.Stats(); s.Replay != 1 || s.AdvertRcvd != 1 {
				t.Errorf("replay: %+v, received %d", s.HMACStats, s.AdvertRcvd)
			}
			// Permissive accepts unsigned adverts, still drops bad ones.
			p := c
			ph := *c.HMAC
			ph.Mode = HMACPermissive
			p.HMAC = &ph
			in, _ = masterAt(t, p)
			in.Step(attackAt, flipped)
			if in.State() != StateMaster || in.Stats().InvalidMAC != 1 {
				t.Errorf("permissive, bad trailer: %v %+v", in.State(), in.Stats().HMACStats)
			}
			in.Step(attackAt, attacker(t, c, src, nil))
			if in.State() != StateBackup {
				t.Errorf("permissive, unsigned priority 255: still %v", in.State())
			}
		})
	}
}

// TestHMACInstanceSends: what a master sends carries a trailer its peer
// accepts; receive-only sends none; unicast copies share one sequence.
func TestHMACInstanceSends(t *testing.T) {
	for name, c := range hmacCfgs() {
		t.Run(name, func(t *testing.T) {
			c.UnicastPeers = append(c.UnicastPeers[:len(c.UnicastPeers):len(c.UnicastPeers)], c.UnicastPeers...) // two copies when unicast
			if len(c.UnicastPeers) > 0 {
				c.UnicastPeers[1] = netip.MustParseAddr("10.0.0.3")
			}
			in, next := masterAt(t, c)
			acts := in.Step(next, nil)
			var pkts [][]byte
			for _, a := range acts {
				if s, ok := a.(*SendAdvert); ok {
					pkts = append(pkts, append([]byte(nil), s.Packet...))
				}
			}
			if len(pkts) == 0 {
				t.Fatal("no advert")
			}
			for _, p := range pkts {
				n := ExpectedLen(uint8(c.Version), p[3], c.IPv6)
				if len(p) != n+HMACTrailerLen {
					t.Fatalf("advert of %d bytes, want %d + trailer", len(p), n)
				}
				if !c.IPv6 && !VerifyChecksum(p[:n], false, c.Src, MulticastGroup4) && c.Version == 2 {
					t.Errorf("checksum does not cover the PDU only")
				}
				rx := NewHMACAuth(*c.HMAC, nil)
				if res, _, _ := rx.Verify(next, c.Version, c.VRID, c.Src, p[:n], p[n:]); res != HMACOK {
					t.Errorf("peer verifies our advert: %v", res)
				}
			}
			if len(pkts) == 2 && string(pkts[0][len(pkts[0])-HMACTrailerLen:]) != string(pkts[1][len(pkts[1])-HMACTrailerLen:]) {
				t.Errorf("unicast copies carry different trailers")
			}
			ro := c
			rh := *c.HMAC
			rh.Mode = HMACReceiveOnly
			ro.HMAC = &rh
			in, next = masterAt(t, ro)
			for _, a := range in.Step(next, nil) {
				if s, ok := a.(*SendAdvert); ok && len(s.Packet) != ExpectedLen(uint8(c.Version), s.Packet[3], c.IPv6) {
					t.Errorf("receive-only sent %d bytes", len(s.Packet))
				}
			}
		})
	}
}

// TestHMACStepAllocatesNothing: a signing master's advert Step and a
// backup's verified advert allocate nothing.
func TestHMACStepAllocatesNothing(t *testing.T) {
	c := hmacCfgs()["v3 ipv4 unicast"]
	in, next := masterAt(t, c)
	allocs := testing.AllocsPerRun(100, func() {
		in.Step(next, nil)
		next = next.Add(time.Second)
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per signed advert Step", allocs)
	}
	m := c
	m.Src, m.Priority, m.UnicastPeers = peer, 200, []netip.Addr{self}
	tx := mustInstance(t, m)
	b := c
	b.Priority = 50
	bk := mustInstance(t, b)
	bk.Step(t0, Startup{})
	now := t0
	var pkts []Received
	for i := 0; i < 101; i++ {
		tx.now = now.Add(time.Duration(i) * time.Millisecond)
		p := tx.AppendAdvert(nil, self)
		p = tx.appendHMAC(p, len(p), tx.hmacSeq())
		pkts = append(pkts, Received{Src: peer, Dst: self, TTL: 255, IPLen: 20 + len(p), Packet: p})
	}
	i := 0
	allocs = testing.AllocsPerRun(100, func() {
		bk.Step(now, pkts[i])
		i++
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per verified advert Step", allocs)
	}
	if s := bk.Stats(); s.AdvertRcvd != 101 || s.HMACStats != (HMACStats{}) {
		t.Errorf("backup counted %d adverts, %+v", s.AdvertRcvd, s.HMACStats)
	}
}
