// Package e2e is keepalived-go's end-to-end lab: a LAN of network namespaces
// on one bridge, load-balancer hosts running nginx and a VRRP daemon (ours or
// real keepalived 2.2.7, chosen per host), a client probing the VIP every
// 10 ms, and the wire watched with tcpdump on every bridge port.
//
// Process isolation. All namespaces share one PID namespace and one
// filesystem, but the seed setups' check scripts run `ps -C nginx`,
// `killall keepalived` and `systemctl stop keepalived`. So every lab host
// runs its processes in a PID namespace and a mount namespace of its own
// (`ip netns exec NS unshare --pid --fork --mount-proc`), whose pid 1 is
// `kgelab init` (a reaper). Inside a host:
//   - ps, pgrep and killall see that host's processes only;
//   - /run is a private tmpfs, so keepalived's default pidfiles
//     (/run/keepalived.pid, /run/vrrp.pid) are per host;
//   - /etc/keepalived and /usr/local are bind mounts of the host's own
//     directories, so the seeds' script paths (/etc/keepalived/*.sh,
//     /usr/local/src/*.sh, /usr/local/nginx/sbin/nginx) work unchanged;
//   - /usr/bin/systemctl is a bind-mounted stand-in that starts, stops and
//     queries this host's keepalived and nginx (there is no systemd here).
//
// Nothing touches the root namespace's networking: the bridge kge-br0 lives
// in a switch namespace of its own, and veth pairs are created there with
// their peer moved straight into the host namespace.
package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// Prefix names every namespace the lab creates.
const Prefix = "kge"

// BridgeName is the bridge in the switch namespace.
const BridgeName = "kge-br0"

var labSeq atomic.Int32

// IfaceSpec is one interface of a host, attached to the lab's bridge.
type IfaceSpec struct {
	Name  string         // inside the host: eth0, ens33, ...
	Addrs []netip.Prefix // primary first
}

// HostSpec describes one host of the lab.
type HostSpec struct {
	Name   string // short: lb1, c1, web1 (bridge port names derive from it)
	Ifaces []IfaceSpec
	// Nginx serves a page naming the host on port 80 (and the extra ports).
	Nginx      bool
	NginxPorts []int
	// NginxHTTP, if set, replaces the server block of the generated
	// nginx.conf's http section (a seed's dispatcher config); responses
	// still carry the X-Lab-Host header naming this host.
	NginxHTTP string
	// Web marks a web server behind a dispatcher: its page names it but it
	// sets no X-Lab-Host header, so the client sees the dispatcher's.
	Web bool
}

// Lab is one LAN of namespaces.
type Lab struct {
	T      testing.TB
	ID     string // kge<pid>-<n>
	Dir    string
	Switch string // switch namespace name
	Tools  *Tools
	Hosts  map[string]*Host
	Wire   *Wire
	order  []*Host
}

// Host is one namespace of the lab with its own PID and mount namespaces.
type Host struct {
	Lab     *Lab
	Spec    HostSpec
	Name    string
	NS      string // network namespace name
	Dir     string // host directory (bind-mounted parts live under it)
	Ports   []string
	initPID int
	pidNS   string
	initCmd *child

	mu     sync.Mutex
	daemon *Daemon
	nstart int
}

// New builds a lab with the given hosts. Everything it creates is removed in
// t.Cleanup, also when the test fails.
func New(t testing.TB, tools *Tools, specs ...HostSpec) *Lab {
	t.Helper()
	id := fmt.Sprintf("%s%d-%d", Prefix, os.Getpid()%100000, labSeq.Add(1))
	l := &Lab{T: t, ID: id, Dir: t.TempDir(), Switch: id + "-sw", Tools: tools, Hosts: map[string]*Host{}}
	t.Cleanup(l.close)
	l.addNetns(l.Switch)
	l.must("ip", "-n", l.Switch, "link", "add", BridgeName, "type", "bridge", "stp_state", "0", "mcast_snooping", "0")
	l.must("ip", "-n", l.Switch, "link", "set", BridgeName, "up")
	for _, s := range specs {
		l.addHost(s)
	}
	return l
}

