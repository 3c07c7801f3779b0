package e2e

// What the tools around keepalived see of a daemon (issue 14): VyOS's
// inotify wait for a dump, the notify_fifo order of a sync group's start.
// Each test runs real keepalived 2.2.7 beside ours on the same
// configuration, so a test that could only pass against ours would show.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// toolsConf is the configuration of the report in issue 14: two instances
// in a sync group, one with a unicast peer and an excluded VIP, the other
// tracking an unweighted script, notify scripts and a notify_fifo.
func toolsConf(script string) string {
	return fmt.Sprintf(`global_defs {
    router_id kge14
    notify_fifo /etc/keepalived/fifo
}
vrrp_script chk {
    script "%s"
    interval 1
    fall 1
    rise 1
}
vrrp_sync_group VG1 {
    group {
        VI_1
        VI_2
    }
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    unicast_src_ip 10.31.0.1
    unicast_peer {
        10.31.0.2
    }
    virtual_ipaddress {
        10.31.0.100/24
    }
    virtual_ipaddress_excluded {
        10.31.9.9/32
    }
}
vrrp_instance VI_2 {
    state BACKUP
    interface eth1
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        10.32.0.100/24
    }
    track_script {
        chk
    }
}
`, script)
}

// newToolsHost is one host with eth0 10.31.0.1/24 and eth1 10.32.0.1/24
// running impl on toolsConf, and the reader of its notify_fifo.
func newToolsHost(t *testing.T, impl Impl, script string) (*Host, *Daemon, <-chan string) {
	t.Helper()
	testenv.NeedRoot(t)
	if impl == Ours {
		needOurs(t)
	}
	l := New(t, tools, HostSpec{Name: "lb1", Ifaces: []IfaceSpec{
		{Name: "eth0", Addrs: []netip.Prefix{mustPrefix("10.31.0.1/24")}},
		{Name: "eth1", Addrs: []netip.Prefix{mustPrefix("10.32.0.1/24")}},
	}})
	h := l.Host("lb1")
	h.WriteConf(toolsConf(script))
	d := h.StartDaemon(impl)
	fifo := filepath.Join(h.Dir, "etc-keepalived", "fifo")
	lines := make(chan string, 64)
	go func() {
		// The daemon creates the FIFO and holds it open: what it writes
		// before we open it waits in the pipe.
		for i := 0; i < 500; i++ {
			if fi, err := os.Stat(fifo); err == nil && fi.Mode()&os.ModeNamedPipe != 0 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		f, err := os.OpenFile(fifo, os.O_RDONLY, 0)
		if err != nil {
			close(lines)
			return
		}
		t.Cleanup(func() { f.Close() })
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if !d.WaitLog("Startup complete", 10*time.Second) {
		t.Fatalf("%s did not complete its start-up:\n%s", impl, d.LogText())
	}
	return h, d, lines
}

// waitCloseWrite does what VyOS's wait_for_file_write_complete does: watch
// dir with inotify, run send (the signal), and wait for IN_CLOSE_WRITE on
// every one of names. One signal that writes two files (SIGUSR1: the
// child's keepalived.data and the parent's keepalived_parent.data) must be
// waited for as one: a second SIGUSR1 while the first parent dump is still
// being written truncates the file that first dump's late close event
// then points at. It returns the events seen on the way, for the failure
// message.
func waitCloseWrite(dir string, names []string, timeout time.Duration, send func() error) ([]string, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_ALL_EVENTS); err != nil {
		return nil, err
	}
	if err := send(); err != nil {
		return nil, err
	}
	var seen []string
	pending := slices.Clone(names)
	buf := make([]byte, 64<<10)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 100); err != nil && err != unix.EINTR {
			return seen, err
		}
		n, err := unix.Read(fd, buf)
		if err == unix.EAGAIN {
			continue
		}
		if err != nil {
			return seen, err
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nm := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
			off += unix.SizeofInotifyEvent + int(ev.Len)
			seen = append(seen, fmt.Sprintf("%#x %s", ev.Mask, nm))
			if ev.Mask&unix.IN_CLOSE_WRITE != 0 {
				if i := slices.Index(pending, nm); i >= 0 {
					pending = slices.Delete(pending, i, i+1)
				}
				if len(pending) == 0 {
					return seen, nil
				}
			}
		}
	}
	return seen, fmt.Errorf("no IN_CLOSE_WRITE on %s within %v", strings.Join(pending, ", "), timeout)
}

