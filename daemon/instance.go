package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// instance is one running vrrp_instance: its model, its state machine, the
// socket it speaks on and what the core was last told about tracking.
type instance struct {
	cfg  *config.Instance
	vcfg vrrp.Config
	eng  engine
	conn *conn
	// ifname is where adverts go and VIPs live: the VMAC or the interface.
	ifname   string
	vmac     string // VMAC we created (deleted at stop), "" if none
	vmacName string // VMAC in use, "" if none
	// addrVMAC: the VMACs of its addresses (addrvmac.go; nil: none). A
	// pointer, as few configs use use_vmac_addr: the struct stays in the
	// 576-byte size class.
	addrVMAC *addrVMACSet
	src      netip.Addr
	group    *group
	faults   map[string]bool // fault sources the core was told are on (nil: none)
	prio     int             // effective priority the core was told
	state    vrrp.State      // last state entered
	lastTr   time.Time
	why      causeNote // the cause of its last transition (reason.go)
	// extraGarpAt is when garp_extra_if sends next (zero: off; extragarp.go).
	extraGarpAt time.Time
	// statsBase is subtracted from the core's counters (STATS_CLEAR; nil:
	// never cleared). A pointer, as few daemons ever clear: 176 bytes
	// less per instance (with the field order below, 576 bytes instead of
	// 760, and its size class 576 instead of 768).
	statsBase *vrrp.Stats
	// The timer heap's view of the core's NextDeadline (see timers.go).
	// The flags side by side: the struct stays in the 576-byte size class
	// (a field order that pads each bool to 8 bytes takes it to 640).
	deadline    time.Time
	heapIdx     int
	hasDeadline bool
	touched     bool // in the timers' touched list
	started     bool
	// vipsSet: the core holds the VIPs (its last AddVIPs or DelVIPs).
	vipsSet bool
	// silentOnly: every fault source is one keepalived keeps quiet about
	// (an unweighted script that has not reported yet).
	silentOnly bool
	// initFaultLogged: logInitProcessFaults said why it starts in FAULT.
	initFaultLogged bool
}

func (in *instance) name() string { return in.cfg.Name }

// baseIf is the configured interface (where the source address is taken).
func (in *instance) baseIf() string { return in.cfg.Interface }

// group is one running vrrp_sync_group.
type group struct {
	cfg     *config.SyncGroup
	eng     groupEngine
	members []*instance
	state   vrrp.State // last state all members agreed on
}

// conn is one VRRP socket shared by the instances on the same interface,
// family and group (or unicast source).
type conn struct {
	key    netif.ConnConfig
	c      netif.Conn
	users  int
	cancel context.CancelFunc
	// byVRID routes received adverts to the instances on this socket.
	byVRID map[uint8][]*instance
}

// logf logs a line prefixed by the instance name, in keepalived's form.
func (d *Daemon) logf(in *instance, lvl slog.Level, format string, args ...any) {
	d.logAttrs(in, lvl, "("+in.name()+") "+fmt.Sprintf(format, args...))
}

// detail reports whether keepalived's -D/--log-detail lines are wanted:
// -D is what lowers the logger to debug level. Those lines are logged at
// info level, as keepalived logs them.
func (d *Daemon) detail() bool {
	return d.log.Enabled(context.Background(), slog.LevelDebug)
}

