package checker

// Hysteresis is keepalived's vrrp_script result counter (reference section
// 4.3, vrrp_scheduler.c vrrp_script_child_thread): `fall` consecutive
// failures take an OK script down, `rise` consecutive successes bring a
// failed one up, and the very first result decides at once (unless
// init_fail). It is pure: no clock, no processes.
//
// The counter lives in 0..rise+fall-1 and the script is OK iff it is >= rise.
type Hysteresis struct {
	rise, fall int
	result     int
	// pending is true until the first result of a script that did not start
	// failed (keepalived's SCRIPT_INIT_STATE_INIT / INIT_RELOAD): its first
	// failure is reported even though the counter already reads "failed".
	pending bool
}

// NewHysteresis returns the counter of a freshly loaded script. rise and
// fall below 1 are taken as 1 (keepalived's parser never lets them be 0).
// Without initFail the counter starts at rise-1 ("one success is enough") and
// the script has not reported yet; with initFail it starts at 0, failed and
// reported, needing rise successes.
func NewHysteresis(rise, fall int, initFail bool) Hysteresis {
	if rise < 1 {
		rise = 1
	}
	if fall < 1 {
		fall = 1
	}
	if initFail {
		return Hysteresis{rise: rise, fall: fall, result: 0}
	}
	return Hysteresis{rise: rise, fall: fall, result: rise - 1, pending: true}
}

func (h *Hysteresis) max() int { return h.rise + h.fall - 1 }

// OK reports whether the script currently counts as succeeding.
func (h *Hysteresis) OK() bool { return h.result >= h.rise }

// Reported reports whether the script has a state yet: it has produced a
// result, or it started failed with init_fail, or it was carried over a
// reload. Unreported scripts contribute no weight and hold unweighted
// trackers out of BACKUP (section 4.3).
func (h *Hysteresis) Reported() bool { return !h.pending }

// Observe feeds one result and reports whether keepalived would log the
// script's state line and update priorities now (changed), and the state
// after it (ok). The first result of a pending script is always a change.
func (h *Hysteresis) Observe(success bool) (changed, ok bool) {
	first := h.pending
	h.pending = false
	if success {
		switch {
		case h.result < h.rise-1:
			h.result++
		case h.result != h.max():
			if h.result < h.rise {
				changed = true
			}
			h.result = h.max()
		}
	} else {
		if h.result > h.rise {
			h.result--
		} else {
			if h.result == h.rise || first {
				changed = true
			}
			h.result = 0
		}
	}
	return changed, h.OK()
}

// carry maps the counter of the previous configuration's script onto this
// one, as keepalived's clear_diff_script does on reload: an unreported
// script stays unreported (and restarts from rise-1), a failed one keeps its
// distance below rise, an OK one its distance above rise.
func (h *Hysteresis) carry(old Hysteresis) {
	if old.pending {
		h.pending = true
		h.result = h.rise - 1
		return
	}
	h.pending = false
	if old.result < old.rise {
		if old.result == 0 {
			h.result = 0
		} else {
			h.result = max(h.rise-(old.rise-old.result), 0)
		}
		return
	}
	if old.result == old.max() {
		h.result = h.max()
		return
	}
	h.result = min(h.rise+(old.result-old.rise), h.max())
}

// carryState sets the counter from a bare previous state (reload when only
// the OK flag is known): OK means fully up, failed means fully down.
func (h *Hysteresis) carryState(ok bool) {
	h.pending = false
	if ok {
		h.result = h.max()
	} else {
		h.result = 0
	}
}
