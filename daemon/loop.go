package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/netif"
	"github.com/keepalived-go/keepalived/vrrp"
)

// Daemon runs one configuration. Create it with New, run it with Run; the
// other methods are safe from any goroutine while Run runs.
type Daemon struct {
	opts Options
	log  *slog.Logger
	// lastCfg is the running configuration, published for Config after
	// Run returns.
	lastCfg atomic.Pointer[config.Config]

	// mu is the loop's lock. Everything below it is owned by whoever holds
	// it: the loop goroutine while it handles an event, a socket's reader
	// while it hands its advert to the core (instance.go, read), or a test
	// that drives the handlers directly, without Run. Receiving on the
	// reader's own goroutine, rather than handing each packet over to the
	// loop, is what keeps a BACKUP's received advert at one goroutine
	// wake-up instead of three (the reader's, the loop's, the reader's
	// again): each wake-up of an idle Go process is several thread
	// switches (the poller's thread, a spinning thread, sysmon), and they
	// were most of a 1,000-instance BACKUP's CPU.
	mu sync.Mutex

	cfg     *config.Config
	insts   []*instance
	groups  []*group
	conns   map[netif.ConnConfig]*conn
	links   map[string]*linkState
	track   map[string]trackState
	notify  notifier
	scripts *scriptsRun
	procs   *procsRun // vrrp_track_process (procs.go)
	timers  timers
	// garpQ holds paced gratuitous ARPs / NAs (garp.go); garpNext is when
	// each interface may send its next one.
	garpQ    []garpJob
	garpNext map[string]time.Time
	// runnable is the set of scripts that run (nil: no runner, every
	// tracked script is taken as runnable and waits for a result).
	runnable map[string]bool
	static   staticSet
	// conf is VIP conflict detection (conflict.go).
	conf conflicts
	// mode changes how actions are carried out while stopping or deleting.
	mode actMode
	// stopped is set once Run has shut the daemon down (or failed to
	// start it): the goroutines that take the lock themselves (the probe
	// timer's) then leave without touching anything.
	stopped bool
	// quietAt is when the daemon may count as quiet after its last burst
	// of work (zero: quiet already); quiets counts the times it did
	// (quiet.go).
	quietAt time.Time
	quiets  atomic.Int64
	// delayUntil is the end of vrrp_startup_delay (zero: none or over;
	// startdelay.go).
	delayUntil time.Time
	// mail sends the e-mail alerts (nil: none configured; mail.go).
	mail *mailState
	// groupRun is step's list of one sync-group member's actions, reused.
	groupRun []vrrp.Action
	// bursts counts the times the daemon left the quiet state; quietMu
	// orders Options.Busy and Options.Quiet.
	bursts  atomic.Int64
	quietMu sync.Mutex

	// timer is the loop's one timer (nil before Run); timerFor is the
	// deadline it is set for, while timerSet (armTimer).
	timer    *time.Timer
	timerFor time.Time
	timerSet bool
	// rx is the one Received event handed to the cores, by pointer: an
	// event boxed per packet would be an allocation per advert.
	rx       vrrp.Received
	reqs     chan request
	linkEvs  <-chan netif.LinkEvent
	addrEvs  <-chan netif.AddrEvent
	ctx      context.Context // lives until shutdown completes: readers, scripts
	cancel   context.CancelFunc
	readers  sync.WaitGroup
	state    atomic.Int32 // 0 not started, 1 running, 2 stopped
	loopDone chan struct{}
}

type actMode int

const (
	modeNormal actMode = iota
	modeStopping
	modeDeleting
)

type request struct {
	fn   func() error
	done chan error
}

// rxPacket is one received packet, still in its socket's buffer (valid
// until its reader's next Recv), and the socket it came on.
type rxPacket struct {
	conn *conn
	pkt  netif.Packet
}

// linkState is what the daemon knows of one interface.
type linkState struct {
	netif.Link
	exists bool
}

