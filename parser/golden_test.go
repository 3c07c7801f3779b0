package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// update (-update) is declared in bench_test.go: it rewrites generated
// test data, the golden files included.

// TestGoldenDumps lowers every configuration under testdata/lower (the
// five seed setups and keepalived's own samples, copied byte for byte) and
// compares the resolved model (config.DumpJSON) and the findings with
// testdata/golden/NAME.json and NAME.txt. `go test -run TestGoldenDumps
// -update` rewrites them; review the diff.
func TestGoldenDumps(t *testing.T) {
	files, err := filepath.Glob("testdata/lower/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no inputs: %v", err)
	}
	for _, in := range files {
		name := strings.TrimSuffix(filepath.Base(in), ".conf")
		t.Run(name, func(t *testing.T) {
			cfg, diags, err := LoadFile(in, Options{ConfigID: "golden"})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			dump, err := config.DumpJSON(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, d := range diags {
				b.WriteString(d.String())
				b.WriteByte('\n')
			}
			golden(t, filepath.Join("testdata/golden", name+".json"), string(dump))
			golden(t, filepath.Join("testdata/golden", name+".txt"), b.String())
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got)\n%s", path, diff)
	}
}

// TestSeedModels checks each seed's model against what the seed README
// says the setup does (../shared/corpus/seeds/README.md), independently of
// the golden files.
func TestSeedModels(t *testing.T) {
	load := func(t *testing.T, name string) (*config.Config, []string) {
		t.Helper()
		cfg, diags, err := LoadFile(filepath.Join("testdata/lower", name), Options{ConfigID: "seed"})
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, d := range diags {
			if d.Severity != config.Notice {
				lines = append(lines, d.Severity.String()+": "+d.Msg)
			}
		}
		return cfg, lines
	}
	t.Run("000 unicast pair, !nopreempt is a comment", func(t *testing.T) {
		for _, f := range []string{"000-node-10.211.55.14.conf", "000-node-10.211.55.3.conf"} {
			cfg, _ := load(t, f)
			in := cfg.Instance("Vs_1")
			if in == nil || in.Nopreempt || in.Priority != 100 || in.WantMaster() || !in.Unicast || len(in.UnicastPeers) != 1 || in.VRID != 32 {
				t.Fatalf("%s: %+v", f, in)
			}
			if !cfg.Global.EnableScriptSecurity || cfg.Global.ScriptUser != "root" {
				t.Errorf("%s: global %+v", f, cfg.Global)
			}
			// A script without weight: a failing check means FAULT.
			if diff := cmp.Diff([]config.TrackScript{{Name: "check_nginx", Weight: 0}}, in.TrackScripts); diff != "" {
				t.Errorf("%s track_script (-want +got)\n%s", f, diff)
			}
			if in.VIPs[0].Prefix.String() != "10.211.55.4/32" {
				t.Errorf("%s VIP %v", f, in.VIPs[0].Prefix)
			}
		}
	})
	t.Run("001 dual master, VRID 255, weight 10", func(t *testing.T) {
		cfg, lines := load(t, "001-node150-dual-master.conf")
		v1, v2 := cfg.Instance("VI_1"), cfg.Instance("VI_2")
		if v1.VRID != 255 || v1.Priority != 100 || !v1.WantMaster() || v2.VRID != 1 || v2.Priority != 50 || v2.WantMaster() {
			t.Fatalf("%+v %+v", v1, v2)
		}
		if diff := cmp.Diff([]config.TrackScript{{Name: "check_nginx_alive", Weight: 10}}, v1.TrackScripts); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		if cfg.Global.RouterID != "keepalived_150" || len(lines) != 0 {
			t.Errorf("router_id %q findings %q", cfg.Global.RouterID, lines)
		}
	})
	t.Run("002 nopreempt cleared with a warning on the MASTER", func(t *testing.T) {
		cfg, lines := load(t, "002-master-192.168.50.133.conf")
		in := cfg.Instance("VI_1")
		if in.Nopreempt || in.McastSrc.String() != "192.168.50.133" || in.TrackScripts[0].Weight != -20 {
			t.Fatalf("%+v", in)
		}
		want := []string{"warning: (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing"}
		if diff := cmp.Diff(want, lines); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
		cfg, _ = load(t, "002-backup-192.168.50.134.conf")
		if b := cfg.Instances[0]; b.Priority != 90 || b.WantMaster() {
			t.Errorf("backup %+v", b)
		}
	})
	t.Run("003 instance named nginx, VIP with prefix", func(t *testing.T) {
		cfg, lines := load(t, "003-master-192.168.0.40.conf")
		in := cfg.Instance("nginx")
		if in == nil || in.VIPs[0].Prefix.String() != "192.168.0.150/24" || in.VRID != 51 || cfg.Scripts[0].Fall != 1 {
			t.Fatalf("%+v", in)
		}
		if len(lines) != 0 {
			t.Errorf("findings %q", lines)
		}
	})
	t.Run("004 script before the instance, weight 2 above the gap", func(t *testing.T) {
		m, _ := load(t, "004-master-192.168.16.128.conf")
		b, _ := load(t, "004-backup-192.168.16.129.conf")
		mi, bi := m.Instances[0], b.Instances[0]
		if mi.Priority != 100 || bi.Priority != 99 || mi.TrackScripts[0].Weight != 2 || bi.TrackScripts[0].Weight != 2 {
			t.Fatalf("%+v %+v", mi, bi)
		}
	})
}

// TestSnippetFiles keeps testdata/lower/snip-*.conf equal to the snippets
// of lowerDiagCases and lowerModelCases (rewritten with -update), so that the golden test and
// the cli package's comparison with real keepalived (which runs every
// testdata/lower file) cover them too.
func TestSnippetFiles(t *testing.T) {
	for i, tc := range lowerDiagCases {
		name := fmt.Sprintf("testdata/lower/snip-%02d-%s.conf", i, slug(tc.name))
		golden(t, name, tc.text)
	}
	for i, tc := range lowerModelCases {
		name := fmt.Sprintf("testdata/lower/snipm-%02d-%s.conf", i, slug(tc.name))
		golden(t, name, tc.text)
	}
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