// start brings the configuration up at first start: it learns the
// interfaces, removes what a crashed run left behind, installs the static
// entries, builds every instance and starts them.
func (d *Daemon) start(now time.Time) error {
	if d.opts.notifier != nil {
		d.notify = d.opts.notifier
	} else {
		d.notify = newNotifier(d.cfg, d.log)
	}
	d.setupMail(d.cfg)
	d.learnLinks(d.cfg)
	d.cleanupLeftovers(d.cfg)
	d.applyStatic(config.Diff(nil, d.cfg).Static)
	var errs []error
	for _, ci := range d.cfg.Instances {
		in, err := d.newInstance(ci, d.cfg)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.attach(in)
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	d.buildGroups(d.cfg)
	d.startScripts(d.cfg, nil)
	d.startProcs(d.cfg)
	d.beginStartupDelay(now)
	// keepalived knows every instance's tracking before the first one
	// starts (initialise_tracking_priorities, then vrrp_init_state): a sync
	// group's start state depends on all its members.
	for _, in := range d.insts {
		d.initTracking(now, in)
	}
	d.logInitProcessFaults()
	for _, in := range d.insts {
		d.startInstance(now, in)
	}
	d.busy(now)
	return nil
}

// learnLinks looks up every interface the configuration names.
func (d *Daemon) learnLinks(cfg *config.Config) {
	names := map[string]bool{}
	for _, ci := range cfg.Instances {
		names[ci.Interface] = true
		for _, ti := range ci.TrackInterfaces {
			names[ti.Name] = true
		}
		for _, a := range append(append([]config.Address(nil), ci.VIPs...), ci.ExcludedVIPs...) {
			names[a.Dev] = true
		}
	}
	for _, g := range cfg.SyncGroups {
		for _, ti := range g.TrackInterfaces {
			names[ti.Name] = true
		}
	}
	delete(names, "")
	for n := range names {
		if _, ok := d.links[n]; ok {
			continue
		}
		l, err := d.opts.Host.Links.Lookup(n)
		if err != nil {
			d.links[n] = &linkState{Link: netif.Link{Name: n}}
			continue
		}
		d.links[n] = &linkState{Link: l, exists: true}
	}
}

func (d *Daemon) linkUp(name string) bool {
	ls := d.links[name]
	return ls != nil && ls.exists && ls.Up
}

// cleanupLeftovers removes, at first start, the VIPs, routes and rules a
// previous (crashed) run may have left on the host, as keepalived does
// (reference 6.5): a VIP must never stay on two hosts.
func (d *Daemon) cleanupLeftovers(cfg *config.Config) {
	for _, ci := range cfg.Instances {
		dev := ci.Interface
		for _, a := range append(append([]config.Address(nil), ci.VIPs...), ci.ExcludedVIPs...) {
			na := netAddress(a, dev)
			if ok, err := d.opts.Host.Addresses.HasAddr(na); err == nil && ok {
				d.log.Info(fmt.Sprintf("(%s) removing leftover VIP %s from %s", ci.Name, na.Prefix, na.Dev), logging.Instance(ci.Name), logging.VRID(ci.VRID), logging.Addr(na.Prefix.String()), logging.Ifname(na.Dev))
				if err := d.opts.Host.Addresses.DelAddr(na); err != nil {
					d.log.Warn(fmt.Sprintf("(%s) cannot remove leftover VIP %s: %v", ci.Name, na.Prefix, err), logging.Instance(ci.Name), logging.VRID(ci.VRID), logging.Addr(na.Prefix.String()), logging.Err(err))
				}
			}
		}
		for _, r := range ci.Routes {
			_ = d.opts.Host.Addresses.DelRoute(netRoute(r))
		}
		for _, r := range ci.Rules {
			_ = d.opts.Host.Addresses.DelRule(netRule(r))
		}
	}
}

// newInstance builds an instance (no side effect on the host but the VMAC):
// its source address, its core configuration and its state machine.
func (d *Daemon) newInstance(ci *config.Instance, cfg *config.Config) (*instance, error) {
	in := &instance{cfg: ci, ifname: ci.Interface, prio: ci.Priority}
	if ci.UseVMAC {
		if d.opts.Host.VMACs == nil {
			d.logf(in, slog.LevelWarn, "use_vmac is not supported on this host - using %s", ci.Interface)
		} else {
			mac := vmacAddr(ci)
			name, created, err := d.opts.Host.VMACs.EnsureVMAC(ci.Interface, vmacName(ci, &cfg.Global), mac, ci.Family == config.IPv6)
			if err != nil {
				d.logf(in, slog.LevelError, "cannot create VMAC: %v - using %s", err, ci.Interface)
			} else {
				if ci.Family != config.IPv6 && hasEVIPv6(ci) {
					// keepalived's VRRP_FLAG_EVIP_OTHER_FAMILY: the VMAC
					// keeps IPv6 for the eVIPs (still no link-local).
					if e, ok := d.opts.Host.VMACs.(netif.VMACIPv6); ok {
						if err := e.EnableIPv6(name); err != nil {
							d.logf(in, slog.LevelWarn, "cannot enable IPv6 on %s for the IPv6 eVIPs: %v", name, err)
						}
					}
				}
				if created {
					in.vmac = name
				}
				in.vmacName = name
				if !ci.VMACXmitBase {
					in.ifname = name
				}
			}
		}
	}
	d.ensureAddrVMACs(in, cfg)
	in.src = d.source(ci)
	in.vcfg = vrrpConfig(cfg, ci, in.src)
	eng, err := newEngine(in.vcfg)
	if err != nil {
		return nil, fmt.Errorf("daemon: %s: instance %s: %w", ci.Pos, ci.Name, err)
	}
	in.eng = eng
	return in, nil
}

// hasEVIPv6 reports whether an instance has IPv6 eVIPs.
func hasEVIPv6(ci *config.Instance) bool {
	for _, a := range ci.ExcludedVIPs {
		if a.Prefix.Addr().Is6() {
			return true
		}
	}
	return false
}

// vmacAddr is the instance's VMAC address: use_vmac's MAC (5 octets get
// the VRID appended), else 00:00:5e:00:01|02:VRID.
func vmacAddr(ci *config.Instance) net.HardwareAddr {
	if ci.VMACAddr != "" {
		if hw, err := net.ParseMAC(ci.VMACAddr); err == nil {
			return hw
		}
		if hw, err := net.ParseMAC(ci.VMACAddr + fmt.Sprintf(":%02x", ci.VRID)); err == nil {
			return hw
		}
	}
	b := byte(0x01)
	if ci.Family == config.IPv6 {
		b = 0x02
	}
	return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, b, byte(ci.VRID)}
}

