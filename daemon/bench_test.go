package daemon

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// bigConfig is 4 interfaces x 250 VRIDs, one VIP each (the issue's
// 1,000-instance setup).
func bigConfig(extraVIP bool) (*config.Config, []netif.Link) {
	var ins []*config.Instance
	var links []netif.Link
	for i := 0; i < 4; i++ {
		ifname := fmt.Sprintf("eth%d", i)
		links = append(links, eth(ifname, true, fmt.Sprintf("10.%d.0.1/16", i)))
		for v := 1; v <= 250; v++ {
			vips := []string{fmt.Sprintf("10.%d.%d.100/32", i, v)}
			if extraVIP && v == 1 {
				vips = append(vips, fmt.Sprintf("10.%d.%d.101/32", i, v))
			}
			ins = append(ins, vi(fmt.Sprintf("VI_%d_%d", i, v), v, ifname, 100, vips...))
		}
	}
	return configOf(ins...), links
}

func benchHarness(b *testing.B, cfg *config.Config, links []netif.Link) *harness {
	t := &testing.T{}
	h := newHarness(t, cfg, links...)
	h.start()
	h.host.take()
	b.Cleanup(h.d.cancel)
	return h
}

// BenchmarkReload1000 is the time the loop is paused by a reload of the
// 1,000-instance configuration adding one VIP on 4 instances, all masters.
// Parsing and the plan (BenchmarkDiff1000) are computed by Reload outside
// the loop and not counted.
func BenchmarkReload1000(b *testing.B) {
	cfgA, links := bigConfig(false)
	cfgB, _ := bigConfig(true)
	h := benchHarness(b, cfgA, links)
	h.advance(5 * time.Second)
	planAB, planBA := config.Diff(cfgA, cfgB), config.Diff(cfgB, cfgA)
	linesAB, linesBA := planLines(planAB), planLines(planBA)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next, plan, lines := cfgB, planAB, linesAB
		if i%2 == 1 {
			next, plan, lines = cfgA, planBA, linesBA
		}
		if err := h.d.applyPlan(h.now, next, plan, lines); err != nil {
			b.Fatal(err)
		}
		if i%16 == 0 {
			h.host.take()
			h.takeLogs()
		}
	}
}

// BenchmarkDiff1000 is config.Diff alone on the same configurations.
func BenchmarkDiff1000(b *testing.B) {
	cfgA, _ := bigConfig(false)
	cfgB, _ := bigConfig(true)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = config.Diff(cfgA, cfgB)
	}
}

// BenchmarkOnPacket is one received advert, from the loop's channel to the
// instance's state machine and back, with 1,000 instances configured.
func BenchmarkOnPacket(b *testing.B) {
	cfg, links := bigConfig(false)
	h := benchHarness(b, cfg, links)
	in := h.d.insts[999]
	a := vrrp.Advert{Version: 2, Type: 1, VRID: in.vcfg.VRID, Priority: 200, AdverInt: time.Second,
		Addrs: in.vcfg.VIPs}
	src := mustAddr("10.3.0.2")
	pkt := a.AppendEncode(nil, src, in.vcfg.McastGroup)
	rx := rxPacket{conn: in.conn, pkt: netif.Packet{Src: src, Dst: in.vcfg.McastGroup, TTL: 255, IPLen: 20 + len(pkt), Payload: pkt}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.d.onPacket(h.now, rx)
	}
}

// BenchmarkTimer1000 is one loop timer wake-up with 1,000 masters: the
// earliest deadline search plus the due instances' adverts.
func BenchmarkTimer1000(b *testing.B) {
	cfg, links := bigConfig(false)
	h := benchHarness(b, cfg, links)
	h.advance(5 * time.Second) // all masters
	h.host.take()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h.advance(10 * time.Millisecond)
		if i%100 == 0 {
			h.host.take()
		}
	}
}

// BenchmarkFootprint1000 measures the heap the daemon holds for 1,000
// instances (model + daemon + cores on the fake host, after GC), reported
// as heap-MiB; a measurement for BENCHMARKS-daemon.md, so a benchmark and
// not a default-tier test. One iteration is the figure (later ones start
// while the previous daemon is still being torn down):
//
//	go test -run '^$' -bench Footprint1000 -benchtime 1x ./daemon/
func BenchmarkFootprint1000(b *testing.B) {
	var before, after runtime.MemStats
	var mib float64
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		cfg, links := bigConfig(false)
		h := newHarness(&testing.T{}, cfg, links...)
		h.start()
		h.advance(5 * time.Second)
		h.host.take()
		h.takeLogs()
		runtime.GC()
		runtime.ReadMemStats(&after)
		mib += float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
		h.d.cancel()
		runtime.KeepAlive(h) // the fake host too, as the test held it
	}
	b.ReportMetric(mib/float64(b.N), "heap-MiB")
}
