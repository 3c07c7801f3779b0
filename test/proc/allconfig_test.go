package proc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAllConfigOnTheDaemon: -e / --all-config makes a missing include a
// configuration file error for the daemon too, not only for -t: keepalived
// 2.2.7 (include_check_set on every check) refuses to start with exit
// status 6, and without -e runs the same file. Run with keepalived-go and
// keepalived 2.2.7; it fails if -e has no effect on the daemon.
func TestAllConfigOnTheDaemon(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		for _, strict := range []bool{false, true} {
			name := impl.name + "/plain"
			if strict {
				name = impl.name + "/-e"
			}
			t.Run(name, func(t *testing.T) {
				n := newNetns(t)
				conf := filepath.Join(n.dir, "k.conf")
				text := "include " + filepath.Join(n.dir, "missing.conf") + "\n" + `vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`
				if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				args := []string{"-f", conf}
				if strict {
					args = append(args, "-e")
				}
				k := n.startBin(t, impl.bin, nil, append(args, n.pidArgs()...)...)
				if !strict {
					n.waitPids(t, k.out.String)
					if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering BACKUP STATE") }) {
						t.Fatalf("did not run without -e\n%s", k.out.String())
					}
					return
				}
				if !k.exited(15 * time.Second) {
					t.Fatalf("still running with -e and a missing include\n%s", k.out.String())
				}
				if got := k.status.ExitStatus(); got != 6 {
					t.Errorf("exit status %d, want 6\n%s", got, k.out.String())
				}
				if strings.Contains(k.out.String(), "Entering BACKUP STATE") {
					t.Errorf("an instance started\n%s", k.out.String())
				}
			})
		}
	}
}
