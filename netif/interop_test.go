package netif

// Interop with real keepalived 2.2.7 at the packet level: keepalived runs
// in one namespace of a veth pair, our Conns in the other. The full mixed
// pair (our daemon beside keepalived) is test/e2e's; here we check that
// the sockets carry each other's adverts in every mode: v2 and v3, IPv4
// and IPv6, multicast and unicast, with and without auth PASS.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite testdata golden files from real keepalived")

const keepalivedBin = "/usr/sbin/keepalived"

// keepalived runs real keepalived in ns with conf, killed (process group)
// when the test ends.
type keepalived struct {
	cmd *exec.Cmd
	dir string
	log testenv.Buffer
}

func (k *keepalived) Write(p []byte) (int, error) { return k.log.Write(p) }

func (k *keepalived) Log() string { return k.log.String() }

func startKeepalived(t *testing.T, ns, conf string) *keepalived {
	t.Helper()
	if _, err := os.Stat(keepalivedBin); err != nil {
		t.Skip("keepalived is not installed (make deps)")
	}
	k := &keepalived{dir: t.TempDir()}
	cf := filepath.Join(k.dir, "keepalived.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	k.cmd = exec.Command("ip", "netns", "exec", ns, keepalivedBin, "-n", "-l", "-D", "-G", "-P",
		"-f", cf, "-p", filepath.Join(k.dir, "keepalived.pid"), "-r", filepath.Join(k.dir, "vrrp.pid"),
		"-c", filepath.Join(k.dir, "checkers.pid"), "-b", filepath.Join(k.dir, "bfd.pid"))
	k.cmd.Stdout, k.cmd.Stderr = k, k
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { k.cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		pg := k.cmd.Process.Pid
		syscall.Kill(-pg, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-pg, syscall.SIGKILL)
			<-done
		}
		// the VRRP child, should it have left the group
		if b, err := os.ReadFile(filepath.Join(k.dir, "vrrp.pid")); err == nil {
			var pid int
			if _, err := fmt.Sscan(string(b), &pid); err == nil && pid > 1 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		if t.Failed() {
			t.Logf("keepalived log:\n%s", k.Log())
		}
	})
	return k
}

// interopCase is one keepalived instance and how we talk to it.
type interopCase struct {
	name    string
	vrid    uint8
	version int
	ipv6    bool
	unicast bool
	pass    string
	uttl    int // unicast_ttl, 0 = default
	vip     netip.Addr
}

var (
	ourV4    = netip.MustParseAddr("10.9.0.1")
	theirV4  = netip.MustParseAddr("10.9.0.2")
	ourV6    = netip.MustParseAddr("2001:db8:9::1")
	theirV6  = netip.MustParseAddr("2001:db8:9::2")
	macTheir = []byte{2, 0, 0, 0, 9, 2}
)

func interopCases(base uint8) []interopCase {
	cs := []interopCase{
		{name: "v2 ipv4 multicast", version: 2},
		{name: "v2 ipv4 multicast auth PASS", version: 2, pass: "kgnpass1"},
		{name: "v2 ipv4 unicast", version: 2, unicast: true},
		{name: "v2 ipv4 unicast auth PASS unicast_ttl", version: 2, unicast: true, pass: "kgnpass2", uttl: 17},
		{name: "v3 ipv4 multicast", version: 3},
		{name: "v3 ipv4 unicast", version: 3, unicast: true},
		{name: "v3 ipv6 multicast", version: 3, ipv6: true},
		{name: "v3 ipv6 unicast", version: 3, ipv6: true, unicast: true},
	}
	for i := range cs {
		cs[i].vrid = base + uint8(i)
		if cs[i].ipv6 {
			cs[i].vip = netip.MustParseAddr(fmt.Sprintf("2001:db8:9::%d", 100+int(cs[i].vrid)))
		} else {
			cs[i].vip = netip.MustParseAddr(fmt.Sprintf("10.9.0.%d", 100+int(cs[i].vrid)))
		}
	}
	return cs
}

