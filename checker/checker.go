// Package checker runs keepalived's trackers: vrrp_script (with rise / fall
// hysteresis, timeouts that kill the script's whole process group, no
// zombies), track_file (inotify), and the pure weight maths that turns
// tracker states into an instance's effective priority or a fault.
//
// Scripts never block the caller: results arrive on a channel the daemon's
// event loop selects on.
//
// This file is the contract the daemon is written against.
package checker

// Update is one tracker reporting: a change of state (Changed), or a log
// line alone (e.g. "Script `chk` now returning 1") with OK repeating the
// state from before the result it announces (the state changes with the
// "VRRP_Script(chk) failed" update after it, as keepalived orders its
// lines). The daemon logs Log when it is not empty and recomputes the
// trackers' effect from OK; an update that changes nothing is harmless.
type Update struct {
	// Kind is "script", "file" or "interface".
	Kind string
	Name string
	// OK is the tracker's state after the update (script succeeded, file
	// value usable, interface up). For files, Value carries the number read.
	OK    bool
	Value int
	// Log is the line keepalived logs for it, e.g. "VRRP_Script(chk) succeeded"
	// or "VRRP_Script(chk) failed (exited with status 1)"; empty if none.
	Log string
	// Changed is true when the state was (re)established by this update:
	// a new state, the first result, or the initial state sent when Run
	// starts. False for log-only updates.
	Changed bool
}

// Contribution is how one tracked object with weight w (and reverse) in
// state ok changes an instance (reference section 4.3, 5.7):
//   - w == 0: fault is true while the object is down (up if reverse);
//   - w > 0:  +w while up (reverse: -w while up);
//   - w < 0:  -|w| while down (reverse: +|w| while down).
func Contribution(w int, reverse, ok bool) (delta int, fault bool) {
	if w == 0 {
		return 0, ok == reverse
	}
	switch {
	case w > 0 && !reverse:
		if ok {
			return w, false
		}
	case w > 0 && reverse:
		if ok {
			return -w, false
		}
	case w < 0 && !reverse:
		if !ok {
			return w, false
		}
	case w < 0 && reverse:
		if !ok {
			return -w, false
		}
	}
	return 0, false
}

// EffectivePriority clamps base+sum to 1..254, keeping an owner's 255.
func EffectivePriority(base, sum int) int {
	if base == 255 {
		return 255
	}
	p := base + sum
	if p < 1 {
		p = 1
	}
	if p > 254 {
		p = 254
	}
	return p
}

// The rest of the contract lives beside the implementation:
//   - hysteresis.go: Hysteresis, NewHysteresis (keepalived's result counter);
//   - scripts.go:    Scripts, ScriptOptions, NewScripts, Run, Carry, States;
//   - security.go:   CheckSecurity, Program, Resolve (script lookup and
//                    keepalived's file-permission walk);
//   - file.go:       WatchFiles, FileContribution (track_file).
