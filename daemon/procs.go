package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/procwatch"
)

// procsRun is the running vrrp_track_process watcher of one configuration.
type procsRun struct {
	w      *procwatch.Watcher
	cancel context.CancelFunc
}

// startProcs starts watching cfg's vrrp_track_process blocks on
// Options.Processes. Their initial states (the /proc scan) are recorded
// before any instance starts, as keepalived knows them before
// vrrp_init_state; later quorum changes arrive through procUpdates.
func (d *Daemon) startProcs(cfg *config.Config) {
	if len(cfg.TrackProcesses) == 0 {
		return
	}
	if d.opts.Processes == nil {
		d.log.Warn("track_process: no process watcher; vrrp_track_process blocks are not run")
		return
	}
	ctx, cancel := context.WithCancel(d.ctx)
	w, initial := procwatch.Start(ctx, cfg.TrackProcesses, d.opts.Processes, procwatch.Options{Log: d.log, Now: d.opts.Now,
		Subscribe: procwatch.SubscribeOptions{RcvBuf: int(cfg.Global.ProcessMonitorRcvBufs), RcvBufForce: cfg.Global.ProcessMonitorRcvBufsForce}})
	d.procs = &procsRun{w: w, cancel: cancel}
	for _, c := range initial {
		d.track["process:"+c.Name] = trackState{Reported: true, OK: c.Up}
	}
}

// logInitProcessFaults logs, before any instance starts, keepalived's line
// for each instance an unweighted track_process puts in FAULT from the
// start (vrrp_track.c initialise_process_tracking_priorities: by block,
// then by the instances tracking it), and marks those instances so their
// first transition is logged as keepalived's vrrp_complete_init logs it.
func (d *Daemon) logInitProcessFaults() {
	for _, tp := range d.cfg.TrackProcesses {
		for _, in := range d.insts {
			if !in.faults["process:"+tp.Name] {
				continue
			}
			in.initFaultLogged = true
			d.logFault(in, fmt.Sprintf("(%s) entering FAULT state (tracked process %s quorum not achieved)", in.name(), tp.Name), "process:"+tp.Name)
		}
	}
}

// stopProcs stops the watcher (its late changes are never read).
func (d *Daemon) stopProcs() {
	if d.procs != nil {
		d.procs.cancel()
		d.procs = nil
	}
}

// restartProcs rescans for a new configuration: keepalived's reload
// rebuilds its process table from /proc (reload_track_processes).
func (d *Daemon) restartProcs(next *config.Config) {
	d.stopProcs()
	d.startProcs(next)
}

// procUpdates is the channel the loop reads quorum changes from (nil,
// never ready, when nothing is watched).
func (d *Daemon) procUpdates() <-chan procwatch.Change {
	if d.procs == nil {
		return nil
	}
	return d.procs.w.Changes()
}

// onProcChange feeds a quorum change to the trackers (daemon/tracking.go,
// kind "process").
func (d *Daemon) onProcChange(now time.Time, c procwatch.Change) {
	d.onUpdate(now, checker.Update{Kind: "process", Name: c.Name, OK: c.Up, Log: c.Log, Changed: true})
}

// procStatus is the watcher's view of every block (nil when none runs).
func (d *Daemon) procStatus() []procwatch.Status {
	if d.procs == nil {
		return nil
	}
	return d.procs.w.Status()
}

// writeTrackProcesses is the "VRRP Track processes" section of
// keepalived.data (vrrp_data.c dump_vprocess), from the configuration and
// the watcher's counts; the delay timers only in the file (live), as
// keepalived writes them only there.
func (d *Daemon) writeTrackProcesses(w func(string, ...any), live bool) {
	if len(d.cfg.TrackProcesses) == 0 {
		return
	}
	st := map[string]procwatch.Status{}
	for _, s := range d.procStatus() {
		st[s.Name] = s
	}
	if len(st) == 0 {
		for _, s := range procwatch.NewCore(d.cfg.TrackProcesses).Status() {
			st[s.Name] = s
		}
	}
	w("------< VRRP Track processes >------")
	for _, tp := range d.cfg.TrackProcesses {
		s := st[tp.Name]
		w(" VRRP Track process = %s", tp.Name)
		w("   Process = %s", tp.Process)
		if s.Params != "" {
			w("   Parameters = %s", s.Params)
		}
		switch s.ParamMatch {
		case "exact":
			w("   Param match")
		case "partial", "initial":
			w("   Param match = %s", s.ParamMatch)
		}
		w("   Min processes = %d", s.Quorum)
		if s.QuorumMax >= 0 {
			w("   Max processes = %d", s.QuorumMax)
		}
		w("   Current processes = %d", s.Current)
		w("   Have quorum = %t", s.HaveQuorum)
		w("   Weight = %d%s", tp.Weight, onOff(tp.Reverse, " reverse", ""))
		w("   Terminate delay = %fs", s.TermDelay.Seconds())
		w("   Fork delay = %fs", s.ForkDelay.Seconds())
		if live {
			w("   Fork delay timer %srunning", onOff(s.ForkTimer, "", "not "))
			w("   Terminate delay timer %srunning", onOff(s.TermTimer, "", "not "))
		}
		w("   Full command = %t", s.Full)
		var tracking []string
		for _, in := range d.insts {
			tps := in.cfg.TrackProcesses
			if in.group != nil {
				tps = append(append([]config.TrackFileRef(nil), tps...), in.group.cfg.TrackProcesses...)
			}
			for _, r := range tps {
				if r.Name == tp.Name {
					tracking = append(tracking, fmt.Sprintf("     %s, weight %d%s", in.name(), r.Weight, onOff(r.Reverse, " reverse", "")))
				}
			}
		}
		if len(tracking) > 0 {
			w("   Tracking instances :")
			for _, l := range tracking {
				w("%s", l)
			}
		}
	}
}

// writeTrackedProcesses is an instance's or sync group's list of
// track_process references (vrrp_track.c dump_track_process).
func writeTrackedProcesses(w func(string, ...any), header string, refs []config.TrackFileRef) {
	if len(refs) == 0 {
		return
	}
	w("   %s :", header)
	for _, r := range refs {
		w("     %s, weight %d%s", r.Name, r.Weight, onOff(r.Reverse, " reverse", ""))
	}
}
