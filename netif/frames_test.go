package netif

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readGolden reads a hex frame from testdata (comment lines start with #).
func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hx strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			hx.WriteString(line)
		}
	}
	b, err := hex.DecodeString(hx.String())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFramesGolden: our builders reproduce, byte for byte, the frames real
// keepalived 2.2.7 sent (captured by TestKeepalivedAdvertsReachUs -update).
func TestFramesGolden(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 9, 2}
	garp, err := AppendGARP(nil, mac, netip.MustParseAddr("10.9.0.121"))
	if err != nil {
		t.Fatal(err)
	}
	if want := readGolden(t, "keepalived-garp.hex"); !bytes.Equal(garp, want) {
		t.Errorf("GARP\n got %x\nwant %x", garp, want)
	}
	na, err := AppendUnsolicitedNA(nil, mac, netip.MustParseAddr("2001:db8:9::127"), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := readGolden(t, "keepalived-na.hex"); !bytes.Equal(na, want) {
		t.Errorf("NA\n got %x\nwant %x", na, want)
	}
}

func TestFramesReject(t *testing.T) {
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	tests := []struct {
		name string
		fn   func() ([]byte, error)
	}{
		{"GARP for IPv6", func() ([]byte, error) { return AppendGARP(nil, mac, netip.MustParseAddr("2001:db8::1")) }},
		{"GARP with short MAC", func() ([]byte, error) { return AppendGARP(nil, mac[:4], netip.MustParseAddr("10.0.0.1")) }},
		{"GARP for no address", func() ([]byte, error) { return AppendGARP(nil, mac, netip.Addr{}) }},
		{"NA for IPv4", func() ([]byte, error) { return AppendUnsolicitedNA(nil, mac, netip.MustParseAddr("10.0.0.1"), false) }},
		{"NA for mapped IPv4", func() ([]byte, error) {
			return AppendUnsolicitedNA(nil, mac, netip.MustParseAddr("::ffff:10.0.0.1"), false)
		}},
		{"NA with 8-byte MAC", func() ([]byte, error) {
			return AppendUnsolicitedNA(nil, append(mac, 0, 0), netip.MustParseAddr("2001:db8::1"), false)
		}},
	}
	for _, tc := range tests {
		if b, err := tc.fn(); err == nil || len(b) != 0 {
			t.Errorf("%s: %x, %v; want an error and nothing appended", tc.name, b, err)
		}
	}
}

// checkGARP parses a frame independently of the builder.
func checkGARP(t *testing.T, f []byte, mac net.HardwareAddr, ip netip.Addr) {
	t.Helper()
	if len(f) != GARPLen {
		t.Fatalf("GARP length %d", len(f))
	}
	bc := bytes.Repeat([]byte{0xff}, 6)
	ok := bytes.Equal(f[0:6], bc) && bytes.Equal(f[6:12], mac) && binary.BigEndian.Uint16(f[12:]) == 0x0806 &&
		binary.BigEndian.Uint16(f[14:]) == 1 && binary.BigEndian.Uint16(f[16:]) == 0x0800 && f[18] == 6 && f[19] == 4 &&
		binary.BigEndian.Uint16(f[20:]) == 1 && bytes.Equal(f[22:28], mac) && bytes.Equal(f[28:32], ip.AsSlice()) &&
		bytes.Equal(f[32:38], bc) && bytes.Equal(f[38:42], ip.AsSlice())
	if !ok {
		t.Errorf("GARP for %s from %s malformed: %x", ip, mac, f)
	}
}

func checkNA(t *testing.T, f []byte, mac net.HardwareAddr, ip netip.Addr, router bool) {
	t.Helper()
	if len(f) != NALen {
		t.Fatalf("NA length %d", len(f))
	}
	flags := byte(0x20)
	if router {
		flags |= 0x80
	}
	allNodes := netip.MustParseAddr("ff02::1").AsSlice()
	ok := bytes.Equal(f[0:6], []byte{0x33, 0x33, 0, 0, 0, 1}) && bytes.Equal(f[6:12], mac) && binary.BigEndian.Uint16(f[12:]) == 0x86dd &&
		f[14] == 0x60 && f[15] == 0 && binary.BigEndian.Uint16(f[18:]) == 32 && f[20] == 58 && f[21] == 255 &&
		bytes.Equal(f[22:38], ip.AsSlice()) && bytes.Equal(f[38:54], allNodes) &&
		f[54] == 136 && f[55] == 0 && f[58] == flags && bytes.Equal(f[62:78], ip.AsSlice()) &&
		f[78] == 2 && f[79] == 1 && bytes.Equal(f[80:86], mac)
	if !ok {
		t.Errorf("NA for %s from %s malformed: %x", ip, mac, f)
	}
	if !checksumOKICMP6(f) {
		t.Errorf("NA checksum wrong: %x", f)
	}
}

func FuzzFrames(f *testing.F) {
	f.Add([]byte{2, 0, 0, 0, 9, 2}, []byte{10, 9, 0, 121}, false)
	f.Add([]byte{0, 0, 0x5e, 0, 1, 51}, netip.MustParseAddr("2001:db8:9::127").AsSlice(), true)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, netip.MustParseAddr("fe80::1").AsSlice(), false)
	f.Fuzz(func(t *testing.T, macb, ipb []byte, router bool) {
		mac := net.HardwareAddr(macb)
		ip, ok := netip.AddrFromSlice(ipb)
		prefix := []byte("prefix")
		g, gerr := AppendGARP(bytes.Clone(prefix), mac, ip)
		n, nerr := AppendUnsolicitedNA(bytes.Clone(prefix), mac, ip, router)
		if !bytes.HasPrefix(g, prefix) || !bytes.HasPrefix(n, prefix) {
			t.Fatal("builder clobbered the buffer it appends to")
		}
		if len(mac) != 6 || !ok {
			if gerr == nil || nerr == nil {
				t.Fatalf("mac %x ip %x accepted", macb, ipb)
			}
			return
		}
		if ip.Unmap().Is4() {
			if gerr != nil {
				t.Fatal(gerr)
			}
			checkGARP(t, g[len(prefix):], mac, ip.Unmap())
		} else if !ip.Is4In6() {
			if nerr != nil {
				t.Fatal(nerr)
			}
			checkNA(t, n[len(prefix):], mac, ip, router)
		}
	})
}

// BenchmarkFrames: building both frames allocates nothing into a reused
// buffer.
func BenchmarkFrames(b *testing.B) {
	mac := net.HardwareAddr{2, 0, 0, 0, 9, 2}
	v4, v6 := netip.MustParseAddr("10.9.0.121"), netip.MustParseAddr("2001:db8:9::127")
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = AppendGARP(buf[:0], mac, v4)
		buf, _ = AppendUnsolicitedNA(buf[:0], mac, v6, false)
	}
}
