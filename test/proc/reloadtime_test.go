package proc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReloadTimeFile: with reload_time_file, writing a time of day to the
// file schedules a reload (keepalived's "Scheduling reload for ..."),
// which happens at that time, and the file is removed then (no
// reload_repeat). Run with keepalived-go and keepalived 2.2.7; it fails if
// the keyword has no effect.
func TestReloadTimeFile(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			n := newNetns(t)
			rt := filepath.Join(n.dir, "reload.time")
			conf := n.backupConf(t, "kgx_rtime", "  reload_time_file "+rt+"\n")
			k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
			n.waitPids(t, k.out.String)
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering BACKUP STATE") }) {
				t.Fatalf("no BACKUP state\n%s", k.out.String())
			}
			at := time.Now().Add(4 * time.Second).Truncate(time.Second)
			if err := os.WriteFile(rt, []byte(at.Format("15:04:05")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			sched := "Scheduling reload for " + at.Format("2006-01-02 15:04:05")
			if !waitFor(3*time.Second, func() bool { return strings.Contains(k.out.String(), sched) }) {
				t.Fatalf("no %q\n%s", sched, k.out.String())
			}
			if strings.Contains(k.out.String(), "Reloading") {
				t.Fatalf("reloaded before the time\n%s", k.out.String())
			}
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Reloading") }) {
				t.Fatalf("no reload at %s\n%s", at.Format("15:04:05"), k.out.String())
			}
			if late := time.Since(at); late < -500*time.Millisecond {
				t.Errorf("reloaded %v before the time", -late)
			}
			if _, err := os.Stat(rt); err == nil {
				t.Errorf("reload time file left behind without reload_repeat")
			}
		})
	}
}
