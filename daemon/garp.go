package daemon

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/keepalived-go/keepalived/logging"
)

// Gratuitous ARP / NA pacing (vrrp_garp_interval, vrrp_gna_interval;
// reference 6.6): with an interval set, the messages for one interface are
// spaced by it instead of leaving back to back. Queued messages are sent
// from the loop's timer, and only while their instance still holds its
// VIPs: a master that resigned never announces an address afterwards.

// garpJob is one queued gratuitous ARP or NA.
type garpJob struct {
	at   time.Time
	in   *instance
	dev  string
	addr netip.Addr
}

// garpInterval is the spacing for one address's family (0: none).
func (d *Daemon) garpInterval(a netip.Addr) time.Duration {
	if a.Is4() || a.Is4In6() {
		return d.cfg.Global.GarpInterval
	}
	return d.cfg.Global.GnaInterval
}

// queueGarp schedules repeat messages for addr on dev, each at least the
// family's interval after the previous one on that interface.
func (d *Daemon) queueGarp(now time.Time, in *instance, dev string, addr netip.Addr, repeat int, gap time.Duration) {
	if d.garpNext == nil {
		d.garpNext = map[string]time.Time{}
	}
	for i := 0; i < repeat; i++ {
		at := d.garpNext[dev]
		if at.Before(now) {
			at = now
		}
		d.garpQ = append(d.garpQ, garpJob{at: at, in: in, dev: dev, addr: addr})
		d.garpNext[dev] = at.Add(gap)
	}
}

// nextGarp is the earliest queued message.
func (d *Daemon) nextGarp() (time.Time, bool) {
	var t time.Time
	for _, j := range d.garpQ {
		if t.IsZero() || j.at.Before(t) {
			t = j.at
		}
	}
	return t, !t.IsZero()
}

// sendDueGarps sends the queued messages due by now, in queue order.
func (d *Daemon) sendDueGarps(now time.Time) {
	kept := d.garpQ[:0]
	for _, j := range d.garpQ {
		if j.at.After(now) {
			kept = append(kept, j)
			continue
		}
		if j.in.eng == nil || !j.in.eng.Status().VIPsSet || !d.running(j.in) {
			continue
		}
		d.logSent(j.dev, []netip.Addr{j.addr})
		if err := d.opts.Host.Announcer.Announce(j.dev, []netip.Addr{j.addr}); err != nil {
			d.logf(j.in, slog.LevelWarn, "cannot send gratuitous ARP/NA on %s: %v", j.dev, err)
		}
	}
	d.garpQ = kept
}

// running reports whether in is one of the loop's instances (not removed
// by a reload).
func (d *Daemon) running(in *instance) bool {
	for _, x := range d.insts {
		if x == in {
			return true
		}
	}
	return false
}

// logSent logs keepalived's -D line for each gratuitous ARP / unsolicited
// NA about to leave (vrrp_arp.c send_arp, vrrp_ndisc.c), without the
// instance name, as keepalived logs it.
func (d *Daemon) logSent(dev string, addrs []netip.Addr) {
	if !d.detail() {
		return
	}
	for _, a := range addrs {
		if a.Is4() || a.Is4In6() {
			d.log.Info("Sending gratuitous ARP on "+dev+" for "+a.Unmap().String(), logging.Ifname(dev), logging.Addr(a.String()))
		} else {
			d.log.Info("Sending unsolicited Neighbour Advert on "+dev+" for "+a.String(), logging.Ifname(dev), logging.Addr(a.String()))
		}
	}
}
