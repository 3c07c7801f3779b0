package daemon

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// trackState is the last known state of one tracked object (script or
// file), keyed "script:NAME" / "file:NAME" in Daemon.track. Interfaces are
// tracked through Daemon.links.
type trackState struct {
	Reported bool // false until the first result
	OK       bool
	Value    int // track_file value
}

// fault is one reason an instance must be in FAULT, with the line
// keepalived logs for it after "(VI_1)" ("" for a silent one): keepalived
// writes "(VI_1): entering FAULT state due to script chk" but "(VI_1)
// entering FAULT state (no IPv4 address for interface)".
type fault struct {
	key string
	log string
}

// initKeyPrefix starts the key of a script yet to report (vrrp.Fault.Init).
const initKeyPrefix = "init:"

// tracking computes an instance's tracker sum and fault sources
// (reference 4.3, 5.7). Weighted trackers count for every instance but an
// address owner (whose priority never moves). A sync-group member without
// sync_group_tracking_weight has no weighted script, process or file of
// its own (the lowering drops them, as keepalived does), but its weighted
// track_interface (kept by the lowering) and its group's weighted
// trackers all apply: keepalived 2.2.7's interface entries keep the weight
// it says it ignores, and its sync_group_tracking_init adds the group's
// trackers with their weights (measured: members at 100 advertise 112 with
// an own interface weight 5 and a group interface weight 7, and 109 with a
// group script weight 9).
func (d *Daemon) tracking(in *instance) (sum int, faults []fault) {
	ci := in.cfg
	weighted := !ci.Owner()
	fam := "IPv4"
	if ci.Family == config.IPv6 {
		fam = "IPv6"
	}
	if in.conn == nil {
		faults = append(faults, fault{"socket", " entering FAULT state (no VRRP socket)"})
	}
	if !ci.DontTrackPrimary && ci.Interface != "" && !d.linkUp(ci.Interface) {
		faults = append(faults, fault{"if:" + ci.Interface, fmt.Sprintf(": entering FAULT state (interface %s down)", ci.Interface)})
	}
	switch {
	case !in.src.IsValid():
		what := "IPv4 address"
		if fam == "IPv6" {
			what = "IPv6 link local address"
		}
		faults = append(faults, fault{"src", fmt.Sprintf(" entering FAULT state (no %s for interface)", what)})
	case ci.TrackSrcIP && !d.hasLocal(in.src):
		faults = append(faults, fault{"src", fmt.Sprintf(" entering FAULT state (source address %s missing)", in.src)})
	}
	// The interfaces VIPs live on are tracked too (weight 0), unless no_track.
	seen := map[string]bool{ci.Interface: true}
	for _, a := range append(append([]config.Address(nil), ci.VIPs...), ci.ExcludedVIPs...) {
		if a.Dev == "" || a.NoTrack || seen[a.Dev] {
			continue
		}
		seen[a.Dev] = true
		if !d.linkUp(a.Dev) {
			faults = append(faults, fault{"if:" + a.Dev, fmt.Sprintf(": entering FAULT state (interface %s down)", a.Dev)})
		}
	}
	tis := ci.TrackInterfaces
	tss := ci.TrackScripts
	tfs := ci.TrackFiles
	if g := in.group; g != nil {
		tis = append(append([]config.TrackInterface(nil), tis...), g.cfg.TrackInterfaces...)
		tss = append(append([]config.TrackScript(nil), tss...), g.cfg.TrackScripts...)
		tfs = append(append([]config.TrackFileRef(nil), tfs...), g.cfg.TrackFiles...)
	}
	for _, ti := range tis {
		w := ti.Weight
		if !weighted {
			w = 0
		}
		delta, f := checker.Contribution(w, ti.Reverse, d.linkUp(ti.Name))
		sum += delta
		if f && !seen["track:"+ti.Name] {
			seen["track:"+ti.Name] = true
			faults = append(faults, fault{"if:" + ti.Name, fmt.Sprintf(": entering FAULT state (interface %s down)", ti.Name)})
		}
	}
	for _, ts := range tss {
		if (ts.Weight != 0 && !weighted) || (d.runnable != nil && !d.runnable[ts.Name]) {
			continue
		}
		st := d.track["script:"+ts.Name]
		if !st.Reported {
			if ts.Weight == 0 {
				// An unweighted script that has not reported yet keeps the
				// instance (and its sync group) out of BACKUP, silently
				// (reference 4.3): not a fault but keepalived's
				// num_script_init, which the core counts apart.
				faults = append(faults, fault{initKeyPrefix + "script:" + ts.Name, ""})
			}
			continue
		}
		delta, f := checker.Contribution(ts.Weight, ts.Reverse, st.OK)
		sum += delta
		if f {
			faults = append(faults, fault{"script:" + ts.Name, ": entering FAULT state due to script " + ts.Name})
		}
	}
	tps := ci.TrackProcesses
	if g := in.group; g != nil {
		tps = append(append([]config.TrackFileRef(nil), tps...), g.cfg.TrackProcesses...)
	}
	for _, tp := range tps {
		// track_process (Update kind "process", quorum met = OK): like a
		// script, but nothing until the first report.
		st := d.track["process:"+tp.Name]
		if !st.Reported || (tp.Weight != 0 && !weighted) {
			continue
		}
		delta, f := checker.Contribution(tp.Weight, tp.Reverse, st.OK)
		sum += delta
		if f {
			faults = append(faults, fault{"process:" + tp.Name, ": entering FAULT state due to track process " + tp.Name})
		}
	}
	for _, tf := range tfs {
		st := d.track["file:"+tf.Name]
		if !st.Reported {
			continue
		}
		delta, f := checker.FileContribution(st.Value, tf.Weight, tf.Reverse)
		if f {
			faults = append(faults, fault{"file:" + tf.Name, ": entering FAULT state due to track file " + tf.Name})
			continue
		}
		if weighted {
			sum += delta
		}
	}
	return sum, append(faults, d.conflictFaults(in)...)
}

