package vrrp

// Tracking and reload: faults, effective priority and Reconfigure
// (vrrp_track.c, vrrp_scheduler.c try_up_instance, reload in vrrp.c).

import (
	"net/netip"
	"slices"
)

// faultCount is the number of fault sources on.
func (in *Instance) faultCount() int {
	n := 0
	for _, on := range in.faults {
		if on {
			n++
		}
	}
	return n
}

// ReasonInitHold is the Reason of the Transition to FAULT of a starting
// instance held only by scripts yet to report (Fault.Init): keepalived
// neither logs nor notifies it.
const ReasonInitHold = "init hold"

// initFault records a script yet to report (Fault.Init). Before start-up
// the instance only counts it; on a running instance it is a fault.
func (in *Instance) initFault(f Fault) {
	if in.faults[f.Key] || (f.On && in.state != StateInit && !in.stopped) {
		in.fault(Fault{Key: f.Key, On: f.On})
		return
	}
	was := len(in.inits)
	if f.On {
		if in.inits == nil {
			in.inits = map[string]bool{}
		}
		in.inits[f.Key] = true
	} else {
		delete(in.inits, f.Key)
	}
	if was == 0 || len(in.inits) > 0 || in.stopped || in.state == StateInit {
		return
	}
	// The last script reported (process_script_update_priority with
	// instance_left_init).
	g := in.sync
	if g != nil && g.numMemberInit > 0 {
		g.numMemberInit--
	}
	if in.faultCount() > 0 || (g != nil && g.numMemberInit > 0) {
		return // a failure holds it in FAULT, or another member's script
	}
	in.tryUp(f.Key, true)
}

// fault is down_instance / try_up_instance.
func (in *Instance) fault(f Fault) {
	if f.Init {
		in.initFault(f)
		return
	}
	was := in.faultCount()
	if f.On {
		in.faults[f.Key] = true
	} else {
		delete(in.faults, f.Key)
	}
	now := in.faultCount()
	if in.stopped || in.state == StateInit {
		return
	}
	switch {
	case was == 0 && now > 0:
		in.downInstance(f.Key)
	case was > 0 && now == 0:
		in.tryUp(f.Key, false)
	}
}

// downInstance is vrrp_track.c down_instance.
func (in *Instance) downInstance(key string) {
	in.wantState = StateFault
	reason := "fault " + key
	if in.state == StateMaster {
		in.leaveMaster(true, reason)
	} else {
		in.leaveFault(reason)
	}
	if in.sync != nil && in.sync.numMemberFault == 0 {
		in.sync.numMemberFault++
		in.sync.fault(in)
	} else if in.sync != nil {
		in.sync.numMemberFault++
	}
}

// tryUp is try_up_instance: leaving FAULT when the last fault clears, or
// (leavingInit) when the last script yet to report has reported.
func (in *Instance) tryUp(key string, leavingInit bool) {
	if !leavingInit && len(in.inits) > 0 {
		// Faults gone, scripts still to report: held as at start-up.
		if in.sync != nil {
			if in.sync.numMemberFault > 0 {
				in.sync.numMemberFault--
			}
			in.sync.state = StateInit
		}
		in.wantState = StateBackup
		return
	}
	if !(in.wantState == StateMaster && in.basePrio == PrioOwner) {
		in.wantState = StateBackup
	}
	in.masterAdverInt = in.adverInt
	if in.wantState == StateMaster && in.basePrio == PrioOwner {
		in.msDownTimer = in.masterAdverInt + in.skew()
	} else {
		in.msDownTimer = in.downTimer()
	}
	if g := in.sync; g != nil {
		if !leavingInit && g.numMemberFault > 0 {
			g.numMemberFault--
		}
		if g.numMemberFault > 0 || (!leavingInit && g.numMemberInit > 0) {
			return
		}
	}
	want := in.wantState
	if in.sync != nil && in.wantState == StateMaster && !in.sync.canGotoMaster(in) {
		in.wantState = StateBackup
	}
	in.leaveFault("fault cleared " + key)
	if len(in.cfg.UnicastPeers) > 0 && in.cfg.Src.IsValid() {
		// Renew the master's neighbour entry for us so that its unicast
		// adverts reach us at once.
		in.emit(Announce{Addrs: []netip.Addr{in.cfg.Src}, Repeat: 1})
	}
	in.wantState = want
	if in.sync != nil {
		if in.state == StateMaster {
			in.sync.master(in)
		} else {
			in.sync.backup(in)
		}
	}
}

// setPriority is vrrp_set_effective_priority.
func (in *Instance) setPriority(total int) {
	in.prioDelta = total - int(in.cfg.Priority)
	in.applyPriority(total)
}

func (in *Instance) applyPriority(total int) {
	if in.basePrio == PrioOwner {
		return
	}
	np := total
	if np < 1 {
		np = 1
	} else if np >= PrioOwner {
		np = PrioOwner - 1
	}
	if uint8(np) == in.effPrio {
		return
	}
	in.logf("Changing effective priority from %d to %d", in.effPrio, np)
	in.effPrio = uint8(np)
	old := in.msDownTimer
	in.msDownTimer = in.downTimer()
	if in.state == StateBackup && !in.sands.IsZero() {
		in.sands = in.sands.Add(in.msDownTimer - old)
	}
}

// reconfigure applies a new config to a running instance, keeping its
// state as keepalived's reload does for a matched instance (6.8): a master
// sends an advert at once, a backup restarts its down timer.
func (in *Instance) reconfigure(cfg Config) {
	if err := normalize(&cfg); err != nil {
		in.logf("reconfigure refused: %v", err)
		return
	}
	oldHeld := in.held()
	in.cfg = cfg
	in.applyHMAC() // new keys, same sequence and replay marks
	in.applyAH()   // a new password, the same counter and IP identification
	in.basePrio = cfg.Priority
	in.adverInt = cfg.AdvertInt
	if in.csumCompat != ChecksumCompatAuto || cfg.UnicastChecksum != ChecksumCompatDetect {
		in.csumCompat = cfg.UnicastChecksum
	}
	if in.basePrio == PrioOwner {
		in.effPrio = PrioOwner
	} else {
		np := int(in.basePrio) + in.prioDelta
		if np < 1 {
			np = 1
		} else if np >= PrioOwner {
			np = PrioOwner - 1
		}
		in.effPrio = uint8(np)
	}
	switch in.state {
	case StateInit:
		in.applyConfig()
	case StateMaster:
		in.masterAdverInt = in.adverInt
		in.sands = in.now // reload_master: advert at once
	case StateBackup:
		// keepalived builds a new instance on reload: Master_Adver_Interval
		// starts again from our own interval, the down timer from now.
		in.masterAdverInt = in.adverInt
		in.msDownTimer = in.downTimer()
		in.initSands()
	}
	if in.vipSet {
		in.reloadAnnounce = added(oldHeld, in.held())
	}
}

// added lists the addresses of next that were not in prev, in next's
// order. A kept master announces only these on reload (keepalived
// announces every VIP when one was added): the others never moved.
func added(prev, next []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range next {
		if !slices.Contains(prev, a) {
			out = append(out, a)
		}
	}
	return out
}
