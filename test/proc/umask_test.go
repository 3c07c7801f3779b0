package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// implementations are keepalived-go and, when installed, keepalived 2.2.7,
// for the tests that compare the two on the same case.
func implementations() []struct{ name, bin string } {
	impls := []struct{ name, bin string }{{"keepalived-go", binary}}
	if real, err := exec.LookPath("keepalived"); err == nil {
		impls = append(impls, struct{ name, bin string }{"keepalived 2.2.7", real})
	}
	return impls
}

// TestUmaskModes: the modes of the files the daemon creates follow
// keepalived 2.2.7's umask rules: by default 0177 (keepalived.data 0600,
// the notify FIFO 0600), the global_defs umask replaces it, -u wins over
// the file (with keepalived's log line), and pidfiles are 0644 whatever
// the mask. Each case runs with keepalived-go and keepalived 2.2.7 and
// wants the same modes; it fails if umask has no effect.
func TestUmaskModes(t *testing.T) {
	needRoot(t)
	cases := []struct {
		name      string
		umask     string // global_defs line, "" for none
		args      []string
		data      os.FileMode
		fifo      os.FileMode
		logIgnore bool
	}{
		{name: "default", data: 0o600, fifo: 0o600},
		{name: "umask 022", umask: "umask 022", data: 0o644, fifo: 0o644},
		{name: "umask symbolic", umask: "umask IWGRP|IWOTH|IXOTH", data: 0o644, fifo: 0o644},
		{name: "umask 0377", umask: "umask 0377", data: 0o400, fifo: 0o400},
		{name: "cmdline wins", umask: "umask 077", args: []string{"-u", "0"}, data: 0o666, fifo: 0o644, logIgnore: true},
	}
	for _, impl := range implementations() {
		for _, tc := range cases {
			t.Run(impl.name+"/"+tc.name, func(t *testing.T) {
				n := newNetns(t)
				fifo := filepath.Join(n.dir, "notify.fifo")
				conf := n.backupConf(t, "kgx_umask", "  "+tc.umask+"\n  notify_fifo "+fifo+"\n")
				args := append(append([]string{"-f", conf}, tc.args...), n.pidArgs()...)
				k := n.startBin(t, impl.bin, nil, args...)
				_, child := n.waitPids(t, k.out.String)
				if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering BACKUP STATE") }) {
					t.Fatalf("no BACKUP state\n%s", k.out.String())
				}
				data := filepath.Join(n.dir, "keepalived.data")
				syscall.Kill(child, syscall.SIGUSR1)
				if !waitFor(5*time.Second, func() bool { _, err := os.Stat(data); return err == nil }) {
					t.Fatalf("no keepalived.data\n%s", k.out.String())
				}
				mode := func(p string) os.FileMode {
					fi, err := os.Stat(p)
					if err != nil {
						t.Errorf("%v", err)
						return 0
					}
					return fi.Mode().Perm()
				}
				if got := mode(data); got != tc.data {
					t.Errorf("keepalived.data mode %04o, want %04o", got, tc.data)
				}
				if got := mode(fifo); got != tc.fifo {
					t.Errorf("notify_fifo mode %04o, want %04o", got, tc.fifo)
				}
				for _, p := range []string{n.mainPid(), n.vrrpPid()} {
					if got := mode(p); got != 0o644 {
						t.Errorf("%s mode %04o, want 0644", filepath.Base(p), got)
					}
				}
				if got := strings.Contains(k.out.String(), "umask command line option specified, ignoring config option"); got != tc.logIgnore {
					t.Errorf("logs that -u overrides the file: %t, want %t\n%s", got, tc.logIgnore, k.out.String())
				}
			})
		}
	}
}
