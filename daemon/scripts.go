package daemon

import (
	"context"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
)

// scriptsRun is the running tracker set of one configuration: its runner
// goroutine and how to stop it.
type scriptsRun struct {
	runner scriptRunner
	cancel context.CancelFunc
	done   chan struct{}
	// out is this runner's own channel: after a reload, late results of
	// the old runner can never be taken for the new configuration's.
	out chan checker.Update
}

// startScripts starts the vrrp_scripts and track_files of cfg; their
// updates arrive on d.scripts.out. prev is the previous runner on reload.
func (d *Daemon) startScripts(cfg *config.Config, prev scriptRunner) {
	factory := d.opts.scripts
	if factory == nil {
		factory = defaultScripts
	}
	d.runnable = nil
	r, err := factory(cfg, d.log, prev)
	if err != nil {
		d.log.Error("cannot start tracking scripts: "+err.Error(), logging.Err(err))
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
	run := &scriptsRun{runner: r, cancel: cancel, done: make(chan struct{}), out: make(chan checker.Update, 64)}
	d.scripts = run
	go func() {
		defer close(run.done)
		r.Run(ctx, run.out)
	}()
}

// scriptUpdates is the channel the loop reads tracker results from (nil,
// never ready, when no scripts run).
func (d *Daemon) scriptUpdates() <-chan checker.Update {
	if d.scripts == nil {
		return nil
	}
	return d.scripts.out
}

// stopScripts stops the running scripts (SIGTERM to their process
// groups). With wait (shutdown) it returns once the runner has reaped them;
// without (reload) the runner winds down in the background, its late
// results drained and dropped, so that a slow script never holds the loop
// and its adverts. It returns the stopped runner.
func (d *Daemon) stopScripts(wait bool) scriptRunner {
	run := d.scripts
	if run == nil {
		return nil
	}
	d.scripts = nil
	run.cancel()
	drain := func() {
		for {
			select {
			case <-run.done:
				return
			case <-run.out:
			}
		}
	}
	if wait {
		drain()
	} else {
		go drain()
	}
	return run.runner
}

// restartScripts replaces the running scripts by those of next, carrying
// results over by name (reference 6.8). Tracker states of names that
// disappear are forgotten.
func (d *Daemon) restartScripts(next *config.Config) {
	prev := d.stopScripts(false)
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