// attach opens (or shares) the instance's socket and adds it to the loop.
func (d *Daemon) attach(in *instance) {
	in.conn = d.acquireConn(in)
	d.insts = append(d.insts, in)
	d.timers.dirty = true
}

// initTracking tells the core an instance's tracking state before it starts.
func (d *Daemon) initTracking(now time.Time, in *instance) {
	if in.conn == nil && !in.faults["socket"] {
		if in.faults == nil {
			in.faults = map[string]bool{}
		}
		in.faults["socket"] = true
		d.step(now, in, vrrp.Fault{Key: "socket", On: true})
	}
	d.updateTracking(now, in)
}

// startInstance starts an instance (its tracking told first).
func (d *Daemon) startInstance(now time.Time, in *instance) {
	d.initTracking(now, in)
	// keepalived's vrrp_init_state clears the addresses of every instance
	// that does not start as the address owner (force), which -D logs.
	if d.detail() && !(in.cfg.Owner() && in.cfg.State != config.StateBackup) {
		if len(in.cfg.VIPs) > 0 {
			d.logf(in, slog.LevelInfo, "removing VIPs.")
		}
		if len(in.cfg.ExcludedVIPs) > 0 {
			d.logf(in, slog.LevelInfo, "removing E-VIPs.")
		}
	}
	in.started = true
	d.step(now, in, vrrp.Startup{DelayUntil: d.delayUntil})
}

// source picks the advert source address as keepalived does: the
// configured unicast_src_ip / mcast_src_ip, else the interface's primary
// IPv4 address or first IPv6 link-local address.
func (d *Daemon) source(ci *config.Instance) netip.Addr {
	if ci.UnicastSrc.IsValid() {
		return ci.UnicastSrc
	}
	if ci.McastSrc.IsValid() {
		return ci.McastSrc
	}
	ls := d.links[ci.Interface]
	if ls == nil || !ls.exists {
		return netip.Addr{}
	}
	var a netip.Addr
	if ci.Family == config.IPv6 {
		a, _ = ls.LinkLocal6()
	} else {
		a, _ = ls.PrimaryIPv4()
	}
	return a
}

// hasLocal reports whether addr is on any interface we know.
func (d *Daemon) hasLocal(addr netip.Addr) bool {
	for _, ls := range d.links {
		for _, p := range ls.Addrs {
			if p.Addr() == addr {
				return true
			}
		}
	}
	return false
}

// refreshSource re-picks the source after an address or link change and
// reconfigures the core when it moved.
func (d *Daemon) refreshSource(now time.Time, in *instance) {
	src := d.source(in.cfg)
	if src == in.src {
		return
	}
	in.src = src
	in.vcfg.Src = src
	if src.IsValid() && in.started {
		d.step(now, in, vrrp.Reconfigure{Config: in.vcfg})
	}
}

// connKey is the socket an instance speaks on.
func connKey(in *instance) netif.ConnConfig {
	k := netif.ConnConfig{Ifname: in.ifname, IPv6: in.vcfg.IPv6}
	// auth_type AH (VRRPv2 over IPv4 only) speaks IP protocol 51
	k.AH = in.vcfg.AuthType == vrrp.AuthAH && !in.vcfg.IPv6 && in.vcfg.Version == 2
	if len(in.vcfg.UnicastPeers) > 0 {
		k.Src = in.src
	} else {
		k.Group = in.vcfg.McastGroup
	}
	return k
}

