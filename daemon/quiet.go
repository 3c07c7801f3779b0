package daemon

import (
	"runtime/debug"
	"time"
)

// The daemon works in bursts: start-up, a reload, a failover (state
// changes, VIPs, gratuitous ARPs, notify scripts) and then, for hours,
// nothing but one advert per instance and interval, which allocates
// nothing. After each burst, once the instances have settled, the memory
// the burst used goes back to the system: the caller's Options.Quiet does
// it, or else the daemon returns its freed heap. Doing this on events
// rather than on a timer keeps an idle daemon's memory flat.

// quietAfter is how long no instance may have changed state before the
// daemon counts as quiet.
const quietAfter = 2 * time.Second

// busy records a burst of work at now: the daemon is not quiet before
// quietAfter has passed. Leaving the quiet state calls Options.Busy.
func (d *Daemon) busy(now time.Time) {
	if d.quietAt.IsZero() {
		d.quietMu.Lock()
		d.bursts.Add(1)
		if d.opts.Busy != nil {
			d.opts.Busy()
		}
		d.quietMu.Unlock()
	}
	d.quietAt = now.Add(quietAfter)
}

// checkQuiet runs in the loop. Once quietAt has passed and every started
// instance has settled (out of INIT, no delayed gratuitous ARP burst
// pending), it calls Options.Quiet (or returns the freed heap), once per
// burst, unless the next burst has begun by then.
func (d *Daemon) checkQuiet(now time.Time) {
	if d.quietAt.IsZero() || now.Before(d.quietAt) {
		return
	}
	for _, in := range d.insts {
		if in.started && !in.eng.Settled() {
			d.quietAt = now.Add(time.Second)
			return
		}
	}
	d.quietAt = time.Time{}
	d.quiets.Add(1)
	burst := d.bursts.Load()
	go func() {
		d.quietMu.Lock()
		defer d.quietMu.Unlock()
		if d.bursts.Load() != burst {
			return
		}
		if d.opts.Quiet != nil {
			d.opts.Quiet()
		} else {
			debug.FreeOSMemory()
		}
	}()
}
