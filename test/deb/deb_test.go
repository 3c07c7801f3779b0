// Package deb tests `make deb`'s package the way an operator uses it:
// swapped in for Debian's keepalived, upgraded, removed, purged, and
// Debian's keepalived installed back, each step with dpkg in a throwaway
// root (throwaway-root.sh: an overlay of / on a tmpfs, in private mount,
// network and PID namespaces), never on the machine's own root.
package deb

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/internal/testenv"
)

// The versions of the two packages built: an upgrade goes from old to new.
const (
	oldVersion = "0.1.0~dev~1"
	newVersion = "0.1.0~dev~2"
)

// userConf is an operator's configuration, which no step may change.
const userConf = "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        10.0.0.100/24\n    }\n}\n"

func needTools(t *testing.T) string {
	t.Helper()
	testenv.NeedRoot(t) // an overlay of / in private namespaces
	for _, tool := range []string{"dh", "lintian", "dpkg-deb", "unshare", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("deb: %s is missing (make deps installs debhelper and lintian)", tool)
		}
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// makeDeb runs `make deb` for version into dir and returns the package.
func makeDeb(t *testing.T, root, dir, version string) string {
	t.Helper()
	cmd := exec.Command("make", "-C", root, "deb", "DEB_OUT="+dir, "DEB_VERSION_OVERRIDE="+version)
	// go test's own Go builds the package's binary.
	cmd.Env = append(os.Environ(), "PATH="+filepath.Join(runtime.GOROOT(), "bin")+":"+os.Getenv("PATH"), "GO=go")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make deb %s: %v\n%s", version, err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "keepalived-go_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("make deb %s left %v in %s", version, debs, dir)
	}
	if !strings.Contains(string(out), "lintian --fail-on error,warning") {
		t.Errorf("make deb did not run lintian:\n%s", out)
	}
	return debs[0]
}

// withVersion repacks deb under another version (its control file's
// Version only: the same files and maintainer scripts), into dir. The
// upgrade goes from this copy to the package `make deb` built, which saves
// a second build (a minute on a busy machine).
func withVersion(t *testing.T, deb, dir, version string) string {
	t.Helper()
	tree := filepath.Join(dir, "tree")
	if out, err := exec.Command("dpkg-deb", "-R", deb, tree).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -R: %v\n%s", err, out)
	}
	control := filepath.Join(tree, "DEBIAN", "control")
	b, err := os.ReadFile(control)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Version: ") {
			l = "Version: " + version
		}
		lines = append(lines, l)
	}
	if err := os.WriteFile(control, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "keepalived-go_"+version+"_repacked.deb")
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-b", tree, out).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -b: %v\n%s", err, b)
	}
	return out
}

// debianKeepalived is Debian's keepalived package file: from apt's cache,
// or fetched with apt-get download.
func debianKeepalived(t *testing.T, dir string) string {
	t.Helper()
	if debs, _ := filepath.Glob("/var/cache/apt/archives/keepalived_*.deb"); len(debs) > 0 {
		return debs[len(debs)-1]
	}
	cmd := exec.Command("apt-get", "download", "keepalived")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("deb: Debian's keepalived package is not in apt's cache and apt-get download failed: %v\n%s", err, out)
	}
	debs, _ := filepath.Glob(filepath.Join(dir, "keepalived_*.deb"))
	if len(debs) != 1 {
		t.Fatalf("apt-get download keepalived left %v", debs)
	}
	return debs[0]
}

