package daemon

import (
	"fmt"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// minAutoPriorityDelay is global_defs' min_auto_priority_delay (its
// default, 1 s, when unset): the loop counts as stalled once it runs this
// late.
func (d *Daemon) minAutoPriorityDelay() time.Duration {
	if d.cfg == nil {
		return config.DefaultMinAutoPriorityDelay
	}
	return d.cfg.Global.MinAutoPriority()
}

// checkStall is keepalived 2.4.3's check after each wake of its scheduler
// (lib/scheduler.c; vrrp_thread_timeout_handler for timer_expired_backup):
// when the loop runs more than min_auto_priority_delay after its earliest
// timer was due (the process was not scheduled: a suspended VM, a stopped
// process, a starved host), every MASTER with timer_expired_backup whose
// last advert is older than what a router of the highest other priority
// waits before taking over goes to BACKUP, before any late timer runs,
// instead of sending its stale advert over the router that took over. It
// runs before the timers and packets of the wake are handled.
func (d *Daemon) checkStall(now time.Time) {
	earliest, ok := d.nextDeadline()
	if !ok {
		return
	}
	late := now.Sub(earliest)
	if late <= d.minAutoPriorityDelay() {
		return
	}
	// keepalived's thread_timeout_min: the quickest takeover of any
	// instance with timer_expired_backup.
	var min time.Duration
	for _, in := range d.insts {
		if h := in.vcfg.TimerExpiredBackup; h != 0 {
			if m := vrrp.StalledMin(in.vcfg.Version, in.vcfg.AdvertInt, h); min == 0 || m < min {
				min = m
			}
		}
	}
	if min == 0 || late < min {
		return
	}
	logged := false
	for _, in := range d.insts {
		if in.vcfg.TimerExpiredBackup == 0 || in.eng == nil || in.state != vrrp.StateMaster {
			continue
		}
		d.step(now, in, vrrp.Stalled{})
		d.touch(in)
		if in.state == vrrp.StateMaster || logged {
			continue
		}
		// keepalived logs it once, at the first instance it moves (after
		// the transition; the order of the two lines is ours).
		us := late.Microseconds()
		d.log.Info(fmt.Sprintf("VRRP thread timer expired %d.%06d seconds ago", us/1000000, us%1000000))
		logged = true
	}
}
