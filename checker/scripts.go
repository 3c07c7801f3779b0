package checker

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// ScriptOptions are the global settings scripts run under.
type ScriptOptions struct {
	// DefaultUser and DefaultGroup are global_defs script_user; empty means
	// keepalived_script if it exists, else the daemon's own user.
	DefaultUser, DefaultGroup string
	// EnableSecurity is enable_script_security.
	EnableSecurity bool
	// Logger receives the lines keepalived logs outside the script results
	// (path search warnings, unsafe permissions, skipped runs). nil: discard.
	Logger *slog.Logger
	// KillGrace is the wait between SIGTERM and SIGKILL for a script that
	// overran its timeout (keepalived: 2 s, the default when zero).
	KillGrace time.Duration
	// StopGrace is how long Run waits after SIGTERM before SIGKILL for
	// scripts still running when its context ends (default 500 ms).
	StopGrace time.Duration
}

// Scripts runs the vrrp_scripts on their intervals and reports state
// changes. It is made by NewScripts, optionally seeded by Carry or
// CarryFrom, then Run once.
//
// Deliberate differences from keepalived 2.2.7, each where 2.2.7 does
// something harmful:
//   - a run still going at the next interval is skipped (and logged); 2.2.7
//     logs the same line but starts a second copy (2.3.3 skips too);
//   - a run that overran its timeout is a failure ("timed_out") however it
//     ends; 2.2.7 counts the exit status of a script that traps SIGTERM and
//     exits 0;
//   - once a timed-out script is reaped, what it left in its process group
//     gets SIGKILL; 2.2.7 does so only if the script died of the SIGTERM;
//   - a file without a shebang or ELF header runs through /bin/sh (as
//     keepalived built with libmagic does); Debian's 2.2.7 has no libmagic,
//     its execve fails and the child exits 0, so such a script always
//     "succeeds" there;
//   - a script that cannot be started any more (deleted since load) fails
//     with status 127; in 2.2.7 the child exits 0, a success.
type Scripts struct {
	log       *slog.Logger
	killGrace time.Duration
	stopGrace time.Duration
	list      []*script

	mu sync.Mutex // guards each script's h and lastStatus
}

type script struct {
	name     string
	prog     *Program
	interval time.Duration
	timeout  time.Duration

	h          Hysteresis
	lastStatus int
}

// NewScripts resolves every vrrp_script as keepalived does before it runs
// them (default user, PATH search, executability, enable_script_security's
// permission walk) and keeps those that may run. Dropped scripts are
// reported as positioned findings and are absent from Names: instances must
// not track them (keepalived removes them from every track_script list).
func NewScripts(scripts []*config.Script, opts ScriptOptions) (*Scripts, config.Diagnostics) {
	s := &Scripts{log: opts.Logger, killGrace: opts.KillGrace, stopGrace: opts.StopGrace}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.killGrace <= 0 {
		s.killGrace = 2 * time.Second
	}
	if s.stopGrace <= 0 {
		s.stopGrace = 500 * time.Millisecond
	}
	var ds config.Diagnostics
	def, defOK, msg := DefaultIdentity(opts.DefaultUser, opts.DefaultGroup, opts.EnableSecurity)
	needDefault := opts.DefaultUser != ""
	for _, cs := range scripts {
		needDefault = needDefault || cs.User == ""
	}
	if msg != "" && len(scripts) > 0 && needDefault {
		ds = append(ds, config.Diagnostic{Severity: config.Warning, Class: config.ClassGeneral, Msg: msg})
	}
	for _, cs := range scripts {
		prog, _, sd, logs := checkScript(cs, def, defOK, opts.EnableSecurity)
		ds = append(ds, sd...)
		for _, l := range logs {
			s.log.Info(l)
		}
		if prog == nil {
			continue
		}
		interval := cs.Interval
		if interval <= 0 {
			interval = time.Second
		}
		timeout := cs.Timeout
		if timeout <= 0 {
			timeout = interval
		}
		s.list = append(s.list, &script{
			name: cs.Name, prog: prog, interval: interval, timeout: timeout,
			h: NewHysteresis(cs.Rise, cs.Fall, cs.InitFail),
		})
	}
	return s, ds
}