func (l *Lab) addHost(s HostSpec) *Host {
	t := l.T
	t.Helper()
	h := &Host{Lab: l, Spec: s, Name: s.Name, NS: l.ID + "-" + s.Name, Dir: filepath.Join(l.Dir, s.Name)}
	l.Hosts[s.Name] = h
	l.order = append(l.order, h)
	l.addNetns(h.NS)
	for i, ifc := range s.Ifaces {
		port := "p-" + s.Name
		if i > 0 {
			port += "-" + strconv.Itoa(i)
		}
		h.Ports = append(h.Ports, port)
		l.must("ip", "-n", l.Switch, "link", "add", port, "type", "veth", "peer", "name", ifc.Name, "netns", h.NS)
		l.must("ip", "-n", l.Switch, "link", "set", port, "master", BridgeName, "up")
		for _, a := range ifc.Addrs {
			l.must("ip", "-n", h.NS, "addr", "add", a.String(), "dev", ifc.Name)
		}
		l.must("ip", "-n", h.NS, "link", "set", ifc.Name, "up")
	}
	h.setupDirs()
	h.startInit()
	if s.Nginx {
		h.StartNginx()
	}
	return h
}

// Host returns the host with that name or fails the test.
func (l *Lab) Host(name string) *Host {
	h, ok := l.Hosts[name]
	if !ok {
		l.T.Fatalf("e2e: no host %q in the lab", name)
	}
	return h
}

// addNetns creates namespace name with lo up; close deletes it, after the
// hosts' processes are stopped.
func (l *Lab) addNetns(name string) {
	l.T.Helper()
	if err := testenv.AddNetns(name); err != nil {
		l.T.Fatalf("e2e: %v", err)
	}
}

