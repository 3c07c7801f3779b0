package daemon

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
)

// reasonOf is instance i's reason in the status model.
func reasonOf(t *testing.T, h *harness, i int) string {
	t.Helper()
	st := h.d.snapshot()
	if st.Instances[i].Reason == nil {
		t.Fatalf("%s: no reason in the status", st.Instances[i].Name)
	}
	return st.Instances[i].Reason.Text
}

// jsonLog makes the harness's daemon log JSON lines into the returned
// buffer, as --log-format=json does.
func jsonLog(h *harness) *bytes.Buffer {
	var buf bytes.Buffer
	h.d.log = logging.New(logging.Settings{File: &buf, JSON: true, Now: func() time.Time { return h.now }})
	return &buf
}

// transitions are the "Entering ... STATE" records of a JSON log, without
// the time.
func transitions(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if msg, _ := m["msg"].(string); strings.Contains(msg, "Entering") {
			delete(m, "time")
			out = append(out, m)
		}
	}
	buf.Reset()
	return out
}

// TestReasonInStatusLogAndDump: the words of issue 15 in the status model
// (what /status and `keepalived status` show), in the transition's log
// record (attributes; the message stays keepalived's line) and in
// keepalived.json, for a backup below a master because a weighted script
// failed, its takeover by the master-down timer, and a FAULT by a
// track_interface.
func TestReasonInStatusLogAndDump(t *testing.T) {
	ci := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	ci.TrackScripts = []config.TrackScript{{Name: "chk_nginx", Weight: -10}}
	ci.TrackInterfaces = []config.TrackInterface{{Name: "eth1"}}
	cfg := configOf(ci)
	cfg.Scripts = []*config.Script{config.DefaultScript("chk_nginx")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.12/24"), eth("eth1", true))
	logs := jsonLog(h)
	h.start()
	wantRecords := []map[string]any{{
		"level": "INFO", "msg": "(VI_1) Entering BACKUP STATE (init)", "instance": "VI_1", "vrid": float64(51),
		"state": "BACKUP", "previous": "INIT", "cause": "startup", "reason": "BACKUP: no master heard yet; ours is 100",
	}}
	if diff := cmp.Diff(wantRecords, transitions(t, logs)); diff != "" {
		t.Errorf("start (-want +got):\n%s", diff)
	}
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk_nginx", OK: false})
	master := mustAddr("10.0.0.11")
	for i := 0; i < 3; i++ {
		h.advance(time.Second)
		h.receive(0, master, 100, "10.0.0.100")
	}
	h.advance(400 * time.Millisecond)
	want := "BACKUP: master 10.0.0.11 advertises priority 100, ours is 90 (base 100, chk_nginx failed: -10); last advert 0.4 s ago"
	if got := reasonOf(t, h, 0); got != want {
		t.Errorf("backup:\n got %q\nwant %q", got, want)
	}
	// keepalived.json: the same reason as an object of ours beside
	// keepalived's "data" and "stats".
	if err := h.d.writeJSON(h.now); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, "keepalived.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dump []map[string]map[string]any
	if err := json.Unmarshal(b, &dump); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	if got := dump[0]["keepalived_go_reason"]["text"]; got != want {
		t.Errorf("keepalived.json keepalived_go_reason.text %q, want %q", got, want)
	}
	if got := dump[0]["keepalived_go_reason"]["master"]; got != "10.0.0.11" {
		t.Errorf("keepalived.json keepalived_go_reason.master %v, want 10.0.0.11", got)
	}

	// The master falls silent: 3 x 1 s + (256-90)/256 s after its last advert.
	logs.Reset()
	h.advance(3648438*time.Microsecond - 400*time.Millisecond)
	want = "MASTER since 03:04:11 after master-down timer (3 adverts missed from 10.0.0.11)"
	if got := reasonOf(t, h, 0); got != want {
		t.Errorf("takeover:\n got %q\nwant %q", got, want)
	}
	wantRecords = []map[string]any{{
		"level": "INFO", "msg": "(VI_1) Entering MASTER STATE", "instance": "VI_1", "vrid": float64(51),
		"state": "MASTER", "previous": "BACKUP", "cause": "master-down timer", "reason": want,
	}}
	if diff := cmp.Diff(wantRecords, transitions(t, logs)); diff != "" {
		t.Errorf("takeover (-want +got):\n%s", diff)
	}

	h.d.onLink(h.now, linkEvent("eth1", false))
	want = "FAULT: track_interface eth1 is down"
	if got := reasonOf(t, h, 0); got != want {
		t.Errorf("fault:\n got %q\nwant %q", got, want)
	}
	wantRecords = []map[string]any{{
		"level": "INFO", "msg": "(VI_1) Entering FAULT STATE", "instance": "VI_1", "vrid": float64(51),
		"state": "FAULT", "previous": "MASTER", "cause": "fault", "reason": want,
	}}
	if diff := cmp.Diff(wantRecords, transitions(t, logs)); diff != "" {
		t.Errorf("fault (-want +got):\n%s", diff)
	}
}

// TestReasonTextLinesUnchanged: in the text forms the transition lines
// are keepalived's, byte for byte: the reason never reaches them.
func TestReasonTextLinesUnchanged(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	var buf bytes.Buffer
	h.d.log = logging.New(logging.Settings{File: &buf, Now: func() time.Time { return h.now }})
	h.start()
	h.advance(4 * time.Second)
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		_, msg, _ := strings.Cut(l, " 2026: ")
		got = append(got, msg)
	}
	if diff := cmp.Diff([]string{"(VI_1) Entering BACKUP STATE (init)", "(VI_1) Entering MASTER STATE"}, got); diff != "" {
		t.Errorf("text log (-want +got):\n%s", diff)
	}
}