func newDaemon(opts Options) *Daemon {
	return &Daemon{
		opts:     opts,
		log:      opts.Logger,
		conns:    map[netif.ConnConfig]*conn{},
		links:    map[string]*linkState{},
		track:    map[string]trackState{},
		reqs:     make(chan request),
		loopDone: make(chan struct{}),
		ctx:      context.Background(),
		cancel:   func() {},
	}
}

// do runs fn on the loop goroutine and returns its error.
func (d *Daemon) do(fn func() error) error {
	if d.state.Load() == 2 {
		return ErrNotRunning
	}
	r := request{fn: fn, done: make(chan error, 1)}
	select {
	case d.reqs <- r:
	case <-d.loopDone:
		return ErrNotRunning
	}
	select {
	case err := <-r.done:
		return err
	case <-d.loopDone:
		return ErrNotRunning
	}
}

// Run starts every instance and runs the event loop until ctx is cancelled,
// then shuts down cleanly (priority-0 adverts, VIPs removed, notify_stop)
// and returns nil. It returns an error only if the daemon could not start.
func (d *Daemon) Run(ctx context.Context) error {
	if !d.state.CompareAndSwap(0, 1) {
		return errors.New("daemon: Run called twice")
	}
	defer close(d.loopDone)
	defer d.state.Store(2)
	defer func() { d.lastCfg.Store(d.cfg) }()
	d.ctx, d.cancel = context.WithCancel(context.Background())
	defer d.cancel()
	// Readers wait for the lock, and shutdown cancels them: they are
	// waited for once it is released.
	defer d.readers.Wait()
	d.mu.Lock()
	locked := true
	defer func() {
		if locked {
			d.mu.Unlock()
		}
	}()

	linkEvs, addrEvs, err := d.opts.Host.Links.Watch(d.ctx)
	if err != nil {
		d.log.Warn(fmt.Sprintf("cannot watch interfaces, link tracking disabled: %v", err), logging.Err(err))
	}
	d.linkEvs, d.addrEvs = linkEvs, addrEvs

	if err := d.start(d.opts.Now()); err != nil {
		d.shutdown(d.opts.Now())
		d.stopped = true
		return err
	}
	go returnMemory()
	d.startConflicts()
	var srvs []*statusServer
	if d.opts.StatusAddr != "" {
		if srv, err := d.serveStatus(d.opts.StatusAddr); err != nil {
			d.log.Error(fmt.Sprintf("status endpoint: %v", err), logging.Err(err))
		} else {
			srvs = append(srvs, srv)
		}
	}

	d.timer = time.NewTimer(time.Hour)
	defer d.timer.Stop()
	for {
		// The channels are read under the lock; the select waits without it.
		d.armTimer()
		updates, procs, linkEvs, addrEvs := d.scriptUpdates(), d.procUpdates(), d.linkEvs, d.addrEvs
		d.mu.Unlock()
		locked = false
		select {
		case <-ctx.Done():
			d.mu.Lock()
			locked = true
			for _, srv := range srvs {
				srv.Close()
			}
			d.shutdown(d.opts.Now())
			d.stopped = true
			d.log.Info(stoppedLine(d.detail()))
			return nil
		case u := <-updates:
			d.mu.Lock()
			locked = true
			d.safely("tracker update", func() error { d.onUpdate(d.opts.Now(), u); return nil })
		case c := <-procs:
			d.mu.Lock()
			locked = true
			d.safely("track process", func() error { d.onProcChange(d.opts.Now(), c); return nil })
		case ev, ok := <-linkEvs:
			d.mu.Lock()
			locked = true
			if !ok {
				d.linkEvs = nil
				continue
			}
			d.safely("link event", func() error { d.onLink(d.opts.Now(), ev); return nil })
		case ev, ok := <-addrEvs:
			d.mu.Lock()
			locked = true
			if !ok {
				d.addrEvs = nil
				continue
			}
			d.safely("address event", func() error { d.onAddr(d.opts.Now(), ev); return nil })
		case r := <-d.reqs:
			d.mu.Lock()
			locked = true
			r.done <- d.safely("request", r.fn)
		case <-d.timer.C:
			d.mu.Lock()
			locked = true
			d.timerSet = false
			d.safely("timer", func() error { d.onTimer(d.opts.Now()); return nil })
		}
	}
}

