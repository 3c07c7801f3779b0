package daemon

import (
	"context"

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
// updates arrive on d.updates. prev is the previous runner on reload.
func (d *Daemon) startScripts(cfg *config.Config, prev scriptRunner) {
	factory := d.opts.scripts
	if factory == nil {
		factory = defaultScripts
	}
	d.runnable = nil
	r, err := factory(cfg, d.log, prev)
	if err != nil {
		d.log.Error("cannot start tracking scripts: " + err.Error())
		return
	}
	if r == nil {
		return
	}
	d.runnable = map[string]bool{}
	for _, n := range r.Runnable() {
		d.runnable[n] = true
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
// and waits for the runner, draining updates so that it never blocks. It
// returns the stopped runner.
func (d *Daemon) stopScripts() scriptRunner {
	run := d.scripts
	if run == nil {
		return nil
	}
	d.scripts = nil
	run.cancel()
	for {
		select {
		case <-run.done:
			return run.runner
		case <-d.updates:
		}
	}
}

// restartScripts replaces the running scripts by those of next, carrying
// results over by name (reference 6.8). Tracker states of names that
// disappear are forgotten.
func (d *Daemon) restartScripts(next *config.Config) {
	prev := d.stopScripts()
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
	d.startScripts(next, prev)
}
