package proc

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// TestTakeoverAfterKill measures issue 5 item 8: how long the backup takes
// to send its first advert as master after the master is killed with
// SIGKILL, (a) the parent process alone, (b) the whole process group, for
// keepalived-go and for real keepalived 2.2.7, each as a homogeneous pair
// in two namespaces joined by a veth. Times come from the wire (tcpdump -tt
// on the backup), the kill is fired 500 ms after one of the master's
// adverts. advert_int 1, master priority 150, backup 100.
//
//	KGX_BENCH_TAKEOVER=1 go test -count=1 -v -run TestTakeoverAfterKill ./test/proc/
func TestTakeoverAfterKill(t *testing.T) {
	if os.Getenv("KGX_BENCH_TAKEOVER") != "1" {
		t.Skip("set KGX_BENCH_TAKEOVER=1 to measure (about 4 minutes)")
	}
	needRoot(t)
	runs := 5
	if v, err := strconv.Atoi(os.Getenv("KGX_BENCH_RUNS")); err == nil && v > 0 {
		runs = v
	}
	real, _ := exec.LookPath("keepalived")
	impls := []struct{ name, bin string }{{"keepalived-go", binary}}
	if real != "" {
		impls = append(impls, struct{ name, bin string }{"keepalived 2.2.7", real})
	}
	for _, impl := range impls {
		for _, group := range []bool{false, true} {
			what := "SIGKILL parent"
			if group {
				what = "SIGKILL process group"
			}
			var got []time.Duration
			for i := 0; i < runs; i++ {
				d, err := takeoverOnce(t, impl.bin, group)
				if err != nil {
					t.Errorf("%s, %s, run %d: %v", impl.name, what, i, err)
					continue
				}
				got = append(got, d)
			}
			if len(got) == 0 {
				continue
			}
			slices.Sort(got)
			t.Logf("RESULT %-16s %-22s runs %d  median %v  min %v  max %v  all %v",
				impl.name, what, len(got), got[len(got)/2].Round(time.Millisecond),
				got[0].Round(time.Millisecond), got[len(got)-1].Round(time.Millisecond), roundAll(got))
		}
	}
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

// pair is two namespaces, A (10.78.0.1) and B (10.78.0.2), on one veth.
type pair struct {
	a, b string
	dir  string
}

func newPair(t *testing.T) *pair {
	t.Helper()
	id := nsCounter.Add(1)
	p := &pair{
		a:   fmt.Sprintf("kgx-ta%d-%d", os.Getpid()%100000, id),
		b:   fmt.Sprintf("kgx-tb%d-%d", os.Getpid()%100000, id),
		dir: t.TempDir(),
	}
	testenv.Netns(t, p.a)
	testenv.Netns(t, p.b)
	testenv.Veth(t, p.a, "eth0", "", p.b, "eth0", "")
	testenv.IP(t, "-n", p.a, "addr", "add", "10.78.0.1/24", "dev", "eth0")
	testenv.IP(t, "-n", p.b, "addr", "add", "10.78.0.2/24", "dev", "eth0")
	return p
}

func (p *pair) conf(t *testing.T, name string, prio int) string {
	text := fmt.Sprintf(`vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 61
  priority %d
  advert_int 1
  virtual_ipaddress {
    10.78.0.100/24
  }
}
`, prio)
	path := filepath.Join(p.dir, name)
	os.WriteFile(path, []byte(text), 0o644)
	return path
}

// start runs bin -n -P in ns with its own pidfiles; it returns the process
// (its own process group).
func (p *pair) start(t *testing.T, ns, bin, conf, tag string) *exec.Cmd {
	d := filepath.Join(p.dir, tag)
	os.MkdirAll(d, 0o755)
	cmd := exec.Command("ip", "netns", "exec", ns, bin, "-n", "-P", "-G", "-f", conf,
		"-p", filepath.Join(d, "k.pid"), "-r", filepath.Join(d, "v.pid"),
		"-c", filepath.Join(d, "c.pid"), "-b", filepath.Join(d, "b.pid"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	return cmd
}

// advert is one VRRP advert seen on B's wire.
type advert struct {
	at   time.Time
	src  string
	prio int
}

// sniffer follows tcpdump on B's eth0.
type sniffer struct {
	mu  sync.Mutex
	ads []advert
}

func (s *sniffer) run(t *testing.T, ns string) {
	cmd := exec.Command("ip", "netns", "exec", ns, "tcpdump", "-l", "-tt", "-nn", "-i", "eth0", "ip proto 112")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			// 1763790000.123456 IP 10.78.0.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 61, prio 150, ...
			f := strings.Fields(sc.Text())
			if len(f) < 4 {
				continue
			}
			ts, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				continue
			}
			prio := -1
			if i := strings.Index(sc.Text(), "prio "); i >= 0 {
				fmt.Sscanf(sc.Text()[i:], "prio %d", &prio)
			}
			sec := int64(ts)
			s.mu.Lock()
			s.ads = append(s.ads, advert{at: time.Unix(sec, int64((ts-float64(sec))*1e9)), src: f[2], prio: prio})
			s.mu.Unlock()
		}
	}()
}