// returnMemory gives the memory the configuration's parse used back to the
// system once it is garbage: parsing a 1,000-instance file peaks far above
// what the running daemon holds, and the Go runtime otherwise keeps those
// pages (RSS) for minutes. It runs off the loop, after start and reloads.
func returnMemory() { debug.FreeOSMemory() }

// safely runs one event's handler, turning a panic into an error logged
// with its stack: a bug triggered by one packet or request must not take
// every VIP down with the process (a crash is a failover). Nothing is
// recovered silently: the BUG line and the stack go to the log.
func (d *Daemon) safely(what string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			d.log.Error(fmt.Sprintf("BUG: %s panicked: %v\n%s", what, r, debug.Stack()), slog.String("event", what))
			err = fmt.Errorf("daemon: %s panicked: %v", what, r)
		}
	}()
	return fn()
}

// armTimer sets the loop's timer (under the lock; nothing before Run) for
// the earliest deadline of any instance, unless it is already set for that
// or an earlier time. A timer that fires early finds nothing due and is
// set again then: as BACKUP every received advert moves its instance's
// deadline later (and that instance's is usually the earliest, the
// adverts coming round in the same order), so resetting the timer for
// every packet would be a runtime timer update per advert where one
// early wake-up every few seconds does the same.
func (d *Daemon) armTimer() {
	t := d.timer
	if t == nil {
		return
	}
	next, ok := d.nextDeadline()
	if d.timerSet && (!ok || !next.Before(d.timerFor)) {
		return
	}
	d.timerSet, d.timerFor = true, next
	if !ok {
		d.timerFor = d.opts.Now().Add(time.Hour)
		t.Reset(time.Hour)
		return
	}
	t.Reset(max(next.Sub(d.opts.Now()), 0))
}

// onPacket hands one received advert to the instance of its VRID on the
// socket it arrived on. The packet is read in place and given to the core
// by pointer: a BACKUP's advert costs no allocation.
func (d *Daemon) onPacket(now time.Time, p rxPacket) {
	d.checkStall(now) // a stalled loop may see the new master's advert first
	if d.delaying(now) {
		return // keepalived discards adverts read during vrrp_startup_delay
	}
	vrid, _, ok := vrrp.PeekVRID(p.pkt.Payload)
	if !ok {
		return // too short to name a VRID; the core counts nothing for it
	}
	d.rx = vrrp.Received{Src: p.pkt.Src, Dst: p.pkt.Dst, TTL: p.pkt.TTL, IPLen: p.pkt.IPLen, Packet: p.pkt.Payload, AH: p.pkt.AHHeader}
	ins := p.conn.byVRID[vrid]
	for _, in := range ins {
		if in.conn == p.conn { // not released by a reload since the read
			d.step(now, in, &d.rx)
		}
	}
	d.rx.Packet, d.rx.AH = nil, nil // the socket's buffer is the reader's again
	if len(ins) == 0 && d.cfg.Global.LogUnknownVRIDs {
		d.log.Info(fmt.Sprintf("Unknown VRID(%d) received on interface(%s). ignoring...", vrid, p.conn.key.Ifname), logging.VRID(int(vrid)), logging.Ifname(p.conn.key.Ifname))
	}
}

// onUpdate records a tracker's new state and re-evaluates every instance.
func (d *Daemon) onUpdate(now time.Time, u checker.Update) {
	if u.Log != "" {
		d.log.Info(u.Log, slog.String("tracker", u.Kind), logging.Script(u.Name), slog.Bool("ok", u.OK))
	}
	d.track[u.Kind+":"+u.Name] = trackState{Reported: true, OK: u.OK, Value: u.Value}
	for _, in := range d.insts {
		d.updateTracking(now, in)
	}
}

