package daemon

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// captureIfaces reads the interfaces keepalived 2.2.7 saw back from its
// "Interfaces" section (name, index, addresses, MAC, flags, MTU), as
// net.Interfaces would list them on that host.
func captureIfaces(t *testing.T, lines []string) []hostIface {
	t.Helper()
	var out []hostIface
	for _, l := range lines {
		k, v, ok := strings.Cut(strings.TrimSpace(l), " = ")
		if !ok {
			continue
		}
		if k == "Name" {
			out = append(out, hostIface{Name: v})
			continue
		}
		if len(out) == 0 {
			t.Fatalf("%q before a Name", l)
		}
		h := &out[len(out)-1]
		switch k {
		case "index":
			h.Index, _ = strconv.Atoi(v)
		case "MTU":
			h.MTU, _ = strconv.Atoi(v)
		case "IPv4 address", "IPv6 address":
			if v != "(none)" {
				h.Addrs = append(h.Addrs, netip.MustParseAddr(v))
			}
		case "MAC":
			mac, err := net.ParseMAC(v)
			if err != nil {
				t.Fatal(err)
			}
			h.HWAddr = mac
		case "State":
			if strings.HasPrefix(v, "UP") {
				h.Flags |= net.FlagUp
			}
			if !strings.Contains(v, "not RUNNING") {
				h.Flags |= net.FlagRunning
			}
			if !strings.Contains(v, "no broadcast") {
				h.Flags |= net.FlagBroadcast
			}
			if strings.Contains(v, "loopback") {
				h.Flags |= net.FlagLoopback
			}
			if !strings.Contains(v, "no multicast") {
				h.Flags |= net.FlagMulticast
			}
		}
	}
	return out
}

// withoutFD drops keepalived's " fd_in N fd_out = M" lines (README: left
// out of ours).
func withoutFD(lines []string) []string {
	var out []string
	for _, l := range lines {
		if !strings.HasPrefix(l, " fd_in ") {
			out = append(out, l)
		}
	}
	return out
}

// TestDumpSockpoolAndInterfacesMatchKeepalived: the "VRRP Sockpool" and
// "Interfaces" sections of keepalived.data are those keepalived 2.2.7
// wrote for the same configurations (a multicast instance; a sync group of
// a unicast and a multicast instance), given the interfaces it saw, with
// the VIPs the masters hold on them left out as keepalived leaves them.
func TestDumpSockpoolAndInterfacesMatchKeepalived(t *testing.T) {
	for _, tc := range []struct {
		capture string
		h       func(*testing.T) *harness
		vips    map[string][]string // addresses the kernel lists besides the capture's
	}{
		{"keepalived.data", captureHarness, map[string][]string{"eth0": {"192.168.50.100", "192.168.50.101", "10.9.9.9"}}},
		{"sg.data", sgHarness, map[string][]string{"eth0": {"10.31.0.100", "10.31.9.9"}, "eth1": {"10.32.0.100"}}},
	} {
		t.Run(tc.capture, func(t *testing.T) {
			h := tc.h(t)
			want := readCapture(t, tc.capture)
			ifs := captureIfaces(t, dumpSection(want, "Interfaces"))
			for i := range ifs {
				for _, a := range tc.vips[ifs[i].Name] {
					ifs[i].Addrs = append(ifs[i].Addrs, netip.MustParseAddr(a))
				}
			}
			h.d.opts.ifaces = func() ([]hostIface, error) { return ifs, nil }
			got := string(h.d.dataText(h.now))
			for _, sec := range []string{"VRRP Sockpool", "Interfaces"} {
				if diff := cmp.Diff(withoutFD(dumpSection(want, sec)), dumpSection(got, sec)); diff != "" {
					t.Errorf("%s (-keepalived +ours):\n%s", sec, diff)
				}
			}
			// keepalived's order of sections.
			var order []string
			for _, l := range strings.Split(got, "\n") {
				if strings.HasPrefix(l, "------<") {
					order = append(order, l)
				}
			}
			var wantOrder []string
			for _, l := range strings.Split(want, "\n") {
				if strings.HasPrefix(l, "------<") {
					wantOrder = append(wantOrder, l)
				}
			}
			if diff := cmp.Diff(wantOrder, order); diff != "" {
				t.Errorf("sections (-keepalived +ours):\n%s", diff)
			}
		})
	}
}
