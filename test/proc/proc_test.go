package proc

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// TestOptionsWithoutDaemon runs the options that answer and exit.
func TestOptionsWithoutDaemon(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"--signum=STOP"}, 0, "15\n", ""},
		{[]string{"--signum=RELOAD"}, 0, "1\n", ""},
		{[]string{"--signum=DATA"}, 0, "10\n", ""},
		{[]string{"--signum=STATS"}, 0, "12\n", ""},
		{[]string{"--signum=STATS_CLEAR"}, 0, "63\n", ""},
		{[]string{"--signum=JSON"}, 0, "36\n", ""},
		{[]string{"--signum=NOPE"}, 1, "", "Unknown sigfunc NOPE\n"},
		{[]string{"--no-such-option"}, 1, "", "Unknown option --no-such-option\n"},
		{[]string{"-n", "-Q"}, 1, "", "Unknown option -Q\n"},
		{[]string{"-p"}, 1, "", "Missing parameter for option -p\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			cmd := exec.Command(binary, tt.args...)
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			cmd.Run()
			if got := cmd.ProcessState.ExitCode(); got != tt.code {
				t.Errorf("exit %d, want %d", got, tt.code)
			}
			if out.String() != tt.stdout || errb.String() != tt.stderr {
				t.Errorf("stdout %q stderr %q, want %q %q", out.String(), errb.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

// TestConfigTestDelegates: -t is keepalived's config test (its exit codes),
// never a daemon start, and --config-test=FILE writes the report there.
func TestConfigTestDelegates(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.conf")
	os.WriteFile(bad, []byte("vrrp_instance VI_1 {\n  virtual_router_id 300\n  bogus_keyword\n}\n"), 0o644)
	log := filepath.Join(dir, "t.log")
	cmd := exec.Command(binary, "-f", bad, "--config-test="+log)
	out, _ := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("-t on a broken config exited 0: %s", out)
	}
	if b, _ := os.ReadFile(log); !strings.Contains(string(b), "bogus_keyword") {
		t.Errorf("report not in %s: %q (stdout/stderr %q)", log, b, out)
	}
	cmd = exec.Command(binary, "-t", "-f", filepath.Join(dir, "missing.conf"))
	cmd.Run()
	if cmd.ProcessState.ExitCode() == 0 {
		t.Errorf("-t on a missing file exited 0")
	}
}

// TestForeground: -n stays in the foreground, writes both pidfiles, is
// named keepalived for ps, pidof and killall, logs keepalived's start-up
// lines, and SIGTERM stops parent and child and removes the pidfiles.
func TestForeground(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)

	if parent != k.cmd.Process.Pid {
		t.Errorf("pidfile names %d, the process we started is %d (it forked?)", parent, k.cmd.Process.Pid)
	}
	if got := ppid(child); got != parent {
		t.Errorf("VRRP child's parent is %d, want %d", got, parent)
	}
	for _, pid := range []int{parent, child} {
		if c := comm(pid); c != "keepalived" {
			t.Errorf("/proc/%d/comm = %q", pid, c)
		}
	}
	psOut, _ := exec.Command("ps", "-C", "keepalived", "-o", "pid=").Output()
	pidofOut, _ := exec.Command("pidof", "keepalived").Output()
	for _, pid := range []int{parent, child} {
		if !hasWord(string(psOut), strconv.Itoa(pid)) {
			t.Errorf("ps -C keepalived does not list %d: %q", pid, psOut)
		}
		if !hasWord(string(pidofOut), strconv.Itoa(pid)) {
			t.Errorf("pidof keepalived does not list %d: %q", pid, pidofOut)
		}
	}
	if !waitFor(5*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
		t.Errorf("VIP not added")
	}
	if k.exited(300 * time.Millisecond) {
		t.Fatalf("-n exited: %s", k.out.String())
	}

	syscall.Kill(parent, syscall.SIGTERM)
	if !k.exited(10 * time.Second) {
		t.Fatalf("still running 10 s after SIGTERM")
	}
	if k.status.ExitStatus() != 0 {
		t.Errorf("exit status %d after SIGTERM", k.status.ExitStatus())
	}
	if !waitFor(2*time.Second, func() bool { return !alive(child) }) {
		t.Errorf("VRRP child %d survived", child)
	}
	for _, p := range []string{n.mainPid(), n.vrrpPid()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
	if n.hasAddr("10.77.0.100") {
		t.Errorf("VIP left after SIGTERM")
	}
	log := k.out.String()
	for _, re := range []string{
		`(?m)^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: Starting Keepalived v2\.2\.7 \(01/16,2022\), keepalived-go `,
		`(?m): Command line: '.*keepalived' '-n' '-l' '-G' '-f' '` + regexp.QuoteMeta(conf) + `'`,
		`(?m): Configuration file ` + regexp.QuoteMeta(conf) + `$`,
		`(?m): Starting VRRP child process, pid=` + strconv.Itoa(child) + `$`,
		`(?m): \(VI_1\) Entering MASTER STATE`,
		`(?m): Stopped Keepalived v2\.2\.7 \(01/16,2022\), keepalived-go `,
	} {
		if !regexp.MustCompile(re).MatchString(log) {
			t.Errorf("log does not match %s", re)
		}
	}
	if t.Failed() {
		t.Logf("log:\n%s", log)
	}
}

func hasWord(s, w string) bool {
	for _, f := range strings.Fields(s) {
		if f == w {
			return true
		}
	}
	return false
}

// TestDaemonize: without -n the command returns at once, the pidfile is
// there when it does, the daemon is a session leader detached from us, a
// second start is refused (keepalived's "daemon is already running", exit
// 0), and SIGTERM removes the pidfiles.
func TestDaemonize(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	logFile := filepath.Join(n.dir, "k.log")
	args := append([]string{"netns", "exec", n.name, binary, "-G", "-f", conf, "-g" + logFile}, n.pidArgs()...)
	t.Cleanup(func() {
		killPidfile(n.mainPid())
		killPidfile(n.vrrpPid())
	})
	start := time.Now()
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("start: %v: %s", err, out)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("daemonising took %v", d)
	}
	parent, err := readPid(n.mainPid())
	if err != nil {
		t.Fatalf("no pidfile when the command returned: %v", err)
	}
	if !alive(parent) || comm(parent) != "keepalived" {
		t.Fatalf("pidfile names %d, comm %q", parent, comm(parent))
	}
	if sid(parent) != parent {
		t.Errorf("daemon is not a session leader (sid %d)", sid(parent))
	}
	if p := ppid(parent); p == os.Getpid() {
		t.Errorf("daemon's parent is the test")
	}
	_, child := n.waitPids(t, func() string { b, _ := os.ReadFile(logFile); return string(b) })

	second := exec.Command("ip", args...)
	if out, err := second.CombinedOutput(); err != nil {
		t.Errorf("second start: %v %s (keepalived exits 0)", err, out)
	}
	if p, _ := readPid(n.mainPid()); p != parent {
		t.Errorf("second start replaced the pidfile: %d", p)
	}
	if b, _ := os.ReadFile(logFile); !strings.Contains(string(b), "daemon is already running") {
		t.Errorf("no 'daemon is already running' in the log:\n%s", b)
	}

	syscall.Kill(parent, syscall.SIGTERM)
	if !waitFor(10*time.Second, func() bool { return !alive(parent) && !alive(child) }) {
		t.Fatalf("still running after SIGTERM")
	}
	for _, p := range []string{n.mainPid(), n.vrrpPid()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
}

// TestChildRespawn: a VRRP child killed with SIGKILL is replaced at once
// (the first quick death is not delayed), the parent stays.
func TestChildRespawn(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)
	syscall.Kill(child, syscall.SIGKILL)
	var next int
	if !waitFor(5*time.Second, func() bool {
		next, _ = readPid(n.vrrpPid())
		return next != child && alive(next)
	}) {
		t.Fatalf("no new VRRP child after SIGKILL\n%s", k.out.String())
	}
	if ppid(next) != parent || !alive(parent) {
		t.Errorf("new child %d has parent %d, want %d", next, ppid(next), parent)
	}
	log := k.out.String()
	for _, want := range []string{
		"VRRP child process(" + strconv.Itoa(child) + ") exited due to signal 9 (Killed)",
		"VRRP child process(" + strconv.Itoa(child) + ") died: Respawning",
		"Starting VRRP child process, pid=" + strconv.Itoa(next),
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if !waitFor(6*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
		t.Errorf("new child did not take the VIP")
	}
}

// TestDontRespawn: with -R the parent ends when its child dies.
func TestDontRespawn(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-R", "-f", conf}, n.pidArgs()...)...)
	_, child := n.waitPids(t, k.out.String)
	syscall.Kill(child, syscall.SIGKILL)
	if !k.exited(5 * time.Second) {
		t.Fatalf("parent still running after its child died with -R")
	}
	if !strings.Contains(k.out.String(), "died: Exiting") {
		t.Errorf("log lacks 'died: Exiting'")
	}
	if _, err := os.Stat(n.mainPid()); !os.IsNotExist(err) {
		t.Errorf("pidfile left behind")
	}
}

// TestParentKilled: SIGKILL of the parent alone is a graceful stop, as
// with keepalived: the child gets SIGTERM (PR_SET_PDEATHSIG), sends
// priority 0 and removes its VIP.
func TestParentKilled(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)
	if !waitFor(5*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
		t.Fatalf("VIP not added\n%s", k.out.String())
	}
	// Watch eth1 (the other end of the veth) for the priority-0 advert.
	dump := exec.Command("ip", "netns", "exec", n.name, "tcpdump", "-l", "-nn", "-i", "eth1", "-c", "50", "ip proto 112")
	var dumped testenv.Buffer
	dump.Stdout = &dumped
	if err := dump.Start(); err == nil {
		defer func() { dump.Process.Kill(); dump.Wait() }()
		waitFor(3*time.Second, func() bool { return strings.Contains(dumped.String(), "prio 255") })
	}

	start := time.Now()
	syscall.Kill(parent, syscall.SIGKILL)
	if !waitFor(5*time.Second, func() bool { return !n.hasAddr("10.77.0.100") }) {
		t.Fatalf("VIP still on eth0 5 s after the parent was killed\n%s", k.out.String())
	}
	took := time.Since(start)
	if !waitFor(5*time.Second, func() bool { return !alive(child) }) {
		t.Errorf("child %d still running", child)
	}
	t.Logf("VIP removed %v after SIGKILL of the parent", took)
	if dump.Process != nil && !waitFor(2*time.Second, func() bool { return strings.Contains(dumped.String(), "prio 0") }) {
		t.Errorf("no priority-0 advert seen on the wire:\n%s", dumped.String())
	}
	if _, err := os.Stat(n.vrrpPid()); !os.IsNotExist(err) {
		t.Errorf("child left its pidfile")
	}
}

// TestStopSignalsRepeated: a stopping child ignores further SIGTERMs, as
// keepalived's does (signal_handler_destroy sets them to SIG_IGN) and
// removes its pidfile and control socket. A SIGKILLed parent sends more
// than one: the kernel sends PR_SET_PDEATHSIG each time the child is
// handed from a dying thread of the parent to the next (find_new_reaper),
// milliseconds apart on a loaded machine; one that landed after the child
// stopped catching SIGTERM killed it before it removed its pidfile
// (TestParentKilled's "child left its pidfile"). Here the test sends them,
// without pause, until the child has gone.
func TestStopSignalsRepeated(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)
	if !waitFor(5*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering MASTER STATE") }) {
		t.Fatalf("instance not master\n%s", k.out.String())
	}
	ctl := strings.TrimSuffix(n.vrrpPid(), ".pid") + ".ctl"
	if noFile(ctl) {
		t.Fatalf("no control socket %s", ctl)
	}
	syscall.Kill(parent, syscall.SIGKILL)
	sent := 0
	for end := time.Now().Add(10 * time.Second); alive(child) && time.Now().Before(end); sent++ {
		syscall.Kill(child, syscall.SIGTERM)
	}
	if alive(child) {
		t.Fatalf("child %d still running 10 s after its parent was killed", child)
	}
	t.Logf("%d SIGTERMs sent while the child stopped", sent)
	if !noFile(n.vrrpPid()) {
		t.Errorf("child left its pidfile")
	}
	if !noFile(ctl) {
		t.Errorf("child left its control socket %s", ctl)
	}
}

