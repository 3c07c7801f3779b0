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
// config are leaves on the standard library, netif and logging import no
// project package, the daemon gets its parser injected (it imports neither
// parser nor the process model), and the process model knows nothing of the
// daemon.
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
		{pkg: "cluster", allowProject: []string{"config"}},
		{pkg: "daemon", forbidden: []string{"cli", "parser", "process"}},
		{pkg: "logging", allowProject: []string{}},
		{pkg: "process", allowProject: []string{"config", "checker", "logging"}},
		{pkg: "mail", allowProject: []string{}},
		{pkg: "procwatch", allowProject: []string{"config"}},
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

// cliOnly are the modules only package cli may import: the command line's.
var cliOnly = []string{"github.com/spf13/cobra", "github.com/spf13/pflag"}

// TestOnlyCLIImportsCobra: the command-line library stays in the command
// line's package (direct imports, tests included; cmd/keepalived reaches
// it through cli only).
func TestOnlyCLIImportsCobra(t *testing.T) {
	const mod = "github.com/keepalived-go/keepalived"
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,TestImports,XTestImports", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p struct {
			ImportPath                         string
			Imports, TestImports, XTestImports []string
		}
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		if p.ImportPath == mod+"/cli" {
			continue
		}
		for _, imp := range append(append(p.Imports, p.TestImports...), p.XTestImports...) {
			for _, c := range cliOnly {
				if imp == c || strings.HasPrefix(imp, c+"/") {
					t.Errorf("%s imports %s: only cli may", p.ImportPath, imp)
				}
			}
		}
	}
	if seen < 10 {
		t.Fatalf("go list reported %d packages: the listing is not the module's", seen)
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
