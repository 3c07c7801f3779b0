package daemon

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestDumpPathsAndJSONVersion243 covers keepalived 2.3's state_dump_file
// (the data dump goes where it says) and json_version 2 (the instances
// under "vrrp").
func TestDumpPathsAndJSONVersion243(t *testing.T) {
	h := captureHarness(t)
	dir := t.TempDir()
	h.d.cfg.Global.StateDumpFile = filepath.Join(dir, "state.txt")
	h.d.cfg.Global.JSONVersion = 2
	if err := h.d.writeData(h.now); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "state.txt")); err != nil {
		t.Errorf("state_dump_file not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(h.d.opts.TmpDir, "keepalived.data")); err == nil {
		t.Error("keepalived.data written although state_dump_file is set")
	}
	if err := h.d.writeJSON(h.now); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, "keepalived.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v2 struct {
		VRRP []map[string]any `json:"vrrp"`
	}
	if err := json.Unmarshal(b, &v2); err != nil || len(v2.VRRP) != 1 || v2.VRRP[0]["data"] == nil {
		t.Errorf("json_version 2 dump %s (%v)", b, err)
	}
}
