package vrrp

import (
	"errors"
	"fmt"
	"net/netip"
	"sort"
	"time"
)

// Instance is one vrrp_instance as keepalived 2.2.7's VRRP process runs it
// (vrrp.c, vrrp_scheduler.c, vrrp_track.c). It is not safe for concurrent
// use. Members of a sync group must be stepped through SyncGroup.Step.
type Instance struct {
	cfg Config

	state      State
	wantState  State
	fromState  State // the state gotoMaster left, for the Transition
	ownerStart bool  // started as owner: BACKUP for 1 us, not reported
	stopped    bool

	basePrio  uint8
	effPrio   uint8
	prioDelta int // effective priority asked for minus base (tracking)

	adverInt       time.Duration // our own interval
	masterAdverInt time.Duration // v3 BACKUP: the master's
	msDownTimer    time.Duration // keepalived's ms_down_timer
	sands          time.Time     // next expiry (zero: disabled)
	preemptTime    time.Time     // preempt_delay end (zero: not running)
	delayedStart   time.Time     // vrrp_startup_delay end (Startup.DelayUntil)

	masterAddr netip.Addr // master_saddr: last advert source accepted (or discarded as lower)
	masterPrio int
	// heard is the last advert that passed check, in any state (for
	// Explain: "last advert 0.4 s ago", a priority 0 advert, preemption).
	heard Heard

	faults   map[string]bool
	inits    map[string]bool // scripts not reported yet (track.go)
	initHeld bool            // in FAULT only for inits: not yet reported
	vipSet   bool
	garps    []garpTimer // delayed gratuitous ARP bursts
	garpRefr time.Time   // garp_refresh_timer

	csumCompat ChecksumCompat
	// ownerDropLogged: the owner_ignore_adverts drop was logged (keepalived
	// rate-limits that line; we log it once).
	ownerDropLogged bool
	lastTransition  time.Time
	lastAdvertSent  time.Time // vrrp->last_advert_sent, for Stalled
	releasing       bool      // sendReleaseAdvert is sending (SendAdvert.Released)
	stats           Stats

	sync *SyncGroup
	now  time.Time
	// reloadAnnounce are the addresses a Reconfigure added while the VIPs
	// are set; they are announced after the advert the reload sends.
	reloadAnnounce []netip.Addr

	// auth_hmac (hmac_instance.go): nil when not configured.
	hmac    *HMACAuth
	hmacLog hmacLogState
	txSeq   uint64 // the sequence of the advert being sent

	// auth_type AH (ah.go): nil unless configured. ahRxSeq is the
	// sequence number of the advert being checked.
	ah      *ahState
	ahRxSeq uint32

	// The memory of a Step's actions: the list, the encoded adverts and
	// the SendAdvert actions pointing into them. The instance owns it and
	// reuses it from one Step to the next, so a master's advert and a
	// backup's received advert cost no allocation; what a Step returns is
	// therefore valid only until the next Step of the instance (or of its
	// sync group).
	acts  []Action
	txbuf []byte
	sends []SendAdvert
}

type garpTimer struct {
	at     time.Time
	repeat int
}

// ChecksumCompat is keepalived's unicast_chksum_compat for VRRPv3 over IPv4
// unicast: keepalived <= 1.3.6 put the multicast group, not the peer, in the
// pseudo-header.
type ChecksumCompat uint8

const (
	// ChecksumCompatDetect (default): new checksum; switch to the old one
	// for good on receiving an advert that only checks with it.
	ChecksumCompatDetect ChecksumCompat = iota
	// ChecksumCompatNever: new checksum, never switch (old_unicast_checksum never).
	ChecksumCompatNever
	// ChecksumCompatOld: old checksum from the start (old_unicast_checksum).
	ChecksumCompatOld
	// ChecksumCompatAuto: switched to the old checksum by a received advert.
	ChecksumCompatAuto
)

func (c ChecksumCompat) old() bool { return c >= ChecksumCompatOld }

func (c ChecksumCompat) String() string {
	switch c {
	case ChecksumCompatDetect:
		return "detect"
	case ChecksumCompatNever:
		return "never"
	case ChecksumCompatOld:
		return "old"
	case ChecksumCompatAuto:
		return "auto"
	}
	return "invalid"
}

