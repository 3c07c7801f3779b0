package proc

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestFifoStatesOnReload: with fifo_write_vrrp_states_on_reload, a reload
// writes the unchanged state of the kept BACKUP / FAULT instances to the
// notify FIFO (keepalived 2.2.7 vrrp_init_state), not that of an instance
// that stays MASTER; without it a reload writes nothing there. VI_1 is
// master (priority 255), VI_2 in FAULT (it tracks a dummy interface that
// is down: a veth left down). Run with keepalived-go and keepalived 2.2.7, which must write
// the same lines; it fails if the keyword has no effect.
func TestFifoStatesOnReload(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		for _, on := range []bool{true, false} {
			name := impl.name + "/off"
			if on {
				name = impl.name + "/on"
			}
			t.Run(name, func(t *testing.T) {
				n := newNetns(t)
				mustRun(t, "ip", "-n", n.name, "link", "add", "dummy0", "type", "veth", "peer", "name", "dummy1") // left down
				fifo := filepath.Join(n.dir, "notify.fifo")
				if err := syscall.Mkfifo(fifo, 0o600); err != nil {
					t.Fatal(err)
				}
				var mu sync.Mutex
				var lines []string
				go func() {
					f, err := os.OpenFile(fifo, os.O_RDWR, 0) // never sees EOF
					if err != nil {
						return
					}
					s := bufio.NewScanner(f)
					for s.Scan() {
						mu.Lock()
						lines = append(lines, s.Text())
						mu.Unlock()
					}
				}()
				take := func() []string {
					mu.Lock()
					defer mu.Unlock()
					l := lines
					lines = nil
					return l
				}
				kw := ""
				if on {
					kw = "  fifo_write_vrrp_states_on_reload\n"
				}
				conf := filepath.Join(n.dir, "k.conf")
				text := fmt.Sprintf(`global_defs {
  router_id kgx_fifo
  notify_fifo %s
%s}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 255
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface eth0
  virtual_router_id 52
  priority 100
  advert_int 1
  track_interface {
    dummy0
  }
  virtual_ipaddress {
    10.77.0.101/24
  }
}
`, fifo, kw)
				if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
				parent, _ := n.waitPids(t, k.out.String)
				if !waitFor(10*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
					t.Fatalf("VI_1 never master\n%s", k.out.String())
				}
				time.Sleep(1500 * time.Millisecond)
				take()
				syscall.Kill(parent, syscall.SIGHUP)
				if !waitFor(10*time.Second, func() bool { return strings.Count(k.out.String(), "Reload") >= 1 }) {
					t.Fatalf("no reload logged\n%s", k.out.String())
				}
				time.Sleep(2 * time.Second)
				after := take()
				slices.Sort(after)
				t.Logf("FIFO after the reload: %q", after)
				want := []string(nil)
				if on {
					want = []string{`INSTANCE "VI_2" FAULT 100`}
				}
				if !slices.Equal(after, want) {
					t.Errorf("FIFO lines after the reload %q, want %q\n%s", after, want, k.out.String())
				}
			})
		}
	}
}