// TestPermanentError: a child that cannot load its configuration exits
// with keepalived's CONFIG status and the parent ends with it, no respawn
// loop.
func TestPermanentError(t *testing.T) {
	n := newNetns(t)
	bad := filepath.Join(n.dir, "bad.conf")
	os.WriteFile(bad, []byte("vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 300\n}\n"), 0o644)
	k := n.startFG(t, nil, append([]string{"-f", bad}, n.pidArgs()...)...)
	if !k.exited(10 * time.Second) {
		t.Fatalf("parent still running with a broken configuration\n%s", k.out.String())
	}
	if got := k.status.ExitStatus(); got != 2 {
		t.Errorf("exit status %d, want 2 (KEEPALIVED_EXIT_CONFIG)", got)
	}
	log := k.out.String()
	if !strings.Contains(log, "exited with permanent error CONFIG. Terminating") {
		t.Errorf("log lacks the permanent error line:\n%s", log)
	}
	if strings.Count(log, "Starting VRRP child process") != 1 {
		t.Errorf("child started more than once:\n%s", log)
	}
}

// TestSignalsReachTheChild: the dump and reload signals sent to the
// parent (the pidfile's PID, as scripts and systemd do) reach the child.
func TestSignalsReachTheChild(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)
	waitFor(5*time.Second, func() bool { return strings.Contains(k.out.String(), "Startup complete") })
	for _, tc := range []struct {
		sig  syscall.Signal
		file string
		log  string
	}{
		{syscall.SIGUSR1, "keepalived.data", "Printing VRRP data for process(" + strconv.Itoa(child) + ") on signal"},
		{syscall.SIGUSR2, "keepalived.stats", "Printing VRRP stats for process(" + strconv.Itoa(child) + ") on signal"},
		{syscall.Signal(36), "keepalived.json", "Printing VRRP as json for process(" + strconv.Itoa(child) + ") on signal"},
	} {
		syscall.Kill(parent, tc.sig)
		path := filepath.Join(n.dir, tc.file)
		if !waitFor(3*time.Second, func() bool { _, err := os.Stat(path); return err == nil }) {
			t.Errorf("%v: %s not written", tc.sig, path)
		}
		if !waitFor(2*time.Second, func() bool { return strings.Contains(k.out.String(), tc.log) }) {
			t.Errorf("%v: log lacks %q", tc.sig, tc.log)
		}
	}
	// Reload with a VIP added: no restart of the child, the new VIP appears.
	os.WriteFile(conf, []byte(strings.Replace(mustRead(t, conf), "10.77.0.100/24\n", "10.77.0.100/24\n    10.77.0.101/24\n", 1)), 0o644)
	syscall.Kill(parent, syscall.SIGHUP)
	if !waitFor(5*time.Second, func() bool { return n.hasAddr("10.77.0.101") }) {
		t.Errorf("reload did not add the VIP\n%s", k.out.String())
	}
	if !waitFor(2*time.Second, func() bool { return strings.Contains(k.out.String(), "Reload complete") }) {
		t.Errorf("no 'Reload complete'")
	}
	if c, _ := readPid(n.vrrpPid()); c != child || !alive(child) {
		t.Errorf("reload replaced the child (%d -> %d)", child, c)
	}
}

