package daemon

import (
	"log/slog"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// garp_extra_if / vrrp_garp_extra_if (keepalived 2.2.7 vrrp.c
// vrrp_send_vmac_update): while MASTER with its VIPs set, every interval
// an instance sends one more gratuitous ARP (or NA) on each other
// interface that carries one of its VIPs or eVIPs, for the first such
// address there. The timer starts when the VIPs are set, and it is
// checked, as keepalived checks it, each time an advert is sent.
// keepalived sends them on the VMACs it made for addresses (use_vmac_addr,
// addrvmac.go) and, with "all", on every such interface.

// startExtraIfGarp arms the timer when the instance sets its VIPs (not
// again for addresses a reload adds while it holds them; DelVIPs stops it).
func (d *Daemon) startExtraIfGarp(now time.Time, in *instance) {
	if !in.extraGarpAt.IsZero() {
		return
	}
	if e := in.cfg.ExtraIfGarp(&d.cfg.Global); e.Interval > 0 && (e.AllIf || len(in.addrVMAC.devs()) > 0) {
		in.extraGarpAt = now.Add(e.Interval)
	}
}

// extraIfGarp is called after each advert: once the timer is past, one
// message per other interface, and the timer again.
func (d *Daemon) extraIfGarp(now time.Time, in *instance) {
	if in.extraGarpAt.IsZero() || !in.vipsSet || !now.After(in.extraGarpAt) {
		return
	}
	e := in.cfg.ExtraIfGarp(&d.cfg.Global)
	if e.Interval <= 0 || (!e.AllIf && len(in.addrVMAC.devs()) == 0) {
		in.extraGarpAt = time.Time{}
		return
	}
	in.extraGarpAt = now.Add(e.Interval)
	var done []string
	for _, list := range [][]config.Address{in.cfg.VIPs, in.cfg.ExcludedVIPs} {
		for _, a := range list {
			dev := in.vipAddress(a).Dev
			if dev == in.cfg.Interface || dev == in.ifname || slices.Contains(done, dev) {
				continue
			}
			if !e.AllIf && !slices.Contains(slices.Collect(maps.Values(in.addrVMAC.devs())), dev) {
				continue // without "all": the address VMACs only
			}
			done = append(done, dev)
			addr := a.Addr()
			if gap := d.garpInterval(addr); gap > 0 {
				d.queueGarp(now, in, dev, addr, 1, gap)
				continue
			}
			if err := d.opts.Host.Announcer.Announce(dev, []netip.Addr{addr}); err != nil {
				d.logf(in, slog.LevelWarn, "cannot send gratuitous ARP/NA on %s: %v", dev, err)
			}
		}
	}
}