// waitAdvert waits for an advert from src with priority prio seen after
// `after`, and returns it.
func (s *sniffer) waitAdvert(src string, prio int, after time.Time, d time.Duration) (advert, bool) {
	var found advert
	ok := waitFor(d, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, a := range s.ads {
			if a.src == src && (prio < 0 || a.prio == prio) && a.at.After(after) {
				found = a
				return true
			}
		}
		return false
	})
	return found, ok
}

// takeoverOnce builds a fresh pair, lets A become master, kills it 500 ms
// after one of its adverts and returns how long B took to advertise as
// master.
func takeoverOnce(t *testing.T, bin string, group bool) (time.Duration, error) {
	p := newPair(t)
	var s sniffer
	s.run(t, p.b)
	time.Sleep(300 * time.Millisecond) // tcpdump ready
	a := p.start(t, p.a, bin, p.conf(t, "a.conf", 150), "a")
	if _, ok := s.waitAdvert("10.78.0.1", 150, time.Time{}, 8*time.Second); !ok {
		return 0, fmt.Errorf("A never became master")
	}
	p.start(t, p.b, bin, p.conf(t, "b.conf", 100), "b")
	time.Sleep(1500 * time.Millisecond) // B settled as backup
	ad, ok := s.waitAdvert("10.78.0.1", 150, time.Now(), 3*time.Second)
	if !ok {
		return 0, fmt.Errorf("A stopped advertising")
	}
	time.Sleep(time.Until(ad.at.Add(500 * time.Millisecond)))
	t0 := time.Now()
	if group {
		syscall.Kill(-a.Process.Pid, syscall.SIGKILL)
	} else {
		syscall.Kill(a.Process.Pid, syscall.SIGKILL)
	}
	took, ok := s.waitAdvert("10.78.0.2", 100, t0, 10*time.Second)
	if !ok {
		return 0, fmt.Errorf("B never took over")
	}
	if zero, ok := s.waitAdvert("10.78.0.1", 0, t0, 0); ok {
		t.Logf("priority-0 advert from A %v after the kill", zero.at.Sub(t0).Round(time.Millisecond))
	}
	return took.at.Sub(t0), nil
}

// TestStartAndRespawnTimes measures, for keepalived-go, the time from exec
// of `keepalived -n` to READY=1 on $NOTIFY_SOCKET (the VRRP child runs its
// instances), and from SIGKILL of the VRRP child to the READY=1 of its
// replacement. 10 runs each.
//
//	KGX_BENCH_TAKEOVER=1 go test -count=1 -v -run TestStartAndRespawnTimes ./test/proc/
func TestStartAndRespawnTimes(t *testing.T) {
	if os.Getenv("KGX_BENCH_TAKEOVER") != "1" {
		t.Skip("set KGX_BENCH_TAKEOVER=1 to measure")
	}
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	var starts, respawns []time.Duration
	for i := 0; i < 10; i++ {
		sock := filepath.Join(n.dir, fmt.Sprintf("notify%d", i))
		srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		ready := func() time.Time {
			buf := make([]byte, 512)
			srv.SetReadDeadline(time.Now().Add(10 * time.Second))
			for {
				k, err := srv.Read(buf)
				if err != nil {
					t.Fatalf("no READY: %v", err)
				}
				if strings.HasPrefix(string(buf[:k]), "READY=1") {
					return time.Now()
				}
			}
		}
		t0 := time.Now()
		k := n.startFG(t, []string{"NOTIFY_SOCKET=" + sock}, append([]string{"-f", conf}, n.pidArgs()...)...)
		starts = append(starts, ready().Sub(t0))
		_, child := n.waitPids(t, k.out.String)
		t1 := time.Now()
		syscall.Kill(child, syscall.SIGKILL)
		respawns = append(respawns, ready().Sub(t1))
		syscall.Kill(k.cmd.Process.Pid, syscall.SIGTERM)
		k.exited(10 * time.Second)
		srv.Close()
	}
	slices.Sort(starts)
	slices.Sort(respawns)
	t.Logf("RESULT exec to READY=1: median %v min %v max %v", starts[len(starts)/2].Round(time.Millisecond), starts[0].Round(time.Millisecond), starts[len(starts)-1].Round(time.Millisecond))
	t.Logf("RESULT child SIGKILL to replacement READY=1: median %v min %v max %v", respawns[len(respawns)/2].Round(time.Millisecond), respawns[0].Round(time.Millisecond), respawns[len(respawns)-1].Round(time.Millisecond))
}
