package checker

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/internal/testenv"
)

// secureDir makes a root-owned 0755 directory under t.TempDir, whose own
// parents (root-owned, 0700) pass the walk.
func secureDir(t *testing.T) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "scripts")
	if err := os.Mkdir(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSecurityWalk(t *testing.T) {
	testenv.NeedRoot(t) // the walk checks that paths are owned by root
	root := Identity{}
	tests := []struct {
		name string
		// setup returns the path to check.
		setup        func(t *testing.T, d string) string
		security     bool
		wantRun      bool
		wantInsecure bool
		wantLog      string // a substring of one log line
	}{
		{"root owned 0755 is secure", func(t *testing.T, d string) string {
			return writeScript(t, d, "ok", "#!/bin/sh\n")
		}, true, true, false, ""},
		{"group writable dir with group root is fine", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "g", 0o775, 0, 0)
			return writeScript(t, sub, "ok", "#!/bin/sh\n")
		}, true, true, false, ""},
		{"group writable dir with another group", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "g", 0o775, 0, 1)
			return writeScript(t, sub, "x", "#!/bin/sh\n")
		}, true, false, true, "Unsafe permissions found for script"},
		{"world writable dir", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "w", 0o777, 0, 0)
			return writeScript(t, sub, "x", "#!/bin/sh\n")
		}, true, false, true, " - disabling."},
		{"world writable dir with sticky bit is fine", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "w", 0o1777, 0, 0)
			return writeScript(t, sub, "ok", "#!/bin/sh\n")
		}, true, true, false, ""},
		{"world writable file", func(t *testing.T, d string) string {
			p := writeScript(t, d, "x", "#!/bin/sh\n")
			os.Chmod(p, 0o757)
			return p
		}, true, false, true, "Unsafe permissions"},
		{"file owned by nobody", func(t *testing.T, d string) string {
			p := writeScript(t, d, "x", "#!/bin/sh\n")
			os.Chown(p, 65534, 65534)
			return p
		}, true, false, true, "Unsafe permissions"},
		{"dir owned by nobody", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "n", 0o755, 65534, 0)
			return writeScript(t, sub, "x", "#!/bin/sh\n")
		}, true, false, true, "Unsafe permissions"},
		{"insecure without security still runs", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "w", 0o777, 0, 0)
			return writeScript(t, sub, "x", "#!/bin/sh\n")
		}, false, true, true, "Unsafe permissions found for script"},
		{"symlink into an insecure dir", func(t *testing.T, d string) string {
			sub := mkdir(t, d, "w", 0o777, 0, 0)
			real := writeScript(t, sub, "real", "#!/bin/sh\n")
			link := filepath.Join(d, "link")
			os.Symlink(real, link)
			return link
		}, true, false, true, "Unsafe permissions"},
		{"not executable", func(t *testing.T, d string) string {
			p := writeScript(t, d, "x", "#!/bin/sh\n")
			os.Chmod(p, 0o644)
			return p
		}, true, false, false, "is not executable for uid:gid 0:0"},
		{"missing", func(t *testing.T, d string) string {
			return filepath.Join(d, "absent")
		}, true, false, false, "cannot be accessed"},
		{"a directory", func(t *testing.T, d string) string {
			return mkdir(t, d, "dir", 0o755, 0, 0)
		}, true, false, false, "Wrong file type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.setup(t, secureDir(t))
			c := resolve([]string{p, "arg"}, root, tc.security)
			if (c.prog != nil) != tc.wantRun {
				t.Fatalf("runs=%v, want %v (flags %b, logs %q)", c.prog != nil, tc.wantRun, c.flags, c.logs)
			}
			if got := c.flags&scInsecure != 0; got != tc.wantInsecure {
				t.Fatalf("insecure=%v, want %v (logs %q)", got, tc.wantInsecure, c.logs)
			}
			if c.prog != nil && (c.prog.Insecure != tc.wantInsecure || c.prog.Argv[1] != "arg") {
				t.Fatalf("program %+v", c.prog)
			}
			if tc.wantLog != "" && !strings.Contains(strings.Join(c.logs, "\n"), tc.wantLog) {
				t.Fatalf("logs %q lack %q", c.logs, tc.wantLog)
			}
		})
	}
}

