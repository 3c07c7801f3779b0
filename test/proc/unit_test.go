package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unitLines returns the non-comment, non-blank lines of a unit file.
func unitLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s: %v", path, err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func repoFile(rel string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", rel)
}

// TestUnitMatchesDebian: examples/keepalived.service is Debian 12's
// keepalived unit (installed by apt as /lib/systemd/system/keepalived.service)
// but for the documented difference (no genhash(1) man page), and
// systemd-analyze accepts it.
func TestUnitMatchesDebian(t *testing.T) {
	ours := unitLines(t, repoFile("examples/keepalived.service"))
	var debian []string
	for _, l := range unitLines(t, "/lib/systemd/system/keepalived.service") {
		if l != "Documentation=man:genhash(1)" {
			debian = append(debian, l)
		}
	}
	if diff := cmp.Diff(debian, ours); diff != "" {
		t.Errorf("unit differs from Debian's (-debian +ours):\n%s", diff)
	}
	// verify also checks that ExecStart's binary exists.
	_, errAnalyze := exec.LookPath("systemd-analyze")
	if _, errBin := os.Stat("/usr/sbin/keepalived"); errAnalyze == nil && errBin == nil {
		out, err := exec.Command("systemd-analyze", "verify", repoFile("examples/keepalived.service")).CombinedOutput()
		if err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	}
}