// stepsScript is run in the throwaway root: each step runs one dpkg
// command and records, in /kg/STEP.*, its exit status and output, the
// packages' states, what it asked of systemd, the files of
// /etc/keepalived, /etc/default/keepalived, the keepalived binary's
// version, dpkg -V of what is installed and the unit's enablement.
const stepsScript = `set -u
step() {
	name=$1; shift
	echo "== $name" >> /kg/actions
	"$@" > /kg/$name.out 2>&1 < /dev/null
	echo $? > /kg/$name.rc
	dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n' keepalived keepalived-go > /kg/$name.status 2>/dev/null
	(cd /etc/keepalived && find . -type f | sort | xargs -r sha256sum) > /kg/$name.etc
	cat /etc/default/keepalived > /kg/$name.default 2>/dev/null || echo absent > /kg/$name.default
	/usr/sbin/keepalived --version > /kg/$name.version 2>&1 || echo absent > /kg/$name.version
	for p in keepalived keepalived-go; do
		if dpkg-query -W -f='${db:Status-Abbrev}' $p 2>/dev/null | grep -q '^ii'; then dpkg -V $p; fi
	done > /kg/$name.verify 2>&1
	readlink /etc/systemd/system/multi-user.target.wants/keepalived.service > /kg/$name.wants || echo none > /kg/$name.wants
}
# The machine this runs on has Debian's keepalived or not: start from it.
if ! dpkg-query -W -f='${db:Status-Abbrev}' keepalived 2>/dev/null | grep -q '^ii'; then
	dpkg -i /kg/keepalived.deb > /kg/setup.out 2>&1 < /dev/null || { echo "setup: Debian's keepalived does not install" >> /kg/setup.out; exit 1; }
fi
mkdir -p /etc/keepalived
cp /kg/user.conf /etc/keepalived/keepalived.conf
# An operator's DAEMON_ARGS, which must survive the swap.
echo 'DAEMON_ARGS="-D"' > /etc/default/keepalived
step debian true
step install dpkg -i /kg/old.deb
step upgrade dpkg -i /kg/new.deb
step remove dpkg -r keepalived-go
step purge dpkg --purge keepalived-go
step reinstall dpkg -i /kg/keepalived.deb
`