func (l *Lab) must(args ...string) string {
	l.T.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		l.T.Fatalf("e2e: %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (l *Lab) close() {
	if l.Wire != nil {
		l.Wire.stop()
	}
	for i := len(l.order) - 1; i >= 0; i-- {
		l.order[i].close()
	}
	for _, h := range l.order {
		testenv.DelNetns(h.NS)
	}
	testenv.DelNetns(l.Switch)
	if l.T.Failed() {
		l.dumpLogs()
	}
}

// dumpLogs prints the daemons' logs of a failed test, the first thing one
// wants to read.
func (l *Lab) dumpLogs() {
	for _, h := range l.order {
		logs, _ := filepath.Glob(filepath.Join(h.Dir, "log", "keepalived-*.log"))
		for _, f := range logs {
			b, _ := os.ReadFile(f)
			if len(b) > 6000 {
				b = append([]byte("...\n"), b[len(b)-6000:]...)
			}
			l.T.Logf("---- %s %s ----\n%s", h.Name, filepath.Base(f), b)
		}
	}
}

func (h *Host) setupDirs() {
	for _, d := range []string{"etc-keepalived", "usr-local/nginx/sbin", "usr-local/src", "bin", "www", "tmp", "log", "nginx-temp"} {
		if err := os.MkdirAll(filepath.Join(h.Dir, d), 0o755); err != nil {
			h.Lab.T.Fatal(err)
		}
	}
	// t.TempDir is 0700; the directories on the way are root's, which is
	// what keepalived's script security wants, but nginx and scripts may run
	// as other users: open the path for reading.
	for d := h.Dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	name := h.Name
	www := filepath.Join(h.Dir, "www")
	writeFile(h.Lab.T, filepath.Join(www, "index.html"), name+"\n", 0o644)

	ports := append([]int{80}, h.Spec.NginxPorts...)
	var listen strings.Builder
	for _, p := range ports {
		fmt.Fprintf(&listen, "    listen %d;\n", p)
	}
	server := fmt.Sprintf("  server {\n%s    location / { root %s; add_header X-Lab-Host %s; }\n  }\n", listen.String(), www, name)
	httpHeader := ""
	switch {
	case h.Spec.Web:
		server = fmt.Sprintf("  server {\n%s    location / { root %s; }\n  }\n", listen.String(), www)
	case h.Spec.NginxHTTP != "":
		server = h.Spec.NginxHTTP
		httpHeader = "  add_header X-Lab-Host " + name + ";\n"
	}
	tmp := filepath.Join(h.Dir, "nginx-temp")
	conf := fmt.Sprintf(`# nginx for lab host %[1]s: its own pid, log and temp paths.
user root;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/log/nginx-error.log;
events { worker_connections 512; }
http {
  access_log off;
  include /etc/nginx/mime.types;
  client_body_temp_path %[3]s/body;
  proxy_temp_path %[3]s/proxy;
  fastcgi_temp_path %[3]s/fastcgi;
  uwsgi_temp_path %[3]s/uwsgi;
  scgi_temp_path %[3]s/scgi;
%[5]s%[4]s}
`, name, h.Dir, tmp, server, httpHeader)
	writeFile(h.Lab.T, filepath.Join(h.Dir, "nginx.conf"), conf, 0o644)

	nginx := fmt.Sprintf("#!/bin/sh\n# nginx of lab host %s (also installed as /usr/local/nginx/sbin/nginx)\nexec /usr/sbin/nginx -c %s/nginx.conf -e %s/log/nginx-error.log \"$@\"\n", name, h.Dir, h.Dir)
	writeFile(h.Lab.T, filepath.Join(h.Dir, "bin", "nginx"), nginx, 0o755)
	writeFile(h.Lab.T, filepath.Join(h.Dir, "usr-local/nginx/sbin/nginx"), nginx, 0o755)
	writeFile(h.Lab.T, filepath.Join(h.Dir, "bin", "systemctl"), systemctlScript(h), 0o755)

	init := fmt.Sprintf(`#!/bin/sh
# pid 1 set-up of lab host %[1]s, in its own PID and mount namespaces.
set -e
mount -t tmpfs -o mode=0755 kge-run /run
mount --bind %[2]s/etc-keepalived /etc/keepalived
mount --bind %[2]s/usr-local /usr/local
mount --bind %[2]s/bin/systemctl /usr/bin/systemctl
touch %[2]s/ready
exec %[3]s init
`, name, h.Dir, h.Lab.Tools.Lab)
	writeFile(h.Lab.T, filepath.Join(h.Dir, "hostinit.sh"), init, 0o755)
}

// systemctlScript is the host's stand-in for systemctl: the seeds' check
// scripts run `systemctl stop keepalived` and `systemctl start nginx`.
func systemctlScript(h *Host) string {
	return fmt.Sprintf(`#!/bin/sh
# systemctl stand-in of lab host %[1]s: acts on this host's PID namespace only.
verb=$1; unit=${2%%.service}
wait_gone() { i=0; while pgrep -x "$1" >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; }
case "$unit" in
keepalived)
	case "$verb" in
	stop)
		pid=$(cat /run/keepalived.pid 2>/dev/null || true)
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid"; else killall -q -TERM keepalived; fi
		wait_gone keepalived ;;
	start) [ -x %[2]s/bin/keepalived-start ] && %[2]s/bin/keepalived-start ;;
	restart) "$0" stop keepalived; "$0" start keepalived ;;
	reload) kill -HUP "$(cat /run/keepalived.pid)" ;;
	is-active) if pgrep -x keepalived >/dev/null; then echo active; else echo inactive; exit 3; fi ;;
	*) echo "systemctl (lab): $verb not supported" >&2; exit 1 ;;
	esac ;;
nginx)
	case "$verb" in
	stop) killall -q -TERM nginx; wait_gone nginx ;;
	start) pgrep -x nginx >/dev/null || %[2]s/bin/nginx ;;
	restart) killall -q -TERM nginx; wait_gone nginx; %[2]s/bin/nginx ;;
	reload) %[2]s/bin/nginx -s reload ;;
	is-active) if pgrep -x nginx >/dev/null; then echo active; else echo inactive; exit 3; fi ;;
	*) echo "systemctl (lab): $verb not supported" >&2; exit 1 ;;
	esac ;;
*) echo "systemctl (lab): unit $unit unknown" >&2; exit 5 ;;
esac
`, h.Name, h.Dir)
}

func writeFile(t testing.TB, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, mode)
}

