package daemon

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
)

var update = flag.Bool("update", false, "rewrite the golden dumps in testdata/dump")

// captureHarness runs the configuration of testdata/keepalived-2.2.7/k.conf
// (where real keepalived 2.2.7 wrote the captured dumps) into the same
// state: MASTER with the weight-10 script succeeding, 4.5 s after the
// takeover (5 adverts sent).
func captureHarness(t *testing.T) *harness {
	in := vi("VI_1", 51, "eth0", 100, "192.168.50.100/24", "192.168.50.101/32")
	in.State = config.StateBackup
	in.Auth = config.Auth{Type: config.AuthPass, Pass: [8]byte{'s', 'e', 'c', 'r', 'e', 't'}}
	in.ExcludedVIPs = []config.Address{{Prefix: mustPrefix("10.9.9.9/32")}}
	in.TrackScripts = []config.TrackScript{{Name: "chk", Weight: 10}}
	cfg := configOf(in)
	cfg.Global.RouterID = "kgd1"
	sc := config.DefaultScript("chk")
	sc.Command = config.Command{Raw: "/usr/bin/true", Argv: []string{"/usr/bin/true"}}
	sc.Weight = 10
	cfg.Scripts = []*config.Script{sc}
	h := newHarness(t, cfg, eth("eth0", true, "192.168.50.2/24"))
	h.start()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	h.advance(3570312 * time.Microsecond)
	if st := h.d.insts[0].eng.Status().State.String(); st != "MASTER" {
		t.Fatalf("state %s", st)
	}
	h.advance(4500 * time.Millisecond)
	return h
}

func readCapture(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", "keepalived-2.2.7", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDumpStatsMatchesKeepalived: keepalived.stats byte for byte as real
// keepalived wrote it in the same state.
func TestDumpStatsMatchesKeepalived(t *testing.T) {
	h := captureHarness(t)
	if err := h.d.writeStats(false); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, "keepalived.stats"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(readCapture(t, "keepalived.stats"), string(got)); diff != "" {
		t.Errorf("keepalived.stats (-keepalived +ours):\n%s", diff)
	}
	// STATS_CLEAR writes, then zeroes.
	if err := h.d.writeStats(true); err != nil {
		t.Fatal(err)
	}
	if s := h.d.insts[0].stats(); s.AdvertSent != 0 || s.BecomeMaster != 0 {
		t.Errorf("after STATS_CLEAR: %+v", s)
	}
	h.advance(time.Second)
	if s := h.d.insts[0].stats(); s.AdvertSent != 1 {
		t.Errorf("one second after STATS_CLEAR: %d adverts sent, want 1", s.AdvertSent)
	}
}

// TestDumpJSONMatchesKeepalived: every key of keepalived's JSON dump is
// present with the same value, but for the time of the transition and the
// script's path as realpath resolved it on that host.
func TestDumpJSONMatchesKeepalived(t *testing.T) {
	h := captureHarness(t)
	if err := h.d.writeJSON(h.now); err != nil {
		t.Fatal(err)
	}
	ours, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, "keepalived.json"))
	if err != nil {
		t.Fatal(err)
	}
	var want, got []map[string]map[string]any
	if err := json.Unmarshal([]byte(readCapture(t, "keepalived.json")), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(ours, &got); err != nil {
		t.Fatalf("%v in %s", err, ours)
	}
	if len(got) != 1 {
		t.Fatalf("%d instances", len(got))
	}
	for _, part := range []string{"data", "stats"} {
		for k, wv := range want[0][part] {
			if k == "last_transition" {
				continue
			}
			if diff := cmp.Diff(wv, got[0][part][k]); diff != "" {
				t.Errorf("%s.%s (-keepalived +ours):\n%s", part, k, diff)
			}
		}
	}
}

// TestDumpJSONGroupFault: as keepalived's vrrp_json.c, an empty list
// ("evips" here) is left out, and a member its sync group holds in FAULT
// has wantstate FAULT (3) though it has no fault of its own.
func TestDumpJSONGroupFault(t *testing.T) {
	ins := []*config.Instance{vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24")}
	ins[1].TrackScripts = []config.TrackScript{{Name: "chk"}}
	ins[0].SyncGroup, ins[1].SyncGroup = "VG1", "VG1"
	cfg := configOf(ins...)
	cfg.SyncGroups = []*config.SyncGroup{{Name: "VG1", Members: []string{"VI_1", "VI_2"}}}
	cfg.Scripts = []*config.Script{config.DefaultScript("chk")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
	h.start()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	h.advance(5 * time.Second)
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: false})
	if err := h.d.writeJSON(h.now); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, "keepalived.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	if len(got) != 2 {
		t.Fatalf("%d instances in %s", len(got), b)
	}
	for i, name := range []string{"VI_1", "VI_2"} {
		d := got[i]["data"]
		if d["iname"] != name || d["state"] != 3.0 || d["wantstate"] != 3.0 {
			t.Errorf("%s: iname %v state %v wantstate %v, want FAULT (3) for both", name, d["iname"], d["state"], d["wantstate"])
		}
		if _, ok := d["evips"]; ok {
			t.Errorf("%s: \"evips\" present without excluded addresses", name)
		}
		if _, ok := d["vips"]; !ok {
			t.Errorf("%s: no \"vips\"", name)
		}
	}
}

