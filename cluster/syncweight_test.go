package cluster

import (
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// TestSyncGroupMemberWeights: a sync-group member without
// sync_group_tracking_weight keeps the weight of its own track_interface
// (the lowering keeps it) and gets its group's weighted trackers, as
// keepalived 2.2.7 applies them (measured: 100 + own interface 5 + group
// interface 7 = 112; a group script weight 9 counts for every member); an
// address owner's weights are ignored.
func TestSyncGroupMemberWeights(t *testing.T) {
	vi := &config.Instance{Name: "VI_1", Interface: "va", Priority: 100, SyncGroup: "G",
		TrackInterfaces: []config.TrackInterface{{Name: "trk1", Weight: 5}}}
	cfg := &config.Config{
		Instances: []*config.Instance{vi},
		SyncGroups: []*config.SyncGroup{{Name: "G", Members: []string{"VI_1"},
			TrackInterfaces: []config.TrackInterface{{Name: "trk2", Weight: 7}},
			TrackScripts:    []config.TrackScript{{Name: "chk", Weight: 9}}}},
	}
	got := map[string]int{}
	for _, tr := range trackers(cfg, vi) {
		got[tr.kind+":"+tr.name] = tr.weight
	}
	for k, want := range map[string]int{"interface:trk1": 5, "interface:trk2": 7, "script:chk": 9} {
		if w, ok := got[k]; !ok || w != want {
			t.Errorf("%s: weight %d (listed %v), want %d; all %v", k, w, ok, want, got)
		}
	}
	vi.Priority = config.OwnerPriority
	for _, tr := range trackers(cfg, vi) {
		if tr.weight != 0 {
			t.Errorf("owner: %s %s weight %d, want 0", tr.kind, tr.name, tr.weight)
		}
	}
}