// acquireConn returns the shared socket for the instance, opening it and
// its reader goroutine on first use. nil means it could not be opened (the
// instance is then held in FAULT).
func (d *Daemon) acquireConn(in *instance) *conn {
	key := connKey(in)
	if c := d.conns[key]; c != nil {
		c.users++
		c.byVRID[in.vcfg.VRID] = append(c.byVRID[in.vcfg.VRID], in)
		return c
	}
	nc, err := d.opts.Host.Listen(key)
	if err != nil {
		d.logf(in, slog.LevelError, "cannot open VRRP socket on %s: %v", key.Ifname, err)
		return nil
	}
	ctx, cancel := context.WithCancel(d.ctx)
	c := &conn{key: key, c: nc, users: 1, cancel: cancel, byVRID: map[uint8][]*instance{in.vcfg.VRID: {in}}}
	d.conns[key] = c
	d.readers.Add(1)
	go d.read(ctx, c, nc)
	return c
}

// reopenConns opens again the sockets on an interface that was
// re-created (sockets are bound to an interface index). The instances keep
// their conn; its reader is restarted.
func (d *Daemon) reopenConns(ifname string) {
	for _, c := range d.conns {
		if c.key.Ifname != ifname {
			continue
		}
		nc, err := d.opts.Host.Listen(c.key)
		if err != nil {
			d.log.Warn(fmt.Sprintf("cannot reopen VRRP socket on %s: %v", ifname, err), logging.Ifname(ifname), logging.Err(err))
			continue
		}
		c.cancel()
		c.c.Close()
		ctx, cancel := context.WithCancel(d.ctx)
		c.c, c.cancel = nc, cancel
		d.readers.Add(1)
		go d.read(ctx, c, nc)
	}
}

// releaseConn drops the instance's use of its socket and closes it with
// the last user.
func (d *Daemon) releaseConn(in *instance) {
	c := in.conn
	in.conn = nil
	if c == nil {
		return
	}
	list := c.byVRID[in.vcfg.VRID]
	for i, x := range list {
		if x == in {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.byVRID, in.vcfg.VRID)
	} else {
		c.byVRID[in.vcfg.VRID] = list
	}
	c.users--
	if c.users > 0 {
		return
	}
	c.cancel()
	c.c.Close()
	delete(d.conns, c.key)
}

// read is the one reader goroutine of a socket, and it hands what it
// reads to the core itself, under the loop's lock (Daemon.mu): the packet
// stays in the socket's own receive buffer (netif's Payload is valid
// until the next Recv) while the instance steps, so a received advert is
// neither copied nor allocated, and no other goroutine is woken for it.
// The kernel queues what arrives meanwhile, and the next Recv takes it
// without sleeping. It reads nc, not c.c, which reopenConns replaces under
// a new reader; a reader cancelled while it waited for the lock (its
// socket released or reopened, or the daemon stopping) drops its packet.
func (d *Daemon) read(ctx context.Context, c *conn, nc netif.Conn) {
	defer d.readers.Done()
	backoff := 10 * time.Millisecond
	for {
		p, err := nc.Recv(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return
			}
			d.log.Warn(fmt.Sprintf("VRRP socket on %s: %v", c.key.Ifname, err), logging.Ifname(c.key.Ifname), logging.Err(err))
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			if backoff < time.Second {
				backoff *= 2
			}
			continue
		}
		backoff = 10 * time.Millisecond
		d.mu.Lock()
		if ctx.Err() != nil {
			d.mu.Unlock()
			return
		}
		d.safely("packet", func() error { d.onPacket(d.opts.Now(), rxPacket{conn: c, pkt: p}); return nil })
		d.armTimer()
		d.mu.Unlock()
	}
}

