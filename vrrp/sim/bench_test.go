package vrrpsim

import (
	"fmt"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// bigSegment is 1,000 instances: two routers with 500 VRIDs each (VRIDs
// 1-250 on IPv4 and IPv6), advert_int 1, the first router master of all.
func bigSegment() *Sim {
	s := New(Options{Delay: 100 * time.Microsecond, NoTranscript: true})
	var c1, c2 []vrrp.Config
	for i := 0; i < 500; i++ {
		vrid := uint8(i%250 + 1)
		v6 := i >= 250
		vip := fmt.Sprintf("10.1.%d.%d", i/250, vrid)
		if v6 {
			vip = fmt.Sprintf("fe80::%x", 0x1000+i)
		}
		c := cfg(fmt.Sprintf("VI_%d", i), vrid, 100, vip)
		if v6 {
			c = v3(c, time.Second)
			c.IPv6 = true
		}
		c1 = append(c1, c)
		c.Priority = 90
		c2 = append(c2, c)
	}
	r1 := s.AddRouter("r1", "10.0.0.1", "fe80::1", "", c1...)
	r2 := s.AddRouter("r2", "10.0.0.2", "fe80::2", "", c2...)
	s.At(0, r1.Start)
	s.At(0, r2.Start)
	return s
}

// BenchmarkSim1000Instances10Minutes runs 1,000 instances for 10 minutes
// of virtual time (about 600,000 adverts sent and as many received).
func BenchmarkSim1000Instances10Minutes(b *testing.B) {
	b.ReportAllocs()
	var steps uint64
	for b.Loop() {
		s := bigSegment()
		s.RunUntil(10 * time.Minute)
		if len(s.Violations()) != 0 || len(s.Masters()) != 500 {
			b.Fatalf("violations %v, %d masters", s.Violations(), len(s.Masters()))
		}
		steps = s.Steps()
	}
	b.ReportMetric(float64(steps), "steps/op")
}

// TestSim1000Instances is the benchmark's scenario as a quick test: 1,000
// instances for one virtual minute converge to 500 masters on r1.
func TestSim1000Instances(t *testing.T) {
	s := bigSegment()
	s.RunUntil(time.Minute)
	if len(s.Violations()) != 0 {
		t.Fatal(s.Violations())
	}
	if m := s.Masters(); len(m) != 500 || m[0][:3] != "r1/" || m[499][:3] != "r1/" {
		t.Fatalf("%d masters", len(m))
	}
}
