package parser

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/internal/testenv"
)

// verdictNS is the network namespace real keepalived runs `-t` in (with
// the test's PID appended, so that two test runs on one host, as when
// several people run `make test`, never share or delete each other's): it has
// eth0..eth3 (veth ends), so that a verdict is about the configuration.
var verdictNS = fmt.Sprintf("kgp-verdict-%d", os.Getpid())

// deliberateVerdicts lists corpus files on which our `-t` verdict
// (zero / non-zero) differs from keepalived 2.2.7's on purpose, and why.
// The files under "deliberate/" are made by the test itself.
var deliberateVerdicts = map[string]string{
	"deliberate/missing.conf":   "keepalived 2.2.7 exits 0 for a configuration file that does not exist (it only prints \"Config files missing\"); an operator checking a typo'd path must hear about it",
	"deliberate/empty.conf":     "keepalived 2.2.7 exits 0 for an empty configuration file; it configures nothing, which is never what was meant",
	"deliberate/directory.conf": "keepalived 2.2.7 exits 0 when the configuration file is a directory",
}

// corpusConfigs lists the configuration-like files of the shared corpus:
// everything but scripts and notes.
func corpusConfigs(t *testing.T) []string {
	t.Helper()
	if _, err := os.Stat(sharedCorpus); err != nil {
		t.Skipf("shared corpus not present (%v)", err)
	}
	var files []string
	err := filepath.WalkDir(sharedCorpus, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasSuffix(path, ".sh") && !strings.HasSuffix(path, ".md") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// buildOurs builds our keepalived binary (./cmd/keepalived) into dir.
func buildOurs(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "keepalived")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/keepalived")
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building ours: %v\n%s", err, out)
	}
	return bin
}

// configTest runs `BIN -t -f FILE` from FILE's directory inside ns and
// returns its exit status and output.
func configTest(t *testing.T, ns, bin, abs string) (int, string) {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, bin, "-t", "-f", filepath.Base(abs))
	cmd.Dir = filepath.Dir(abs)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

// ourVerdict is the in-process part of our `-t`: parse, lower, interface
// checks against the interfaces of the namespace, keepalived's exit rules.
// (Script checks need the host's files: the binary run does them.)
func ourVerdict(path string, ifaces map[string]bool) (int, config.Diagnostics, error) {
	cfg, diags, err := LoadFile(path, Options{})
	if err != nil {
		return -1, diags, err
	}
	diags = append(diags, config.CheckHost(cfg, func(name string) bool { return ifaces[name] })...)
	return config.ConfigTestExit(diags), diags, nil
}

// nsInterfaces lists the interface names in ns.
func nsInterfaces(t *testing.T, ns string) map[string]bool {
	t.Helper()
	out, err := exec.Command("ip", "-n", ns, "-o", "link", "show").Output()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSuffix(f[1], ":"), "@")
		names[name] = true
	}
	return names
}

// TestCorpusVerdicts runs real keepalived 2.2.7 `-t` and ours (the
// binary, built from ./cmd/keepalived) on every corpus file, from the
// file's directory, in a namespace with eth0..eth3, and checks that the
// verdicts agree on zero / non-zero. It also checks that the in-process
// verdict (LoadFile, config.CheckHost, config.ConfigTestExit) agrees with
// the binary's wherever no script check is involved.
func TestCorpusVerdicts(t *testing.T) {
	files := corpusConfigs(t)
	testenv.NeedRoot(t)
	real := "/usr/sbin/keepalived"
	if _, err := os.Stat(real); err != nil {
		t.Skip("real keepalived 2.2.7 is not installed (make deps)")
	}
	setupNetns(t, verdictNS)
	ifaces := nsInterfaces(t, verdictNS)
	ours := buildOurs(t, t.TempDir())
	tmp := t.TempDir()
	if err := os.WriteFile(filepath.Join(tmp, "empty.conf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(tmp, "directory.conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"missing.conf", "empty.conf", "directory.conf"} {
		files = append(files, filepath.Join(tmp, name))
	}
	lex, _ := filepath.Glob("testdata/lex/*.conf")
	files = append(files, lex...)
	for _, path := range files {
		rel, _ := filepath.Rel(sharedCorpus, path)
		if strings.HasPrefix(path, tmp) {
			rel = "deliberate/" + filepath.Base(path)
		} else if strings.HasPrefix(path, "testdata/") {
			rel = path
		}
		t.Run(rel, func(t *testing.T) {
			abs, _ := filepath.Abs(path)
			kaRC, kaOut := configTest(t, verdictNS, real, abs)
			ourRC, ourOut := configTest(t, verdictNS, ours, abs)
			if why, ok := deliberateVerdicts[rel]; ok && (kaRC == 0) == (ourRC == 0) {
				t.Errorf("listed as a deliberate difference (%s) but both exit %d / %d", why, kaRC, ourRC)
			}
			if (kaRC == 0) != (ourRC == 0) {
				if why, ok := deliberateVerdicts[rel]; ok {
					t.Logf("deliberate difference: keepalived %d, ours %d: %s", kaRC, ourRC, why)
				} else {
					t.Errorf("keepalived -t exits %d, ours %d\nkeepalived:\n%s\nours:\n%s", kaRC, ourRC,
						lastLines(kaOut, 12), lastLines(ourOut, 12))
				}
			}
			inRC, diags, err := ourVerdict(abs, ifaces)
			if err != nil {
				inRC = config.ExitCannotRun
			}
			if (inRC == 0) != (ourRC == 0) && !strings.Contains(ourOut, "script") && !strings.Contains(ourOut, "SECURITY") {
				var ds []string
				for _, d := range diags {
					ds = append(ds, d.String())
				}
				t.Errorf("in-process verdict %d, binary %d\n%s", inRC, ourRC, strings.Join(ds, "\n"))
			}
		})
	}
}

// TestCorpusParses checks that every corpus file reads without a parse
// error of ours where keepalived's lexer has none (no root needed).
func TestCorpusParses(t *testing.T) {
	for _, path := range corpusConfigs(t) {
		f, diags, err := Parse(path, Options{ConfigID: "h"})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if len(f.Nodes) == 0 {
			t.Errorf("%s: no statements", path)
		}
		for _, d := range diags {
			if d.Severity == config.Error && !strings.Contains(path, "template_vrrp_instance") {
				t.Errorf("%s: %s", path, d)
			}
		}
	}
}
