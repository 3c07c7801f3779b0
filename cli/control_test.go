package cli

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/daemon"
)

// TestStatusDocument: `keepalived status --format json` is the daemon's
// own status document (config_file, instances as daemon.InstanceStatus)
// with the process's facts beside it, one flat object.
func TestStatusDocument(t *testing.T) {
	st := statusInfo{
		Status: daemon.Status{ConfigFile: "/etc/keepalived/keepalived.conf", Instances: []daemon.InstanceStatus{
			{Name: "VI_1", Interface: "eth0", VRID: 51, State: "MASTER", BasePriority: 100, VIPs: []string{"10.0.0.1/32"}},
		}},
		Version: "v", PID: 2, ParentPID: 1,
	}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	inst, _ := got["instances"].([]any)
	if len(inst) != 1 {
		t.Fatalf("instances %v in %s", got["instances"], b)
	}
	first, _ := inst[0].(map[string]any)
	want := map[string]any{"name": "VI_1", "vrid": float64(51), "state": "MASTER", "base_priority": float64(100)}
	for k, v := range want {
		if diff := cmp.Diff(v, first[k]); diff != "" {
			t.Errorf("instance %s (-want +got):\n%s", k, diff)
		}
	}
	for k, v := range map[string]any{"config_file": "/etc/keepalived/keepalived.conf", "version": "v", "pid": float64(2), "parent_pid": float64(1)} {
		if diff := cmp.Diff(v, got[k]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", k, diff)
		}
	}
}
