package proc

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConfigSaveDir: with config_save_dir DIR (missing: the parent makes
// it, mkdir 0700 under the umask: 0600 with keepalived's 0177, as
// keepalived 2.2.7 does), the parent saves a copy of the configuration at start
// (keepalived.conf.PARENT.0) and at a reload (.1), and the VRRP process
// saves its configuration dump before and after the reload
// (keepalived_vrrp.CHILD.1.pre and .post, the VIP in both). Run with
// keepalived-go and keepalived 2.2.7, which must make the same files; it
// fails if the keyword has no effect.
func TestConfigSaveDir(t *testing.T) {
	needRoot(t)
	for _, impl := range implementations() {
		t.Run(impl.name, func(t *testing.T) {
			n := newNetns(t)
			save := filepath.Join(n.dir, "save")
			conf := n.backupConf(t, "kgx_save", "  config_save_dir "+save+"\n")
			k := n.startBin(t, impl.bin, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
			parent, child := n.waitPids(t, k.out.String)
			if !waitFor(10*time.Second, func() bool { return strings.Contains(k.out.String(), "Entering BACKUP STATE") }) {
				t.Fatalf("no BACKUP state\n%s", k.out.String())
			}
			if fi, err := os.Stat(save); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o600 {
				t.Fatalf("config_save_dir not made 0600: %v %v", fi, err)
			}
			syscall.Kill(parent, syscall.SIGHUP)
			post := filepath.Join(save, fmt.Sprintf("keepalived_vrrp.%d.1.post", child))
			if !waitFor(10*time.Second, func() bool { _, err := os.Stat(post); return err == nil }) {
				ents, _ := os.ReadDir(save)
				t.Fatalf("no %s after a reload: %v\n%s", post, ents, k.out.String())
			}
			time.Sleep(300 * time.Millisecond)
			ents, _ := os.ReadDir(save)
			var got []string
			for _, e := range ents {
				got = append(got, e.Name())
			}
			slices.Sort(got)
			want := []string{
				fmt.Sprintf("keepalived.conf.%d.0", parent), fmt.Sprintf("keepalived.conf.%d.1", parent),
				fmt.Sprintf("keepalived_vrrp.%d.1.post", child), fmt.Sprintf("keepalived_vrrp.%d.1.pre", child),
			}
			if !slices.Equal(got, want) {
				t.Errorf("saved %q, want %q", got, want)
			}
			for _, f := range want {
				b, _ := os.ReadFile(filepath.Join(save, f))
				if !strings.Contains(string(b), "10.77.0.100") {
					t.Errorf("%s does not hold the VIP:\n%s", f, b)
				}
			}
		})
	}
}
