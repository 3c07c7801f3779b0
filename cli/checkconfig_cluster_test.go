package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckConfigPeer: --peer runs the cluster check (package cluster)
// beside each file's own findings; a peer's @ID lines follow FILE@ID; an
// error across files exits 1; JSON is {"findings", "routers"}.
func TestCheckConfigPeer(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inst := func(prio, advert string) string {
		return "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority " + prio +
			"\n    advert_int " + advert + "\n    virtual_ipaddress {\n        10.0.0.1\n    }\n}\n"
	}
	lb1 := write("lb1.conf", inst("100", "1"))
	// lb2's advert_int depends on its config id: @lb2 lines are kept with -i lb2.
	lb2 := write("lb2.conf", "@lb2 "+strings.ReplaceAll(inst("90", "1"), "\n", "\n@lb2 ")+"\n@other "+
		strings.ReplaceAll(inst("90", "2"), "\n", "\n@other ")+"\n")

	run := func(format string, peers ...string) (int, string) {
		var out, errb bytes.Buffer
		code := runCheckConfig(&checkConfigOptions{file: lb1, format: format, offline: true, peers: peers}, &out, &errb)
		if errb.Len() > 0 {
			t.Errorf("stderr: %s", errb.String())
		}
		return code, out.String()
	}
	code, out := run("text", lb2+"@lb2")
	if code != 0 {
		t.Errorf("matching pair: exit %d, want 0:\n%s", code, out)
	}
	if !strings.Contains(out, "VRID 51 IPv4") || !strings.Contains(out, "all well") {
		t.Errorf("no table for VRID 51:\n%s", out)
	}
	code, out = run("text", lb2+"@other")
	if code != 1 {
		t.Errorf("advert_int mismatch: exit %d, want 1:\n%s", code, out)
	}
	want := lb1 + ":5:5: error: (VI_1) advert_int 1s here, but 2s at " + lb2 + ":"
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	code, out = run("json", lb2+"@other")
	var rep struct {
		Findings []struct {
			Pos      struct{ File string }
			Severity string
			Message  string
			Related  []struct{ File string }
		}
		Routers []struct{ VRID int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("json: %v\n%s", err, out)
	}
	if code != 1 || len(rep.Routers) != 1 || rep.Routers[0].VRID != 51 {
		t.Errorf("json: exit %d, routers %+v", code, rep.Routers)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Severity == "error" && f.Pos.File == lb1 && len(f.Related) == 1 && f.Related[0].File == lb2 {
			found = true
		}
	}
	if !found {
		t.Errorf("json: no error at lb1 related to lb2: %+v", rep.Findings)
	}
	// A peer that cannot be read is an error finding, not a crash.
	code, out = run("text", filepath.Join(dir, "missing.conf"))
	if code != 1 || !strings.Contains(out, "missing.conf") {
		t.Errorf("missing peer: exit %d:\n%s", code, out)
	}
}