// buildGroups (re)creates the sync-group layer over the running instances.
// A group matched by name with the same running members keeps its state
// machine (reference 6.8); every other old group is dissolved first, so
// that the new groups take their members (an instance is in one group).
func (d *Daemon) buildGroups(cfg *config.Config) {
	old := map[string]*group{}
	for _, g := range d.groups {
		old[g.cfg.Name] = g
	}
	for _, in := range d.insts {
		in.group = nil
	}
	d.groups = nil
	byName := map[string]*instance{}
	for _, in := range d.insts {
		byName[in.name()] = in
	}
	var next []*group
	taken := map[*instance]bool{}
	for _, gc := range cfg.SyncGroups {
		g := &group{cfg: gc}
		for _, m := range gc.Members {
			if in := byName[m]; in != nil && !taken[in] {
				g.members = append(g.members, in)
				taken[in] = true
			}
		}
		if len(g.members) > 0 {
			next = append(next, g)
		}
	}
	kept := map[*group]bool{}
	for _, g := range next {
		if o := old[g.cfg.Name]; o != nil && o.eng != nil && sameMembers(o.members, g.members) {
			g.eng, g.state = o.eng, o.state
			kept[o] = true
		}
	}
	for _, o := range old {
		if !kept[o] && o.eng != nil {
			o.eng.Dissolve()
		}
	}
	for _, g := range next {
		if g.eng == nil {
			engs := make([]engine, 0, len(g.members))
			for _, in := range g.members {
				engs = append(engs, in.eng)
			}
			eng, err := newGroupEngine(g.cfg.Name, engs)
			if err != nil {
				d.log.Error(fmt.Sprintf("VRRP_Group(%s) cannot be built, members run unsynchronised: %v", g.cfg.Name, err), logging.Group(g.cfg.Name), logging.Err(err))
				continue
			}
			g.eng = eng
			if o := old[g.cfg.Name]; o != nil {
				g.state = o.state
			}
		}
		for _, in := range g.members {
			in.group = g
		}
		d.groups = append(d.groups, g)
	}
}

func sameMembers(a, b []*instance) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// step feeds one event (nil: timers only) to an instance, through its sync
// group if it has one (the group runs every member's timers and may move
// the other members), and carries out the actions, member by member in
// the group's order. The actions are the core's memory, valid until its
// next Step: they are carried out here and not kept.
func (d *Daemon) step(now time.Time, in *instance, ev vrrp.Event) {
	if g := in.group; g != nil && g.eng != nil {
		// The members' actions are carried out in the order the group
		// made them (a member's transition, "Syncing instances", the
		// others', the group's), so notifications come in keepalived's
		// order.
		seq := g.eng.StepSeq(now, in.vcfg.Name, ev)
		for _, m := range g.members {
			d.touch(m) // the group runs every member's timers
		}
		run := d.groupRun[:0] // reused: a member's received advert allocates nothing
		for i := 0; i < len(seq); {
			j := i
			run = run[:0]
			for ; j < len(seq) && seq[j].Member == seq[i].Member; j++ {
				run = append(run, seq[j].Action)
			}
			for _, m := range g.members {
				if m.vcfg.Name == seq[i].Member {
					d.apply(now, m, run)
					break
				}
			}
			i = j
		}
		d.groupRun = run[:0]
		return
	}
	d.apply(now, in, in.eng.Step(now, ev))
}

// apply carries out a core's actions in order.
func (d *Daemon) apply(now time.Time, in *instance, acts []vrrp.Action) {
	d.touch(in)
	for i, a := range acts {
		d.act(now, in, a)
		// keepalived's -D "(VI_1) sent 0 priority" follows the priority-0
		// advert of vrrp_restore_interface, once for all its destinations
		// (not the one leave_master sends on the way to FAULT).
		if releaseAdvert(a) && (i+1 == len(acts) || !releaseAdvert(acts[i+1])) && d.detail() &&
			!(d.mode == modeStopping && d.opts.DontReleaseVRRP) {
			d.logf(in, slog.LevelInfo, "sent 0 priority")
		}
	}
}

// releaseAdvert reports whether a is vrrp_restore_interface's
// priority-0 advert.
func releaseAdvert(a vrrp.Action) bool {
	sa, ok := a.(*vrrp.SendAdvert)
	return ok && sa.Released
}

