package vrrp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"testing"
	"time"
)

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestDecodeErrors: length and count fields are never trusted (RFC 3768
// section 7.1, RFC 5798 section 7.1); each error wraps the sentinel naming
// its counter.
func TestDecodeErrors(t *testing.T) {
	v2 := mustHex("213364010001" + "0000" + "0a636400" + "0000000000000000")
	v2[6], v2[7] = byte(Checksum(v2, false, netip.Addr{}, netip.Addr{})>>8), byte(Checksum(v2, false, netip.Addr{}, netip.Addr{}))
	if _, err := Decode(v2, false, netip.Addr{}, netip.Addr{}); err != nil {
		t.Fatalf("valid v2: %v", err)
	}
	src, dst := netip.MustParseAddr("10.0.0.1"), MulticastGroup4
	tests := []struct {
		name    string
		b       []byte
		ipv6    bool
		want    error
		counter string
	}{
		{"empty", nil, false, ErrTooShort, "packet_len_err"},
		{"7 bytes", v2[:7], false, ErrTooShort, "packet_len_err"},
		{"count overruns buffer", append([]byte{0x21, 1, 100, 255}, v2[4:]...), false, ErrLength, "packet_len_err"},
		{"trailing bytes", append(append([]byte(nil), v2...), 0), false, ErrLength, "packet_len_err"},
		{"v2 without auth bytes", v2[:12], false, ErrLength, "packet_len_err"},
		{"version 1", append([]byte{0x11}, v2[1:]...), false, ErrVersion, "version_err"},
		{"version 15", append([]byte{0xf1}, v2[1:]...), false, ErrVersion, "version_err"},
		{"type 2", append([]byte{0x22}, v2[1:]...), false, ErrType, "invalid_type_rcvd"},
		{"auth type 7", append(append([]byte(nil), v2[:4]...), append([]byte{7}, v2[5:]...)...), false, ErrInvalidAuthType, "invalid_authtype"},
		{"bad checksum", append(append([]byte(nil), v2[:7]...), append([]byte{v2[7] ^ 0xff}, v2[8:]...)...), false, ErrChecksum, "checksum_err"},
		{"ipv6 count overrun", []byte{0x31, 1, 100, 2, 0, 100, 0, 0, 1, 2, 3}, true, ErrLength, "packet_len_err"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.b, tt.ipv6, src, dst)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			if got := CounterOf(err); got != tt.counter {
				t.Errorf("counter %q, want %q", got, tt.counter)
			}
		})
	}
}