// updateTracking tells the core what changed in an instance's faults and
// effective priority since last time, logging in keepalived's words.
func (d *Daemon) updateTracking(now time.Time, in *instance) {
	sum, faults := d.tracking(in)
	// on stays nil while there is no fault, as for most instances: an
	// empty map kept per instance is heap for nothing.
	var on map[string]bool
	var evs []vrrp.Event
	in.silentOnly = len(faults) > 0
	for _, f := range faults {
		if f.log != "" {
			in.silentOnly = false
		}
		if on[f.key] {
			continue
		}
		if on == nil {
			on = map[string]bool{}
		}
		on[f.key] = true
		if !in.faults[f.key] {
			// keepalived says "(VI_1): entering FAULT state due to script
			// chk" only when it starts an instance already failed
			// (initialise_track_script_state); a failure later is just the
			// script's line and the transition. A lost track_process quorum
			// is logged by the watcher ("Quorum lost for tracked process X").
			runtimeOnlyQuiet := strings.HasPrefix(f.key, "script:") || strings.HasPrefix(f.key, "process:")
			if f.log != "" && in.started && !runtimeOnlyQuiet {
				d.logFault(in, "("+in.name()+")"+f.log, f.key)
			}
			evs = append(evs, vrrp.Fault{Key: f.key, On: true, Init: strings.HasPrefix(f.key, initKeyPrefix)})
		}
	}
	var gone []string
	for k := range in.faults {
		if !on[k] {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		evs = append(evs, vrrp.Fault{Key: k, On: false, Init: strings.HasPrefix(k, initKeyPrefix)})
	}
	in.faults = on
	// The core clamps the total and logs "Changing effective priority".
	total := in.cfg.Priority + sum
	if total != in.prio {
		in.prio = total
		evs = append(evs, vrrp.Priority{Effective: total})
	}
	before := in.eng.Status().EffectivePriority
	for _, ev := range evs {
		d.step(now, in, ev)
	}
	if after := in.eng.Status().EffectivePriority; after != before && in.started &&
		(in.cfg.NotifyPrioChanges || d.cfg.Global.NotifyPrioChanges) {
		d.notify.PriorityChange(in.cfg, in.state.String(), after)
	}
}
