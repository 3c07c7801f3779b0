package daemon

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
)

// TestWeightedScript: a weight +10 script adds 10 to the effective
// priority while it succeeds (reference 4.3); the change is logged and,
// with notify_priority_changes, notified.
func TestWeightedScript(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackScripts = []config.TrackScript{{Name: "chk", Weight: 10}}
	in.NotifyPrioChanges = true
	cfg := configOf(in)
	cfg.Scripts = []*config.Script{config.DefaultScript("chk")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.takeLogs()
	h.notify.take()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true, Log: "VRRP_Script(chk) succeeded"})
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 110 {
		t.Errorf("effective priority %d, want 110", got)
	}
	if diff := cmp.Diff([]string{"+0s VRRP_Script(chk) succeeded", "+0s (VI_1) Changing effective priority from 100 to 110"}, h.takeLogs()); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"INSTANCE VI_1 BACKUP_PRIORITY 110"}, h.notify.take()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: false})
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 100 {
		t.Errorf("effective priority %d after failure, want 100", got)
	}
}

// TestUnweightedScriptFault: a weight-0 script holds the instance in FAULT
// until its first success, and a failure puts it back in FAULT.
func TestUnweightedScriptFault(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackScripts = []config.TrackScript{{Name: "chk"}}
	cfg := configOf(in)
	cfg.Scripts = []*config.Script{config.DefaultScript("chk")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	if st := h.d.insts[0].eng.Status().State.String(); st != "FAULT" {
		t.Fatalf("state %s before the script reported, want FAULT", st)
	}
	// Held in FAULT silently until the script reports (reference 4.3).
	if logs, n := h.takeLogs(), h.notify.take(); len(logs) != 0 || len(n) != 0 {
		t.Errorf("waiting for the first result was logged %v or notified %v", logs, n)
	}
	h.advance(5 * time.Second)
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	if diff := cmp.Diff([]string{"INSTANCE VI_1 BACKUP 100"}, h.notify.take()); diff != "" {
		t.Errorf("first success (-want +got):\n%s", diff)
	}
	h.advance(3609375 * time.Microsecond)
	if st := h.d.insts[0].eng.Status().State.String(); st != "MASTER" {
		t.Fatalf("state %s after success + master-down interval, want MASTER", st)
	}
	h.takeLogs()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: false})
	logs := join(h.takeLogs())
	if !strings.Contains(logs, "(VI_1) Entering FAULT STATE") {
		t.Errorf("logs lack %q:\n%s", "(VI_1) Entering FAULT STATE", logs)
	}
	// keepalived 2.2.7 logs "entering FAULT state due to script" only for
	// an instance that starts failed (TestLogParity saw it).
	if strings.Contains(logs, "due to script") {
		t.Errorf("a failure while running logged the init-only fault line:\n%s", logs)
	}
	if h.host.has("10.0.0.100/24", "eth0") {
		t.Error("VIP kept in FAULT")
	}
}

// TestTrackInterfaceWeight: a weighted tracked interface lowers the
// priority while down; an unweighted one faults.
func TestTrackInterfaceWeight(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackInterfaces = []config.TrackInterface{{Name: "eth1", Weight: -30}, {Name: "eth2"}}
	h := newHarness(t, configOf(in), eth("eth0", true, "10.0.0.1/24"), eth("eth1", false), eth("eth2", true))
	h.start()
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 70 {
		t.Errorf("priority %d with eth1 down, want 70", got)
	}
	h.d.onLink(h.now, linkEvent("eth1", true))
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 100 {
		t.Errorf("priority %d with eth1 up, want 100", got)
	}
	h.d.onLink(h.now, linkEvent("eth2", false))
	if st := h.d.insts[0].eng.Status().State.String(); st != "FAULT" {
		t.Errorf("state %s with eth2 down, want FAULT", st)
	}
}

// slowRunner is a tracker set whose scripts do not die until the test
// closes release, and that reports a (stale) result on its way out.
type slowRunner struct {
	names   []string
	release <-chan struct{}
}

func (r slowRunner) Runnable() []string { return r.names }
func (r slowRunner) Run(ctx context.Context, out chan<- checker.Update) {
	<-ctx.Done()
	<-r.release
	select {
	case out <- checker.Update{Kind: "script", Name: "chk", OK: false}:
	case <-time.After(time.Second):
	}
}