// Names lists the scripts that will run, in configuration order.
func (s *Scripts) Names() []string {
	names := make([]string, len(s.list))
	for i, sc := range s.list {
		names[i] = sc.name
	}
	return names
}

// Program returns the resolved program of a kept script (for dumps), or nil.
func (s *Scripts) Program(name string) *Program {
	for _, sc := range s.list {
		if sc.name == name {
			return sc.prog
		}
	}
	return nil
}

// States reports the current state of every script that has one (it has
// produced a result, started failed with init_fail, or was carried over a
// reload): true while it counts as succeeding.
func (s *Scripts) States() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]bool, len(s.list))
	for _, sc := range s.list {
		if sc.h.Reported() {
			m[sc.name] = sc.h.OK()
		}
	}
	return m
}

// Carry seeds a reloaded set from the previous set's States: a script of
// the same name keeps its state (fully up or fully down) instead of starting
// over. Call it before Run. CarryFrom keeps the exact counters.
func (s *Scripts) Carry(prev map[string]bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.list {
		ok, found := prev[sc.name]
		if !found {
			continue
		}
		sc.h.carryState(ok)
		s.logCarry(sc)
	}
}

// CarryFrom seeds a reloaded set from the previous one as keepalived's
// clear_diff_script does: counters mapped by distance from rise, last exit
// status kept, unreported scripts still unreported. Call it before Run.
func (s *Scripts) CarryFrom(old *Scripts) {
	if old == nil {
		return
	}
	old.mu.Lock()
	prev := make(map[string]script, len(old.list))
	for _, sc := range old.list {
		prev[sc.name] = *sc
	}
	old.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sc := range s.list {
		o, found := prev[sc.name]
		if !found {
			continue
		}
		sc.h.carry(o.h)
		if !o.h.Reported() {
			continue
		}
		sc.lastStatus = o.lastStatus
		s.logCarry(sc)
	}
}

func (s *Scripts) logCarry(sc *script) {
	if sc.h.OK() {
		s.log.Info(fmt.Sprintf("VRRP_Script(%s) considered successful on reload", sc.name))
	} else {
		s.log.Info(fmt.Sprintf("VRRP_Script(%s) considered unsuccessful on reload", sc.name))
	}
}

// Run runs every script once at once and then every interval until ctx
// ends, sending updates on out. It first sends the state of every script
// that already has one (init_fail, carried). It returns when ctx ends,
// after stopping the running scripts' process groups (SIGTERM, SIGKILL
// after StopGrace) and reaping them. Run blocks on out, never the caller:
// run it in its own goroutine and select on out.
func (s *Scripts) Run(ctx context.Context, out chan<- Update) {
	var wg sync.WaitGroup
	for _, sc := range s.list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.loop(ctx, sc, out)
		}()
	}
	wg.Wait()
}

// Run phases of one script (keepalived's SCRIPT_STATE_*).
const (
	phaseIdle        = iota
	phaseRunning     // started, within its timeout
	phaseTerminating // timed out, SIGTERM sent
	phaseForcing     // SIGKILL sent
)

