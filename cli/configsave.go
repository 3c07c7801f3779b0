package cli

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/daemon"
	"github.com/keepalived-go/keepalived/logging"
)

// config_save_dir (keepalived 2.2.7 lib/parser.c, core/config_notify.c
// save_config): the parent saves a copy of the configuration it read, at
// start and at each reload, as DIR/keepalived.conf.PID.N (N from 0), and
// the VRRP process saves its configuration dump (the -d lines) before and
// after each reload, as DIR/keepalived_vrrp.PID.N.pre and .post (N from
// 1). keepalived's copy is its consolidated text (comments removed,
// includes replaced by blank lines); ours is each file read, in order,
// after a "# FILE" line, as it is on disk.

// parentSaves counts the parent's copies.
var parentSaves atomic.Int64

// saveConfigCopy writes the parent's copy of the files read; the
// directory is made if missing, as keepalived's parent does (mkdir 0700
// under the umask: 0600 with keepalived's default 0177).
func saveConfigCopy(g *config.Global, files []string, lg *slog.Logger) {
	dir := g.ConfigSaveDir
	if dir == "" {
		return
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		lg.Info(fmt.Sprintf("Unable to create config_save_dir %s (%v)", dir, err), logging.File(dir), logging.Err(err))
		return
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "# %s\n", f)
		b.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	name := "keepalived.conf." + strconv.Itoa(os.Getpid()) + "." + strconv.FormatInt(parentSaves.Add(1)-1, 10)
	if err := daemon.WriteDumpFile(dir, name, []byte(b.String())); err != nil {
		lg.Info("Failed to save the configuration copy "+filepath.Join(dir, name), logging.Err(err))
	}
}

// vrrpSaver writes the VRRP process's pre and post reload dumps.
type vrrpSaver struct {
	v   *vrrpSide
	lg  *slog.Logger
	num int
}

// save writes keepalived_vrrp.PID.N.{pre,post} (pre counts a new reload).
func (s *vrrpSaver) save(post bool) {
	cfg := s.v.Config()
	if cfg == nil || cfg.Global.ConfigSaveDir == "" {
		return
	}
	kind := "post"
	if !post {
		s.num++
		kind = "pre"
	}
	lines, err := s.v.DumpConfig()
	if err != nil {
		return
	}
	name := fmt.Sprintf("keepalived_vrrp.%d.%d.%s", os.Getpid(), s.num, kind)
	if err := daemon.WriteDumpFile(cfg.Global.ConfigSaveDir, name, []byte(strings.Join(lines, "\n")+"\n")); err != nil {
		s.lg.Info("Failed to open config_save file "+filepath.Join(cfg.Global.ConfigSaveDir, name), logging.Err(err))
	}
}
