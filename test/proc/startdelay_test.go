package proc

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestStartupDelayOnTheWire: B (priority 150, preempting) starts beside a
// running master A (priority 100) with vrrp_startup_delay 5. On the wire
// (tcpdump in B's namespace) B sends no advert for the delay, then takes
// over. Without the delay B preempts after its down timer (about 3.4 s),
// so this fails if the keyword has no effect. Run for keepalived-go and,
// when installed, keepalived 2.2.7.
func TestStartupDelayOnTheWire(t *testing.T) {
	needRoot(t)
	impls := []struct{ name, bin string }{{"keepalived-go", binary}}
	if real, err := exec.LookPath("keepalived"); err == nil {
		impls = append(impls, struct{ name, bin string }{"keepalived 2.2.7", real})
	}
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			p := newPair(t)
			var s sniffer
			s.run(t, p.b)
			time.Sleep(300 * time.Millisecond) // tcpdump ready
			p.start(t, p.a, impl.bin, p.conf(t, "a.conf", 100), "a")
			if _, ok := s.waitAdvert("10.78.0.1", 100, time.Time{}, 10*time.Second); !ok {
				t.Fatal("A never became master")
			}
			conf := filepath.Join(p.dir, "b.conf")
			text := "global_defs {\n  vrrp_startup_delay 5\n}\n" + fmt.Sprintf(`vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority 150
  advert_int 1
  virtual_ipaddress {
    10.78.0.100/24
  }
}
`)
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			p.start(t, p.b, impl.bin, conf, "b")
			first, ok := s.waitAdvert("10.78.0.2", -1, t0, 30*time.Second)
			if !ok {
				t.Fatal("B never advertised")
			}
			after := first.at.Sub(t0)
			t.Logf("B's first advert %v after its start (prio %d)", after.Round(time.Millisecond), first.prio)
			if after < 4500*time.Millisecond {
				t.Errorf("B advertised %v after its start, inside vrrp_startup_delay 5", after.Round(time.Millisecond))
			}
			if first.prio != 150 {
				t.Errorf("B's first advert has priority %d, want 150", first.prio)
			}
		})
	}
}