// StrictDownTimerAdverts is the down_timer_adverts strict mode forces (the
// RFC's 3).
const StrictDownTimerAdverts = 3

// ErrConfig is wrapped by every NewInstance error.
var ErrConfig = errors.New("vrrp: invalid config")

// NewInstance validates cfg and returns an instance in INIT. cfg must be
// complete: the defaults are the model's (package config, applied when the
// configuration is read), never filled in here. NewInstance enforces what
// keepalived's vrrp_complete_instance enforces at this level whatever was
// configured: strict mode's forced settings, an owner that always
// preempts, no authentication in VRRPv3.
func NewInstance(cfg Config) (*Instance, error) {
	if err := normalize(&cfg); err != nil {
		return nil, err
	}
	in := &Instance{cfg: cfg, faults: map[string]bool{}}
	in.applyConfig()
	in.csumCompat = cfg.UnicastChecksum
	in.effPrio = in.basePrio
	in.masterAdverInt = in.adverInt
	in.msDownTimer = in.downTimer()
	return in, nil
}

func normalize(c *Config) error {
	bad := func(f string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrConfig, c.Name, fmt.Sprintf(f, a...))
	}
	if c.VRID == 0 {
		return bad("virtual_router_id must be 1-255")
	}
	if c.Version != 2 && c.Version != 3 {
		return bad("version %d must be 2 or 3", c.Version)
	}
	if c.Priority == 0 {
		return bad("priority must be 1-255")
	}
	switch {
	case c.AdvertInt <= 0:
		return bad("advert_int must be > 0")
	case c.Version == 2 && (c.AdvertInt%time.Second != 0 || c.AdvertInt > 255*time.Second):
		return bad("VRRPv2 advert_int %v must be whole seconds up to 255", c.AdvertInt)
	case c.Version == 3 && (c.AdvertInt%centisecond != 0 || c.AdvertInt > maxV3Centis*centisecond):
		return bad("VRRPv3 advert_int %v must be in units of 10ms up to 40.95s", c.AdvertInt)
	}
	if len(c.VIPs) > MaxAddrs {
		return bad("%d VIPs, at most %d fit an advert", len(c.VIPs), MaxAddrs)
	}
	for _, ip := range c.VIPs {
		if ip.Is6() != c.IPv6 || ip.Is4In6() {
			return bad("VIP %v does not match the instance's family", ip)
		}
	}
	for _, ip := range c.UnicastPeers {
		if ip.Is6() != c.IPv6 {
			return bad("unicast peer %v does not match the instance's family", ip)
		}
	}
	if c.AuthType > AuthAH {
		return bad("auth_type %d not supported", c.AuthType)
	}
	if c.AuthType != AuthNone && (c.Version == 3 || c.IPv6) {
		c.AuthType = AuthNone
	}
	if c.AuthType == AuthAH && c.HMAC != nil {
		return bad("auth_type AH together with auth_hmac is not supported")
	}
	if c.DownTimerAdverts < 1 || c.DownTimerAdverts > 100 {
		return bad("down_timer_adverts %d must be 1-100", c.DownTimerAdverts)
	}
	if len(c.UnicastPeers) == 0 && !(c.McastGroup.IsMulticast() && c.McastGroup.Is6() == c.IPv6) {
		return bad("multicast group %v is not a multicast address of the instance's family", c.McastGroup)
	}
	if c.Strict {
		c.DownTimerAdverts = StrictDownTimerAdverts
		c.AuthType = AuthNone
		c.PreemptDelay = 0
		c.GarpLowerPrioRepeat = 0
		c.GarpLowerPrioDelay = 0
		c.LowerPrioNoAdvert = true
		c.HigherPrioSendAdvert = false
	}
	if c.Priority == PrioOwner {
		c.Nopreempt = false
	}
	if c.Nopreempt {
		c.PreemptDelay = 0
	}
	if len(c.PeerTTL) > 0 {
		c.CheckUnicastSrc = true
	}
	return nil
}

func (in *Instance) applyConfig() {
	in.applyHMAC()
	in.applyAH()
	in.basePrio = in.cfg.Priority
	in.adverInt = in.cfg.AdvertInt
	if in.state == StateInit {
		in.wantState = StateBackup
		if in.cfg.WantMaster {
			in.wantState = StateMaster
		}
	}
}