func (c interopCase) config(state string, prio int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "vrrp_instance VI_%d {\n  state %s\n  interface eth0\n  virtual_router_id %d\n  priority %d\n  advert_int 1\n  version %d\n",
		c.vrid, state, c.vrid, prio, c.version)
	if c.pass != "" {
		fmt.Fprintf(&b, "  authentication {\n    auth_type PASS\n    auth_pass %s\n  }\n", c.pass)
	}
	if c.unicast {
		src, peer := theirV4, ourV4
		if c.ipv6 {
			src, peer = theirV6, ourV6
		}
		fmt.Fprintf(&b, "  unicast_src_ip %s\n  unicast_peer {\n    %s\n  }\n", src, peer)
		if c.uttl != 0 {
			fmt.Fprintf(&b, "  unicast_ttl %d\n", c.uttl)
		}
	}
	bits := 24
	if c.ipv6 {
		bits = 64
	}
	fmt.Fprintf(&b, "  virtual_ipaddress {\n    %s/%d\n  }\n}\n", c.vip, bits)
	return b.String()
}

func interopConfig(cases []interopCase, state string, prio int) string {
	var b strings.Builder
	b.WriteString("global_defs {\n  router_id kgn_interop\n  vrrp_garp_master_delay 0\n}\n")
	for _, c := range cases {
		b.WriteString(c.config(state, prio))
	}
	return b.String()
}

// ourConns opens the four Conns (IPv4/IPv6 x multicast/unicast) in ns and
// streams every packet received, tagged, to the returned channel.
type rx struct {
	p       Packet
	unicast bool
}

func ourConns(t *testing.T, ctx context.Context, ns string) (map[string]Conn, <-chan rx) {
	t.Helper()
	conns := map[string]Conn{
		"m4": listenIn(t, ns, ConnConfig{Ifname: "eth0", Group: Group4, Src: ourV4}),
		"u4": listenIn(t, ns, ConnConfig{Ifname: "eth0", Src: ourV4}),
		"m6": listenIn(t, ns, ConnConfig{Ifname: "eth0", IPv6: true, Group: Group6, Src: linkLocal(t, ns, "eth0")}),
		"u6": listenIn(t, ns, ConnConfig{Ifname: "eth0", IPv6: true, Src: ourV6}),
	}
	ch := make(chan rx, 256)
	for name, c := range conns {
		go func(uni bool, c Conn) {
			for {
				p, err := c.Recv(ctx)
				if err != nil {
					return
				}
				p.Payload = bytes.Clone(p.Payload)
				select {
				case ch <- rx{p, uni}:
				case <-ctx.Done():
					return
				}
			}
		}(name[0] == 'u', c)
	}
	return conns, ch
}

func (c interopCase) conn(conns map[string]Conn) Conn {
	k := "m"
	if c.unicast {
		k = "u"
	}
	if c.ipv6 {
		return conns[k+"6"]
	}
	return conns[k+"4"]
}

