package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// TestNotifyScriptsWired runs the real notifier (package notify): the
// generic notify script gets keepalived's four extra arguments for every
// transition, in transition order, STOP included at shutdown.
func TestNotifyScriptsWired(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "calls")
	script := filepath.Join(dir, "notify.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" >> "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.Notify.Generic = &config.Command{Raw: script, Argv: []string{script}}
	h := newHarness(t, configOf(in), eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.notifier = nil // the real one
	h.start()
	h.advance(4 * time.Second)
	h.d.shutdown(h.now) // closes the notifier: waits for the scripts
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_1 MASTER 100", "INSTANCE VI_1 STOP 100"}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(string(b)), "\n")); diff != "" {
		t.Errorf("notify calls (-want +got):\n%s", diff)
	}
}

// TestScriptsWired runs the real trackers (package checker): a weight +10
// vrrp_script running /bin/true lifts the effective priority to 110.
func TestScriptsWired(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackScripts = []config.TrackScript{{Name: "chk", Weight: 10}}
	cfg := configOf(in)
	sc := config.DefaultScript("chk")
	sc.Command = config.Command{Raw: "/bin/true", Argv: []string{"/bin/true"}}
	sc.Weight = 10
	cfg.Scripts = []*config.Script{sc}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.scripts = nil // the real one
	h.start()
	defer h.d.stopScripts(true)
	deadline := time.After(5 * time.Second)
	for h.d.insts[0].eng.Status().EffectivePriority != 110 {
		select {
		case u := <-h.d.scriptUpdates():
			h.d.onUpdate(h.now, u)
		case <-deadline:
			t.Fatalf("effective priority %d after 5 s, want 110", h.d.insts[0].eng.Status().EffectivePriority)
		}
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "VRRP_Script(chk) succeeded") {
		t.Errorf("logs:\n%s", logs)
	}
	// Dumps show the command as it runs, its path resolved as keepalived
	// shows it (Debian's /bin is a link to /usr/bin).
	want, err := filepath.EvalSymlinks("/bin/true")
	if err != nil {
		t.Skip(err)
	}
	if got := h.d.jsonDump()[0].Data.TrackScript; len(got) != 1 || got[0] != "'"+want+"'" {
		t.Errorf("json track_script %q, want '%s'", got, want)
	}
}