// Config returns the instance's configuration as normalised by NewInstance.
func (in *Instance) Config() Config { return in.cfg }

// Stats returns the counters.
func (in *Instance) Stats() Stats { return in.stats }

// State is the current state (Status().State without the copying).
func (in *Instance) State() State { return in.state }

// Status returns a snapshot.
func (in *Instance) Status() Status {
	st := Status{
		State:             in.state,
		WantMaster:        in.wantState == StateMaster,
		WantState:         in.wantState,
		EffectivePriority: int(in.effPrio),
		MasterAdverInt:    in.masterAdverInt,
		LastTransition:    in.lastTransition,
		VIPsSet:           in.vipSet,
		LastAdvertFrom:    in.masterAddr,
		Heard:             in.heard,
	}
	if in.state == StateBackup {
		st.MasterAddr = in.masterAddr
		st.MasterPriority = in.masterPrio
	}
	if in.state == StateMaster {
		st.MasterAddr = in.cfg.Src
		st.MasterPriority = int(in.effPrio)
	}
	for k, on := range in.faults {
		if on {
			st.Faults = append(st.Faults, k)
		}
	}
	sort.Strings(st.Faults)
	return st
}

// NextDeadline is when Step must next be called with no event (the master
// down timer, the advert timer or a delayed gratuitous ARP burst).
func (in *Instance) NextDeadline() (time.Time, bool) {
	var t time.Time
	if !in.sands.IsZero() {
		t = in.sands
	}
	for _, g := range in.garps {
		if t.IsZero() || g.at.Before(t) {
			t = g.at
		}
	}
	return t, !t.IsZero()
}

// Settled reports whether the instance has nothing left to do of its
// last transition: it is out of INIT and no delayed gratuitous ARP burst
// (garp_master_delay after becoming master) is pending. The periodic
// garp_master_refresh does not count: a master that refreshes is settled.
func (in *Instance) Settled() bool { return in.state != StateInit && len(in.garps) == 0 }

// Step runs the timers due by now, then ev (nil: timers only), then any
// timer ev made due, and returns the actions to carry out in order.
//
// The actions, and the packets of their *SendAdvert, live in memory the
// instance reuses: they are valid until the next Step. A caller that keeps
// a packet longer (a simulator delivering it later) copies it.
func (in *Instance) Step(now time.Time, ev Event) []Action {
	in.reset()
	in.step(now, ev)
	in.flushReload()
	return in.acts
}

// reset starts a Step on the memory of the last one.
func (in *Instance) reset() {
	clear(in.acts) // drop what the last actions pointed to (log lines)
	in.acts, in.txbuf, in.sends = in.acts[:0], in.txbuf[:0], in.sends[:0]
}

// flushReload announces what the last Reconfigure added, after the advert
// the reload sent (the order keepalived-go has always used).
func (in *Instance) flushReload() {
	if len(in.reloadAnnounce) == 0 {
		return
	}
	if in.vipSet {
		in.emit(Announce{Addrs: in.reloadAnnounce, Repeat: in.cfg.GarpMasterRepeat})
	}
	in.reloadAnnounce = nil
}

func (in *Instance) step(now time.Time, ev Event) {
	in.now = now
	if _, ok := ev.(Stalled); ok {
		in.stalled() // before the overdue timers, as keepalived
		ev = nil
	}
	in.runTimers(now)
	if ev != nil {
		in.now = now
		in.handle(ev)
		in.runTimers(now)
	}
}

// runTimers fires every timer due by now, earliest first.
func (in *Instance) runTimers(now time.Time) {
	for i := 0; i < 1000; i++ {
		t, ok := in.NextDeadline()
		if !ok || t.After(now) {
			return
		}
		in.fireNext(now)
	}
}

// fireNext fires the earliest due timer of the instance.
func (in *Instance) fireNext(now time.Time) {
	in.now = now
	t, _ := in.NextDeadline()
	for i, g := range in.garps {
		if g.at.Equal(t) {
			in.garps = append(in.garps[:i], in.garps[i+1:]...)
			in.sendLinkUpdate(g.repeat)
			return
		}
	}
	in.expire()
}