// TestDebSwapUpgradeRemove: `make deb`'s package replaces Debian's
// keepalived (dpkg removes it in favour of ours), starts the service on
// the install and restarts it on an upgrade as Debian's package does
// (dh_installsystemd's scripts), stops it on removal, keeps the operator's
// /etc/keepalived and /etc/default/keepalived, leaves nothing dpkg -V
// complains about, and makes way for Debian's keepalived again.
func TestDebSwapUpgradeRemove(t *testing.T) {
	root := needTools(t)
	work := t.TempDir()
	kg := filepath.Join(work, "kg")
	if err := os.MkdirAll(kg, 0o755); err != nil {
		t.Fatal(err)
	}
	newDeb := makeDeb(t, root, filepath.Join(work, "new"), newVersion)
	for name, src := range map[string]string{
		"old.deb":        withVersion(t, newDeb, t.TempDir(), oldVersion),
		"new.deb":        newDeb,
		"keepalived.deb": debianKeepalived(t, work),
	} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(kg, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range map[string]string{"steps.sh": stepsScript, "user.conf": userConf} {
		if err := os.WriteFile(filepath.Join(kg, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(filepath.Join(root, "test", "deb", "throwaway-root.sh"), work)
	out, err := cmd.CombinedOutput()
	if err != nil {
		setup, _ := os.ReadFile(filepath.Join(kg, "setup.out"))
		t.Fatalf("throwaway root: %v\n%s\n%s", err, out, setup)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(kg, name))
		if err != nil {
			t.Fatalf("%s: %v (throwaway root said:\n%s)", name, err, out)
		}
		return string(b)
	}
	// actions: what each step asked of systemd.
	actions := map[string][]string{}
	step := ""
	for _, l := range strings.Split(strings.TrimSpace(read("actions")), "\n") {
		if name, ok := strings.CutPrefix(l, "== "); ok {
			step = name
			actions[step] = []string{}
			continue
		}
		actions[step] = append(actions[step], strings.TrimPrefix(l, "deb-systemd-invoke "))
	}
	etc := read("debian.etc")
	if !strings.Contains(etc, "./keepalived.conf") {
		t.Fatalf("/etc/keepalived before the swap: %q", etc)
	}
	debianVersion := read("debian.status")
	for _, tc := range []struct {
		step    string
		status  []string // dpkg-query lines wanted (prefixes), in order
		actions []string
		version string // the first line of keepalived --version's second line, "" for none
		deflt   string // /etc/default/keepalived
		wants   string
	}{
		{"install", []string{"keepalived 1:", "keepalived-go " + oldVersion + " ii"},
			// Debian's prerm stops its service, ours starts the new one.
			[]string{"stop keepalived.service", "start keepalived.service"},
			"keepalived-go", "DAEMON_ARGS=\"-D\"\n", "/lib/systemd/system/keepalived.service"},
		{"upgrade", []string{"keepalived 1:", "keepalived-go " + newVersion + " ii"},
			[]string{"restart keepalived.service"}, "keepalived-go", "DAEMON_ARGS=\"-D\"\n", "/lib/systemd/system/keepalived.service"},
		{"remove", []string{"keepalived 1:", "keepalived-go " + newVersion + " rc"},
			[]string{"stop keepalived.service"}, "absent", "DAEMON_ARGS=\"-D\"\n", ""},
		{"purge", nil, []string{}, "absent", "", ""},
		{"reinstall", []string{strings.Fields(debianVersion)[0] + " " + strings.Fields(debianVersion)[1] + " ii"},
			nil, "", "", "/lib/systemd/system/keepalived.service"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			if rc := strings.TrimSpace(read(tc.step + ".rc")); rc != "0" {
				t.Fatalf("exit %s:\n%s", rc, read(tc.step+".out"))
			}
			if got := read(tc.step + ".etc"); got != etc {
				t.Errorf("/etc/keepalived changed:\n%s\nwas:\n%s", got, etc)
			}
			status := strings.Split(strings.TrimSpace(read(tc.step+".status")), "\n")
			for i, want := range tc.status {
				if i >= len(status) || !strings.HasPrefix(status[i], want) {
					t.Errorf("packages:\n%s\nwant line %d to start %q", strings.Join(status, "\n"), i+1, want)
				}
			}
			if tc.actions != nil {
				if diff := cmp.Diff(tc.actions, actions[tc.step]); diff != "" {
					t.Errorf("service actions (-want +got):\n%s\n%s", diff, read(tc.step+".out"))
				}
			}
			version := read(tc.step + ".version")
			switch tc.version {
			case "absent":
				if strings.TrimSpace(version) != "absent" {
					t.Errorf("/usr/sbin/keepalived is still there: %s", version)
				}
			case "keepalived-go":
				if lines := strings.Split(version, "\n"); len(lines) < 2 || !strings.HasPrefix(lines[0], "Keepalived v2.2.7") || !strings.HasPrefix(lines[1], "keepalived-go ") {
					t.Errorf("keepalived --version:\n%s", version)
				}
			case "":
				if strings.Contains(version, "keepalived-go") || !strings.HasPrefix(version, "Keepalived v2.2.7") {
					t.Errorf("Debian's keepalived --version:\n%s", version)
				}
			}
			if d := read(tc.step + ".default"); tc.deflt != "" && d != tc.deflt {
				t.Errorf("/etc/default/keepalived:\n%s\nwant:\n%s", d, tc.deflt)
			}
			// The operator's edit of the conffile is theirs (dpkg -V
			// shows it for Debian's package too); nothing else may differ.
			for _, v := range strings.Split(strings.TrimSpace(read(tc.step+".verify")), "\n") {
				if v != "" && v != "??5?????? c /etc/default/keepalived" {
					t.Errorf("dpkg -V: %s", v)
				}
			}
			if w := strings.TrimSpace(read(tc.step + ".wants")); tc.wants != "" && w != tc.wants {
				t.Errorf("keepalived.service enablement: %q, want a link to %s", w, tc.wants)
			}
		})
	}
	// Debian's keepalived, back: what its postinst asked (a restart: dpkg
	// still knew its configuration) is Debian's business; it must have
	// asked for the service again.
	if got := actions["reinstall"]; len(got) == 0 || !strings.HasSuffix(got[len(got)-1], "keepalived.service") {
		t.Errorf("reinstall of Debian's keepalived asked systemd %q", got)
	}
	if t.Failed() {
		t.Logf("throwaway root:\n%s", out)
	}
}