// TestReloadDoesNotWaitForScripts: a reload stops the old scripts without
// waiting for them (the loop must keep sending adverts), and a late result
// of the old set is dropped.
func TestReloadDoesNotWaitForScripts(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackScripts = []config.TrackScript{{Name: "chk", Weight: 10}}
	cfg := configOf(in)
	cfg.Scripts = []*config.Script{config.DefaultScript("chk")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	release := make(chan struct{})
	h.d.opts.scripts = func(*config.Config, *slog.Logger, scriptRunner) (scriptRunner, error) {
		return slowRunner{names: []string{"chk"}, release: release}, nil
	}
	h.start()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	old := h.d.scripts
	// The old scripts cannot end before release is closed: a reload that
	// waited for them would never return.
	reloaded := make(chan error, 1)
	go func() { reloaded <- h.d.applyReload(h.now, cfg) }()
	select {
	case err := <-reloaded:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("reload waited for the old scripts")
	}
	if h.d.scripts == old || h.d.scripts == nil {
		t.Fatal("scripts not restarted")
	}
	close(release)
	select {
	case <-old.done:
	case <-time.After(3 * time.Second):
		t.Fatal("old runner never finished")
	}
	select {
	case u := <-h.d.scriptUpdates():
		t.Errorf("late result of the old scripts reached the loop: %+v", u)
	default:
	}
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 110 {
		t.Errorf("priority %d, want 110 (result carried over the reload)", got)
	}
	h.d.stopScripts(true)
}

// TestTrackProcess: a weighted track_process counts once reported.
func TestTrackProcess(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackProcesses = []config.TrackFileRef{{Name: "nginx", Weight: -20}}
	h := newHarness(t, configOf(in), eth("eth0", true, "10.0.0.1/24"))
	h.start()
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 100 {
		t.Errorf("priority %d before any report, want 100", got)
	}
	h.d.onUpdate(h.now, checker.Update{Kind: "process", Name: "nginx", OK: false})
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 80 {
		t.Errorf("priority %d with the process down, want 80", got)
	}
}

// TestSyncGroupTrackInterfaceWeight: keepalived 2.2.7 "ignores" the weight
// of a sync-group member's own track_interface (it logs so and its -d dump
// shows the instance's entry with weight 0), but the interface's tracking
// entry was made before that and keeps the weight, so it is applied; a
// group's own track_interface weight applies to every member, with or
// without sync_group_tracking_weight. Captured from keepalived 2.2.7 in a
// namespace (adverts of vrid 51 at priority 112, vrid 52 at 107; its
// keepalived.data shows "trk1 weight 0" in VI_1 and "VI_1, weight 5" under
// trk1).
func TestSyncGroupTrackInterfaceWeight(t *testing.T) {
	const text = `vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
  track_interface {
    trk2 weight 7
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface va
  virtual_router_id 51
  priority 100
  track_interface {
    trk1 weight 5
  }
  virtual_ipaddress {
    10.99.0.100/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface va
  virtual_router_id 52
  priority 100
  virtual_ipaddress {
    10.99.0.101/24
  }
}
`
	cfg := lowerText(t, text)
	h := newHarness(t, cfg, eth("va", true, "10.99.0.1/24"), eth("trk1", true), eth("trk2", true))
	h.start()
	for i, want := range []int{112, 107} {
		if got := h.d.insts[i].eng.Status().EffectivePriority; got != want {
			t.Errorf("%s priority %d, want keepalived's %d", h.d.insts[i].name(), got, want)
		}
	}
	h.d.onLink(h.now, linkEvent("trk1", false))
	if got := h.d.insts[0].eng.Status().EffectivePriority; got != 107 {
		t.Errorf("VI_1 priority %d with trk1 down, want 107", got)
	}
	if st := h.d.insts[0].eng.Status().State.String(); st == "FAULT" {
		t.Error("VI_1 in FAULT with a weighted tracked interface down")
	}
	data := string(h.d.dataText(h.now))
	for _, want := range []string{"\n     trk1 weight 0\n", "\n     VI_1, weight 5\n", "\n     VI_1, weight 7\n     VI_2, weight 7\n"} {
		if !strings.Contains(data, want) {
			t.Errorf("keepalived.data lacks %q:\n%s", want, data)
		}
	}
}

// TestSyncGroupTrackScriptWeight: a sync group's own weighted track_script
// moves every member's priority (keepalived's sync_group_tracking_init
// adds the group's trackers with their weights), while a member's own
// weighted script is dropped. Measured with keepalived 2.2.7 in a
// namespace: both members advertise 109 with the group's chk (weight 9)
// and VI_1's chk2 (weight 4) succeeding.
func TestSyncGroupTrackScriptWeight(t *testing.T) {
	const text = `vrrp_script chk {
  script "/bin/true"
  weight 9
}
vrrp_script chk2 {
  script "/bin/true"
  weight 4
}
vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
  track_script {
    chk
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface va
  virtual_router_id 51
  priority 100
  track_script {
    chk2
  }
  virtual_ipaddress {
    10.99.0.100/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface va
  virtual_router_id 52
  priority 100
  virtual_ipaddress {
    10.99.0.101/24
  }
}
`
	cfg := lowerText(t, text)
	h := newHarness(t, cfg, eth("va", true, "10.99.0.1/24"))
	h.start()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk2", OK: true})
	for i := range h.d.insts {
		if got := h.d.insts[i].eng.Status().EffectivePriority; got != 109 {
			t.Errorf("%s priority %d, want keepalived's 109", h.d.insts[i].name(), got)
		}
	}
	data := string(h.d.dataText(h.now))
	for _, want := range []string{"   Tracking instances :\n     VI_1, weight 9\n     VI_2, weight 9\n"} {
		if !strings.Contains(data, want) {
			t.Errorf("keepalived.data lacks %q:\n%s", want, data)
		}
	}
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: false})
	for i := range h.d.insts {
		if got := h.d.insts[i].eng.Status().EffectivePriority; got != 100 {
			t.Errorf("%s priority %d with chk failing, want 100", h.d.insts[i].name(), got)
		}
	}
}

// lowerText parses and lowers a keepalived.conf text, failing the test on
// a syntax error or an error diagnostic.
func lowerText(t *testing.T, text string) *config.Config {
	t.Helper()
	f, _, err := parser.ParseString("keepalived.conf", text, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg, diags := parser.Lower(f, parser.Options{})
	if diags.HasErrors() {
		t.Fatalf("configuration has errors: %v", diags)
	}
	return cfg
}
