package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestUseVMACAddr: with use_vmac_addr, a master's VIP on another
// interface (eth1) goes on a macvlan made on eth1, named by
// vmac_addr_prefix (va.51), in private mode, with the MAC
// 00:00:5e:00:01:51 (VRID 51 = 0x33); it is gone once the daemon stops.
// keepalived-go and keepalived 2.2.7 run the same configuration and want
// the same interface.
func TestUseVMACAddr(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			n := newNetns(t)
			conf := filepath.Join(n.dir, "k.conf")
			text := `global_defs {
  router_id kgx_vmacaddr
  vmac_addr_prefix va
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 255
  advert_int 1
  use_vmac_addr
  virtual_ipaddress {
    10.77.0.100/24
    10.78.0.100/24 dev eth1
  }
}
`
			if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
			link := func() string {
				out, _ := exec.Command("ip", "-n", n.name, "-d", "-o", "link", "show", "dev", "va.51").Output()
				return string(out)
			}
			onVMAC := func() bool {
				out, _ := exec.Command("ip", "-n", n.name, "-o", "addr", "show", "dev", "va.51").Output()
				return strings.Contains(string(out), " 10.78.0.100/24 ")
			}
			if !waitFor(15*time.Second, onVMAC) {
				all, _ := exec.Command("ip", "-n", n.name, "-o", "addr").Output()
				t.Fatalf("10.78.0.100/24 not on va.51 within 15 s\nlinks: %s\naddresses:\n%s\n%s", link(), all, k.out.String())
			}
			l := link()
			for _, w := range []string{"va.51@eth1:", "link/ether 00:00:5e:00:01:33 ", "macvlan mode private"} {
				if !strings.Contains(l, w) {
					t.Errorf("va.51 lacks %q: %s", w, l)
				}
			}
			syscall.Kill(k.cmd.Process.Pid, syscall.SIGTERM)
			if !k.exited(10 * time.Second) {
				t.Fatalf("did not stop\n%s", k.out.String())
			}
			if l := link(); l != "" {
				t.Errorf("va.51 left behind after the daemon stopped: %s", l)
			}
		})
	}
}