// mkdir makes a directory with a raw mode (0o1777 is sticky) and owner.
func mkdir(t *testing.T, parent, name string, mode uint32, uid, gid int) string {
	t.Helper()
	d := filepath.Join(parent, name)
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(d, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(d, mode); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestResolveKeepsCalledName(t *testing.T) {
	d := t.TempDir()
	real := writeScript(t, d, "real.sh", "#!/bin/sh\n")
	link := filepath.Join(d, "check-name")
	if err := os.Symlink("real.sh", link); err != nil {
		t.Fatal(err)
	}
	c := resolve([]string{link}, ourIdentity(), false)
	if c.prog == nil {
		t.Fatalf("not runnable: %q", c.logs)
	}
	// The called name is kept (programs may act on argv[0]).
	if c.prog.Argv[0] != link {
		t.Fatalf("argv[0] = %q, want %q", c.prog.Argv[0], link)
	}
	// A link through another directory resolves to the real directory.
	other := t.TempDir()
	link2 := filepath.Join(other, "real.sh")
	os.Symlink(real, link2)
	c = resolve([]string{link2}, ourIdentity(), false)
	if c.prog == nil || c.prog.Argv[0] != real {
		t.Fatalf("argv[0] = %+v, want %q", c.prog, real)
	}
}

func TestResolvePathSearch(t *testing.T) {
	d := t.TempDir()
	writeScript(t, d, "kgc-probe", "#!/bin/sh\n")
	t.Setenv("PATH", "/nonexistent:"+d)
	c := resolve([]string{"kgc-probe"}, ourIdentity(), false)
	if c.prog == nil || c.prog.Argv[0] != filepath.Join(d, "kgc-probe") {
		t.Fatalf("resolved %+v logs %q", c.prog, c.logs)
	}
	if !strings.Contains(c.logs[0], "resolved by path search to") {
		t.Fatalf("logs %q", c.logs)
	}
	c = resolve([]string{"kgc-absent"}, ourIdentity(), false)
	if c.prog != nil || c.flags != scNotFound || c.logs[0] != "Cannot find script kgc-absent in path - disabling" {
		t.Fatalf("absent: %+v %b %q", c.prog, c.flags, c.logs)
	}
}

func TestCommandString(t *testing.T) {
	tests := []struct {
		argv []string
		want string
	}{
		{[]string{"/bin/x", "a b"}, `'/bin/x' 'a b'`},
		{[]string{"</dev/tcp/127.0.0.1/80"}, `</dev/tcp/127.0.0.1/80`},
		{[]string{"/x", "it's"}, `'/x' 'it'\''s'`},
	}
	for _, tc := range tests {
		if got := CommandString(tc.argv); got != tc.want {
			t.Errorf("CommandString(%q) = %s, want %s", tc.argv, got, tc.want)
		}
	}
}

func TestCheckSecurity(t *testing.T) {
	testenv.NeedRoot(t) // the walk checks that paths are owned by root
	d := secureDir(t)
	good := writeScript(t, d, "good", "#!/bin/sh\n")
	wdir := mkdir(t, d, "w", 0o777, 0, 0)
	bad := writeScript(t, wdir, "bad", "#!/bin/sh\n")
	inst := []*config.Instance{{Name: "VI_1"}}
	pos := config.Pos{File: "k.conf", Line: 3, Col: 1}
	scr := func(name, path string) *config.Script {
		return &config.Script{Pos: pos, Name: name, Command: config.Command{Argv: []string{path}}}
	}
	type finding struct {
		class config.Class
		msg   string
	}
	tests := []struct {
		name string
		cfg  config.Config
		want []finding
	}{
		{"no scripts, nothing to say", config.Config{Instances: inst}, nil},
		{"scripts without security", config.Config{Instances: inst, Scripts: []*config.Script{scr("chk", good)}},
			[]finding{{config.ClassSecurity, "SECURITY VIOLATION - scripts are being executed but script_security not enabled."}}},
		{"insecure scripts without security", config.Config{Instances: inst, Scripts: []*config.Script{scr("chk", bad)}},
			[]finding{{config.ClassSecurity, "SECURITY VIOLATION - scripts are being executed but script_security not enabled. There are insecure scripts."}}},
		{"no instances: vrrp scripts are not checked", config.Config{Scripts: []*config.Script{scr("chk", bad)}}, nil},
		{"security without a default user drops scripts",
			config.Config{Instances: inst, Global: config.Global{EnableScriptSecurity: true}, Scripts: []*config.Script{scr("chk", good)}},
			[]finding{
				{config.ClassGeneral, "Unable to set default user keepalived_script for script"},
				{config.ClassGeneral, "Unable to set default user for vrrp script chk - removing"},
			}},
		{"security, no default user, but every script has its own", config.Config{Instances: inst,
			Global:  config.Global{EnableScriptSecurity: true},
			Scripts: []*config.Script{{Pos: pos, Name: "chk", User: "root", Command: config.Command{Argv: []string{good}}}}}, nil},
		{"security with script_user root, secure", config.Config{Instances: inst,
			Global:  config.Global{EnableScriptSecurity: true, ScriptUser: "root"},
			Scripts: []*config.Script{scr("chk", good)}}, nil},
		{"security with script_user root, insecure", config.Config{Instances: inst,
			Global:  config.Global{EnableScriptSecurity: true, ScriptUser: "root"},
			Scripts: []*config.Script{scr("chk", bad)}},
			[]finding{{config.ClassGeneral, "Disabling track script chk due to insecure"}}},
		{"missing script", config.Config{Instances: inst,
			Global:  config.Global{EnableScriptSecurity: true, ScriptUser: "root"},
			Scripts: []*config.Script{scr("chk", d+"/absent")}},
			[]finding{{config.ClassGeneral, "Disabling track script chk since not found/accessible"}}},
		{"unknown script_user", config.Config{Instances: inst,
			Global:  config.Global{ScriptUser: "no-such-user-kgc"},
			Scripts: []*config.Script{scr("chk", good)}},
			[]finding{
				{config.ClassGeneral, "Error setting global script uid/gid"},
				{config.ClassGeneral, "Unable to set default user for vrrp script chk - removing"},
			}},
		{"notify script missing is ours, not keepalived's", config.Config{
			Global:    config.Global{EnableScriptSecurity: true, ScriptUser: "root"},
			Instances: []*config.Instance{{Name: "VI_1", Notify: config.Notify{Master: &config.Command{Pos: pos, Argv: []string{d + "/absent"}}}}}},
			[]finding{{config.ClassNone, "notify_master script " + d + "/absent will not run: Script " + d + "/absent cannot be accessed - no such file or directory"}}},
		{"notify scripts count for the violation", config.Config{
			Instances: []*config.Instance{{Name: "VI_1", Notify: config.Notify{Generic: &config.Command{Argv: []string{good}}}}}},
			[]finding{{config.ClassSecurity, "SECURITY VIOLATION - scripts are being executed but script_security not enabled."}}},
		{"shutdown script", config.Config{Global: config.Global{ShutdownScript: &config.Command{Argv: []string{good}}}},
			[]finding{{config.ClassSecurity, "SECURITY VIOLATION - start/shutdown scripts are being executed but script_security not enabled."}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds := CheckSecurity(&tc.cfg)
			var got []finding
			for _, d := range ds {
				got = append(got, finding{d.Class, d.Msg})
				if d.Severity != config.Warning {
					t.Errorf("%q has severity %v: the daemon still runs, so never Error", d.Msg, d.Severity)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings %+v, want %+v", len(got), got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("finding %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}
