package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
)

// TestSyncGroupMovesTogether: two members of a vrrp_sync_group become
// MASTER together, and when one hears a higher priority master both go
// BACKUP (reference 8.1); the group's own notify follows.
func TestSyncGroupMovesTogether(t *testing.T) {
	cfg := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24"))
	cfg.Instances[0].SyncGroup, cfg.Instances[1].SyncGroup = "G1", "G1"
	cfg.SyncGroups = []*config.SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2"}}}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
	h.start()
	h.advance(4 * time.Second)
	for _, in := range h.d.insts {
		if st := in.eng.Status().State.String(); st != "MASTER" {
			t.Fatalf("%s is %s, want MASTER", in.name(), st)
		}
	}
	h.takeLogs()
	h.notify.take()
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100")
	for _, in := range h.d.insts {
		if st := in.eng.Status().State.String(); st != "BACKUP" {
			t.Errorf("%s is %s after its sibling heard a higher priority, want BACKUP", in.name(), st)
		}
	}
	if h.host.has("10.1.0.100/24", "eth1") {
		t.Error("VI_2 kept its VIP")
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "VRRP_Group(G1) Syncing instances to BACKUP state") {
		t.Errorf("logs:\n%s", logs)
	}
	got := h.notify.take()
	want := []string{"INSTANCE VI_1 BACKUP 100", "INSTANCE VI_2 BACKUP 100", "GROUP G1 BACKUP"}
	if diff := cmp.Diff(want, got, sortStrings()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
}

// TestSyncGroupKeptOnReload: a reload that keeps a group's members keeps
// its state machine; members stay MASTER and nothing is notified.
func TestSyncGroupKeptOnReload(t *testing.T) {
	mk := func(prio int) *config.Config {
		cfg := configOf(vi("VI_1", 51, "eth0", prio, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24"))
		cfg.Instances[0].SyncGroup, cfg.Instances[1].SyncGroup = "G1", "G1"
		cfg.SyncGroups = []*config.SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2"}}}
		return cfg
	}
	h := newHarness(t, mk(100), eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
	h.start()
	h.advance(4 * time.Second)
	eng := h.d.groups[0].eng
	h.notify.take()
	if err := h.d.applyReload(h.now, mk(120)); err != nil {
		t.Fatal(err)
	}
	if h.d.groups[0].eng != eng {
		t.Error("group state machine rebuilt on a reload that kept its members")
	}
	for _, in := range h.d.insts {
		if st := in.eng.Status().State.String(); st != "MASTER" {
			t.Errorf("%s is %s after reload", in.name(), st)
		}
	}
	if n := h.notify.take(); len(n) != 0 {
		t.Errorf("notified: %v", n)
	}
}

// TestSyncGroupRebuiltOnReload: a reload that adds a member rebuilds the
// group over the running members, which then go through the new group
// only: a higher priority advert to one still takes every member, the new
// one included, to BACKUP (no event is lost on a member the new group did
// not take).
func TestSyncGroupRebuiltOnReload(t *testing.T) {
	two := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24"))
	two.SyncGroups = []*config.SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2"}}}
	three := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24"),
		vi("VI_3", 53, "eth1", 100, "10.1.0.101/24"))
	three.SyncGroups = []*config.SyncGroup{{Name: "G1", Members: []string{"VI_1", "VI_2", "VI_3"}}}
	for _, c := range []*config.Config{two, three} {
		for _, in := range c.Instances {
			in.SyncGroup = "G1"
		}
	}
	h := newHarness(t, two, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
	h.start()
	h.advance(4 * time.Second)
	old := h.d.groups[0].eng
	if err := h.d.applyReload(h.now, three); err != nil {
		t.Fatal(err)
	}
	if h.d.groups[0].eng == old {
		t.Fatal("group kept over a reload that added a member")
	}
	h.advance(4 * time.Second)
	for _, in := range h.d.insts {
		if st := in.eng.Status().State.String(); st != "MASTER" {
			t.Fatalf("%s is %s, want MASTER", in.name(), st)
		}
	}
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100")
	for _, in := range h.d.insts {
		if st := in.eng.Status().State.String(); st != "BACKUP" {
			t.Errorf("%s is %s after VI_1 heard a higher priority, want BACKUP", in.name(), st)
		}
	}
}

// TestSyncGroupStartWaitsForScripts: a sync group whose member tracks an
// unweighted script starts as keepalived 2.2.7 starts it (captured in
// test/e2e TestSyncGroupStartNotifies): nothing is logged or notified for
// either member until the script reports; its first success takes that
// member, then the group, to BACKUP, and its first failure notifies FAULT
// for the member, then the group. It used to log "(VI_1) Entering FAULT
// STATE (init)" and notify FAULT (or BACKUP for one member only), whichever
// member came first in the file.
func TestSyncGroupStartWaitsForScripts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		order     []int // instances in the file: 0 = VI_1, 1 = VI_2 (the tracking one)
		ok        bool
		notifies  []string
		logSubstr []string
	}{
		{"success, tracking member second", []int{0, 1}, true,
			[]string{"INSTANCE VI_2 BACKUP 100", "INSTANCE VI_1 BACKUP 100", "GROUP VG1 BACKUP"},
			[]string{"(VI_2) Entering BACKUP STATE", "VRRP_Group(VG1) Syncing instances to BACKUP state", "(VI_1) Entering BACKUP STATE"}},
		{"success, tracking member first", []int{1, 0}, true,
			[]string{"INSTANCE VI_2 BACKUP 100", "INSTANCE VI_1 BACKUP 100", "GROUP VG1 BACKUP"},
			[]string{"(VI_2) Entering BACKUP STATE", "VRRP_Group(VG1) Syncing instances to BACKUP state", "(VI_1) Entering BACKUP STATE"}},
		{"failure", []int{0, 1}, false,
			[]string{"INSTANCE VI_2 FAULT 100", "GROUP VG1 FAULT"},
			[]string{"VRRP_Group(VG1) Syncing instances to FAULT state"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ins := []*config.Instance{vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth1", 100, "10.1.0.100/24")}
			ins[1].TrackScripts = []config.TrackScript{{Name: "chk"}}
			cfg := configOf(ins[tc.order[0]], ins[tc.order[1]])
			ins[0].SyncGroup, ins[1].SyncGroup = "VG1", "VG1"
			cfg.SyncGroups = []*config.SyncGroup{{Name: "VG1", Members: []string{"VI_1", "VI_2"}}}
			cfg.Scripts = []*config.Script{config.DefaultScript("chk")}
			h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"))
			h.start()
			h.advance(500 * time.Millisecond)
			if logs, n := h.takeLogs(), h.notify.take(); len(logs) != 0 || len(n) != 0 {
				t.Errorf("before the script reported: logged %q, notified %q", logs, n)
			}
			h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: tc.ok})
			if diff := cmp.Diff(tc.notifies, h.notify.take()); diff != "" {
				t.Errorf("notifies in order (-keepalived +ours):\n%s", diff)
			}
			logs := join(h.takeLogs())
			at := 0
			for _, s := range tc.logSubstr {
				i := strings.Index(logs[at:], s)
				if i < 0 {
					t.Errorf("log lacks %q after byte %d:\n%s", s, at, logs)
					break
				}
				at += i + len(s)
			}
			if strings.Contains(logs, "(init)") {
				t.Errorf("an (init) transition logged once the script reported:\n%s", logs)
			}
			if tc.ok {
				// Both members then elect together as usual.
				h.advance(4 * time.Second)
				for _, in := range h.d.insts {
					if st := in.eng.Status().State.String(); st != "MASTER" {
						t.Errorf("%s is %s, want MASTER", in.name(), st)
					}
				}
			}
		})
	}
}