// act carries out one action of an instance's core.
func (d *Daemon) act(now time.Time, in *instance, a vrrp.Action) {
	switch a := a.(type) {
	case *vrrp.SendAdvert:
		if d.mode == modeStopping && d.opts.DontReleaseVRRP {
			return
		}
		d.send(in, a)
		d.extraIfGarp(now, in)
	case vrrp.Transition:
		d.transition(now, in, a)
	case vrrp.AddVIPs:
		in.vipsSet = true
		if d.detail() {
			// keepalived's vrrp_state_become_master: each list that is
			// not empty, VIPs then eVIPs.
			if len(in.cfg.VIPs) > 0 {
				d.logf(in, slog.LevelInfo, "setting VIPs.")
			}
			if len(in.cfg.ExcludedVIPs) > 0 {
				d.logf(in, slog.LevelInfo, "setting E-VIPs.")
			}
		}
		d.addVIPs(in, in.cfg, a.Addrs)
		d.startExtraIfGarp(now, in)
	case vrrp.DelVIPs:
		in.vipsSet = false
		in.extraGarpAt = time.Time{}
		if d.mode == modeStopping && d.opts.DontReleaseVRRP {
			return
		}
		if d.detail() {
			// keepalived's vrrp_restore_interface, as above.
			if len(in.cfg.VIPs) > 0 {
				d.logf(in, slog.LevelInfo, "removing VIPs.")
			}
			if len(in.cfg.ExcludedVIPs) > 0 {
				d.logf(in, slog.LevelInfo, "removing E-VIPs.")
			}
		}
		d.delVIPs(in, in.cfg, a.Addrs)
	case vrrp.Announce:
		d.announce(in, a.Addrs, a.Repeat)
	case vrrp.Log:
		if a.Detail && !d.detail() {
			return
		}
		if a.Group != "" {
			d.log.Info(fmt.Sprintf("VRRP_Group(%s) %s", a.Group, a.Msg), logging.Group(a.Group))
		} else if a.Bare {
			d.log.Info(a.Msg)
		} else {
			d.logf(in, slog.LevelInfo, "%s", a.Msg)
		}
	case vrrp.GroupTransition:
		d.groupTransition(a)
	case vrrp.NotifyRxLowerPri:
		d.notify.RxLowerPri(in.cfg, a.Priority)
	default:
		d.logf(in, slog.LevelWarn, "BUG: unknown action %T", a)
	}
}

func (d *Daemon) send(in *instance, a *vrrp.SendAdvert) {
	if in.conn == nil {
		return
	}
	src := in.src
	if !src.IsValid() {
		return // the instance is in FAULT for it; nothing to send from
	}
	if err := in.conn.c.Send(a.Packet, src, a.Dst, a.TTL); err != nil {
		d.logf(in, slog.LevelWarn, "cannot send advert to %s: %v", a.Dst, err)
	}
}

// transition logs a state change in keepalived's words and notifies.
func (d *Daemon) transition(now time.Time, in *instance, t vrrp.Transition) {
	d.busy(now)
	in.state = t.To
	in.lastTr = now
	d.conflictWake()
	prio := t.Priority
	switch t.To {
	case vrrp.StateStop:
		if d.mode == modeDeleting {
			if in.cfg.Notify.DeletedSet {
				d.notify.Instance(in.cfg, "DELETED", prio)
			} else if t.From != vrrp.StateFault {
				d.notify.Instance(in.cfg, "FAULT", prio)
			}
			return
		}
		d.notify.Instance(in.cfg, "STOP", prio)
		return
	}
	why := d.noteCause(now, in, t)
	switch {
	case t.Reason == vrrp.ReasonInitHold:
		// Held in FAULT until its own or a sync group member's unweighted
		// scripts report: keepalived neither logs nor notifies it.
		return
	case t.From == t.To:
		// A held instance whose script failed: keepalived's leave_fault
		// notifies the FAULT it was already in, without "Entering".
		d.notify.Instance(in.cfg, t.To.String(), prio)
		return
	}
	suffix := ""
	if t.Reason == "init" && t.To == vrrp.StateFault && in.initFaultLogged {
		// Put in FAULT by its tracking before it started (the line
		// logInitProcessFaults wrote): keepalived's vrrp_complete_init
		// says "entering FAULT state", and vrrp_init_state, finding it
		// there already, logs no "(init)" line.
		in.initFaultLogged = false
		d.logTransition(in, t, fmt.Sprintf("(%s) entering FAULT state", in.name()), why)
		d.notify.Instance(in.cfg, t.To.String(), prio)
		return
	}
	if t.Reason == "init" {
		suffix = " (init)"
		if t.To == vrrp.StateFault && in.silentOnly {
			// Held in FAULT until its unweighted scripts report: keepalived
			// neither logs nor notifies it (reference 4.3).
			return
		}
	}
	d.logTransition(in, t, fmt.Sprintf("(%s) Entering %s STATE%s", in.name(), t.To, suffix), why)
	d.notify.Instance(in.cfg, t.To.String(), prio)
}

// groupTransition notifies a sync group's new state (its members notify
// their own).
func (d *Daemon) groupTransition(t vrrp.GroupTransition) {
	for _, g := range d.groups {
		if g.cfg.Name == t.Group {
			g.state = t.To
			if t.To != vrrp.StateStop {
				d.notify.Group(g.cfg, t.To.String())
			}
			return
		}
	}
}

// addVIPs installs the VIPs and excluded VIPs of ci among addrs (all of
// them when addrs is nil), then ci's routes and rules.
func (d *Daemon) addVIPs(in *instance, ci *config.Instance, addrs []netip.Addr) {
	d.addAddrs(in, among(ci.VIPs, addrs))
	d.addAddrs(in, among(ci.ExcludedVIPs, addrs))
	d.addRoutes(in, ci.Routes)
	d.addRules(in, ci.Rules)
}

