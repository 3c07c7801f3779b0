package daemon

import (
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os/exec"
	"sort"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// VIP conflict detection (keepalived has none). A MASTER asks the segment,
// on keepalived's GARP schedule (when it becomes master, again after
// garp_master_delay) and every keepalived_go_vip_conflict_interval after,
// who answers for each of its VIPs (netif's ARP probes and DAD neighbour
// solicitations); the other master's own GARPs and NAs are heard too. A
// claim from a MAC that is neither ours nor our VMAC means a second host
// holds the address: a second master whose adverts do not reach us, or a
// host squatting it.
//
// A claim is believed only when a second one comes at least
// conflictConfirm after the first while the instance stayed MASTER
// throughout (an extra probe is sent to get it): in a normal take-over the
// new master's first GARP may reach the old master before its advert
// does, and the old master leaves MASTER within milliseconds. A confirmed
// conflict is logged once per (VIP, other MAC) as an error, counted
// (/metrics, keepalived.stats, keepalived.json, /status, `keepalived
// status`) and passed to keepalived_go_notify_conflict.
//
// The election changes only with keepalived_go_conflict_policy
// lower-mac-yields: of the two MACs claiming the VIP, the lower one's
// instance enters FAULT for keepalived_go_conflict_hold, then BACKUP, and
// the normal election goes on. Why this rule: the two masters cannot
// learn each other's priority or mastership age (their adverts are what
// does not get through), but each sees both MACs, the same two for both,
// so exactly one of a pair running this policy yields. Against a peer
// that never yields (keepalived, or a squatter) ours yields only when its
// MAC is lower, and otherwise stays: there is never a moment with no
// holder that would not be there without the policy, except when the
// other MAC is a squatter with a higher MAC, which then keeps the address
// it answers for anyway. After the hold the instance may become master
// again (adverts still blocked), see the conflict again and yield again:
// the higher-MAC node holds the VIP all along but for that probe.

// conflictConfirm is how long after a first claim a second one confirms
// a conflict.
const conflictConfirm = time.Second

type conflictKey struct {
	inst string
	vip  netip.Addr
	mac  [6]byte
}

// conflictRec is one (instance, VIP, other MAC).
type conflictRec struct {
	ConflictStatus
	reported bool
	// The current episode: the mastership it belongs to (the instance's
	// last transition), its first claim, and whether it is confirmed.
	master    time.Time
	seen      time.Time
	confirmed bool
}

// ConflictStatus is one confirmed VIP conflict in /status and the dumps.
type ConflictStatus struct {
	VIP   string    `json:"vip"`
	MAC   string    `json:"mac"`
	Dev   string    `json:"interface"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Episodes counts the masterships in which it was confirmed; Claims
	// every claim heard.
	Episodes int `json:"episodes"`
	Claims   int `json:"claims"`
}

// conflicts is the detector's state, owned by the loop.
type conflicts struct {
	recs    map[conflictKey]*conflictRec
	probed  map[*instance]time.Time // last probe while master
	confirm map[*instance]time.Time // extra probe to confirm a claim
	holds   map[*instance]time.Time // lower-mac-yields: FAULT until
	wake    chan struct{}
	// addrs and alive are reused by every tick.
	addrs []netip.Addr
	alive map[*instance]bool
}

func (c *conflicts) init() {
	if c.recs == nil {
		c.recs = map[conflictKey]*conflictRec{}
		c.probed = map[*instance]time.Time{}
		c.confirm = map[*instance]time.Time{}
		c.holds = map[*instance]time.Time{}
		c.alive = map[*instance]bool{}
		c.wake = make(chan struct{}, 1)
	}
}

// nextProbe is when a master that entered MASTER at since, and last
// probed at last (zero: not in this mastership), probes next: at once, at
// since+delay (the GARP schedule's second burst, garp_master_delay; 0:
// none), then interval after the last probe.
func nextProbe(since, last time.Time, delay, interval time.Duration) time.Time {
	if last.IsZero() || last.Before(since) {
		return since
	}
	next := last.Add(interval)
	if second := since.Add(delay); delay > 0 && last.Before(second) && second.Before(next) {
		return second
	}
	return next
}

// yields reports whether, under lower-mac-yields, the instance whose
// interface has MAC own gives way to other.
func yields(policy string, own, other net.HardwareAddr) bool {
	return policy == config.ConflictPolicyLowerMACYields && len(own) == len(other) && bytes.Compare(own, other) < 0
}

// startConflicts starts the detector's two goroutines (probe timer and
// claim reader) when the host has a Prober; they end with the daemon.
func (d *Daemon) startConflicts() {
	p := d.opts.Host.Prober
	if p == nil {
		return
	}
	d.conf.init()
	go func() {
		t := time.NewTimer(0)
		defer t.Stop()
		for {
			select {
			case <-d.ctx.Done():
				return
			case <-t.C:
			case <-d.conf.wake:
			}
			next, ok := d.lockedTick()
			if !ok {
				return
			}
			wait := time.Hour
			if !next.IsZero() {
				wait = max(next.Sub(d.opts.Now()), 0)
			}
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			t.Reset(wait)
		}
	}()
	go func() {
		for {
			select {
			case <-d.ctx.Done():
				return
			case a := <-p.Answers():
				if d.do(func() error { d.onClaim(d.opts.Now(), a); return nil }) != nil {
					return
				}
			}
		}
	}()
}

// lockedTick runs conflictTick under the loop's lock on the probe timer's
// goroutine, as a socket's reader steps its advert (loop.go, Daemon.mu),
// and re-arms the loop's timer for what the tick changed. Handing each
// tick to the loop through do instead was a request and its reply channel
// per tick (1,000 masters tick about 200 times a second) and a wake-up of
// the loop goroutine each time. false: the daemon has stopped.
func (d *Daemon) lockedTick() (time.Time, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped || d.ctx.Err() != nil {
		return time.Time{}, false
	}
	var next time.Time
	d.safely("conflict probe", func() error { next = d.conflictTick(d.opts.Now()); return nil })
	d.armTimer()
	return next, true
}

// conflictWake is called on every transition: a new master probes at once.
func (d *Daemon) conflictWake() {
	if d.conf.wake != nil {
		select {
		case d.conf.wake <- struct{}{}:
		default:
		}
	}
}

// holding reports whether in holds its VIPs as master.
func holding(in *instance) bool {
	return in.state == vrrp.StateMaster && in.eng != nil && in.eng.Status().VIPsSet
}

// conflictTick sends the probes due by now, ends holds that are over, and
// returns when it wants to run next (zero: nothing scheduled).
func (d *Daemon) conflictTick(now time.Time) time.Time {
	c := &d.conf
	c.init()
	var next time.Time
	soonest := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	clear(c.alive)
	for _, in := range d.insts {
		c.alive[in] = true
	}
	for _, m := range [...]map[*instance]time.Time{c.probed, c.confirm, c.holds} {
		for in := range m {
			if !c.alive[in] {
				delete(m, in) // removed by a reload
			}
		}
	}
	for _, in := range d.insts {
		if until, ok := c.holds[in]; ok {
			if now.Before(until) {
				soonest(until)
			} else {
				delete(c.holds, in)
				d.logf(in, slog.LevelInfo, "VIP conflict hold over (keepalived_go_conflict_hold): leaving FAULT")
				d.updateTracking(now, in)
			}
		}
	}
	iv := d.cfg.Global.Conflict.Interval
	if iv <= 0 {
		return next
	}
	for _, in := range d.insts {
		if !holding(in) {
			delete(c.probed, in)
			delete(c.confirm, in)
			continue
		}
		due := nextProbe(in.lastTr, c.probed[in], in.vcfg.GarpMasterDelay, iv)
		if at, ok := c.confirm[in]; ok && at.Before(due) {
			due = at
		}
		if !due.After(now) {
			d.probe(in)
			c.probed[in] = now
			due = nextProbe(in.lastTr, now, in.vcfg.GarpMasterDelay, iv)
			// A regular probe earlier than the confirming one does not
			// replace it: its answer comes too soon to confirm.
			if at, ok := c.confirm[in]; ok && !now.Before(at) {
				delete(c.confirm, in)
			}
		}
		if at, ok := c.confirm[in]; ok && at.Before(due) {
			due = at
		}
		soonest(due)
	}
	return next
}

// probe sends one probe per VIP and eVIP of in, per interface.
func (d *Daemon) probe(in *instance) {
	c := &d.conf
	all := append(in.cfg.VIPs[:len(in.cfg.VIPs):len(in.cfg.VIPs)], in.cfg.ExcludedVIPs...)
	done := 0
	for done < len(all) {
		dev := ""
		c.addrs = c.addrs[:0]
		for _, a := range all {
			na := in.vipAddress(a)
			if dev == "" {
				dev = na.Dev
			}
			if na.Dev == dev {
				c.addrs = append(c.addrs, a.Addr())
			}
		}
		done += len(c.addrs)
		if err := d.opts.Host.Prober.Probe(dev, c.addrs); err != nil {
			d.logf(in, slog.LevelWarn, "cannot probe for VIP conflicts on %s: %v", dev, err)
		}
		if done < len(all) {
			// Rare: VIPs on several interfaces. Probe the rest one by one.
			for _, a := range all {
				na := in.vipAddress(a)
				if na.Dev != dev {
					if err := d.opts.Host.Prober.Probe(na.Dev, []netip.Addr{a.Addr()}); err != nil {
						d.logf(in, slog.LevelWarn, "cannot probe for VIP conflicts on %s: %v", na.Dev, err)
					}
				}
			}
			break
		}
	}
}

// onClaim takes one claim heard on the wire: for every master holding
// that VIP on that interface, a first claim starts an episode (and asks
// for a confirming probe), a claim conflictConfirm later confirms it.
func (d *Daemon) onClaim(now time.Time, a netif.ProbeAnswer) {
	c := &d.conf
	c.init()
	if len(a.MAC) != 6 {
		return
	}
	for _, in := range d.insts {
		if !holding(in) {
			continue
		}
		// Our VMAC is ours, unless another host sent it (netif's Twin: the
		// other master of a use_vmac pair has the same virtual MAC).
		if in.vmacName != "" && !a.Twin && bytes.Equal(a.MAC, netif.VMACAddr(uint8(in.cfg.VRID), in.cfg.Family == config.IPv6)) {
			continue
		}
		for _, v := range append(in.cfg.VIPs[:len(in.cfg.VIPs):len(in.cfg.VIPs)], in.cfg.ExcludedVIPs...) {
			if v.Addr() != a.Addr.Unmap() && v.Addr() != a.Addr || in.vipAddress(v).Dev != a.Ifname {
				continue
			}
			d.claim(now, in, v.Addr(), a)
		}
	}
}

func (d *Daemon) claim(now time.Time, in *instance, vip netip.Addr, a netif.ProbeAnswer) {
	c := &d.conf
	k := conflictKey{inst: in.name(), vip: vip, mac: [6]byte(a.MAC)}
	r := c.recs[k]
	if r == nil {
		r = &conflictRec{ConflictStatus: ConflictStatus{VIP: vip.String(), MAC: a.MAC.String(), Dev: a.Ifname}}
		c.recs[k] = r
	}
	r.Claims++
	if !r.master.Equal(in.lastTr) {
		r.master, r.seen, r.confirmed = in.lastTr, now, false
		c.confirm[in] = now.Add(conflictConfirm)
		d.conflictWake()
		return
	}
	if r.confirmed || now.Sub(r.seen) < conflictConfirm {
		return
	}
	r.confirmed = true
	r.Episodes++
	if r.First.IsZero() {
		r.First = now
	}
	r.Last = now
	if !r.reported {
		r.reported = true
		twin := ""
		if a.Twin {
			twin = " (our own MAC, sent by another host: with use_vmac both masters have it)"
		}
		d.logAttrs(in, slog.LevelError, fmt.Sprintf("(%s) VIP conflict: %s on %s is also answered by %s%s - another host holds this address: "+
			"a second MASTER whose adverts do not reach us (a firewall dropping IP protocol 112, a VRID clash with another router, "+
			"a different auth_pass or auth_type) or a host squatting the address", in.name(), vip, a.Ifname, a.MAC, twin),
			logging.Addr(vip.String()), logging.Ifname(a.Ifname), slog.String(logging.KeyMAC, a.MAC.String()), slog.Bool("twin", a.Twin))
		d.conflictNotify(in, vip, a.MAC)
	}
	g := d.cfg.Global.Conflict
	if _, held := c.holds[in]; !held && yields(g.Policy, a.Own, a.MAC) {
		c.holds[in] = now.Add(g.Hold)
		d.logAttrs(in, slog.LevelWarn, fmt.Sprintf("(%s) VIP conflict on %s with %s: our MAC %s is the lower (keepalived_go_conflict_policy %s) - entering FAULT for %s",
			in.name(), vip, a.MAC, a.Own, g.Policy, g.Hold),
			logging.Addr(vip.String()), slog.String(logging.KeyMAC, a.MAC.String()), logging.Reason("keepalived_go_conflict_policy "+g.Policy))
		d.updateTracking(now, in)
		d.conflictWake()
	}
}

// conflictFaults is the FAULT source of a yielding instance, for tracking.
func (d *Daemon) conflictFaults(in *instance) []fault {
	if _, ok := d.conf.holds[in]; ok {
		return []fault{{"conflict", " entering FAULT state (VIP conflict, keepalived_go_conflict_policy)"}}
	}
	return nil
}

// conflictNotify runs keepalived_go_notify_conflict VIP MAC INSTANCE,
// without waiting for it (reaped on a goroutine). It runs with the
// daemon's credentials: it is ours, not keepalived's, and keepalived's
// script_user rules do not apply to it.
func (d *Daemon) conflictNotify(in *instance, vip netip.Addr, mac net.HardwareAddr) {
	n := d.cfg.Global.Conflict.Notify
	if n == nil || len(n.Argv) == 0 {
		return
	}
	argv := append(append([]string(nil), n.Argv...), vip.String(), mac.String(), in.name())
	cmd := exec.Command(argv[0], argv[1:]...)
	if err := cmd.Start(); err != nil {
		d.logf(in, slog.LevelError, "cannot run keepalived_go_notify_conflict %s: %v", n.Raw, err)
		return
	}
	go func() { _ = cmd.Wait() }()
}

// instanceConflicts lists in's confirmed conflicts, oldest first.
func (d *Daemon) instanceConflicts(in *instance) []ConflictStatus {
	var out []ConflictStatus
	for k, r := range d.conf.recs {
		if k.inst == in.name() && r.Episodes > 0 {
			out = append(out, r.ConflictStatus)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].First.Equal(out[j].First) {
			return out[i].First.Before(out[j].First)
		}
		return out[i].VIP+out[i].MAC < out[j].VIP+out[j].MAC
	})
	return out
}

// conflictStatsText is the lines keepalived.stats gets per instance
// after keepalived's own, only when there was a conflict: the file stays
// byte for byte keepalived's otherwise.
func conflictStatsText(cs []ConflictStatus) string {
	n := 0
	for _, c := range cs {
		n += c.Episodes
	}
	if n == 0 {
		return ""
	}
	s := fmt.Sprintf("  VIP Conflicts: %d\n", n)
	for _, c := range cs {
		s += fmt.Sprintf("    %s answered by %s on %s: %d time(s)\n", c.VIP, c.MAC, c.Dev, c.Episodes)
	}
	return s
}

// conflictMetrics appends the conflict counters to /metrics.
func conflictMetrics(b *bytes.Buffer, s Status) {
	fmt.Fprintf(b, "# HELP keepalived_vip_conflicts_total VIP conflicts confirmed (another MAC answering for a VIP of a master), per mastership.\n# TYPE keepalived_vip_conflicts_total counter\n")
	for _, in := range s.Instances {
		n := 0
		for _, c := range in.Conflicts {
			n += c.Episodes
		}
		fmt.Fprintf(b, "keepalived_vip_conflicts_total{iname=\"%s\"} %d\n", esc(in.Name), n)
	}
}