func mustRead(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// notifySocket listens on dir/notify as systemd's NOTIFY_SOCKET does, for
// the rest of the test.
func notifySocket(t *testing.T, dir string) (*net.UnixConn, string) {
	t.Helper()
	sock := filepath.Join(dir, "notify")
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, sock
}

// TestSdNotify: READY=1 (with the parent as MAINPID) once the child runs
// its instances, RELOADING=1 then READY=1 around a reload, STOPPING=1.
func TestSdNotify(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	srv, sock := notifySocket(t, n.dir)
	msgs := make(chan string, 16)
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := srv.Read(buf)
			if err != nil {
				close(msgs)
				return
			}
			msgs <- string(buf[:k])
		}
	}()
	next := func(what string) string {
		select {
		case m := <-msgs:
			return m
		case <-time.After(8 * time.Second):
			t.Fatalf("no %s notification", what)
		}
		return ""
	}
	k := n.startFG(t, []string{"NOTIFY_SOCKET=" + sock}, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, _ := n.waitPids(t, k.out.String)
	if m := next("READY"); !strings.HasPrefix(m, "READY=1\nMAINPID="+strconv.Itoa(parent)+"\n") {
		t.Errorf("first notification %q", m)
	}
	syscall.Kill(parent, syscall.SIGHUP)
	if m := next("RELOADING"); !strings.HasPrefix(m, "RELOADING=1\nMONOTONIC_USEC=") {
		t.Errorf("on reload %q", m)
	}
	if m := next("READY after reload"); !strings.HasPrefix(m, "READY=1") {
		t.Errorf("after reload %q", m)
	}
	syscall.Kill(parent, syscall.SIGTERM)
	if m := next("STOPPING"); m != "STOPPING=1" {
		t.Errorf("on stop %q", m)
	}
	k.exited(10 * time.Second)
}

