package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/vrrp"
)

// applyReload carries out the plan from the running configuration to next
// on the loop goroutine, between two events, so no advert is delayed:
//
//  1. every new instance's state machine is built first; if one cannot
//     be, the reload is refused and nothing has changed;
//  2. removed instances stop (a master sends priority 0 and drops its
//     VIPs) and are notified DELETED (or FAULT, reference 6.8);
//  3. kept instances are reconfigured in place, keeping their state: a
//     master adds its new VIPs, eVIPs, routes and rules before it removes
//     the old ones, and announces only the added addresses;
//  4. new instances start;
//  5. sync groups are rebuilt, scripts restarted with their last results
//     carried over, static entries diffed (added before removed).
func (d *Daemon) applyReload(now time.Time, next *config.Config) error {
	plan := config.Diff(d.cfg, next)
	return d.applyPlan(now, next, plan, planLines(plan))
}

// planLines is the plan as log lines, without the unchanged instances.
func planLines(p config.Plan) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(p.String()), "\n") {
		if !strings.HasSuffix(l, ": unchanged") {
			out = append(out, "reload: "+l)
		}
	}
	return out
}

// applyPlan is applyReload with the plan and its log lines already
// computed (Reload computes them outside the loop: on 1,000 instances they
// are most of the work).
func (d *Daemon) applyPlan(now time.Time, next *config.Config, plan config.Plan, lines []string) error {
	// 1. Build what is new, before touching anything.
	d.learnLinks(next)
	fresh := map[*config.Instance]*instance{}
	var errs []error
	for _, c := range plan.Instances {
		if c.Op != config.OpAdd {
			continue
		}
		in, err := d.newInstance(c.New, next)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fresh[c.New] = in
	}
	if len(errs) > 0 {
		for _, in := range fresh {
			if in.vmac != "" && d.opts.Host.VMACs != nil {
				_ = d.opts.Host.VMACs.DeleteVMAC(in.vmac)
			}
			d.deleteAddrVMACs(in, nil)
		}
		err := errors.Join(errs...)
		d.log.Error(fmt.Sprintf("reload refused, keeping the running configuration: %v", err), logging.Err(err))
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	for _, l := range lines {
		d.log.Info(l)
	}
	byCfg := map[*config.Instance]*instance{}
	for _, in := range d.insts {
		byCfg[in.cfg] = in
	}
	old := d.cfg
	d.cfg = next
	dropPositions(next)
	// 2. Removals. An address VMAC a new instance found and uses stays.
	reused := map[string]bool{}
	for _, in := range fresh {
		for _, n := range in.addrVMAC.devs() {
			reused[n] = true
		}
	}
	for _, c := range plan.Instances {
		if c.Op == config.OpRemove {
			if in := byCfg[c.Old]; in != nil {
				d.removeInstance(now, in, reused)
			}
		}
	}
	// Notify FIFOs and the script user are global: a change needs a new
	// notifier. The old one drains its queue in the background.
	if d.opts.notifier == nil && !notifySettingsEqual(old.Global, next.Global) {
		oldN := d.notify
		d.notify = newNotifier(next, d.log)
		go oldN.Close()
	}
	d.setupMail(next)
	// 3 and 4, in the new configuration's order.
	var insts []*instance
	var started, kept []*instance
	for _, c := range plan.Instances {
		switch c.Op {
		case config.OpKeep:
			in := byCfg[c.Old]
			if in == nil {
				continue
			}
			d.reconfigure(now, in, c, next)
			insts = append(insts, in)
			kept = append(kept, in)
		case config.OpAdd:
			in := fresh[c.New]
			in.conn = d.acquireConn(in)
			insts = append(insts, in)
			started = append(started, in)
		}
	}
	d.insts = insts
	d.timers.dirty = true
	oldEngs := d.groupEngines()
	d.buildGroups(next)
	d.restartScripts(next)
	// keepalived's vrrp_complete_init comes after the scripts' carried
	// states ("considered successful on reload").
	d.logSecurityViolation(next)
	d.restartProcs(next)
	// keepalived's restore_vrrp_state (after the scripts' "considered
	// successful on reload"): a kept instance that held its VIPs has them
	// set for the new configuration (reconfigure added the new ones), and
	// -D says so.
	if d.detail() {
		for _, in := range insts {
			if in.started && in.vipsSet && fresh[in.cfg] == nil {
				if len(in.cfg.VIPs) > 0 {
					d.logf(in, slog.LevelInfo, "setting VIPs.")
				}
				if len(in.cfg.ExcludedVIPs) > 0 {
					d.logf(in, slog.LevelInfo, "setting E-VIPs.")
				}
			}
		}
	}
	for _, in := range d.insts {
		if in.started {
			d.updateTracking(now, in)
		}
	}
	for _, in := range started {
		d.startInstance(now, in)
	}
	d.applyStatic(plan.Static)
	d.fifoStatesOnReload(kept, oldEngs)
	d.busy(now)
	d.log.Info("Reload finished")
	go returnMemory()
	return nil
}

// notifySettingsEqual reports whether two global_defs open the same notify
// FIFOs and run scripts as the same user.
func notifySettingsEqual(a, b config.Global) bool {
	return config.Equal(reflect.ValueOf(a.NotifyFifo), reflect.ValueOf(b.NotifyFifo)) &&
		config.Equal(reflect.ValueOf(a.VRRPNotifyFifo), reflect.ValueOf(b.VRRPNotifyFifo)) &&
		a.ScriptUser == b.ScriptUser && a.ScriptGroup == b.ScriptGroup &&
		a.EnableScriptSecurity == b.EnableScriptSecurity
}

// removeInstance stops an instance the new configuration no longer has.
// Its address VMACs go too, but those named in keep.
func (d *Daemon) removeInstance(now time.Time, in *instance, keep map[string]bool) {
	d.mode = modeDeleting
	if in.started {
		d.step(now, in, vrrp.Shutdown{})
	}
	d.mode = modeNormal
	d.releaseConn(in)
	if in.vmac != "" && d.opts.Host.VMACs != nil {
		if err := d.opts.Host.VMACs.DeleteVMAC(in.vmac); err != nil {
			d.logf(in, slog.LevelWarn, "cannot delete VMAC %s: %v", in.vmac, err)
		}
	}
	d.deleteAddrVMACs(in, keep)
}

// reconfigure applies an in-place change to a kept instance. Its state,
// counters and socket are kept.
func (d *Daemon) reconfigure(now time.Time, in *instance, c config.InstanceChange, next *config.Config) {
	if !c.Changed() {
		// Same model (the identity, hence the multicast group, is the
		// same too): nothing for the core; link changes move the source
		// through refreshSource.
		in.cfg = c.New
		return
	}
	holding := in.eng.Status().VIPsSet
	in.cfg = c.New
	if holding {
		// New addresses first, then the old ones go: nothing that stays
		// configured is ever absent.
		d.addAddrs(in, c.VIPs.Add)
		d.addAddrs(in, c.Excluded.Add)
		d.addRoutes(in, c.Routes.Add)
		d.addRules(in, c.Rules.Add)
		d.delRules(in, c.Rules.Del)
		d.delRoutes(in, c.Routes.Del)
		d.delAddrs(in, c.Excluded.Del)
		d.delAddrs(in, c.VIPs.Del)
	}
	in.src = d.source(c.New)
	vcfg := vrrpConfig(next, c.New, in.src)
	if !reflect.DeepEqual(vcfg, in.vcfg) {
		in.vcfg = vcfg
		if in.conn != nil && connKey(in) != in.conn.key {
			// auth_type AH on or off: AH is IP protocol 51, another socket
			d.releaseConn(in)
			in.conn = d.acquireConn(in)
		}
		// Through the instance's sync group as it stood before the reload
		// (the groups are rebuilt after it). The core sends the advert and
		// announces what the reload added.
		d.step(now, in, vrrp.Reconfigure{Config: vcfg})
	}
}