// delVIPs removes them, in the reverse order.
func (d *Daemon) delVIPs(in *instance, ci *config.Instance, addrs []netip.Addr) {
	d.delRules(in, ci.Rules)
	d.delRoutes(in, ci.Routes)
	d.delAddrs(in, among(ci.ExcludedVIPs, addrs))
	d.delAddrs(in, among(ci.VIPs, addrs))
}

// among is the entries of the model whose address is in addrs (the core's
// AddVIPs / DelVIPs), in the model's order; nil addrs keeps them all.
func among(as []config.Address, addrs []netip.Addr) []config.Address {
	if addrs == nil {
		return as
	}
	var out []config.Address
	for _, a := range as {
		if slices.Contains(addrs, a.Addr()) {
			out = append(out, a)
		}
	}
	return out
}

func (d *Daemon) addAddrs(in *instance, as []config.Address) {
	for _, a := range as {
		if err := d.opts.Host.Addresses.AddAddr(in.vipAddress(a)); err != nil {
			d.logf(in, slog.LevelError, "cannot add VIP %s: %v", config.FormatAddress(a), err)
		}
	}
}

func (d *Daemon) delAddrs(in *instance, as []config.Address) {
	for _, a := range as {
		if err := d.opts.Host.Addresses.DelAddr(in.vipAddress(a)); err != nil {
			d.logf(in, slog.LevelError, "cannot remove VIP %s: %v", config.FormatAddress(a), err)
		}
	}
}

func (d *Daemon) addRoutes(in *instance, rs []config.Route) {
	for _, r := range rs {
		if err := d.opts.Host.Addresses.AddRoute(netRoute(r)); err != nil {
			d.logf(in, slog.LevelError, "cannot add route %s: %v", config.FormatRoute(r), err)
		}
	}
}

func (d *Daemon) delRoutes(in *instance, rs []config.Route) {
	for i := len(rs) - 1; i >= 0; i-- {
		if err := d.opts.Host.Addresses.DelRoute(netRoute(rs[i])); err != nil {
			d.logf(in, slog.LevelError, "cannot remove route %s: %v", config.FormatRoute(rs[i]), err)
		}
	}
}

func (d *Daemon) addRules(in *instance, rs []config.Rule) {
	for _, r := range rs {
		if err := d.opts.Host.Addresses.AddRule(netRule(r)); err != nil {
			d.logf(in, slog.LevelError, "cannot add rule %s: %v", config.FormatRule(r), err)
		}
	}
}

func (d *Daemon) delRules(in *instance, rs []config.Rule) {
	for i := len(rs) - 1; i >= 0; i-- {
		if err := d.opts.Host.Addresses.DelRule(netRule(rs[i])); err != nil {
			d.logf(in, slog.LevelError, "cannot remove rule %s: %v", config.FormatRule(rs[i]), err)
		}
	}
}

// announce sends repeat gratuitous ARPs / NAs for addrs, each on the
// interface its address lives on.
func (d *Daemon) announce(in *instance, addrs []netip.Addr, repeat int) {
	if repeat <= 0 {
		repeat = 1
	}
	devOf := map[netip.Addr]string{}
	for _, a := range append(append([]config.Address(nil), in.cfg.VIPs...), in.cfg.ExcludedVIPs...) {
		dev := a.Dev
		if dev == "" {
			dev = in.ifname
		}
		devOf[a.Addr()] = dev
	}
	var devs []string
	byDev := map[string][]netip.Addr{}
	for _, a := range addrs {
		dev := devOf[a]
		if dev == "" {
			dev = in.ifname
		}
		if _, ok := byDev[dev]; !ok {
			devs = append(devs, dev)
		}
		byDev[dev] = append(byDev[dev], a)
	}
	if d.detail() {
		for _, dev := range devs {
			for _, a := range byDev[dev] {
				what := "gratuitous ARPs"
				if a.Is6() && !a.Is4In6() {
					what = "Unsolicited Neighbour Adverts"
				}
				d.logf(in, slog.LevelInfo, "Sending/queueing %s on %s for %s", what, dev, a)
			}
		}
	}
	now := d.opts.Now()
	for _, dev := range devs {
		var now0, paced []netip.Addr
		for _, a := range byDev[dev] {
			if d.garpInterval(a) > 0 {
				paced = append(paced, a)
			} else {
				now0 = append(now0, a)
			}
		}
		// Round by round, as the unpaced bursts go.
		for i := 0; i < repeat; i++ {
			for _, a := range paced {
				d.queueGarp(now, in, dev, a, 1, d.garpInterval(a))
			}
		}
		byDev[dev] = now0
	}
	for i := 0; i < repeat; i++ {
		for _, dev := range devs {
			if len(byDev[dev]) == 0 {
				continue
			}
			d.logSent(dev, byDev[dev])
			if err := d.opts.Host.Announcer.Announce(dev, byDev[dev]); err != nil {
				d.logf(in, slog.LevelWarn, "cannot send gratuitous ARP/NA on %s: %v", dev, err)
			}
		}
	}
}

