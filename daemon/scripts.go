package daemon

import (
	"context"
	"log/slog"

	"github.com/keepalived-go/keepalived/config"
)

// scriptsRun is the running tracker set of one configuration: its runner
// goroutine and how to stop it.
type scriptsRun struct {
	runner scriptRunner
	cancel context.CancelFunc
	done   chan struct{}
}

// startScripts starts the vrrp_scripts and track_files of cfg; their
// updates arrive on d.updates. carry holds the previous results for reload.
func (d *Daemon) startScripts(cfg *config.Config, carry map[string]trackState) {
	factory := d.opts.scripts
	if factory == nil {
		factory = defaultScripts
	}
	r, err := factory(cfg, d.log, carry)
	if err != nil {
		d.log.Error("cannot start tracking scripts: " + err.Error())
		return
	}
	if r == nil {
		return
	}
	ctx, cancel := context.WithCancel(d.ctx)
	run := &scriptsRun{runner: r, cancel: cancel, done: make(chan struct{})}
	d.scripts = run
	go func() {
		defer close(run.done)
		r.Run(ctx, d.updates)
	}()
}

// stopScripts stops the running scripts (SIGTERM to their process groups)
// and waits for the runner, draining updates so that it never blocks.
func (d *Daemon) stopScripts() {
	run := d.scripts
	if run == nil {
		return
	}
	d.scripts = nil
	run.cancel()
	for {
		select {
		case <-run.done:
			return
		case <-d.updates:
		}
	}
}

// restartScripts replaces the running scripts by those of next, carrying
// results over by name (reference 6.8). Tracker states of names that
// disappear are forgotten.
func (d *Daemon) restartScripts(next *config.Config) {
	d.stopScripts()
	keep := map[string]trackState{}
	for _, s := range next.Scripts {
		if st, ok := d.track["script:"+s.Name]; ok {
			keep["script:"+s.Name] = st
		}
	}
	for _, f := range next.TrackFiles {
		if st, ok := d.track["file:"+f.Name]; ok {
			keep["file:"+f.Name] = st
		}
	}
	d.track = keep
	d.startScripts(next, keep)
}

// defaultScripts is replaced by the checker-backed factory (scripts_checker.go).
var defaultScripts scriptsFactory = func(*config.Config, *slog.Logger, map[string]trackState) (scriptRunner, error) {
	return nil, nil
}

// newNotifier is replaced by the notify-backed constructor.
var newNotifier = func(*config.Config, *slog.Logger) notifier { return nopNotifier{} }