// expire is vrrp_dispatcher_read_timeout for this instance.
func (in *Instance) expire() {
	prev := in.state
	switch in.state {
	case StateBackup:
		reason := "master down timer expired"
		if in.ownerStart {
			reason = "address owner"
		} else {
			// vrrp_dispatcher_read_timeout, before vrrp_goto_master (which
			// a sync group may refuse).
			in.emit(Log{Msg: "Receive advertisement timeout", Detail: true})
		}
		in.gotoMaster(reason)
	case StateMaster:
		in.masterTx()
	default:
		in.sands = time.Time{}
		return
	}
	in.tsm(prev)
	in.initSands()
}

func (in *Instance) emit(a Action) {
	in.acts = append(in.acts, a)
	if in.sync != nil {
		in.sync.seq = append(in.sync.seq, MemberAction{Member: in.cfg.Name, Action: a})
	}
}

func (in *Instance) logf(f string, a ...any) { in.emit(Log{Msg: fmt.Sprintf(f, a...)}) }

// --- timers (vrrp.h VRRP_TIMER_SKEW / VRRP_MS_DOWN_TIMER) ---

// skewFor is keepalived's VRRP_TIMER_SKEW_CALC in microseconds: v2
// (256-prio)/256 s whatever the interval (RFC 3768 section 6.1); v3
// ((256-prio) x Master_Adver_Interval)/256 (RFC 5798 section 6.1) computed
// in centiseconds x 625/16 us, truncated.
func skewFor(version int, masterAdverInt time.Duration, pri uint32) time.Duration {
	if version == 3 {
		cs := uint32(masterAdverInt / centisecond)
		return time.Duration(pri*cs*625/16) * time.Microsecond
	}
	return time.Duration(pri*1000000/256) * time.Microsecond
}

// SkewTime is the skew time of an instance of this version and priority
// with this master advert interval.
func SkewTime(version int, priority uint8, masterAdverInt time.Duration) time.Duration {
	return skewFor(version, masterAdverInt, 256-uint32(priority))
}

// MasterDownInterval is down_timer_adverts x Master_Adver_Interval + skew.
func MasterDownInterval(version int, priority uint8, masterAdverInt time.Duration, downTimerAdverts int) time.Duration {
	return time.Duration(downTimerAdverts)*masterAdverInt + SkewTime(version, priority, masterAdverInt)
}

func (in *Instance) skew() time.Duration {
	return SkewTime(in.cfg.Version, in.effPrio, in.masterAdverInt)
}

func (in *Instance) downTimer() time.Duration {
	return MasterDownInterval(in.cfg.Version, in.effPrio, in.masterAdverInt, in.cfg.DownTimerAdverts)
}

// initSands is vrrp_init_instance_sands.
func (in *Instance) initSands() {
	from := in.now
	if in.delayedStart.After(from) {
		from = in.delayedStart // vrrp_startup_delay still running
	}
	switch in.state {
	case StateMaster:
		in.sands = from.Add(in.adverInt)
	case StateBackup:
		in.sands = from.Add(in.msDownTimer)
	default:
		in.sands = time.Time{}
	}
}

// --- events ---

func (in *Instance) handle(ev Event) {
	switch e := ev.(type) {
	case Startup:
		in.delayedStart = e.DelayUntil
		in.startup()
	case *Startup:
		in.delayedStart = e.DelayUntil
		in.startup()
	case Shutdown:
		in.shutdown()
	case *Shutdown:
		in.shutdown()
	case Received:
		in.receive(&e)
	case *Received:
		in.receive(e)
	case Fault:
		in.fault(e)
	case Priority:
		in.setPriority(e.Effective)
	case Reconfigure:
		in.reconfigure(e.Config)
	}
}

