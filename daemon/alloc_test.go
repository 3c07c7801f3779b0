package daemon

import (
	"context"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// advertFor encodes the advert a peer at prio sends for instance in.
func advertFor(in *instance, src string, prio uint8) netif.Packet {
	a := vrrp.Advert{Version: uint8(in.vcfg.Version), Type: vrrp.TypeAdvert, VRID: in.vcfg.VRID, Priority: prio,
		AdverInt: in.vcfg.AdvertInt, Addrs: in.vcfg.VIPs}
	s := mustAddr(src)
	pkt := a.AppendEncode(nil, s, in.vcfg.McastGroup)
	return netif.Packet{Src: s, Dst: in.vcfg.McastGroup, TTL: 255, IPLen: 20 + len(pkt), Payload: pkt}
}

// TestBackupReceiveAllocatesNothing: a BACKUP's received advert, from the
// socket's buffer through the loop's handler and the core's checks, costs
// no allocation, alone and as a sync-group member; and it is taken (the
// core counts it and the instance stays BACKUP).
func TestBackupReceiveAllocatesNothing(t *testing.T) {
	alone := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	grouped := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth0", 100, "10.0.0.101/24"))
	grouped.SyncGroups = []*config.SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2"}}}
	for name, cfg := range map[string]*config.Config{"alone": alone, "sync group member": grouped} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
			h.start()
			in := h.d.insts[0]
			if (in.group != nil) != (len(cfg.SyncGroups) > 0) {
				t.Fatalf("group %v, want one exactly for %s", in.group, name)
			}
			rx := rxPacket{conn: in.conn, pkt: advertFor(in, "10.0.0.2", 200)}
			allocs := testing.AllocsPerRun(100, func() {
				h.now = h.now.Add(time.Second)
				h.d.onPacket(h.now, rx)
			})
			if allocs != 0 {
				t.Errorf("%.1f allocations per received advert, want 0", allocs)
			}
			if st, n := in.eng.Status().State, in.eng.Stats().AdvertRcvd; st != vrrp.StateBackup || n != 101 {
				t.Errorf("state %v, %d adverts taken: want BACKUP, 101", st, n)
			}
		})
	}
}

// TestMasterAdvertAllocatesNothing: a MASTER's advert, from the loop's
// timer through the core to the socket's Send, costs no allocation.
func TestMasterAdvertAllocatesNothing(t *testing.T) {
	h := masterHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")))
	h.host.quiet = true // count the adverts, format nothing
	before := h.host.sent
	allocs := testing.AllocsPerRun(100, func() { h.advance(time.Second) })
	if allocs != 0 {
		t.Errorf("%.1f allocations per advert, want 0", allocs)
	}
	if n := h.host.sent - before; n != 101 {
		t.Errorf("%d adverts in 101 s, want 101", n)
	}
}

// TestRunLoopReceiveAllocatesNothing is the whole receive path as it runs:
// the socket's reader goroutine taking the loop's lock, the handler and
// the core, re-arming the loop's timer, with nothing allocated per advert.
// The fake socket's Recv is entered again only once the reader has
// finished with the last packet, which is how the test knows one advert
// went all the way.
func TestRunLoopReceiveAllocatesNothing(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.Now = time.Now
	h.host.recvEntered = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	<-h.host.recvEntered // the reader waits for its first packet
	var c *fakeConn
	h.host.mu.Lock()
	c = h.host.conns[0]
	h.host.mu.Unlock()
	var in *instance
	if err := h.d.do(func() error { in = h.d.insts[0]; return nil }); err != nil {
		t.Fatal(err)
	}
	pkt := advertFor(in, "10.0.0.2", 200)
	allocs := testing.AllocsPerRun(100, func() {
		c.in <- pkt
		<-h.host.recvEntered
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per received advert, want 0", allocs)
	}
	var n uint64
	var st vrrp.State
	if err := h.d.do(func() error { n, st = in.eng.Stats().AdvertRcvd, in.eng.Status().State; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 101 || st != vrrp.StateBackup {
		t.Errorf("%d adverts taken, state %v: want 101, BACKUP", n, st)
	}
}

// BenchmarkRunLoopReceive is one BACKUP's received advert through the
// whole receive path as it runs (reader goroutine, the loop's lock, the
// handler, the core), one after the other; BenchmarkOnPacket is the
// handler and the core alone, among 1,000 instances.
func BenchmarkRunLoopReceive(b *testing.B) {
	h := newHarness(&testing.T{}, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.Now = time.Now
	h.host.recvEntered = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	<-h.host.recvEntered
	h.host.mu.Lock()
	c := h.host.conns[0]
	h.host.mu.Unlock()
	var pkt netif.Packet
	if err := h.d.do(func() error { pkt = advertFor(h.d.insts[0], "10.0.0.2", 200); return nil }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.in <- pkt
		<-h.host.recvEntered
	}
}
