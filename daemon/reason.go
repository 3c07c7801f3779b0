package daemon

import (
	"context"
	"log/slog"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/vrrp"
)

// Why an instance is in its state (issue 15): the words come from
// vrrp.Explain; the daemon notes the cause of each transition (causeNote,
// from the Transition and the core's Status after it) and, when asked for
// a status, gathers the rest: the weighted trackers, the scripts still to
// report, the sync group. Nothing here runs per advert: the core keeps the
// last advert it heard (Status.Heard) and the daemon reads it on a
// transition or a status request only.

// causeNote is what made an instance enter its current state.
type causeNote struct {
	cause vrrp.Cause
	from  netip.Addr
	prio  int
}

// noteCause records the cause of a transition the core just emitted and
// returns the instance's reason as it stands now, for the log line.
func (d *Daemon) noteCause(now time.Time, in *instance, t vrrp.Transition) vrrp.Reason {
	st := in.eng.Status()
	c, from, prio := vrrp.CauseOf(t, st)
	in.why = causeNote{cause: c, from: from, prio: prio}
	return d.explain(now, in, st)
}

// explain is the instance's reason at now, from its Status st (on the
// loop goroutine: the status snapshot, the dump, a transition).
func (d *Daemon) explain(now time.Time, in *instance, st vrrp.Status) vrrp.Reason {
	ri := vrrp.ReasonInput{
		Status: st, Now: now, BasePriority: in.cfg.Priority, Nopreempt: in.vcfg.Nopreempt,
		Trackers: d.trackerEffects(in), Cause: in.why.cause, CauseFrom: in.why.from, CausePriority: in.why.prio,
		DownTimerAdverts: in.vcfg.DownTimerAdverts,
	}
	if in.group != nil {
		ri.SyncGroup = in.group.cfg.Name
	}
	for _, ti := range in.trackInterfaces() {
		ri.TrackInterfaces = append(ri.TrackInterfaces, ti.Name)
	}
	for k := range in.faults {
		if rest, ok := strings.CutPrefix(k, initKeyPrefix); ok {
			kind, name, _ := strings.Cut(rest, ":")
			ri.Pending = append(ri.Pending, "track_"+kind+" "+name)
		}
	}
	sort.Strings(ri.Pending)
	return vrrp.Explain(ri)
}

// trackInterfaces are the instance's track_interface entries and its sync
// group's.
func (in *instance) trackInterfaces() []config.TrackInterface {
	tis := in.cfg.TrackInterfaces
	if g := in.group; g != nil && len(g.cfg.TrackInterfaces) > 0 {
		tis = append(append([]config.TrackInterface(nil), tis...), g.cfg.TrackInterfaces...)
	}
	return tis
}

// trackerEffects is each weighted tracker's part in the effective
// priority, as tracking() sums them (TestTrackerEffectsSumAsTracking holds
// the two together): weights count only where keepalived keeps them (not
// for an address owner; a sync-group member's own weighted scripts are
// gone from its configuration already, its interfaces' and its group's
// weights count).
func (d *Daemon) trackerEffects(in *instance) []vrrp.TrackerEffect {
	ci := in.cfg
	if ci.Owner() {
		return nil
	}
	var out []vrrp.TrackerEffect
	for _, ti := range in.trackInterfaces() {
		up := d.linkUp(ti.Name)
		delta, _ := checker.Contribution(ti.Weight, ti.Reverse, up)
		out = append(out, vrrp.TrackerEffect{Kind: "interface", Name: ti.Name, Down: !up, Delta: delta})
	}
	tss := ci.TrackScripts
	tps := ci.TrackProcesses
	tfs := ci.TrackFiles
	if g := in.group; g != nil {
		tss = append(append([]config.TrackScript(nil), tss...), g.cfg.TrackScripts...)
		tps = append(append([]config.TrackFileRef(nil), tps...), g.cfg.TrackProcesses...)
		tfs = append(append([]config.TrackFileRef(nil), tfs...), g.cfg.TrackFiles...)
	}
	for _, ts := range tss {
		st := d.track["script:"+ts.Name]
		if !st.Reported || (d.runnable != nil && !d.runnable[ts.Name]) {
			continue
		}
		delta, _ := checker.Contribution(ts.Weight, ts.Reverse, st.OK)
		out = append(out, vrrp.TrackerEffect{Kind: "script", Name: ts.Name, Down: !st.OK, Delta: delta})
	}
	for _, tp := range tps {
		st := d.track["process:"+tp.Name]
		if !st.Reported {
			continue
		}
		delta, _ := checker.Contribution(tp.Weight, tp.Reverse, st.OK)
		out = append(out, vrrp.TrackerEffect{Kind: "process", Name: tp.Name, Down: !st.OK, Delta: delta})
	}
	for _, tf := range tfs {
		st := d.track["file:"+tf.Name]
		if !st.Reported {
			continue
		}
		delta, f := checker.FileContribution(st.Value, tf.Weight, tf.Reverse)
		if f {
			continue
		}
		out = append(out, vrrp.TrackerEffect{Kind: "file", Name: tf.Name, Delta: delta})
	}
	return out
}

// logAttrs logs msg with the instance's attributes (name, VRID) and
// attrs: the message is keepalived's line, the attributes are for
// --log-format=json (the text forms print the message alone).
func (d *Daemon) logAttrs(in *instance, lvl slog.Level, msg string, attrs ...slog.Attr) {
	if len(attrs) == 0 { // the core's lines (logf): no slice to build
		d.log.LogAttrs(context.Background(), lvl, msg, logging.Instance(in.name()), logging.VRID(in.cfg.VRID))
		return
	}
	all := make([]slog.Attr, 0, 2+len(attrs))
	all = append(all, logging.Instance(in.name()), logging.VRID(in.cfg.VRID))
	d.log.LogAttrs(context.Background(), lvl, msg, append(all, attrs...)...)
}

// logFault logs keepalived's "(VI_1): entering FAULT state ..." line of a
// fault source with its key as an attribute.
func (d *Daemon) logFault(in *instance, msg, key string) {
	d.logAttrs(in, slog.LevelInfo, msg, slog.String(logging.KeyFault, key))
}

// logTransition logs keepalived's "(VI_1) Entering MASTER STATE" line,
// byte for byte, with the state left, the state entered and the reason
// as attributes.
func (d *Daemon) logTransition(in *instance, t vrrp.Transition, msg string, why vrrp.Reason) {
	d.logAttrs(in, slog.LevelInfo, msg, logging.State(t.To.String()), logging.Previous(t.From.String()),
		logging.Reason(why.Text), slog.String(logging.KeyCause, why.Cause.String()))
}
