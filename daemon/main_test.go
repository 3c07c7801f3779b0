package daemon

import (
	"os"
	"testing"

	"github.com/keepalived-go/keepalived/config"
)

// TestMain shows keepalived's default umask in the data dumps: the
// captures of keepalived 2.2.7 the dump tests compare with were taken with
// it, and production processes run with it (package process), while the
// test binary keeps the shell's mask so that its temporary directories
// and scripts stay usable.
func TestMain(m *testing.M) {
	dumpUmask = func() int { return config.DefaultUmask }
	os.Exit(m.Run())
}
