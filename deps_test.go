package keepalived_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// forbiddenInLeaf are standard packages that would give a pure leaf I/O,
// processes or logging. (They may still arrive indirectly through another
// standard package; go list -deps reports those too, so only direct-looking
// names are listed.)
var forbiddenInLeaf = map[string]bool{"os/exec": true, "log": true, "log/slog": true, "net/http": true}

// TestImportDirection keeps the layering of DEVELOPERS.md true: vrrp and
// config are leaves on the standard library, netif imports no project
// package, and only cli may import the Linux host package next to daemon.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/keepalived-go/keepalived"
	rules := []struct {
		pkg          string
		stdlibOnly   bool
		forbidden    []string // project packages it must not import
		allowProject []string // if set, the only project packages allowed
	}{
		{pkg: "config", stdlibOnly: true},
		{pkg: "vrrp", stdlibOnly: true},
		{pkg: "netif", allowProject: []string{}},
		{pkg: "parser", allowProject: []string{"config"}},
		{pkg: "checker", allowProject: []string{"config"}},
		{pkg: "daemon", forbidden: []string{"cli", "parser"}},
	}
	for _, r := range rules {
		t.Run(r.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-json=ImportPath,Standard", "./"+r.pkg+"/...").Output()
			if err != nil {
				t.Fatalf("go list %s: %v", r.pkg, err)
			}
			dec := json.NewDecoder(strings.NewReader(string(out)))
			for dec.More() {
				var p struct {
					ImportPath string
					Standard   bool
				}
				if err := dec.Decode(&p); err != nil {
					t.Fatal(err)
				}
				if p.Standard {
					if r.stdlibOnly && forbiddenInLeaf[p.ImportPath] {
						t.Errorf("%s is a pure leaf and must not depend on %s", r.pkg, p.ImportPath)
					}
					continue
				}
				own := strings.HasPrefix(p.ImportPath, mod+"/")
				rel := strings.TrimPrefix(p.ImportPath, mod+"/")
				top := strings.SplitN(rel, "/", 2)[0]
				if own && top == r.pkg {
					continue
				}
				if r.stdlibOnly {
					t.Errorf("%s must use the standard library only, but depends on %s", r.pkg, p.ImportPath)
					continue
				}
				if !own {
					continue
				}
				for _, f := range r.forbidden {
					if top == f {
						t.Errorf("%s must not import %s", r.pkg, p.ImportPath)
					}
				}
				if r.allowProject != nil {
					ok := false
					for _, a := range r.allowProject {
						if top == a {
							ok = true
						}
					}
					if !ok {
						t.Errorf("%s may not import project package %s", r.pkg, p.ImportPath)
					}
				}
			}
		})
	}
}

// TestVRRPHasNoClock keeps the protocol core free of the wall clock: time is
// always passed in, so the simulator and the daemon drive the same code.
func TestVRRPHasNoClock(t *testing.T) {
	clock := regexp.MustCompile(`\btime\.(Now|Sleep|After|AfterFunc|NewTimer|NewTicker|Tick|Since|Until)\(`)
	files, _ := filepath.Glob("vrrp/*.go")
	sub, _ := filepath.Glob("vrrp/*/*.go")
	files = append(files, sub...)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if clock.MatchString(line) {
				t.Errorf("%s:%d: the vrrp core must not read the clock: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