// TestChecksumKinds: v2 ignores the addresses it travelled between; v3 over
// IPv4 and IPv6 depend on them (RFC 5798 section 5.2.8).
func TestChecksumKinds(t *testing.T) {
	src, dst, other := netip.MustParseAddr("10.0.0.1"), MulticastGroup4, netip.MustParseAddr("10.0.0.2")
	for _, v := range []uint8{2, 3} {
		a := Advert{Version: v, VRID: 9, Priority: 100, AdverInt: time.Second, Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.100")}}
		b := a.AppendEncode(nil, src, dst)
		if !VerifyChecksum(b, false, src, dst) {
			t.Errorf("v%d: own checksum fails", v)
		}
		if got := VerifyChecksum(b, false, src, other); got != (v == 2) {
			t.Errorf("v%d: checksum with another destination verifies=%v", v, got)
		}
	}
	s6, d6 := netip.MustParseAddr("fe80::1"), MulticastGroup6
	a := Advert{Version: 3, VRID: 9, Priority: 100, AdverInt: time.Second, IPv6: true, Addrs: []netip.Addr{netip.MustParseAddr("fe80::100")}}
	b := a.AppendEncode(nil, s6, d6)
	if !VerifyChecksum(b, true, s6, d6) || VerifyChecksum(b, true, s6, netip.MustParseAddr("ff02::1")) {
		t.Error("IPv6 pseudo-header checksum")
	}
	if len(b) != 24 {
		t.Errorf("IPv6 advert length %d (no auth bytes)", len(b))
	}
}

// TestV3IntervalUnits: v3 carries 12 bits of centiseconds, the reserved
// bits are sent as zero and ignored on receipt (RFC 5798 section 5.2.7).
func TestV3IntervalUnits(t *testing.T) {
	a := Advert{Version: 3, VRID: 1, Priority: 1, AdverInt: 40950 * time.Millisecond}
	b := a.AppendEncode(nil, netip.MustParseAddr("10.0.0.1"), MulticastGroup4)
	if b[4] != 0x0f || b[5] != 0xff {
		t.Errorf("interval bytes % x", b[4:6])
	}
	b[4] |= 0xf0 // reserved bits set by a peer
	d, err := Decode(b, false, netip.Addr{}, netip.Addr{})
	if err != nil || d.AdverInt != 40950*time.Millisecond {
		t.Errorf("decoded %v %v", d.AdverInt, err)
	}
}

// FuzzDecode: Decode never panics; what it accepts encodes back to the same
// bytes and decodes to the same advert.
func FuzzDecode(f *testing.F) {
	for _, gc := range goldenCases {
		a := Advert{Version: uint8(gc.cfg.Version), VRID: gc.cfg.VRID, Priority: gc.cfg.Priority, AuthType: gc.cfg.AuthType,
			AdverInt: gc.cfg.AdvertInt, IPv6: gc.cfg.IPv6, Addrs: gc.cfg.VIPs, AuthData: gc.cfg.AuthPass}
		f.Add(a.AppendEncode(nil, gc.cfg.Src, MulticastGroup4), gc.cfg.IPv6)
	}
	f.Add([]byte{0x21, 1, 100, 255, 0, 1, 0, 0}, false)
	f.Add([]byte{0x31, 1, 100, 1, 0, 100, 0, 0, 0, 0, 0, 0}, true)
	src, dst := netip.MustParseAddr("10.0.0.1"), MulticastGroup4
	f.Fuzz(func(t *testing.T, b []byte, ipv6 bool) {
		s, d := src, dst
		if ipv6 {
			s, d = netip.MustParseAddr("fe80::1"), MulticastGroup6
		}
		a, err := Decode(b, ipv6, netip.Addr{}, netip.Addr{})
		if err != nil {
			if CounterOf(err) == "" {
				t.Fatalf("error without a counter: %v", err)
			}
			return
		}
		if a.Len() != len(b) {
			t.Fatalf("Len %d for %d bytes", a.Len(), len(b))
		}
		out := a.AppendEncode(nil, s, d)
		// Everything but the checksum (recomputed for s, d) and v3's
		// reserved bits comes back.
		want := append([]byte(nil), b...)
		if a.Version == 3 {
			want[4] &= 0x0f
		}
		want[6], want[7] = out[6], out[7]
		if !bytes.Equal(out, want) {
			t.Fatalf("round trip\n got % x\nwant % x", out, want)
		}
		a2, err := Decode(out, ipv6, s, d)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if a2.VRID != a.VRID || a2.Priority != a.Priority || a2.AdverInt != a.AdverInt || a2.NumAddrs() != a.NumAddrs() || a2.AuthData != a.AuthData {
			t.Fatalf("re-decoded %+v, want %+v", a2, a)
		}
	})
}

func benchPacket() ([]byte, netip.Addr, netip.Addr) {
	src := netip.MustParseAddr("10.0.0.1")
	a := Advert{Version: 3, VRID: 51, Priority: 100, AdverInt: time.Second,
		Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.100"), netip.MustParseAddr("10.0.0.101"), netip.MustParseAddr("10.0.0.102")}}
	return a.AppendEncode(nil, src, MulticastGroup4), src, MulticastGroup4
}

// BenchmarkDecode: VRRPv3 IPv4 advert with 3 addresses, checksum verified.
func BenchmarkDecode(b *testing.B) {
	p, src, dst := benchPacket()
	b.ReportAllocs()
	for b.Loop() {
		a, err := Decode(p, false, src, dst)
		if err != nil || a.NumAddrs() != 3 {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendEncode: the same advert encoded into a reused buffer.
func BenchmarkAppendEncode(b *testing.B) {
	p, src, dst := benchPacket()
	a, _ := Decode(p, false, src, dst)
	addrs := a.AppendAddrs(nil)
	a.Addrs = addrs
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = a.AppendEncode(buf[:0], src, dst)
	}
	if !bytes.Equal(buf, p) {
		b.Fatal("encoding differs")
	}
}

// BenchmarkDecodeIPv6: VRRPv3 IPv6 advert with 2 addresses, checksum verified.
func BenchmarkDecodeIPv6(b *testing.B) {
	src := netip.MustParseAddr("fe80::1")
	a := Advert{Version: 3, VRID: 51, Priority: 100, AdverInt: time.Second, IPv6: true,
		Addrs: []netip.Addr{netip.MustParseAddr("fe80::100"), netip.MustParseAddr("2001:db8::100")}}
	p := a.AppendEncode(nil, src, MulticastGroup6)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(p, true, src, MulticastGroup6); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzReceive: any bytes from the wire, as any source, TTL and
// destination, never panic an instance in BACKUP or MASTER, are counted
// (as received or in a drop counter), and leave it with a running timer.
func FuzzReceive(f *testing.F) {
	c := baseCfg()
	f.Add(pkt(c, 110, peer, MulticastGroup4), uint8(255), false, true)
	f.Add(pkt(c, 90, peer, MulticastGroup4), uint8(255), false, false)
	f.Add(pkt(c, 0, peer, MulticastGroup4), uint8(1), true, true)
	f.Add([]byte{0x21, 51, 100, 200, 0, 1, 0, 0}, uint8(255), false, true)
	f.Fuzz(func(t *testing.T, b []byte, ttl uint8, unicastDst, master bool) {
		in, err := NewInstance(baseCfg())
		if err != nil {
			t.Fatal(err)
		}
		now := t0
		if master {
			now, _ = becomeMaster(t, in)
		} else {
			in.Step(now, Startup{})
		}
		dst := MulticastGroup4
		if unicastDst {
			dst = self
		}
		total := func(s Stats) uint64 {
			return s.AdvertRcvd + s.PacketLenErr + s.AdvertIntervalErr + s.IPTTLErr + s.InvalidTypeRcvd + s.AddrListErr +
				s.InvalidAuthType + s.AuthTypeMismatch + s.AuthFailure + s.ChecksumErr + s.VersionErr + s.OtherDropped
		}
		before := total(in.Stats())
		in.Step(now.Add(time.Millisecond), Received{Src: peer, Dst: dst, TTL: ttl, Packet: b})
		if total(in.Stats()) == before {
			t.Fatalf("packet % x neither received nor counted as dropped: %+v", b, in.Stats())
		}
		if st := in.State(); st != StateBackup && st != StateMaster {
			t.Fatalf("state %v", st)
		}
		if _, ok := in.NextDeadline(); !ok {
			t.Fatal("no running timer")
		}
	})
}