func (h *Host) startInit() {
	t := h.Lab.T
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", h.NS, "unshare", "--pid", "--fork", "--mount-proc", "--propagation", "private",
		"sh", filepath.Join(h.Dir, "hostinit.sh"))
	logf, err := os.Create(filepath.Join(h.Dir, "log", "init.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if h.initCmd, err = startChild(cmd, func() { logf.Close() }); err != nil {
		t.Fatalf("e2e: start host %s: %v", h.Name, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(filepath.Join(h.Dir, "ready")); err == nil {
			for _, pid := range descendants(h.initCmd.Pid()) {
				if comm(pid) == "kgelab" {
					h.initPID = pid
					h.pidNS, _ = os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
					return
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	b, _ := os.ReadFile(filepath.Join(h.Dir, "log", "init.log"))
	t.Fatalf("e2e: host %s did not come up: %s", h.Name, b)
}

func (h *Host) close() {
	if d := h.Daemon(); d != nil {
		d.Kill()
	}
	if h.initPID > 0 && !h.initCmd.Exited() {
		// pid 1 of the host's PID namespace exits: the kernel kills the
		// rest. (While unshare, its parent, is unreaped, init's PID is
		// still the same process: init can only go after unshare has
		// waited for it.)
		syscall.Kill(h.initPID, syscall.SIGTERM)
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) && len(h.Procs()) > 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if h.initCmd != nil {
		h.initCmd.SignalGroup(syscall.SIGKILL)
		select {
		case <-h.initCmd.done:
		case <-time.After(3 * time.Second):
		}
	}
}

// Command returns a command that runs inside the host (its network, PID
// and mount namespaces), in the host's environment.
func (h *Host) Command(args ...string) *exec.Cmd {
	full := append([]string{"-t", strconv.Itoa(h.initPID), "-p", "-m", "-n", "--"}, args...)
	cmd := exec.Command("nsenter", full...)
	cmd.Dir = "/"
	cmd.Env = []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=/root",
		"TMPDIR=" + filepath.Join(h.Dir, "tmp"),
		"LANG=C",
	}
	return cmd
}

// Run runs a command inside the host and returns its combined output.
func (h *Host) Run(args ...string) (string, error) {
	out, err := h.Command(args...).CombinedOutput()
	return string(out), err
}

// Must runs a command inside the host and fails the test if it fails.
func (h *Host) Must(args ...string) string {
	h.Lab.T.Helper()
	out, err := h.Run(args...)
	if err != nil {
		h.Lab.T.Fatalf("e2e: %s: %s: %v\n%s", h.Name, strings.Join(args, " "), err, out)
	}
	return out
}

// Proc is a process of a host, seen from the root PID namespace.
type Proc struct {
	PID  int // in the root namespace (what kill(2) from the test takes)
	PGID int
	Comm string
}

// Procs lists the host's processes except its pid 1.
func (h *Host) Procs() []Proc {
	if h.pidNS == "" {
		return nil
	}
	ents, _ := os.ReadDir("/proc")
	var ps []Proc
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == h.initPID {
			continue
		}
		if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); err != nil || ns != h.pidNS {
			continue
		}
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...
		s := string(st)
		r := strings.LastIndexByte(s, ')')
		l := strings.IndexByte(s, '(')
		if r < 0 || l < 0 {
			continue
		}
		f := strings.Fields(s[r+2:])
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		pgid, _ := strconv.Atoi(f[2])
		ps = append(ps, Proc{PID: pid, PGID: pgid, Comm: s[l+1 : r]})
	}
	return ps
}

// ProcsNamed lists the host's processes whose comm is name.
func (h *Host) ProcsNamed(name string) []Proc {
	var out []Proc
	for _, p := range h.Procs() {
		if p.Comm == name {
			out = append(out, p)
		}
	}
	return out
}

// StartNginx starts the host's nginx (daemonised, reaped by the host's pid 1).
func (h *Host) StartNginx() {
	h.Lab.T.Helper()
	h.Must(filepath.Join(h.Dir, "bin", "nginx"))
}

// KillNginx kills every nginx process of the host with SIGKILL.
func (h *Host) KillNginx() {
	for _, p := range h.ProcsNamed("nginx") {
		syscall.Kill(p.PID, syscall.SIGKILL)
	}
}

// Iface returns the host's first interface name.
func (h *Host) Iface() string { return h.Spec.Ifaces[0].Name }

// Addr returns the host's primary address.
func (h *Host) Addr() netip.Addr { return h.Spec.Ifaces[0].Addrs[0].Addr() }

// HasAddr reports whether addr is configured on any of the host's interfaces.
func (h *Host) HasAddr(addr netip.Addr) bool {
	out, err := exec.Command("ip", "-n", h.NS, "-o", "addr", "show").Output()
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		for i := 0; i+1 < len(f); i++ {
			if f[i] == "inet" || f[i] == "inet6" {
				if p, err := netip.ParsePrefix(f[i+1]); err == nil && p.Addr() == addr {
					return true
				}
			}
		}
	}
	return false
}

// SetLink sets the host's interface (on the host side) up or down.
func (h *Host) SetLink(iface string, up bool) {
	state := "down"
	if up {
		state = "up"
	}
	h.Lab.must("ip", "-n", h.NS, "link", "set", iface, state)
}

// WriteFile writes a file into the host's directory tree; rel is relative
// to the host directory (etc-keepalived/keepalived.conf is what the host
// sees as /etc/keepalived/keepalived.conf).
func (h *Host) WriteFile(rel, text string, mode os.FileMode) {
	writeFile(h.Lab.T, filepath.Join(h.Dir, rel), text, mode)
}

// WriteConf writes the host's /etc/keepalived/keepalived.conf.
func (h *Host) WriteConf(text string) { h.WriteFile("etc-keepalived/keepalived.conf", text, 0o644) }

// descendants lists pid's descendants, children first.
func descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", p))
		for _, t := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", p, t.Name()))
			for _, f := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(f); err == nil {
					out = append(out, c)
					queue = append(queue, c)
				}
			}
		}
	}
	return out
}