// onLink records an interface's new state and re-evaluates every instance.
func (d *Daemon) onLink(now time.Time, ev netif.LinkEvent) {
	ls := d.links[ev.Ifname]
	if ls == nil {
		return // an interface no instance uses
	}
	was, wasUp, oldIndex := ls.exists, ls.Up, ls.Index
	ls.Name = ev.Ifname
	if ev.Deleted {
		ls.exists, ls.Up = false, false
	} else {
		if !ls.exists || ls.Index != ev.Ifindex {
			// New or re-created interface: learn its addresses again.
			if l, err := d.opts.Host.Links.Lookup(ev.Ifname); err == nil {
				ls.Link = l
			}
		}
		ls.exists, ls.Index, ls.Up = true, ev.Ifindex, ev.Up
	}
	if was && wasUp && !ls.Up {
		d.log.Info(fmt.Sprintf("Netlink reports %s down", ev.Ifname), logging.Ifname(ev.Ifname), logging.State("down"))
	} else if ls.Up && (!was || !wasUp) {
		d.log.Info(fmt.Sprintf("Netlink reports %s up", ev.Ifname), logging.Ifname(ev.Ifname), logging.State("up"))
	}
	if ls.exists && (!was || (oldIndex != 0 && ev.Ifindex != 0 && oldIndex != ev.Ifindex)) {
		// A socket is bound to the old interface index: open it again.
		d.reopenConns(ev.Ifname)
	}
	if ls.exists {
		// Instances whose socket could not be opened try again.
		for _, in := range d.insts {
			if in.conn == nil && in.ifname == ev.Ifname && in.started {
				in.conn = d.acquireConn(in)
			}
		}
	}
	for _, in := range d.insts {
		if in.baseIf() == ev.Ifname {
			d.refreshSource(now, in)
		}
		d.updateTracking(now, in)
	}
}

// onAddr keeps interface addresses current (for the advert source).
func (d *Daemon) onAddr(now time.Time, ev netif.AddrEvent) {
	ls := d.links[ev.Ifname]
	if ls == nil {
		return // not an interface we use
	}
	kept := ls.Addrs[:0:0]
	for _, p := range ls.Addrs {
		if p != ev.Prefix {
			kept = append(kept, p)
		}
	}
	if !ev.Deleted {
		kept = append(kept, ev.Prefix)
	}
	ls.Addrs = kept
	if ev.Deleted {
		d.restoreVIP(ev)
	}
	for _, in := range d.insts {
		if in.baseIf() == ev.Ifname {
			d.refreshSource(now, in)
			d.updateTracking(now, in)
		}
	}
}

// restoreVIP puts back a VIP (or eVIP) that something else removed from a
// master. keepalived 2.2.7 answers such a deletion by leaving MASTER with a
// priority-0 advert and taking over again after the skew time (reference
// 5.2); the end state is the same VIP on the same host, so we restore it at
// once and announce it, without a VRRP flap. no_track addresses are left
// alone, as keepalived leaves them.
func (d *Daemon) restoreVIP(ev netif.AddrEvent) {
	for _, in := range d.insts {
		if !in.eng.Status().VIPsSet {
			continue
		}
		for _, a := range append(append([]config.Address(nil), in.cfg.VIPs...), in.cfg.ExcludedVIPs...) {
			na := in.vipAddress(a)
			if a.NoTrack || na.Dev != ev.Ifname || na.Prefix != ev.Prefix {
				continue
			}
			d.logf(in, slog.LevelWarn, "VIP %s was removed from %s by someone else - restoring it", a.Prefix, na.Dev)
			if err := d.opts.Host.Addresses.AddAddr(na); err != nil {
				d.logf(in, slog.LevelError, "cannot restore VIP %s: %v", a.Prefix, err)
				continue
			}
			d.announce(in, []netip.Addr{a.Addr()}, in.vcfg.GarpMasterRepeat)
		}
	}
}