// staticSet is what static_ipaddress / routes / rules we installed.
type staticSet struct {
	addrs  []config.Address
	routes []config.Route
	rules  []config.Rule
}

// applyStatic adds the new static entries, then removes the old ones.
func (d *Daemon) applyStatic(ch config.StaticChange) {
	dev := d.cfg.Global.DefaultInterface
	if dev == "" {
		dev = "eth0"
	}
	h := d.opts.Host.Addresses
	for _, a := range ch.Addresses.Add {
		if err := h.AddAddr(netAddress(a, dev)); err != nil {
			d.log.Error(fmt.Sprintf("cannot add static address %s: %v", config.FormatAddress(a), err), logging.Addr(a.Prefix.String()), logging.Err(err))
		}
	}
	for _, r := range ch.Routes.Add {
		if err := h.AddRoute(netRoute(r)); err != nil {
			d.log.Error(fmt.Sprintf("cannot add static route %s: %v", config.FormatRoute(r), err), slog.String("route", config.FormatRoute(r)), logging.Err(err))
		}
	}
	for _, r := range ch.Rules.Add {
		if err := h.AddRule(netRule(r)); err != nil {
			d.log.Error(fmt.Sprintf("cannot add static rule %s: %v", config.FormatRule(r), err), slog.String("rule", config.FormatRule(r)), logging.Err(err))
		}
	}
	for _, r := range ch.Rules.Del {
		if err := h.DelRule(netRule(r)); err != nil {
			d.log.Error(fmt.Sprintf("cannot remove static rule %s: %v", config.FormatRule(r), err), slog.String("rule", config.FormatRule(r)), logging.Err(err))
		}
	}
	for _, r := range ch.Routes.Del {
		if err := h.DelRoute(netRoute(r)); err != nil {
			d.log.Error(fmt.Sprintf("cannot remove static route %s: %v", config.FormatRoute(r), err), slog.String("route", config.FormatRoute(r)), logging.Err(err))
		}
	}
	for _, a := range ch.Addresses.Del {
		if err := h.DelAddr(netAddress(a, dev)); err != nil {
			d.log.Error(fmt.Sprintf("cannot remove static address %s: %v", config.FormatAddress(a), err), logging.Addr(a.Prefix.String()), logging.Err(err))
		}
	}
}

// shutdown stops everything (SIGTERM): scripts first, then every instance
// (a master sends priority 0 and drops its VIPs unless -V), static entries,
// STOP notifies for instances and groups, sockets.
func (d *Daemon) shutdown(now time.Time) {
	d.stopScripts(true)
	d.stopProcs()
	d.mode = modeStopping
	for _, in := range d.insts {
		if !in.started {
			continue
		}
		held := in.vipsSet
		d.step(now, in, vrrp.Shutdown{})
		if d.opts.ReleaseVIPs && !d.opts.DontReleaseVRRP && !held {
			// -X: remove the VIPs even where the instance does not hold
			// them, as keepalived's vrrp_restore_interface does.
			d.delVIPs(in, in.cfg, nil)
		}
	}
	for _, g := range d.groups {
		d.notify.Group(g.cfg, "STOP")
	}
	d.applyStatic(config.Diff(d.cfg, nil).Static)
	for _, in := range d.insts {
		d.releaseConn(in)
		if in.vmac != "" && d.opts.Host.VMACs != nil {
			if err := d.opts.Host.VMACs.DeleteVMAC(in.vmac); err != nil {
				d.logf(in, slog.LevelWarn, "cannot delete VMAC %s: %v", in.vmac, err)
			}
		}
		d.deleteAddrVMACs(in, nil)
	}
	if d.notify != nil {
		d.notify.Close()
	}
	d.closeMail()
	d.cancel() // the readers end; Run waits for them once it has let go of the lock
	d.mode = modeNormal
}
