package proc

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// TestUnicastSourceInDAD: an IPv6 unicast instance started while its
// unicast_src_ip is still tentative (added without nodad, duplicate
// address detection running) never enters FAULT and advertises from that
// address. The socket's bind used to fail with EADDRNOTAVAIL and, as the
// daemon reopens it only on link events, the instance stayed in FAULT
// for good (keepalived 2.2.7 does the same; 2.4.3 binds with
// IPV6_FREEBIND and comes up).
func TestUnicastSourceInDAD(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Skip("tcpdump missing")
	}
	p := newPair(t)
	testenv.IP(t, "-n", p.b, "addr", "add", "2001:db8:78::2/64", "dev", "eth0", "nodad")
	testenv.Sysctl(t, p.a, "net.ipv6.conf.eth0.accept_dad=1", "net.ipv6.conf.eth0.dad_transmits=3")

	var mu sync.Mutex
	var seen []string
	dump := exec.Command("ip", "netns", "exec", p.b, "tcpdump", "-l", "-nn", "-i", "eth0", "ip6 proto 112")
	out, _ := dump.StdoutPipe()
	if err := dump.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dump.Process.Kill(); dump.Wait() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			mu.Lock()
			seen = append(seen, sc.Text())
			mu.Unlock()
		}
	}()
	time.Sleep(300 * time.Millisecond) // tcpdump ready

	conf := filepath.Join(p.dir, "a.conf")
	if err := os.WriteFile(conf, []byte(`vrrp_instance VI_6 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority 100
  advert_int 1
  unicast_src_ip 2001:db8:78::1
  unicast_peer {
    2001:db8:78::2
  }
  virtual_ipaddress {
    2001:db8:78::100/64
  }
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	testenv.IP(t, "-n", p.a, "addr", "add", "2001:db8:78::1/64", "dev", "eth0")
	log := &testenv.Buffer{}
	cmd := exec.Command("ip", "netns", "exec", p.a, binary, "-n", "-l", "-D", "-G", "-f", conf,
		"-p", filepath.Join(p.dir, "k.pid"), "-r", filepath.Join(p.dir, "v.pid"))
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	if o := testenv.IP(t, "-n", p.a, "-6", "addr", "show", "dev", "eth0", "tentative"); !strings.Contains(o, "2001:db8:78::1") {
		t.Fatalf("source no longer tentative at the daemon's start; the test proves nothing:\n%s", o)
	}
	advertised := waitFor(15*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, l := range seen {
			if strings.Contains(l, "2001:db8:78::1 > 2001:db8:78::2") && strings.Contains(l, "vrid 61") {
				return true
			}
		}
		return false
	})
	logs := log.String()
	if !advertised {
		t.Errorf("no advert from 2001:db8:78::1 within 15 s\nlog:\n%s", logs)
	}
	if strings.Contains(logs, "FAULT") {
		t.Errorf("instance went through FAULT:\n%s", logs)
	}
}
