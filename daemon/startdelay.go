package daemon

import (
	"log/slog"
	"strconv"
	"time"
)

// vrrp_startup_delay (and 2.4's vrrp_delay_after_boot, lowered into the
// same value): at first start, not on reload, keepalived sets
// vrrp_delayed_start_time to now plus the delay. Until then every received
// advert is discarded unread, and the instances' first timers count from
// the end of the delay, so a node that boots beside a running master stays
// BACKUP and sends nothing for the delay plus its down timer (keepalived
// vrrp_daemon.c start_vrrp, vrrp_scheduler.c vrrp_init_instance_sands and
// vrrp_read_dispatcher_thread).

// beginStartupDelay starts the delay of the first configuration, if any.
func (d *Daemon) beginStartupDelay(now time.Time) {
	delay := d.cfg.Global.StartupDelay
	if delay <= 0 {
		return
	}
	d.delayUntil = now.Add(delay)
	d.log.Info("Delaying startup for "+strconv.FormatFloat(delay.Seconds(), 'g', 6, 64)+" seconds", slog.Duration("delay", delay))
}

// delaying reports whether the start-up delay still runs at now; the first
// call after it ended logs keepalived's "Delayed start completed".
func (d *Daemon) delaying(now time.Time) bool {
	if d.delayUntil.IsZero() {
		return false
	}
	if now.Before(d.delayUntil) {
		return true
	}
	d.delayUntil = time.Time{}
	d.log.Info("Delayed start completed")
	return false
}