// TestDumpsSeenByInotify: every dump, and the parent's keepalived_parent.data
// on SIGUSR1, ends with IN_CLOSE_WRITE on its final name, the event VyOS's
// `show vrrp` waits for (it timed out after 30 s on every dump of ours).
func TestDumpsSeenByInotify(t *testing.T) {
	for _, impl := range []Impl{Keepalived, Ours} {
		t.Run(string(impl), func(t *testing.T) {
			h, d, _ := newToolsHost(t, impl, "/bin/true")
			tmp := filepath.Join(h.Dir, "tmp")
			for _, tc := range []struct {
				sig   syscall.Signal
				files []string
			}{
				{syscall.SIGUSR1, []string{"keepalived.data", "keepalived_parent.data"}},
				{syscall.SIGUSR2, []string{"keepalived.stats"}},
				{syscall.Signal(36), []string{"keepalived.json"}}, // SIGRTMIN+2, keepalived --signum=JSON
			} {
				seen, err := waitCloseWrite(tmp, tc.files, 10*time.Second, func() error { return d.Signal(tc.sig) })
				if err != nil {
					t.Errorf("%v: %v; events: %v", tc.sig, err, seen)
					continue
				}
				for _, f := range tc.files {
					b, err := os.ReadFile(filepath.Join(tmp, f))
					if err != nil || len(b) == 0 {
						t.Errorf("%s after IN_CLOSE_WRITE: %d bytes, %v", f, len(b), err)
					}
				}
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 4 {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Errorf("%s holds %v, want the four dumps and nothing else", tmp, names)
			}
		})
	}
}

// TestSyncGroupStartNotifies: a sync group whose member tracks an
// unweighted script starts with keepalived's first notify_fifo lines:
// the tracking member BACKUP, the other BACKUP, the group BACKUP; and
// when the script fails at once, the member FAULT then the group FAULT.
// Never "(VI_n) Entering FAULT STATE (init)" and a FAULT notification
// for a start that went well.
func TestSyncGroupStartNotifies(t *testing.T) {
	for _, tc := range []struct {
		script string
		want   []string
	}{
		{"/bin/true", []string{`INSTANCE "VI_2" BACKUP 100`, `INSTANCE "VI_1" BACKUP 100`, `GROUP "VG1" BACKUP 0`}},
		{"/bin/false", []string{`INSTANCE "VI_2" FAULT 100`, `GROUP "VG1" FAULT 0`}},
	} {
		for _, impl := range []Impl{Keepalived, Ours} {
			t.Run(string(impl)+" "+filepath.Base(tc.script), func(t *testing.T) {
				_, d, lines := newToolsHost(t, impl, tc.script)
				var got []string
				timeout := time.After(10 * time.Second)
				for len(got) < len(tc.want) {
					select {
					case l, ok := <-lines:
						if !ok {
							t.Fatalf("notify_fifo closed after %q\n%s", got, d.LogText())
						}
						got = append(got, l)
					case <-timeout:
						t.Fatalf("notify_fifo: %q within 10 s, want %q\n%s", got, tc.want, d.LogText())
					}
				}
				if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
					t.Errorf("first notify_fifo lines:\n%s\nwant (keepalived 2.2.7):\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
				}
				if log := d.LogText(); strings.Contains(log, "Entering FAULT STATE (init)") {
					t.Errorf("start logged a FAULT (init):\n%s", log)
				}
			})
		}
	}
}

// exporterTarball is mehdy/keepalived-exporter at 5aedbfb, the exporter
// most keepalived users run (the module proxy does not serve it; its
// dependencies it does).
const exporterTarball = "../shared/peers/keepalived-exporter-mehdy-5aedbfb.tar.gz" // from the module root

// buildExporter builds the exporter once per run into the tools
// directory, or skips: it needs its dependencies from the module proxy.
func buildExporter(t *testing.T) string {
	t.Helper()
	exporterOnce.Do(func() {
		root, err := moduleRoot()
		if err != nil {
			exporterErr = err
			return
		}
		tarball := filepath.Join(root, exporterTarball)
		if _, err := os.Stat(tarball); err != nil {
			exporterErr = err
			return
		}
		src := filepath.Join(tools.Dir, "exporter-src")
		os.MkdirAll(src, 0o755)
		if out, err := exec.Command("tar", "-xzf", tarball, "-C", src).CombinedOutput(); err != nil {
			exporterErr = fmt.Errorf("untar: %v\n%s", err, out)
			return
		}
		exporterBin = filepath.Join(tools.Dir, "keepalived-exporter")
		cmd := exec.Command("go", "build", "-o", exporterBin, "./cmd/keepalived-exporter")
		cmd.Dir = filepath.Join(src, "keepalived-exporter")
		if out, err := cmd.CombinedOutput(); err != nil {
			exporterErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		// promtool check metrics is promlint on its stdin: built in the
		// exporter's module, which holds client_golang already, rather
		// than Debian's prometheus package (19 MB, the server included).
		lintDir := filepath.Join(src, "keepalived-exporter", "cmd", "kg-promlint")
		os.MkdirAll(lintDir, 0o755)
		if err := os.WriteFile(filepath.Join(lintDir, "main.go"), []byte(promlintMain), 0o644); err != nil {
			exporterErr = err
			return
		}
		promlintBin = filepath.Join(tools.Dir, "kg-promlint")
		cmd = exec.Command("go", "build", "-o", promlintBin, "./cmd/kg-promlint")
		cmd.Dir = filepath.Join(src, "keepalived-exporter")
		if out, err := cmd.CombinedOutput(); err != nil {
			exporterErr = fmt.Errorf("go build promlint: %v\n%s", err, out)
		}
	})
	if exporterErr != nil {
		t.Skipf("e2e: mehdy/keepalived-exporter not built (its modules come from the proxy): %v", exporterErr)
	}
	return exporterBin
}

// promlintMain is what `promtool check metrics` runs (promtool's
// checkMetrics: promlint.New(os.Stdin).Lint()), one problem a line,
// exit 3 when there is one.
const promlintMain = `package main

import (
	"fmt"
	"os"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
)

func main() {
	problems, err := promlint.New(os.Stdin).Lint()
	if err != nil {
		fmt.Println("error while linting:", err)
		os.Exit(1)
	}
	for _, p := range problems {
		fmt.Println(p.Metric, p.Text)
	}
	if len(problems) > 0 {
		os.Exit(3)
	}
}
`

var (
	exporterOnce sync.Once
	exporterBin  string
	promlintBin  string
	exporterErr  error
)

// promlint runs `promtool check metrics`'s linter on a scrape and returns
// its problems ("" when clean).
func promlint(t *testing.T, metrics string) string {
	t.Helper()
	cmd := exec.Command(promlintBin)
	cmd.Stdin = strings.NewReader(metrics)
	out, err := cmd.CombinedOutput()
	if err != nil && len(out) == 0 {
		t.Fatalf("promlint: %v", err)
	}
	return string(out)
}

// ourStatusAddr is where our daemon serves /metrics in the tools tests
// (inside the host's network namespace; the exporter takes 9165).
const ourStatusAddr = "127.0.0.1:9166"

// withStatusAddr has the daemons t starts serve /status and /metrics on
// ourStatusAddr (keepalived-go's --status-addr), until t ends.
func withStatusAddr(t *testing.T) {
	saved := DaemonArgs
	DaemonArgs = append(append([]string(nil), saved...), "--status-addr", ourStatusAddr)
	t.Cleanup(func() { DaemonArgs = saved })
}

// promFamilies is a scrape's keepalived_* families but the exporter's own
// (keepalived_exporter_*), as "name TYPE help".
func promFamilies(metrics string) map[string]string {
	types, helps := map[string]string{}, map[string]string{}
	for _, l := range strings.Split(metrics, "\n") {
		for prefix, m := range map[string]map[string]string{"# TYPE ": types, "# HELP ": helps} {
			if rest, ok := strings.CutPrefix(l, prefix); ok {
				name, v, _ := strings.Cut(rest, " ")
				if strings.HasPrefix(name, "keepalived_") && !strings.HasPrefix(name, "keepalived_exporter") {
					m[name] = v
				}
			}
		}
	}
	out := map[string]string{}
	for name, typ := range types {
		out[name] = typ + " " + helps[name]
	}
	return out
}

// scrapeExporter runs the exporter on h beside its daemon, as on a
// keepalived host: `keepalived` on its PATH is the daemon's binary, /tmp is
// where the daemon dumps (a private mount of the host's tmp: the exporter
// reads /tmp/keepalived.* whatever TMPDIR says), the pidfile
// /run/keepalived.pid. It returns the scraped metrics and the exporter's
// log.
func scrapeExporter(t *testing.T, h *Host, impl Impl, bin string, useJSON bool) (metrics, log string) {
	t.Helper()
	args := fmt.Sprintf("%s -ka.pid-path /run/keepalived.pid -web.listen-address 127.0.0.1:9165", filepath.Base(bin))
	if useJSON {
		args += " -ka.json"
	}
	// The binaries may live under /tmp themselves: they are bound under
	// the host's private /run first.
	logPath := filepath.Join(h.Dir, "log", fmt.Sprintf("exporter-%s-%v.log", impl, useJSON))
	script := fmt.Sprintf("mkdir -p /run/kge-x /run/kge-k && mount --bind %s /run/kge-x && mount --bind %s /run/kge-k && "+
		"mount --bind %s /tmp && PATH=/run/kge-k:$PATH exec /run/kge-x/%s",
		filepath.Dir(bin), filepath.Dir(h.Lab.Tools.Binary(impl)), filepath.Join(h.Dir, "tmp"), args)
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := h.Command("unshare", "--mount", "--propagation", "private", "sh", "-c", script)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		// nsenter forks the exporter: killing the command would leave it
		// running. It is the host's only process of that name (comm is
		// cut at 15 characters).
		for _, p := range h.ProcsNamed("keepalived-expo") {
			syscall.Kill(p.PID, syscall.SIGKILL)
		}
		cmd.Process.Kill()
		cmd.Wait()
	}()
	exporterLog := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	deadline := time.Now().Add(20 * time.Second)
	for {
		m, err := h.Run("curl", "-sf", "-m", "5", "http://127.0.0.1:9165/metrics")
		if err == nil && strings.Contains(m, "keepalived_up") {
			return m, exporterLog()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no metrics from the exporter (%v):\n%s", impl, err, exporterLog())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// metricSeries is a scrape's keepalived_* series, values dropped but
// keepalived_up's, the VRRP states' and the script status', as
// "name{labels} value" (or without the value).
func metricSeries(metrics string) []string {
	var out []string
	for _, l := range strings.Split(metrics, "\n") {
		if !strings.HasPrefix(l, "keepalived_") || strings.HasPrefix(l, "keepalived_exporter") {
			continue
		}
		name, val, _ := strings.Cut(l, " ")
		// The script's state (idle, running) is where it happened to be
		// when the dump was written: its series is compared, not its value.
		if !strings.HasPrefix(name, "keepalived_script_state") &&
			(strings.HasPrefix(name, "keepalived_up") || strings.Contains(name, "_state") || strings.HasPrefix(name, "keepalived_script_status")) {
			name += " " + val
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// TestExporterReadsUs: mehdy/keepalived-exporter, in text and JSON mode,
// accepts our daemon (`keepalived --version` with --enable-json, the
// version token, the dumps) without an error or a warning in its log, and
// exports the series it exports for keepalived 2.2.7 on the same
// configuration, with the same states (keepalived_up 1, the VRRP states,
// the script's status and state).
//
// Our own /metrics, scraped beside it, holds every family the exporter
// exports for keepalived 2.2.7 (same type and help) and every series of
// it (same labels; the same value for keepalived_up, the states and the
// script status), in both modes, and promtool's linter finds nothing in it.
func TestExporterReadsUs(t *testing.T) {
	needOurs(t)
	bin := buildExporter(t)
	for _, useJSON := range []bool{false, true} {
		mode := map[bool]string{false: "text", true: "json"}[useJSON]
		series := map[Impl][]string{}
		families := map[Impl]map[string]string{}
		var own string // our /metrics
		for _, impl := range []Impl{Keepalived, Ours} {
			t.Run(mode+" "+string(impl), func(t *testing.T) {
				if impl == Ours {
					withStatusAddr(t)
				}
				h, d, _ := newToolsHost(t, impl, "/bin/true")
				if !d.WaitLog("(VI_2) Entering MASTER STATE", 10*time.Second) {
					t.Fatalf("%s: VI_2 not MASTER:\n%s", impl, d.LogText())
				}
				m, log := scrapeExporter(t, h, impl, bin, useJSON)
				for _, l := range strings.Split(log, "\n") {
					if strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=WARN") {
						t.Errorf("exporter (%s, %s): %s", impl, mode, l)
					}
				}
				series[impl], families[impl] = metricSeries(m), promFamilies(m)
				if !slices.Contains(series[impl], "keepalived_up 1") {
					t.Errorf("%s: keepalived_up is not 1:\n%s", impl, m)
				}
				if impl == Ours {
					var err error
					if own, err = h.Run("curl", "-sf", "-m", "5", "http://"+ourStatusAddr+"/metrics"); err != nil {
						t.Fatalf("our /metrics: %v", err)
					}
					if problems := promlint(t, own); problems != "" {
						t.Errorf("promtool check metrics on our /metrics:\n%s", problems)
					}
				}
			})
		}
		if series[Keepalived] == nil || series[Ours] == nil {
			continue
		}
		if diff := cmp.Diff(series[Keepalived], series[Ours]); diff != "" {
			t.Errorf("%s mode: exported series (-keepalived +ours):\n%s", mode, diff)
		}
		ownFamilies, ownSeries := promFamilies(own), metricSeries(own)
		for name, want := range families[Keepalived] {
			if got, ok := ownFamilies[name]; !ok {
				t.Errorf("%s mode: our /metrics lacks %s (%s), which the exporter exports for keepalived", mode, name, want)
			} else if got != want {
				t.Errorf("%s mode: our /metrics has %s as %q, the exporter %q", mode, name, got, want)
			}
		}
		for _, s := range series[Keepalived] {
			if !slices.Contains(ownSeries, s) {
				t.Errorf("%s mode: our /metrics lacks the exporter's series for keepalived %s", mode, s)
			}
		}
	}
}

// liveDumps runs impl on toolsConf until both instances are MASTER, then
// has it write keepalived.data, .stats and .json, each awaited as VyOS
// awaits it.
func liveDumps(t *testing.T, impl Impl) map[string]string {
	h, d, _ := newToolsHost(t, impl, "/bin/true")
	return dumpsOf(t, h, d)
}

// dumpsOf is liveDumps on a running daemon.
func dumpsOf(t *testing.T, h *Host, d *Daemon) map[string]string {
	impl := d.Impl
	if !d.WaitLog("(VI_2) Entering MASTER STATE", 10*time.Second) {
		t.Fatalf("%s: VI_2 not MASTER:\n%s", impl, d.LogText())
	}
	time.Sleep(1500 * time.Millisecond)
	tmp := filepath.Join(h.Dir, "tmp")
	out := map[string]string{}
	for _, tc := range []struct {
		sig  syscall.Signal
		file string
	}{{syscall.SIGUSR1, "keepalived.data"}, {syscall.SIGUSR2, "keepalived.stats"}, {syscall.Signal(36), "keepalived.json"}} {
		if seen, err := waitCloseWrite(tmp, []string{tc.file}, 10*time.Second, func() error { return d.Signal(tc.sig) }); err != nil {
			t.Fatalf("%s: %v; events %v", impl, err, seen)
		}
		b, err := os.ReadFile(filepath.Join(tmp, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		out[tc.file] = string(b)
	}
	return out
}

// normData keeps the sections of keepalived.data we write, without what
// differs between any two runs (times, socket numbers, the lab's MACs and
// IPv6 link-local addresses) and the lines README lists as deliberately
// left out.
func normData(text string) []string {
	keep := map[string]bool{"Global definitions": true, "VRRP Topology": true, "VRRP Sockpool": true,
		"VRRP Sync groups": true, "VRRP Scripts": true, "Interfaces": true}
	mac := regexp.MustCompile(`^(   MAC = )[0-9a-f:]+$`)
	linkLocal := regexp.MustCompile(`^(   IPv6 address = )fe80::[0-9a-f:]+$`)
	var out []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		if name, ok := strings.CutPrefix(l, "------< "); ok {
			name = strings.TrimSuffix(name, " >------")
			in = keep[name]
			if in {
				out = append(out, l)
			}
			continue
		}
		switch {
		case !in, l == "",
			strings.HasPrefix(l, "   Last transition = "), strings.HasPrefix(l, "   Read timeout = "),
			strings.HasPrefix(l, "   fd_in "), strings.HasPrefix(l, " fd_in "), strings.HasPrefix(l, " nftables "), strings.HasPrefix(l, " libnftnl version "):
			continue
		}
		l = mac.ReplaceAllString(l, "${1}MAC")
		l = linkLocal.ReplaceAllString(l, "${1}fe80::LINK")
		out = append(out, l)
	}
	return out
}

// TestDumpsMatchKeepalived: for the configuration of issue 14's report,
// keepalived.data (the sections we write), keepalived.stats (counts aside)
// and keepalived.json (its keys, and the values that do not depend on
// time) of our daemon are those of keepalived 2.2.7.
func TestDumpsMatchKeepalived(t *testing.T) {
	needOurs(t)
	got := map[Impl]map[string]string{}
	for _, impl := range []Impl{Keepalived, Ours} {
		t.Run(string(impl), func(t *testing.T) { got[impl] = liveDumps(t, impl) })
	}
	ka, ours := got[Keepalived], got[Ours]
	if ka == nil || ours == nil {
		t.Fatal("a daemon did not dump")
	}
	if diff := cmp.Diff(normData(ka["keepalived.data"]), normData(ours["keepalived.data"])); diff != "" {
		t.Errorf("keepalived.data (-keepalived +ours):\n%s", diff)
	}
	digits := regexp.MustCompile(`[0-9]+`)
	if diff := cmp.Diff(digits.ReplaceAllString(ka["keepalived.stats"], "N"), digits.ReplaceAllString(ours["keepalived.stats"], "N")); diff != "" {
		t.Errorf("keepalived.stats (-keepalived +ours):\n%s", diff)
	}
	var kj, oj []map[string]map[string]any
	if err := json.Unmarshal([]byte(ka["keepalived.json"]), &kj); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(ours["keepalived.json"]), &oj); err != nil {
		t.Fatalf("%v in %s", err, ours["keepalived.json"])
	}
	if len(kj) != len(oj) {
		t.Fatalf("%d instances in ours, %d in keepalived's", len(oj), len(kj))
	}
	for i := range kj {
		for _, part := range []string{"data", "stats"} {
			for k, kv := range kj[i][part] {
				ov, ok := oj[i][part][k]
				if !ok {
					t.Errorf("instance %d: %s.%s missing", i, part, k)
					continue
				}
				if part == "data" && k != "last_transition" && !cmp.Equal(kv, ov) {
					t.Errorf("instance %d: %s.%s = %v, keepalived %v", i, part, k, ov, kv)
				}
			}
			for k := range oj[i][part] {
				if _, ok := kj[i][part][k]; !ok {
					t.Errorf("instance %d: %s.%s is ours only", i, part, k)
				}
			}
		}
	}
}

// TestVMACDumpMatchesKeepalived: with VI_2 on a use_vmac macvlan and
// tracking eth0, keepalived.data is keepalived 2.2.7's: the topology's
// "Flags:", "Use VMAC, i/f name vrrp.52, ...", "Interface = vrrp.52, vmac
// on eth1", the VIP on "dev vrrp.52@eth1", the tracked interfaces after
// the VIPs; the VMAC and its parent in Interfaces with the sysctls set for
// the VMAC and the tracking instances.
func TestVMACDumpMatchesKeepalived(t *testing.T) {
	needOurs(t)
	conf := strings.Replace(toolsConf("/bin/true"), "    interface eth1\n",
		"    interface eth1\n    use_vmac\n    track_interface {\n        eth0\n    }\n", 1)
	got := map[Impl]string{}
	for _, impl := range []Impl{Keepalived, Ours} {
		t.Run(string(impl), func(t *testing.T) {
			l := New(t, tools, HostSpec{Name: "lb1", Ifaces: []IfaceSpec{
				{Name: "eth0", Addrs: []netip.Prefix{mustPrefix("10.31.0.1/24")}},
				{Name: "eth1", Addrs: []netip.Prefix{mustPrefix("10.32.0.1/24")}},
			}})
			h := l.Host("lb1")
			h.WriteConf(conf)
			got[impl] = dumpsOf(t, h, h.StartDaemon(impl))["keepalived.data"]
		})
	}
	if got[Keepalived] == "" || got[Ours] == "" {
		t.Fatal("a daemon did not dump")
	}
	// Both VMACs are without IPv6 (an IPv4 instance's: vrrp_vmac.c
	// link_set_ipv6, addr_gen_mode none), so no link-local line differs.
	if diff := cmp.Diff(normData(got[Keepalived]), normData(got[Ours])); diff != "" {
		t.Errorf("keepalived.data with a VMAC (-keepalived +ours):\n%s", diff)
	}
}