// TestDumpDataMatchesKeepalived: every line of our keepalived.data
// instance section that keepalived also writes has keepalived's value.
func TestDumpDataMatchesKeepalived(t *testing.T) {
	h := captureHarness(t)
	if err := h.d.writeData(h.now); err != nil {
		t.Fatal(err)
	}
	ours, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, "keepalived.data"))
	if err != nil {
		t.Fatal(err)
	}
	theirs := map[string]string{}
	section := func(text string, fn func(key, line string)) {
		in := false
		sc := bufio.NewScanner(strings.NewReader(text))
		for sc.Scan() {
			l := sc.Text()
			if strings.HasPrefix(l, "------<") {
				in = strings.Contains(l, "VRRP Topology")
				continue
			}
			if in {
				key, _, _ := strings.Cut(l, " = ")
				fn(key, l)
			}
		}
	}
	section(readCapture(t, "keepalived.data"), func(k, l string) { theirs[k] = l })
	checked := 0
	section(string(ours), func(k, l string) {
		w, ok := theirs[k]
		if !ok || strings.Contains(k, "Last transition") || strings.Contains(k, "Read timeout") {
			return
		}
		checked++
		if w != l {
			t.Errorf("keepalived: %q\nours:       %q", w, l)
		}
	})
	if checked < 25 {
		t.Errorf("only %d lines compared", checked)
	}
	golden(t, "data.golden", string(ours))
}

// deliberateGlobal are keepalived's global lines we leave out on
// purpose (README, "Deliberate differences"): we use no nftables.
var deliberateGlobal = map[string]bool{" nftables without counters": true, " libnftnl version 1.2.3": true}

// globalSection is the "Global definitions" section of a dump, without
// the deliberate differences.
func globalSection(text string) []string {
	var out []string
	for i, l := range strings.Split(text, "\n") {
		if i > 0 && strings.HasPrefix(l, "------<") {
			break
		}
		if !deliberateGlobal[l] && l != "" {
			out = append(out, l)
		}
	}
	return out
}

// TestDumpGlobalMatchesKeepalived: the global definitions of our
// keepalived.data are keepalived's, line for line, for the captured
// configuration (k.conf) and for the sync group one (sg.conf, with a
// notify_fifo).
func TestDumpGlobalMatchesKeepalived(t *testing.T) {
	h := captureHarness(t)
	if diff := cmp.Diff(globalSection(readCapture(t, "keepalived.data")), globalSection(string(h.d.dataText(h.now)))); diff != "" {
		t.Errorf("k.conf: global definitions (-keepalived +ours):\n%s", diff)
	}
	cfg := loadCapture(t, "sg.conf")
	hs := newHarness(t, cfg, eth("eth0", true, "10.31.0.1/24"), eth("eth1", true, "10.32.0.1/24"))
	hs.start()
	if diff := cmp.Diff(globalSection(readCapture(t, "sg.data")), globalSection(string(hs.d.dataText(hs.now)))); diff != "" {
		t.Errorf("sg.conf: global definitions (-keepalived +ours):\n%s", diff)
	}
}

// TestParentDataMatchesKeepalived: keepalived_parent.data is keepalived's
// parent dump (the global definitions without the default interface, which
// only the VRRP process resolves), but for the lower-priority GARP values,
// which keepalived's parent shows unresolved (4294967295) and we show as
// they apply.
func TestParentDataMatchesKeepalived(t *testing.T) {
	cfg := loadCapture(t, "sg.conf")
	want := globalSection(readCapture(t, "sg_parent.data"))
	for i, l := range want {
		if strings.HasPrefix(l, " Gratuitous ARP lower priority") {
			want[i] = strings.Replace(l, "4294967295", "5", 1)
		}
	}
	if diff := cmp.Diff(want, globalSection(string(ParentData(&cfg.Global)))); diff != "" {
		t.Errorf("keepalived_parent.data (-keepalived +ours):\n%s", diff)
	}
}

