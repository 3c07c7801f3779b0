package e2e

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// track_process beside keepalived 2.2.7.
//
// The kernel's process-events connector reports to sockets of the initial
// network namespace only, with the initial PID namespace's PIDs. keepalived
// 2.2.7 therefore tracks processes only when it runs in the initial PID
// namespace and opens the connector before entering its network namespace
// (net_namespace); inside a lab host (its own network and PID
// namespaces) it logs "Failed to set/clear process event listen - errno 111"
// and its blocks never gain quorum. So the daemons of these tests run as
// keepalived documents for namespaces: started in the root namespaces with
// net_namespace naming the host's network namespace. Both enter it at
// start, before they fork (keepalived's set_namespaces; ours moves every
// thread of its parent), so no process or thread of either stays in the
// root network namespace (startTPPair checks that): only the connector
// socket is opened in the root one (keepalived before it enters, our
// VRRP child on a thread that visits it: the parent hands its child the
// namespace it was started in). Their pidfiles are in the host directory.
// The tracked nginx runs inside the host, under a name of its own
// (ngx-lb1, ngx-lb2: comm is the name it was executed by), since both
// daemons see every process of the machine.

// procName is the comm of the host's tracked nginx.
func procName(h *Host) string { return "ngx-" + h.Name }

// startNamedNginx starts the host's nginx inside the host, executed
// through a link named procName(h).
func startNamedNginx(t *testing.T, h *Host) {
	t.Helper()
	link := filepath.Join(h.Dir, "bin", procName(h))
	if _, err := os.Lstat(link); err != nil {
		if err := os.Symlink("/usr/sbin/nginx", link); err != nil {
			t.Fatal(err)
		}
	}
	h.Must(link, "-c", filepath.Join(h.Dir, "nginx.conf"), "-e", filepath.Join(h.Dir, "log", "nginx-error.log"))
	deadline := time.Now().Add(5 * time.Second)
	for len(h.ProcsNamed(procName(h))) < 2 { // master and worker
		if time.Now().After(deadline) {
			t.Fatalf("%s: nginx as %s did not start: %v", h.Name, procName(h), h.Procs())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// killNamedNginx kills the host's tracked nginx (every process) at once.
func killNamedNginx(h *Host) {
	for _, p := range h.ProcsNamed(procName(h)) {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
}

// tpOpts shapes a track_process pair.
type tpOpts struct {
	// ScriptInterval, if set, adds the curl check of the nginx-killed
	// scenario (fall 1) at this interval beside track_process.
	ScriptInterval int
	// NoProcess leaves track_process out (the script alone).
	NoProcess bool
}

// tpConf is the host's keepalived.conf: the pair's instance with
// net_namespace, tracking its nginx by process (weight 0: FAULT without).
func tpConf(l *Lab, h *Host, me int, master bool, o tpOpts) string {
	in := pairOpts{}.instance(l, me, master)
	if o.ScriptInterval > 0 {
		in.Check = filepath.Join(h.Dir, "etc-keepalived", "chk_nginx.sh")
	}
	c := Conf(h.Name, in)
	c = "net_namespace " + h.NS + "\n" + c
	if o.ScriptInterval > 0 {
		c = strings.Replace(c, "    interval 1\n", fmt.Sprintf("    interval %d\n", o.ScriptInterval), 1)
	}
	if !o.NoProcess {
		c = strings.Replace(c, "vrrp_instance VI_1 {\n", fmt.Sprintf("vrrp_track_process ngx {\n    process %s\n}\nvrrp_instance VI_1 {\n    track_process {\n        ngx\n    }\n", procName(h)), 1)
	}
	return c
}

// startRootDaemon starts impl in the root namespaces on the host's
// configuration (which names the host's network namespace).
func startRootDaemon(t *testing.T, h *Host, impl Impl) *Daemon {
	t.Helper()
	h.mu.Lock()
	h.nstart++
	n := h.nstart
	h.mu.Unlock()
	d := &Daemon{Host: h, Impl: impl, Log: filepath.Join(h.Dir, "log", fmt.Sprintf("keepalived-%d-%s.log", n, impl))}
	logf, err := os.Create(d.Log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(h.Lab.Tools.Binary(impl), "-n", "-l", "-D",
		"-f", filepath.Join(h.Dir, "etc-keepalived", "keepalived.conf"),
		"-p", filepath.Join(h.Dir, "keepalived.pid"), "-r", filepath.Join(h.Dir, "vrrp.pid"))
	cmd.Dir = "/"
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root", "TMPDIR=" + filepath.Join(h.Dir, "tmp"), "LANG=C"}
	cmd.Stdout, cmd.Stderr = logf, logf
	if d.proc, err = startChild(cmd, func() { logf.Close() }); err != nil {
		t.Fatalf("e2e: start %s for %s: %v", impl, h.Name, err)
	}
	h.mu.Lock()
	h.daemon = d
	h.mu.Unlock()
	t.Cleanup(d.Kill)
	return d
}

// startTPPair builds lb1, lb2 and c1, starts the named nginx on both LBs,
// then the master's daemon and the backup's, as startPair does.
func startTPPair(t *testing.T, impl Impl, o tpOpts) *pair {
	t.Helper()
	testenv.NeedRoot(t)
	if impl == Ours {
		needOurs(t)
	}
	var specs []HostSpec
	for i := 1; i <= 2; i++ {
		specs = append(specs, HostSpec{Name: fmt.Sprintf("lb%d", i), Ifaces: []IfaceSpec{{Name: "eth0", Addrs: []netip.Prefix{lbAddr(i)}}}})
	}
	specs = append(specs, HostSpec{Name: "c1", Ifaces: []IfaceSpec{{Name: "eth0", Addrs: []netip.Prefix{lanClient}}}})
	l := New(t, tools, specs...)
	l.WatchWire()
	p := &pair{t: t, L: l, M: l.Host("lb1"), B: l.Host("lb2"), Impls: [2]Impl{impl, impl}}
	for i, h := range []*Host{p.M, p.B} {
		startNamedNginx(t, h)
		if o.ScriptInterval > 0 {
			h.WriteFile("etc-keepalived/chk_nginx.sh", checkNginxScript(h), 0o755)
		}
		h.WriteConf(tpConf(l, h, i+1, i == 0, o))
	}
	startRootDaemon(t, p.M, impl)
	waitVIP(t, p.M, lanVIP, 8*time.Second)
	p.MasterAt = time.Now()
	startRootDaemon(t, p.B, impl)
	p.Prober = l.Host("c1").StartProber(lanVIP)
	if !p.Prober.WaitServed("lb1", 5*time.Second) {
		t.Fatalf("client not served by lb1 through the VIP: %v", p.Prober.Recent(8))
	}
	time.Sleep(1500 * time.Millisecond)
	if p.B.HasAddr(lanVIP) {
		t.Fatalf("%s: backup lb2 holds the VIP next to a live master", p.name())
	}
	for _, h := range []*Host{p.M, p.B} {
		checkInHostNetns(t, h, impl)
	}
	return p
}

// checkInHostNetns fails the test unless every thread of every process of
// the host's daemon (the one started, and all its descendants) is in the
// host's network namespace, named by net_namespace: none may stay in the
// root one it was started from.
func checkInHostNetns(t *testing.T, h *Host, impl Impl) {
	t.Helper()
	// The test's own: the root one the daemons were started in (pid 1's
	// may be unreadable in a sandbox).
	root, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+h.NS, &st); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("net:[%d]", st.Ino)
	if want == root {
		t.Fatalf("%s: /run/netns/%s is the root network namespace", h.Name, h.NS)
	}
	top := h.Daemon().proc.Pid()
	pids := append([]int{top}, descendants(top)...)
	seen := 0
	for _, pid := range pids {
		tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		if err != nil {
			continue // exited meanwhile (a script run)
		}
		for _, task := range tasks {
			ns, err := os.Readlink(fmt.Sprintf("/proc/%d/task/%s/ns/net", pid, task.Name()))
			if err != nil {
				continue
			}
			seen++
			if ns != want {
				where := "another"
				if ns == root {
					where = "the root"
				}
				t.Errorf("%s %s: pid %d (%s) thread %s is in %s network namespace %s, not %s's %s",
					impl, h.Name, pid, comm(pid), task.Name(), where, ns, h.NS, want)
			}
		}
	}
	if len(pids) < 2 || seen == 0 {
		t.Fatalf("%s %s: expected a parent and a VRRP child, found processes %v (%d threads read)", impl, h.Name, pids, seen)
	}
	t.Logf("%s %s: %d processes, %d threads, all in %s (%s)", impl, h.Name, len(pids), seen, h.NS, want)
}

// TestTrackProcess: nginx killed on the master, tracked by track_process
// instead of a script. The connector reports the death at once: FAULT,
// a priority-0 advert, and the backup takes over after its skew time.
// Ours and keepalived 2.2.7 in the same run.
func TestTrackProcess(t *testing.T) {
	for _, impl := range []Impl{Ours, Keepalived} {
		t.Run(string(impl), func(t *testing.T) {
			p := startTPPair(t, impl, tpOpts{})
			m := p.failover("nginx-killed-track-process", p.skew(), func() { killNamedNginx(p.M) })
			report(t, m)
			checkWithin(t, "takeover after nginx died (track_process)", m.Takeover, m.Bound, slack())
			log := p.M.Daemon().LogText()
			for _, l := range strings.Split(log, "\n") {
				if strings.Contains(l, "Quorum") || strings.Contains(l, "FAULT") || strings.Contains(l, "process event") || strings.Contains(l, "track_process") {
					t.Logf("%s lb1: %s", impl, l)
				}
			}
			if !strings.Contains(log, "Quorum lost for tracked process ngx") {
				t.Errorf("%s did not log the quorum loss:\n%s", impl, log)
			}
			if impl == Ours && strings.Contains(log, "polling /proc") {
				t.Errorf("ours polled /proc instead of using the connector:\n%s", log)
			}
		})
	}
}

// TestTrackProcessBeatsScript: with a 2-second check script and
// track_process on the same nginx, the process path puts the master in
// FAULT about one script interval before the script would: the same kill,
// 100 ms after a check run, with the script alone and with both.
func TestTrackProcessBeatsScript(t *testing.T) {
	needLong(t)
	const interval = 2
	for _, impl := range []Impl{Ours, Keepalived} {
		t.Run(string(impl), func(t *testing.T) {
			var takeover [2]time.Duration
			for i, o := range []tpOpts{{ScriptInterval: interval, NoProcess: true}, {ScriptInterval: interval}} {
				name := "nginx-killed-script-2s"
				if !o.NoProcess {
					name = "nginx-killed-script-2s+track-process"
				}
				p := startTPPair(t, impl, o)
				run, ok := waitCheckRun(p.M, 5*time.Second)
				if !ok {
					t.Fatalf("the master's nginx check did not run")
				}
				at := run.Add(100 * time.Millisecond)
				time.Sleep(time.Until(at))
				bound := p.skew()
				if o.NoProcess {
					bound += interval*time.Second - 100*time.Millisecond
				}
				m := p.failoverAt(name, bound, at, func() { killNamedNginx(p.M) })
				report(t, m)
				checkWithin(t, name, m.Takeover, m.Bound, slack())
				takeover[i] = m.Takeover
				// The next pair's daemons see every process of the
				// machine: nothing of this one may stay under the names.
				p.M.Daemon().Kill()
				p.B.Daemon().Kill()
				killNamedNginx(p.B)
			}
			won := takeover[0] - takeover[1]
			t.Logf("%s: script alone %v, with track_process %v: the process path wins by %v (script interval %ds)",
				impl, takeover[0].Round(time.Millisecond), takeover[1].Round(time.Millisecond), won.Round(time.Millisecond), interval)
			if lo := interval*time.Second - 100*time.Millisecond - slack(); won < lo {
				t.Errorf("the process path won by %v only; want about %ds - 100 ms (at least %v)", won, interval, lo)
			}
		})
	}
}
