package checker

import (
	"context"
	"log/slog"
	"sync"

	"github.com/keepalived-go/keepalived/config"
)

// Trackers runs one configuration's vrrp_scripts and track_files together,
// reporting on one channel: what the daemon runs per configuration.
type Trackers struct {
	Scripts *Scripts
	Files   []*config.TrackFile
	// Reload makes init_file leave existing files alone (keepalived only
	// overwrites at first start).
	Reload bool
	log    *slog.Logger
}

// NewTrackers builds the trackers of cfg with the script options of its
// global_defs (script_user, enable_script_security). Findings are those of
// NewScripts.
func NewTrackers(cfg *config.Config, log *slog.Logger, reload bool) (*Trackers, config.Diagnostics) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, ds := NewScripts(cfg.Scripts, ScriptOptions{
		DefaultUser:    cfg.Global.ScriptUser,
		DefaultGroup:   cfg.Global.ScriptGroup,
		EnableSecurity: cfg.Global.EnableScriptSecurity,
		Logger:         log,
	})
	return &Trackers{Scripts: s, Files: cfg.TrackFiles, Reload: reload, log: log}, ds
}

// Run runs the scripts and watches the files until ctx ends (see
// Scripts.Run and WatchFiles); it returns once both have stopped.
func (t *Trackers) Run(ctx context.Context, out chan<- Update) {
	var wg sync.WaitGroup
	if len(t.Files) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			watch := WatchFiles
			if t.Reload {
				watch = WatchFilesReload
			}
			if err := watch(ctx, t.Files, out); err != nil {
				t.log.Error("Unable to monitor track files: " + err.Error())
			}
		}()
	}
	t.Scripts.Run(ctx, out)
	wg.Wait()
}