func (s *Scripts) loop(ctx context.Context, sc *script, out chan<- Update) {
	send := func(u Update) bool {
		select {
		case out <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	s.mu.Lock()
	reported, ok := sc.h.Reported(), sc.h.OK()
	s.mu.Unlock()
	if reported && !send(Update{Kind: "script", Name: sc.name, OK: ok, Changed: true}) {
		return
	}

	tick := time.NewTicker(sc.interval)
	defer tick.Stop()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()

	var proc *Process
	phase := phaseIdle
	launch := func() bool {
		p, err := sc.prog.Start()
		if err != nil {
			// The file vanished or lost its x bit since it was checked: a
			// failure (keepalived's child would exit 0 and count success).
			s.log.Info(fmt.Sprintf("Error exec-ing command '%s': %v", sc.prog.Argv[0], err))
			return s.report(sc, false, fmt.Sprintf("VRRP_Script(%s) failed (exited with status 127)", sc.name), send)
		}
		proc, phase = p, phaseRunning
		timer.Reset(sc.timeout)
		return true
	}
	if !launch() {
		return
	}
	for {
		var done <-chan struct{}
		if proc != nil {
			done = proc.Done()
		}
		select {
		case <-ctx.Done():
			s.stop(proc)
			return
		case <-tick.C:
			if proc != nil {
				what := "already running"
				if phase != phaseRunning {
					what = "being timed out"
				}
				s.log.Info(fmt.Sprintf("Track script %s is %s, expect idle - skipping run", sc.name, what))
				continue
			}
			if !launch() {
				return
			}
		case <-timer.C:
			switch phase {
			case phaseRunning:
				phase = phaseTerminating
				_ = proc.SignalGroup(syscall.SIGTERM)
				timer.Reset(s.killGrace)
			case phaseTerminating:
				phase = phaseForcing
				_ = proc.SignalGroup(syscall.SIGKILL)
				timer.Reset(s.killGrace)
			case phaseForcing:
				s.log.Info(fmt.Sprintf("Script %s child (PID %d) failed to terminate after kill", sc.name, proc.Pid()))
				_ = proc.SignalGroup(syscall.SIGKILL)
				timer.Reset(10 * time.Second)
			}
		case <-done:
			timer.Stop()
			p, ph := proc, phase
			proc, phase = nil, phaseIdle
			if !s.finish(sc, p, ph, send) {
				return
			}
		}
	}
}

// finish turns one reaped run into updates: keepalived's "now returning"
// line when the exit status changed, then the state line when the state
// changed. Both carry the state after this result.
func (s *Scripts) finish(sc *script, p *Process, phase int, send func(Update) bool) bool {
	ws := p.Status()
	if phase != phaseRunning {
		// We timed it out: whatever it left in its group goes too.
		_ = p.SignalGroup(syscall.SIGKILL)
	}
	var success bool
	var line string
	switch {
	case phase != phaseRunning:
		line = fmt.Sprintf("VRRP_Script(%s) timed_out", sc.name)
	case ws.Exited() && ws.ExitStatus() == 0:
		success, line = true, fmt.Sprintf("VRRP_Script(%s) succeeded", sc.name)
	case ws.Exited():
		line = fmt.Sprintf("VRRP_Script(%s) failed (exited with status %d)", sc.name, ws.ExitStatus())
	default:
		line = fmt.Sprintf("VRRP_Script(%s) failed (due to signal %d)", sc.name, int(ws.Signal()))
	}
	s.mu.Lock()
	statusLine := ""
	if ws.Exited() {
		if st := ws.ExitStatus(); st != sc.lastStatus {
			statusLine = fmt.Sprintf("Script `%s` now returning %d", sc.name, st)
			sc.lastStatus = st
		}
	}
	// The status line carries the state before this result when there was
	// one: keepalived logs "now returning 1", then "failed", then the
	// transitions, so the state must not change before the second line.
	was, wasReported := sc.h.OK(), sc.h.Reported()
	changed, ok := sc.h.Observe(success)
	s.mu.Unlock()
	lineOK := ok
	if wasReported {
		lineOK = was
	}
	if statusLine != "" && !send(Update{Kind: "script", Name: sc.name, OK: lineOK, Log: statusLine}) {
		return false
	}
	if !changed {
		return true
	}
	return send(Update{Kind: "script", Name: sc.name, OK: ok, Log: line, Changed: true})
}

// report feeds one result that has no process behind it (the program
// could not be started) and sends the state line when it changes.
func (s *Scripts) report(sc *script, success bool, line string, send func(Update) bool) bool {
	s.mu.Lock()
	changed, ok := sc.h.Observe(success)
	s.mu.Unlock()
	if !changed {
		return true
	}
	return send(Update{Kind: "script", Name: sc.name, OK: ok, Log: line, Changed: true})
}

// stop ends a run still in progress when Run's context ends.
func (s *Scripts) stop(p *Process) {
	if p == nil {
		return
	}
	_ = p.SignalGroup(syscall.SIGTERM)
	select {
	case <-p.Done():
	case <-time.After(s.stopGrace):
		_ = p.SignalGroup(syscall.SIGKILL)
		select {
		case <-p.Done():
		case <-time.After(5 * time.Second):
			s.log.Info(fmt.Sprintf("Script child (PID %d) failed to terminate after kill", p.Pid()))
			return
		}
	}
	_ = p.SignalGroup(syscall.SIGKILL) // anything it left behind in its group
}