// TestReasonStatusPending: an instance held in FAULT by an unweighted
// script that has not reported says which one.
func TestReasonStatusPending(t *testing.T) {
	ci := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	ci.TrackScripts = []config.TrackScript{{Name: "chk"}}
	cfg := configOf(ci)
	cfg.Scripts = []*config.Script{config.DefaultScript("chk")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	if got, want := reasonOf(t, h, 0), "FAULT: waiting for the first result of track_script chk"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTrackerEffectsSumAsTracking: the parts the status shows add up to
// the sum tracking() gives the core, for every kind of weighted tracker
// up and down.
func TestTrackerEffectsSumAsTracking(t *testing.T) {
	ci := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	ci.TrackScripts = []config.TrackScript{{Name: "a", Weight: -10}, {Name: "b", Weight: 20}, {Name: "c", Weight: 5, Reverse: true}}
	ci.TrackInterfaces = []config.TrackInterface{{Name: "eth1", Weight: -7}, {Name: "eth2", Weight: 3}}
	ci.TrackFiles = []config.TrackFileRef{{Name: "f", Weight: 2}}
	cfg := configOf(ci)
	cfg.Scripts = []*config.Script{config.DefaultScript("a"), config.DefaultScript("b"), config.DefaultScript("c")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true), eth("eth2", false))
	h.start()
	for _, u := range []checker.Update{
		{Kind: "script", Name: "a", OK: false}, {Kind: "script", Name: "b", OK: true},
		{Kind: "script", Name: "c", OK: true}, {Kind: "file", Name: "f", Value: 4},
	} {
		h.d.onUpdate(h.now, u)
	}
	in := h.d.insts[0]
	sum, _ := h.d.tracking(in)
	parts := 0
	for _, e := range h.d.trackerEffects(in) {
		parts += e.Delta
	}
	if parts != sum {
		t.Errorf("the status's parts add up to %d, tracking to %d", parts, sum)
	}
	// -10 (a failed) + 20 (b ok) - 5 (c ok, reverse) + 0 (eth1 up) + 0
	// (eth2 down, positive weight) + 8 (file 4 x 2).
	if sum != 13 {
		t.Errorf("tracking sum %d, want 13", sum)
	}
}

// TestLogRecordsStructured: with --log-format=json the daemon's own lines
// carry their facts as attributes (issue 11): the interface of a netlink
// line, the instance, VRID and fault source of keepalived's "entering
// FAULT state" line; the message stays keepalived's line.
func TestLogRecordsStructured(t *testing.T) {
	ci := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	ci.TrackInterfaces = []config.TrackInterface{{Name: "eth1"}}
	h := newHarness(t, configOf(ci), eth("eth0", true, "10.0.0.1/24"), eth("eth1", true))
	h.start()
	logs := jsonLog(h)
	h.d.onLink(h.now, linkEvent("eth1", false))
	var got []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		delete(m, "time")
		delete(m, "reason") // TestReasonInStatusLogAndDump checks it
		got = append(got, m)
	}
	want := []map[string]any{
		{"level": "INFO", "msg": "Netlink reports eth1 down", "interface": "eth1", "state": "down"},
		{"level": "INFO", "msg": "(VI_1): entering FAULT state (interface eth1 down)", "instance": "VI_1", "vrid": float64(51), "fault": "if:eth1"},
		{"level": "INFO", "msg": "(VI_1) Entering FAULT STATE", "instance": "VI_1", "vrid": float64(51), "state": "FAULT", "previous": "BACKUP", "cause": "fault"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("JSON records (-want +got):\n%s", diff)
	}
}