func comm(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	return strings.TrimSpace(string(b))
}

// AddrWatch records address deletions on a host, from `ip monitor address`
// (netlink events: no polling, nothing missed however loaded the machine).
type AddrWatch struct {
	stop func()
	mu   sync.Mutex
	dels []string
}

// WatchAddrs starts recording the host's address deletions.
func (h *Host) WatchAddrs() *AddrWatch {
	t := h.Lab.T
	t.Helper()
	w := &AddrWatch{}
	w.stop = h.monitorAddrs(t, func(at time.Time, line string) {
		if strings.HasPrefix(line, "Deleted") {
			w.mu.Lock()
			w.dels = append(w.dels, at.Format("15:04:05.000 ")+line)
			w.mu.Unlock()
		}
	})
	return w
}

// monitorAddrs runs `ip monitor address` in the host's namespace and hands
// fn every line it prints, with the time it was read, until the returned
// stop (also run at the test's end, and safe to run twice) has killed it
// and every line has been handed over.
func (h *Host) monitorAddrs(t testing.TB, fn func(at time.Time, line string)) (stop func()) {
	t.Helper()
	cmd := exec.Command("ip", "-n", h.NS, "monitor", "address")
	out, closeW, err := pipeTo(func(f *os.File) { cmd.Stdout = f })
	if err != nil {
		t.Fatal(err)
	}
	proc, err := startChild(cmd, nil)
	closeW()
	if err != nil {
		t.Fatalf("e2e: ip monitor on %s: %v", h.Name, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer out.Close()
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fn(time.Now(), sc.Text())
		}
	}()
	time.Sleep(50 * time.Millisecond) // let it subscribe
	stop = func() {
		proc.SignalGroup(syscall.SIGKILL)
		<-done
		<-proc.done
	}
	t.Cleanup(stop)
	return stop
}

// Stop ends the watch.
func (w *AddrWatch) Stop() { w.stop() }

// Deleted returns the deletions seen of addr (any address when invalid).
func (w *AddrWatch) Deleted(addr netip.Addr) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, d := range w.dels {
		if !addr.IsValid() || strings.Contains(d, " "+addr.String()+"/") {
			out = append(out, d)
		}
	}
	return out
}