// TestKeepalivedAdvertsReachUs: keepalived (address owner, so master at
// once) sends; our Conns receive each advert with the TTL, destination and
// interface keepalived used, and its checksum verifies. keepalived's
// gratuitous ARP and unsolicited NA are the golden frames our builders
// must reproduce.
func TestKeepalivedAdvertsReachUs(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cases := interopCases(21)
	conns, ch := ourConns(t, ctx, a)
	_ = conns
	arpA := capture(t, a, "eth0", unix.ETH_P_ARP)
	ip6A := capture(t, a, "eth0", unix.ETH_P_IPV6)
	ip4A := capture(t, a, "eth0", unix.ETH_P_IP)
	aIdx := ifindex(t, l, a, "eth0")
	llB := linkLocal(t, b, "eth0")
	k := startKeepalived(t, b, interopConfig(cases, "MASTER", 255))

	got := map[uint8]rx{}
	deadline := time.After(6 * time.Second)
	for len(got) < len(cases) {
		select {
		case r := <-ch:
			if len(r.p.Payload) > 1 {
				if _, seen := got[r.p.Payload[1]]; !seen {
					got[r.p.Payload[1]] = r
				}
			}
		case <-deadline:
			t.Fatalf("got adverts for VRIDs %v only; log:\n%s", keys(got), k.Log())
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := got[c.vrid]
			p := r.p
			wantSrc, wantDst, wantTTL := theirV4, Group4, uint8(255)
			if c.ipv6 {
				wantSrc, wantDst = llB, Group6
			}
			if c.unicast {
				wantSrc, wantDst = theirV4, ourV4
				if c.ipv6 {
					wantSrc, wantDst = theirV6, ourV6
					wantTTL = 64 // the kernel's default hop limit: keepalived sets none for unicast
				}
				if c.uttl != 0 {
					wantTTL = uint8(c.uttl)
				}
			}
			if r.unicast != c.unicast || p.Src != wantSrc || p.Dst != wantDst || p.TTL != wantTTL || p.Ifindex != aIdx {
				t.Errorf("unicast %v src %s dst %s ttl %d ifindex %d; want %v %s %s %d %d",
					r.unicast, p.Src, p.Dst, p.TTL, p.Ifindex, c.unicast, wantSrc, wantDst, wantTTL, aIdx)
			}
			want := testAdvert{version: c.version, vrid: c.vrid, prio: 255, intervalS: 1, intervalC: 100, pass: c.pass,
				addrs: []netip.Addr{c.vip}}.encode(p.Src, p.Dst)
			if c.ipv6 {
				// the checksum is the kernel's (IPV6_CHECKSUM): compare the rest
				copy(want[6:8], p.Payload[6:8])
			}
			if !bytes.Equal(p.Payload, want) {
				t.Errorf("advert\n got %x\nwant %x", p.Payload, want)
			}
			if !checksumOK(p.Payload, p.Src, p.Dst, c.version) {
				t.Errorf("checksum does not verify")
			}
			if !c.ipv6 && p.IPLen != 20+len(p.Payload) {
				t.Errorf("IPLen %d, want %d", p.IPLen, 20+len(p.Payload))
			}
		})
	}

	// keepalived's IPv4 header is the one our Conn builds (TestVRRPIPv4Header):
	// TOS 0xc0, no DF, a non-zero ID, TTL 255, protocol 112
	var ids []uint16
	for len(ids) < 2 {
		f := ip4A.next(t, func(f []byte) bool {
			return len(f) > 34 && f[23] == protoVRRP && bytes.Equal(f[30:34], Group4.AsSlice()) && f[35] == cases[0].vrid
		})
		ip := f[14:]
		if ip[0] != 0x45 || ip[1] != tosVRRP || ip[6] != 0 || ip[7] != 0 || ip[8] != 255 {
			t.Errorf("keepalived's IPv4 header %x: want 45 c0 .. flags 0000 ttl ff", ip[:20])
		}
		ids = append(ids, uint16(ip[4])<<8|uint16(ip[5]))
	}
	if ids[0] == 0 || ids[1] == ids[0] {
		t.Errorf("keepalived's IP IDs %v", ids)
	}

	// keepalived's own gratuitous ARP and NA, byte for byte
	garpVIP := cases[0].vip
	garp := arpA.next(t, func(f []byte) bool { return len(f) >= GARPLen && bytes.Equal(f[28:32], garpVIP.AsSlice()) })
	naVIP := cases[6].vip
	na := ip6A.next(t, func(f []byte) bool {
		return len(f) >= NALen && f[20] == 58 && f[54] == 136 && bytes.Equal(f[62:78], naVIP.AsSlice())
	})
	wantGARP, _ := AppendGARP(nil, macTheir, garpVIP)
	wantNA, _ := AppendUnsolicitedNA(nil, macTheir, naVIP, false)
	if !bytes.Equal(garp, wantGARP) {
		t.Errorf("keepalived's GARP\n got %x\n ours %x", garp, wantGARP)
	}
	if !bytes.Equal(na, wantNA) {
		t.Errorf("keepalived's NA\n got %x\n ours %x", na, wantNA)
	}
	if *update {
		writeGolden(t, "keepalived-garp.hex", garp, fmt.Sprintf("mac %x vip %s", macTheir, garpVIP))
		writeGolden(t, "keepalived-na.hex", na, fmt.Sprintf("mac %x vip %s router false", macTheir, naVIP))
	}
}