// dumpSection is the lines of one "------< NAME >------" section.
func dumpSection(text, name string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "------<") {
			in = l == "------< "+name+" >------"
			continue
		}
		if in && l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sgHarness runs testdata/keepalived-2.2.7/sg.conf into the state of the
// capture sg.data: the script succeeded, both members MASTER.
func sgHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, loadCapture(t, "sg.conf"), eth("eth0", true, "10.31.0.1/24"), eth("eth1", true, "10.32.0.1/24"))
	h.start()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	h.advance(4 * time.Second)
	for _, in := range h.d.insts {
		if st := in.eng.Status().State.String(); st != "MASTER" {
			t.Fatalf("%s is %s, want MASTER", in.name(), st)
		}
	}
	return h
}

// TestDumpScriptsMatchKeepalived: the VRRP Scripts section is keepalived's
// line for line (Result, Insecure, Init state, uid:gid, the tracking
// instances, State: mehdy/keepalived-exporter reads Status and State).
func TestDumpScriptsMatchKeepalived(t *testing.T) {
	for _, tc := range []struct {
		capture string
		h       func(*testing.T) *harness
	}{{"keepalived.data", captureHarness}, {"sg.data", sgHarness}} {
		h := tc.h(t)
		if diff := cmp.Diff(dumpSection(readCapture(t, tc.capture), "VRRP Scripts"), dumpSection(string(h.d.dataText(h.now)), "VRRP Scripts")); diff != "" {
			t.Errorf("%s: VRRP Scripts (-keepalived +ours):\n%s", tc.capture, diff)
		}
	}
	// Before its first result a script is INIT and BAD (keepalived's
	// result rise-1), not a status the exporter does not know.
	h := newHarness(t, loadCapture(t, "sg.conf"), eth("eth0", true, "10.31.0.1/24"), eth("eth1", true, "10.32.0.1/24"))
	h.start()
	got := strings.Join(dumpSection(string(h.d.dataText(h.now)), "VRRP Scripts"), "\n")
	for _, want := range []string{"   Result = 0", "   Init state = INIT", "   Status = BAD"} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("before the first result, no %q in\n%s", want, got)
		}
	}
}

// normTopology drops what differs between any two runs (times, file
// descriptors) from a VRRP Topology section.
func normTopology(lines []string) []string {
	var out []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "   Last transition = "), strings.HasPrefix(l, "   Read timeout = "),
			strings.HasPrefix(l, "   fd_in "):
			continue
		}
		out = append(out, l)
	}
	return out
}

// TestDumpTopologyMatchesKeepalived: the VRRP Topology section, for the
// captured configurations, is keepalived's line for line but for the
// times and the socket numbers.
func TestDumpTopologyMatchesKeepalived(t *testing.T) {
	for _, tc := range []struct {
		capture string
		h       func(*testing.T) *harness
	}{{"keepalived.data", captureHarness}, {"sg.data", sgHarness}} {
		h := tc.h(t)
		want := normTopology(dumpSection(readCapture(t, tc.capture), "VRRP Topology"))
		got := normTopology(dumpSection(string(h.d.dataText(h.now)), "VRRP Topology"))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: VRRP Topology (-keepalived +ours):\n%s", tc.capture, diff)
		}
	}
}

// TestDumpSyncGroupsMatchKeepalived: the VRRP Sync groups section people
// grep (`VRRP Sync Group = VG1, MASTER`) is keepalived's.
func TestDumpSyncGroupsMatchKeepalived(t *testing.T) {
	h := sgHarness(t)
	want := dumpSection(readCapture(t, "sg.data"), "VRRP Sync groups")
	if diff := cmp.Diff(want, dumpSection(string(h.d.dataText(h.now)), "VRRP Sync groups")); diff != "" {
		t.Errorf("VRRP Sync groups (-keepalived +ours):\n%s", diff)
	}
	if len(want) < 5 {
		t.Fatalf("capture has no sync group section: %q", want)
	}
}

