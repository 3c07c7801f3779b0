package daemon

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/parser"
)

func parseConf(t *testing.T, text string) *config.Config {
	t.Helper()
	f, _, err := parser.ParseString("keepalived.conf", text, parser.Options{ConfigID: "t"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := parser.Lower(f, parser.Options{ConfigID: "t"})
	return cfg
}

// fakeUsers knows the named users and the group staff; "broken" fails to
// resolve.
func fakeUsers(users ...string) userLookup {
	look := func(known []string) func(string) (bool, error) {
		return func(name string) (bool, error) {
			if name == "broken" {
				return false, os.ErrPermission
			}
			return slices.Contains(known, name), nil
		}
	}
	return userLookup{user: look(users), group: look([]string{"staff"})}
}

// TestScriptUserLines: keepalived 2.2.7's set_uid_gid lines, in the order
// its parser meets the users (lib/notify.c, vrrp_parser.c).
func TestScriptUserLines(t *testing.T) {
	const inst = `
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 1
    priority 100
    virtual_ipaddress {
        10.0.0.10
    }
    NOTIFY
}
`
	cases := []struct {
		name, text string
		users      userLookup
		want       []string
	}{
		{"default user missing, looked up once",
			"vrrp_script a {\n script /bin/true\n}\nvrrp_script b {\n script /bin/true\n}\n" + strings.Replace(inst, "NOTIFY", "notify_master /bin/true", 1),
			fakeUsers(), []string{"Script user 'keepalived_script' does not exist"}},
		{"default user exists",
			"vrrp_script a {\n script /bin/true\n}\n" + strings.Replace(inst, "NOTIFY", "", 1),
			fakeUsers("keepalived_script"), nil},
		{"no script, no lookup",
			strings.Replace(inst, "NOTIFY", "", 1),
			fakeUsers(), nil},
		{"script_user given: never keepalived_script",
			"global_defs {\n script_user ghost\n}\nvrrp_script a {\n script /bin/true\n}\n" + strings.Replace(inst, "NOTIFY", "", 1),
			fakeUsers(), []string{"Script user 'ghost' does not exist"}},
		{"named users in file order, default at its first use",
			"vrrp_script a {\n script /bin/true\n user alice\n}\nvrrp_script b {\n script /bin/true\n}\n" +
				strings.Replace(inst, "NOTIFY", "notify_master \"/bin/true\" bob staff\n    notify_backup \"/bin/true\" carol nogroup", 1),
			fakeUsers("bob", "carol"),
			[]string{"Script user 'alice' does not exist", "Script user 'keepalived_script' does not exist", "Script group 'nogroup' does not exist"}},
		{"lookup failures",
			"vrrp_script a {\n script /bin/true\n user broken\n}\n" + strings.Replace(inst, "NOTIFY", "", 1),
			fakeUsers(), []string{"Unable to resolve script username 'broken' - ignoring"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := scriptUserLines(parseConf(t, tc.text), tc.users)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSecurityViolation: the VRRP process's SECURITY VIOLATION line needs an
// instance, a script file that exists, and enable_script_security off.
func TestSecurityViolation(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "chk.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	inst := "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 1\n priority 100\n track_script {\n  chk\n }\n virtual_ipaddress {\n  10.0.0.10\n }\n}\n"
	scr := func(path string) string { return "vrrp_script chk {\n script " + path + "\n}\n" }
	const want = "SECURITY VIOLATION - scripts are being executed but script_security not enabled."
	cases := []struct{ name, text, want string }{
		{"script found", scr(script) + inst, want},
		{"security on", "global_defs {\n enable_script_security\n}\n" + scr(script) + inst, ""},
		{"no instance", scr(script), ""},
		{"script not found", scr(filepath.Join(dir, "missing.sh")) + inst, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := securityViolation(parseConf(t, tc.text)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