// startup is vrrp_init_state for one instance.
func (in *Instance) startup() {
	if in.state != StateInit || in.stopped {
		return
	}
	groupState := in.wantState
	if in.sync != nil {
		groupState = in.sync.initState()
	}
	up := in.faultCount() == 0
	// Scripts yet to report, here or in another member, hold the instance
	// (vrrp_init_state's num_script_init, num_member_init).
	initHold := len(in.inits) > 0 || (in.sync != nil && in.sync.numMemberInit > 0)
	if up && !initHold && groupState == StateMaster && in.basePrio == PrioOwner && in.wantState == StateMaster {
		// "The simplest way to become master is to timeout from the
		// backup state very quickly (1usec)."
		in.state = StateBackup
		in.ownerStart = true
		in.msDownTimer = time.Microsecond
		in.initSands()
		return
	}
	if groupState == StateBackup && in.wantState == StateMaster {
		// A sync group member wanting MASTER while the group is BACKUP
		// waits one interval plus the minimum skew.
		in.msDownTimer = in.masterAdverInt + skewFor(in.cfg.Version, in.masterAdverInt, 1)
	} else {
		in.msDownTimer = in.downTimer()
	}
	switch {
	case up && !initHold && groupState != StateFault:
		in.transition(StateBackup, "init")
	case up && groupState != StateFault:
		in.transition(StateFault, ReasonInitHold)
		in.initHeld = true
	default:
		in.transition(StateFault, "init")
	}
	in.initSands()
}

// shutdown is vrrp_terminate_phase1 for one instance: a master sends a
// priority-0 advert and removes its VIPs; every instance reports STOP.
func (in *Instance) shutdown() {
	if in.stopped {
		return
	}
	from := in.state
	if in.state == StateMaster {
		in.sendReleaseAdvert()
		in.delVIPs()
	}
	in.stopped = true
	in.state = StateInit
	in.sands = time.Time{}
	in.garps = nil
	in.emit(Transition{From: from, To: StateStop, Reason: "shutdown", Priority: int(in.effPrio)})
}

func (in *Instance) transition(to State, reason string) {
	from := in.state
	in.state = to
	in.initHeld = false
	in.lastTransition = in.now
	if to == StateFault {
		in.heard = Heard{} // a master heard before a fault says nothing after it
	}
	in.emit(Transition{From: from, To: to, Reason: reason, Priority: int(in.effPrio)})
}

// --- becoming and leaving MASTER ---

// gotoMaster is vrrp_goto_master / vrrp_state_goto_master.
func (in *Instance) gotoMaster(reason string) {
	in.wantState = StateMaster
	if in.sync != nil && !in.sync.canGotoMaster(in) {
		return
	}
	if in.ah != nil && in.ah.cycle {
		// "If becoming MASTER in IPSEC AH AUTH, we reset the anti-replay"
		in.ah.cycle, in.ah.seq = false, 0
	}
	in.fromState = in.state
	if in.ownerStart {
		// keepalived's owner passes through BACKUP silently (1 us).
		in.fromState, in.ownerStart = StateInit, false
	}
	in.state = StateMaster
	in.initSands()
	in.masterTxReason(reason)
}

func (in *Instance) masterTx() { in.masterTxReason("") }

// masterTxReason is vrrp_state_master_tx: the advert goes first so that the
// old master drops the VIPs before our gratuitous ARPs (RFC 5798 6.4.1).
func (in *Instance) masterTxReason(reason string) {
	in.sendAdvert(in.effPrio)
	if !in.vipSet {
		in.becomeMaster(reason)
		if in.cfg.GarpMasterDelay > 0 {
			in.garps = append(in.garps, garpTimer{at: in.now.Add(in.cfg.GarpMasterDelay), repeat: in.cfg.GarpMasterRepeat})
		}
		return
	}
	if in.cfg.GarpMasterRefresh > 0 && in.now.After(in.garpRefr) {
		in.sendLinkUpdate(in.cfg.GarpMasterRefreshRepeat)
		in.garpRefr = in.now.Add(in.cfg.GarpMasterRefresh)
	}
}

// becomeMaster is vrrp_state_become_master.
func (in *Instance) becomeMaster(reason string) {
	if reason == "" {
		reason = "master"
	}
	in.stats.BecomeMaster++
	in.masterAdverInt = in.adverInt
	in.state = StateMaster
	in.lastTransition = in.now
	in.emit(Transition{From: in.fromState, To: StateMaster, Reason: reason, Priority: int(in.effPrio)})
	in.emit(AddVIPs{Addrs: in.held()})
	in.vipSet = true
	in.sendLinkUpdate(in.cfg.GarpMasterRepeat)
	if in.cfg.GarpMasterRefresh > 0 {
		in.garpRefr = in.now.Add(in.cfg.GarpMasterRefresh)
	}
}

