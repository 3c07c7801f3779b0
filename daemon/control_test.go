package daemon

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// TestStatusDocument: `keepalived status --format json` is the daemon's
// own status document (config_file, instances as InstanceStatus)
// with the process's facts beside it, one flat object.
func TestStatusDocument(t *testing.T) {
	st := ControlStatus{
		Status: Status{ConfigFile: "/etc/keepalived/keepalived.conf", Instances: []InstanceStatus{
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

// TestControlSocket: the socket answers status (the daemon's snapshot),
// plan (through the injected loader: a change,
// and a refusal with the loader's findings) and refuses an unknown op.
func TestControlSocket(t *testing.T) {
	h := newHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")), eth("eth0", true, "10.0.0.1/24"))
	h.start()
	// The harness steps the daemon by hand; serve the loop's requests as
	// Run's loop does.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case r := <-h.d.reqs:
				r.done <- r.fn()
			case <-stop:
				return
			}
		}
	}()
	path := filepath.Join(t.TempDir(), "vrrp.ctl")
	srv, err := h.d.ServeControl(path, ControlInfo{Version: "test-version", ParentPID: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	resp, err := AskControl(path, ControlRequest{Op: "status"})
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	st := resp.Status
	if st == nil || st.Version != "test-version" || st.ParentPID != 7 || len(st.Instances) != 1 {
		t.Fatalf("status %+v", st)
	}
	in := st.Instances[0]
	if in.Name != "VI_1" || in.VRID != 51 || in.State != "BACKUP" || in.BasePriority != 100 || !cmp.Equal(in.VIPs, []string{"10.0.0.100/24"}) {
		t.Errorf("instance %+v, want VI_1 vrid 51 BACKUP priority 100 with its VIP", in)
	}

	h.next = configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth0", 100, "10.0.0.101/24"))
	resp, err = AskControl(path, ControlRequest{Op: "plan"})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if resp.Refused || resp.PlanEmpty || !strings.Contains(resp.PlanText, "VI_2") {
		t.Errorf("plan adding VI_2: refused %v empty %v text %q", resp.Refused, resp.PlanEmpty, resp.PlanText)
	}

	h.nextDiags = config.Diagnostics{{Pos: config.Pos{File: "keepalived.conf", Line: 3, Col: 1}, Severity: config.Error, Msg: "bad"}}
	resp, err = AskControl(path, ControlRequest{Op: "plan"})
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if !resp.Refused || len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0], "keepalived.conf:3:1") {
		t.Errorf("plan with an error: refused %v diagnostics %q", resp.Refused, resp.Diagnostics)
	}

	if _, err := AskControl(path, ControlRequest{Op: "nope"}); err == nil || !strings.Contains(err.Error(), "unknown op") {
		t.Errorf("unknown op: %v", err)
	}
}
