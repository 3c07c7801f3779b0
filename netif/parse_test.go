package netif

import (
	"bytes"
	"net/netip"
	"testing"
)

// TestParse4 feeds parse4 what the kernel hands a raw IPv4 socket: the IP
// header (with options or an AH header) before the VRRP part. Lengths in
// the packet are not trusted.
func TestParse4(t *testing.T) {
	src, dst := netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("224.0.0.18")
	vrrp := []byte{0x21, 51, 100, 1, 0, 1, 0xaa, 0xbb, 10, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0}
	hdr := func(ihl int, proto byte, payload int) []byte {
		b := AppendIPv4Header(nil, src, dst, 7, 255, proto, payload+(ihl-5)*4)
		b[0] = 0x40 | byte(ihl)
		for i := 5; i < ihl; i++ {
			b = append(b, 1, 1, 1, 1) // NOP options
		}
		return b
	}
	ah := []byte{112, 4, 0, 0, 10, 0, 0, 2, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	tests := []struct {
		name    string
		pkt     []byte
		ok      bool
		ah      bool
		payload []byte
	}{
		{"plain", append(hdr(5, 112, len(vrrp)), vrrp...), true, false, vrrp},
		{"options", append(hdr(6, 112, len(vrrp)), vrrp...), true, false, vrrp},
		{"AH", append(append(hdr(5, 51, len(ah)+len(vrrp)), ah...), vrrp...), true, true, vrrp},
		{"VRRP part short: passed on for the decoder to count", append(hdr(5, 112, 4), vrrp[:4]...), true, false, vrrp[:4]},
		{"AH length beyond the packet", append(hdr(5, 51, 12), 112, 200, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), false, false, nil},
		{"AH truncated", append(hdr(5, 51, 4), 112, 4, 0, 0), false, false, nil},
		{"IHL beyond the packet", hdr(15, 112, 0)[:24], false, false, nil},
		{"IHL below 5", func() []byte { b := hdr(5, 112, 0); b[0] = 0x44; return b }(), false, false, nil},
		{"not IPv4", func() []byte { b := append(hdr(5, 112, len(vrrp)), vrrp...); b[0] = 0x65; return b }(), false, false, nil},
		{"shorter than a header", []byte{0x45, 0xc0, 0}, false, false, nil},
		{"empty", nil, false, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := &conn{rbuf: make([]byte, 256), oob: make([]byte, 64)}
			c.rn = copy(c.rbuf, tc.pkt)
			p, ok := c.parse4()
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if p.AH != tc.ah || !bytes.Equal(p.Payload, tc.payload) || p.Src != src || p.Dst != dst || p.TTL != 255 || p.IPLen != len(tc.pkt) {
				t.Errorf("got %+v", p)
			}
		})
	}
}

func FuzzParse4(f *testing.F) {
	f.Add(append(AppendIPv4Header(nil, netip.MustParseAddr("10.0.0.2"), Group4, 1, 255, 112, 4), 0x21, 1, 2, 0))
	f.Add(append(AppendIPv4Header(nil, netip.MustParseAddr("10.0.0.2"), Group4, 1, 255, 51, 4), 112, 4, 0, 0))
	f.Fuzz(func(t *testing.T, pkt []byte) {
		c := &conn{rbuf: make([]byte, 65536), oob: make([]byte, 64)}
		c.rn = copy(c.rbuf, pkt)
		p, ok := c.parse4()
		if ok && len(p.Payload) > len(pkt)-20 {
			t.Fatalf("payload of %d bytes from a %d-byte packet", len(p.Payload), len(pkt))
		}
	})
}