// leaveMaster is vrrp_state_leave_master towards wantState (BACKUP or FAULT).
func (in *Instance) leaveMaster(advF bool, reason string) {
	switch in.wantState {
	case StateBackup:
		in.transition(StateBackup, reason)
		in.preemptTime = time.Time{}
	case StateFault:
		in.transition(StateFault, reason)
		in.sendAdvert(PrioStop)
	default:
		return
	}
	if advF {
		in.sendReleaseAdvert()
	}
	in.delVIPs()
	in.msDownTimer = in.downTimer()
	in.initSands()
	in.stats.ReleaseMaster++
}

// leaveFault is vrrp_state_leave_fault.
func (in *Instance) leaveFault(reason string) {
	if in.wantState == StateMaster {
		in.gotoMaster(reason)
	} else {
		wasMaster := in.state == StateMaster
		// A held instance reports the FAULT it was silently in.
		if in.state != in.wantState || in.initHeld {
			in.transition(in.wantState, reason)
		}
		if in.wantState == StateFault && wasMaster {
			in.sendAdvert(PrioStop)
			in.delVIPs()
		}
		if in.state == StateBackup {
			in.preemptTime = time.Time{}
		}
	}
	in.masterAdverInt = in.adverInt
	in.msDownTimer = in.downTimer()
	in.initSands()
}

// delVIPs removes the VIPs. Pending delayed GARP bursts stay scheduled, as
// keepalived's timer threads do; they send nothing while the VIPs are not
// set (and do if the instance is master again by then).
func (in *Instance) delVIPs() {
	if in.vipSet {
		in.emit(DelVIPs{Addrs: in.held()})
		in.vipSet = false
	}
}

// sendLinkUpdate is vrrp_send_link_update: repeat GARPs / NAs per address,
// only while the VIPs are set.
func (in *Instance) sendLinkUpdate(repeat int) {
	if !in.vipSet || repeat <= 0 {
		return
	}
	addrs := in.held()
	if len(addrs) == 0 {
		return
	}
	in.emit(Announce{Addrs: addrs, Repeat: repeat})
}

// held is every address the instance holds as master: the VIPs, then the
// excluded VIPs (Config.Announce; the VIPs when that is unset).
func (in *Instance) held() []netip.Addr {
	if in.cfg.Announce != nil {
		return in.cfg.Announce
	}
	return in.cfg.VIPs
}

// --- adverts ---

// advert returns our advert with the given priority. Only PASS carries
// the password; AH's 8 authentication bytes are zero.
func (in *Instance) advert(prio uint8) Advert {
	a := Advert{
		Version:  uint8(in.cfg.Version),
		Type:     TypeAdvert,
		VRID:     in.cfg.VRID,
		Priority: prio,
		AuthType: in.cfg.AuthType,
		AdverInt: in.adverInt,
		IPv6:     in.cfg.IPv6,
		Addrs:    in.cfg.VIPs,
		AuthData: in.cfg.AuthPass,

		ChecksumAsV2: in.cfg.V3ChecksumAsV2,
	}
	if in.cfg.AuthType != AuthPass {
		a.AuthData = [AuthLen]byte{}
	}
	return a
}

// stalled is keepalived 2.4.3's vrrp_thread_timeout_handler for this
// instance: a master with timer_expired_backup whose last advert is older
// than the time a router of the highest other priority waits before
// taking over (3 adverts and its skew, from the configured interval) goes
// to BACKUP. It reports whether it did.
func (in *Instance) stalled() bool {
	h := in.cfg.TimerExpiredBackup
	if in.state != StateMaster || h == 0 || in.lastAdvertSent.IsZero() {
		return false
	}
	if in.lastAdvertSent.Add(StalledWindow(in.cfg.Version, in.adverInt, h)).After(in.now) {
		return false
	}
	prev := in.state
	in.wantState = StateBackup
	in.leaveMaster(false, "timer expired")
	in.tsm(prev)
	return true
}

// StalledWindow is how long after its last advert a stalled master with
// timer_expired_backup h goes to BACKUP: 3 x the advert interval + the
// skew time of priority h (vrrp_thread_timeout_handler).
func StalledWindow(version int, adverInt time.Duration, h uint8) time.Duration {
	return 3*adverInt + SkewTime(version, h, adverInt)
}