func writeGolden(t *testing.T, name string, b []byte, what string) {
	t.Helper()
	s := fmt.Sprintf("# captured from keepalived 2.2.7 by TestKeepalivedAdvertsReachUs -update: %s\n%x\n", what, b)
	if err := os.WriteFile(filepath.Join("testdata", name), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func keys(m map[uint8]rx) []uint8 {
	var out []uint8
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestKeepalivedAcceptsOurAdverts: keepalived (priority 100, state MASTER)
// hears our priority-200 adverts and so never leaves BACKUP; when we
// resign with priority 0 it takes over within its skew time and its adverts
// reach us. Silence while we send proves every advert passed its checks
// (version, auth, interval, address list, checksum): an advert it dropped
// would not reset its master-down timer (3.6 s here).
func TestKeepalivedAcceptsOurAdverts(t *testing.T) {
	l := newLab(t)
	a, b := l.pair()
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cases := interopCases(41)
	// The control: an instance whose password we get wrong. keepalived must
	// drop those adverts and take over while we send, or the silence of
	// the others would prove nothing.
	control := interopCase{name: "control: wrong auth_pass", vrid: 49, version: 2, pass: "kgnpass3",
		vip: netip.MustParseAddr("10.9.0.149")}
	conns, ch := ourConns(t, ctx, a)
	llA := linkLocal(t, a, "eth0")

	send := func(prio uint8) {
		t.Helper()
		for _, c := range append(cases, control) {
			src, dst := ourV4, Group4
			switch {
			case c.ipv6 && c.unicast:
				src, dst = ourV6, theirV6
			case c.ipv6:
				src, dst = llA, Group6
			case c.unicast:
				dst = theirV4
			}
			pass := c.pass
			if c.vrid == control.vrid {
				pass = "wrongpw!"
			}
			adv := testAdvert{version: c.version, vrid: c.vrid, prio: prio, intervalS: 1, intervalC: 100, pass: pass,
				addrs: []netip.Addr{c.vip}}.encode(src, dst)
			if err := c.conn(conns).Send(adv, src, dst, 255); err != nil {
				t.Fatalf("%s: send: %v", c.name, err)
			}
		}
	}
	send(200)
	k := startKeepalived(t, b, interopConfig(append(cases, control), "MASTER", 100))
	// keep sending for longer than keepalived's master-down interval
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	quiet := time.After(5 * time.Second)
	controlTookOver := false
loop:
	for {
		select {
		case <-tick.C:
			send(200)
		case r := <-ch:
			if r.p.Payload[1] == control.vrid {
				controlTookOver = true
				continue
			}
			t.Fatalf("keepalived sent an advert while we were master (VRID %d, priority %d): it did not accept ours; log:\n%s",
				r.p.Payload[1], r.p.Payload[2], k.Log())
		case <-quiet:
			break loop
		}
	}
	if !controlTookOver {
		t.Fatalf("keepalived did not take over the control instance, whose adverts had a wrong password; log:\n%s", k.Log())
	}
	send(0)
	want := map[uint8]bool{}
	for _, c := range cases {
		want[c.vrid] = true
	}
	got := map[uint8]rx{}
	deadline := time.After(4 * time.Second)
	for len(got) < len(cases) {
		select {
		case r := <-ch:
			if len(r.p.Payload) > 2 && r.p.Payload[2] == 100 && want[r.p.Payload[1]] {
				got[r.p.Payload[1]] = r
			}
		case <-deadline:
			t.Fatalf("after our priority 0, keepalived took over VRIDs %v only; log:\n%s", keys(got), k.Log())
		}
	}
	// keepalived sends its first advert before it logs the transition
	logDeadline := time.Now().Add(2 * time.Second)
	for _, c := range cases {
		line := fmt.Sprintf("(VI_%d) Entering MASTER STATE", c.vrid)
		for !strings.Contains(k.Log(), line) && time.Now().Before(logDeadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(k.Log(), line) {
			t.Errorf("%s: no %q in keepalived's log", c.name, line)
		}
	}
}