// TestStatusAndPlan: the control socket answers `status` and `reload
// --plan`, and --plan applies nothing.
func TestStatusAndPlan(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)
	waitFor(5*time.Second, func() bool { return strings.Contains(k.out.String(), "Startup complete") })

	out, err := exec.Command(binary, append([]string{"status"}, n.pidArgs()...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	for _, want := range []string{
		"parent pid " + strconv.Itoa(parent) + ", VRRP child pid " + strconv.Itoa(child),
		"configuration " + conf,
		"VI_1: eth0 vrid 51 priority 255, 1 VIP(s): MASTER, effective priority 255",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "CHANGED ON DISK") {
		t.Errorf("unchanged config reported as changed:\n%s", out)
	}

	next := n.conf(t, "next.conf", "    10.77.0.100/24\n    10.77.0.102/24\n")
	out, err = exec.Command(binary, append([]string{"reload", "--plan", "-f", next}, n.pidArgs()...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("reload --plan: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "10.77.0.102/24") || !strings.Contains(string(out), "VI_1") {
		t.Errorf("plan does not show the added VIP:\n%s", out)
	}
	if n.hasAddr("10.77.0.102") {
		t.Errorf("--plan applied the change")
	}

	broken := filepath.Join(n.dir, "broken.conf")
	os.WriteFile(broken, []byte("vrrp_instance VI_1 {\n  virtual_router_id 51\n  interface eth0\n  priorty 100\n}\n"), 0o644)
	cmd := exec.Command(binary, append([]string{"reload", "--plan", "-f", broken}, n.pidArgs()...)...)
	out, _ = cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "REFUSED") || !strings.Contains(string(out), "broken.conf:4:") {
		t.Errorf("broken config: exit %d\n%s", cmd.ProcessState.ExitCode(), out)
	}

	// Without a daemon: a clear message, not a hang.
	other := t.TempDir()
	cmd = exec.Command(binary, "status", "-p", filepath.Join(other, "k.pid"), "-r", filepath.Join(other, "v.pid"))
	out, _ = cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 3 || !strings.Contains(string(out), "no running keepalived") {
		t.Errorf("status without a daemon: exit %d %s", cmd.ProcessState.ExitCode(), out)
	}
}

// TestReloadCommand: `keepalived reload` is SIGHUP to the running parent.
func TestReloadCommand(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, _ := n.waitPids(t, k.out.String)
	waitFor(5*time.Second, func() bool { return strings.Contains(k.out.String(), "Startup complete") })
	out, err := exec.Command(binary, append([]string{"reload"}, n.pidArgs()...)...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SIGHUP sent to keepalived (pid "+strconv.Itoa(parent)+")") {
		t.Fatalf("reload: %v %s", err, out)
	}
	if !waitFor(5*time.Second, func() bool { return strings.Contains(k.out.String(), "Reload complete") }) {
		t.Errorf("no reload happened\n%s", k.out.String())
	}
}

// TestStartupShutdownScripts: global_defs startup_script runs before the
// VRRP child starts and shutdown_script after it stopped, both inside the
// namespace of -s, as keepalived's parent runs them; and instance NAME
// gives the pidfiles keepalived's instance names.
func TestStartupShutdownScripts(t *testing.T) {
	n := newNetns(t)
	outer := newNetns(t)
	mustRun(t, "ip", "-n", outer.name, "link", "del", "eth0")
	script := func(name string) string {
		p := filepath.Join(n.dir, name+".sh")
		os.WriteFile(p, []byte("#!/bin/sh\nreadlink /proc/self/ns/net > "+filepath.Join(n.dir, name+".ns")+
			"\nls "+n.dir+" > "+filepath.Join(n.dir, name+".ls")+"\n"), 0o755)
		return p
	}
	conf := filepath.Join(n.dir, "k.conf")
	os.WriteFile(conf, []byte(`global_defs {
  startup_script `+script("start")+`
  shutdown_script `+script("stop")+`
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 255
  virtual_ipaddress {
    10.77.0.100/24
  }
}
`), 0o644)
	k := outer.startFG(t, nil, append([]string{"-s", n.name, "-f", conf}, n.pidArgs()...)...)
	parent, _ := n.waitPids(t, k.out.String)
	nsInode, _ := exec.Command("ip", "netns", "exec", n.name, "readlink", "/proc/self/ns/net").Output()
	if got, _ := os.ReadFile(filepath.Join(n.dir, "start.ns")); string(got) != string(nsInode) {
		t.Errorf("startup script ran in %q, want %q", got, nsInode)
	}
	if ls, _ := os.ReadFile(filepath.Join(n.dir, "start.ls")); strings.Contains(string(ls), "vrrp.pid") {
		t.Errorf("startup script ran after the VRRP child started:\n%s", ls)
	}
	syscall.Kill(parent, syscall.SIGTERM)
	if !k.exited(10 * time.Second) {
		t.Fatal("did not stop")
	}
	if got, _ := os.ReadFile(filepath.Join(n.dir, "stop.ns")); string(got) != string(nsInode) {
		t.Errorf("shutdown script ran in %q, want %q\n%s", got, nsInode, k.out.String())
	}
	if ls, _ := os.ReadFile(filepath.Join(n.dir, "stop.ls")); strings.Contains(string(ls), "vrrp.pid") {
		t.Errorf("shutdown script ran before the VRRP child stopped:\n%s", ls)
	}
	if !strings.Contains(k.out.String(), "Changing syslog ident to Keepalived_"+n.name) {
		t.Errorf("ident not changed for the namespace")
	}
}

// TestWatchdog: with $WATCHDOG_USEC the parent pings WATCHDOG=1 every half
// period while its child runs.
func TestWatchdog(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	srv, sock := notifySocket(t, n.dir)
	k := n.startFG(t, []string{"NOTIFY_SOCKET=" + sock, "WATCHDOG_USEC=200000"}, append([]string{"-f", conf}, n.pidArgs()...)...)
	n.waitPids(t, k.out.String)
	srv.SetReadDeadline(time.Now().Add(3 * time.Second))
	buf := make([]byte, 512)
	pings := 0
	start := time.Now()
	for pings < 3 {
		m, err := srv.Read(buf)
		if err != nil {
			t.Fatalf("after %d pings: %v", pings, err)
		}
		if string(buf[:m]) == "WATCHDOG=1" {
			pings++
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("3 pings took %v at a 100 ms period", d)
	}
}