// StalledMin is the least lateness of the loop worth a Stalled event for
// an instance with timer_expired_backup h: 2 x the advert interval + the
// skew time of h (keepalived's quickest_takeover, vrrp_complete_init).
func StalledMin(version int, adverInt time.Duration, h uint8) time.Duration {
	return 2*adverInt + SkewTime(version, h, adverInt)
}

// sendReleaseAdvert is vrrp_restore_interface's priority-0 advert (see
// SendAdvert.Released).
func (in *Instance) sendReleaseAdvert() {
	in.releasing = true
	in.sendAdvert(PrioStop)
	in.releasing = false
	in.stats.PriZeroSent++
}

// sendAdvert is vrrp_send_adv: one advert to the group, or one per peer.
func (in *Instance) sendAdvert(prio uint8) {
	in.lastAdvertSent = in.now
	a := in.advert(prio)
	in.txSeq = in.hmacSeq()
	if in.ah != nil {
		in.ah.nextSend()
	}
	if len(in.cfg.UnicastPeers) == 0 {
		in.emitSend(&a, in.cfg.McastGroup, in.cfg.McastGroup, TTL, prio)
	} else {
		for _, p := range in.cfg.UnicastPeers {
			csumDst := p
			if in.csumCompat.old() && !in.cfg.IPv6 {
				csumDst = in.oldChecksumGroup()
			}
			in.emitSend(&a, p, csumDst, in.cfg.UnicastTTL, prio)
		}
	}
	in.stats.AdvertSent++
}

// emitSend encodes a for dst (its checksum computed for csumDst) into the
// Step's packet buffer and emits a *SendAdvert for it, both in memory the
// instance reuses at its next Step. If the buffers grow, packets already
// emitted keep the old arrays.
func (in *Instance) emitSend(a *Advert, dst, csumDst netip.Addr, ttl, prio uint8) {
	start := len(in.txbuf)
	if in.ah != nil {
		in.txbuf = appendAHHeaders(in.txbuf, in.cfg.Src, dst, in.ah.ipID, ttl, in.ah.seq, a.Len())
		in.txbuf = a.AppendEncode(in.txbuf, in.cfg.Src, csumDst)
		in.ah.sign(in.txbuf[start:], len(in.cfg.UnicastPeers) > 0)
		pkt := in.txbuf[start:len(in.txbuf):len(in.txbuf)]
		in.sends = append(in.sends, SendAdvert{Dst: dst, TTL: ttl, Priority: prio, Packet: pkt, Released: in.releasing})
		in.emit(&in.sends[len(in.sends)-1])
		return
	}
	in.txbuf = a.AppendEncode(in.txbuf, in.cfg.Src, csumDst)
	if in.hmac != nil {
		in.txbuf = in.appendHMAC(in.txbuf, len(in.txbuf)-start, in.txSeq)
	}
	pkt := in.txbuf[start:len(in.txbuf):len(in.txbuf)]
	in.sends = append(in.sends, SendAdvert{Dst: dst, TTL: ttl, Priority: prio, Packet: pkt, Released: in.releasing})
	in.emit(&in.sends[len(in.sends)-1])
}

// oldChecksumGroup is the address keepalived <= 1.3.6 used in the VRRPv3
// pseudo-header of unicast adverts (the global vrrp_mcast_group4).
func (in *Instance) oldChecksumGroup() netip.Addr {
	if in.cfg.McastGroup.Is4() && in.cfg.McastGroup.IsMulticast() {
		return in.cfg.McastGroup
	}
	return MulticastGroup4
}

// AppendAdvert appends the advert the instance would send now to dst (the
// group or one unicast peer), for dumps and tests.
func (in *Instance) AppendAdvert(b []byte, dst netip.Addr) []byte {
	a := in.advert(in.effPrio)
	return a.AppendEncode(b, in.cfg.Src, dst)
}

// tsm is VRRP_TSM_HANDLE: sync group reactions to a member's transition.
func (in *Instance) tsm(prev State) {
	if in.sync == nil {
		return
	}
	switch {
	case in.state == StateMaster && (prev == StateBackup || prev == StateMaster || prev == StateFault):
		in.sync.master(in)
	case prev == StateMaster && in.state == StateBackup:
		in.sync.backup(in)
	}
}