// TestDumpConfig: -d logs keepalived's text dump of the configuration:
// the data dump's sections without the running state (no State, timers,
// faults or effective priority), as keepalived's dump_data_vrrp does
// without a file.
func TestDumpConfig(t *testing.T) {
	h := sgHarness(t)
	lines, err := h.d.dumpConfigLines()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(lines, "\n") + "\n"
	data := string(h.d.dataText(h.now))
	for _, want := range []string{"------< Global definitions >------\n", "------< VRRP Topology >------\n",
		" VRRP Instance = VI_1\n", "   Wantstate = MASTER\n", "   Virtual Router ID = 51\n", "------< VRRP Sync groups >------\n",
		"------< VRRP Scripts >------\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("-d lacks %q", want)
		}
	}
	topo := "\n" + strings.Join(dumpSection(got, "VRRP Topology"), "\n")
	liveTopo := "\n" + strings.Join(dumpSection(data, "VRRP Topology"), "\n")
	for _, running := range []string{"   State = ", "   Last transition = ", "   Read timeout = ", "   Master down timer = ", "   Effective priority = "} {
		if strings.Contains(topo, "\n"+running) {
			t.Errorf("-d shows running state %q", running)
		}
		if !strings.Contains(liveTopo, "\n"+running) {
			t.Errorf("keepalived.data lacks %q", running)
		}
	}
}

// TestDumpConfigMatchesKeepalived: -d at start-up, before the script's
// first result, logs what keepalived 2.2.7 logs for sg.conf (captured with
// -d, its time stamps cut), but for its nftables lines and the "No sockets
// allocated" it writes before opening them.
func TestDumpConfigMatchesKeepalived(t *testing.T) {
	h := newHarness(t, loadCapture(t, "sg.conf"), eth("eth0", true, "10.31.0.1/24"), eth("eth1", true, "10.32.0.1/24"))
	h.start()
	got, err := h.d.dumpConfigLines()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimRight(readCapture(t, "sg.dump-conf"), "\n"), "\n") {
		if !deliberateGlobal[l] && l != "   No sockets allocated" {
			want = append(want, l)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("-d (-keepalived +ours):\n%s", diff)
	}
}

// loadCapture parses a configuration of testdata/keepalived-2.2.7.
func loadCapture(t *testing.T, name string) *config.Config {
	t.Helper()
	cfg, _, err := parser.LoadFile(filepath.Join("testdata", "keepalived-2.2.7", name), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// golden compares got with testdata/dump/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "dump", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestDumpEventOrder: a dump makes the inotify events keepalived's
// fopen_safe makes (create a temporary, rename it to the final name, then
// write and close it), so IN_CLOSE_WRITE names the final file: VyOS waits
// for exactly that event, and timed out on every dump while we renamed a
// closed file.
func TestDumpEventOrder(t *testing.T) {
	dir := t.TempDir()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	defer unix.Close(fd)
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_CREATE|unix.IN_MOVED_TO|unix.IN_MOVED_FROM|unix.IN_CLOSE_WRITE); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(dir, "keepalived.data", []byte("x\n")); err != nil {
		t.Fatal(err)
	}
	var got []string
	tmp := ""
	buf := make([]byte, 4096)
	n, err := unix.Read(fd, buf)
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off+unix.SizeofInotifyEvent <= n; {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
		name := strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
		off += unix.SizeofInotifyEvent + int(ev.Len)
		if name != "keepalived.data" {
			if tmp == "" {
				tmp = name
			}
			if name != tmp {
				t.Errorf("event on a third name %q", name)
			}
			name = "TMP"
		}
		kind := map[uint32]string{unix.IN_CREATE: "CREATE", unix.IN_MOVED_FROM: "MOVED_FROM", unix.IN_MOVED_TO: "MOVED_TO", unix.IN_CLOSE_WRITE: "CLOSE_WRITE"}[ev.Mask&^unix.IN_ISDIR]
		got = append(got, kind+" "+name)
	}
	want := []string{"CREATE TMP", "MOVED_FROM TMP", "MOVED_TO keepalived.data", "CLOSE_WRITE keepalived.data"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("inotify events (-keepalived's order +ours):\n%s", diff)
	}
	// keepalived's temporary is the final name with six characters added.
	if !strings.HasPrefix(tmp, "keepalived.data") {
		t.Errorf("temporary file %q", tmp)
	}
}

// TestDumpAtomic: a dump replaces the file in one rename; no temporary
// file is left behind.
func TestDumpAtomic(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keepalived.json"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(dir, "keepalived.json", []byte("[]")); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keepalived.json")); string(b) != "[]" {
		t.Errorf("content %q", b)
	}
	// 0666 less the process's umask (0600 under keepalived's 0177).
	if want := os.FileMode(0o666 &^ processUmask()); true {
		if fi, err := os.Stat(filepath.Join(dir, "keepalived.json")); err != nil || fi.Mode().Perm() != want {
			t.Errorf("mode %v, %v; want %v", fi.Mode(), err, want)
		}
	}
	if err := writeFile(filepath.Join(dir, "missing"), "x", nil); err == nil {
		t.Error("no error for a missing directory")
	}
}
