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

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
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
	if fi, err := os.Stat(filepath.Join(dir, "keepalived.json")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, %v; want 0600", fi.Mode(), err)
	}
	if err := writeFile(filepath.Join(dir, "missing"), "x", nil); err == nil {
		t.Error("no error for a missing directory")
	}
}
