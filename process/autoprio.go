package process

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// AutoPriority is keepalived 2.2.7's max_auto_priority and
// min_auto_priority_delay for the VRRP process (lib/scheduler.c,
// lib/process.c increment_process_priority): when the process runs a
// timer more than min_auto_priority_delay after it was due, it logs
// "A thread timer expired S.US seconds ago" and moves to real-time
// scheduling, SCHED_RR at the lowest real-time priority (1), then one
// step higher at each further late run, up to max_auto_priority
// ("Set realtime priority N" each time). 0 (the default) and -1 leave
// the scheduling alone.
//
// keepalived measures the lateness of its own scheduler's earliest
// timer; the Go runtime schedules ours, so a probe timer on its own
// goroutine measures how late the process gets to run (every
// probeInterval, only while max_auto_priority is set). The policy is set
// with SCHED_RESET_ON_FORK, as keepalived sets it, on every thread the
// process has (Linux applies it per thread): scripts started afterwards
// run with normal scheduling, and so do runtime threads made later.
// It also applies the fixed settings: vrrp_rt_priority (SCHED_RR from the
// start, where max_auto_priority then climbs from), else vrrp_priority
// (the nice value), and vrrp_cpu_affinity.
type AutoPriority struct {
	Logger *slog.Logger

	mu       sync.Mutex
	max      int
	minDelay time.Duration
	cur      int
	wake     chan struct{}
	// fixed is the vrrp_rt_priority / vrrp_priority / vrrp_cpu_affinity
	// last applied.
	fixed fixedTuning
}

// fixedTuning is the VRRP process's configured scheduling (keepalived
// 2.2.7 start_vrrp, set_process_priorities and set_process_cpu_affinity):
// SCHED_RR at vrrp_rt_priority from the start, else the nice value
// vrrp_priority; the CPUs of vrrp_cpu_affinity.
type fixedTuning struct {
	rt, nice int
	cpus     string
}

// probeInterval is how often the probe checks the process's lateness.
const probeInterval = 500 * time.Millisecond

// NewAutoPriority returns an AutoPriority configured from g.
func NewAutoPriority(g *config.Global, lg *slog.Logger) *AutoPriority {
	a := &AutoPriority{Logger: lg, wake: make(chan struct{}, 1)}
	a.Configure(g)
	return a
}

// Configure takes the configuration's settings (at start and after each
// reload, as keepalived's start_vrrp). The priority reached is kept.
func (a *AutoPriority) Configure(g *config.Global) {
	a.mu.Lock()
	a.max = g.MaxAutoPriority
	a.minDelay = g.MinAutoPriority()
	a.applyFixed(g)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

// applyFixed sets the configured scheduling when it differs from what was
// applied (at start, and at a reload that changes it).
func (a *AutoPriority) applyFixed(g *config.Global) {
	want := fixedTuning{rt: g.VRRPRealtimePriority, nice: g.VRRPProcessPriority, cpus: fmt.Sprint(g.VRRPCPUAffinity)}
	if want == a.fixed {
		return
	}
	a.fixed = want
	switch {
	case want.rt > 0:
		if err := setRealtime(want.rt); err != nil {
			a.warn("child process: cannot raise priority", err)
		} else {
			a.cur = want.rt
		}
	case want.nice != 0:
		if err := setNice(want.nice); err != nil {
			a.log(fmt.Sprintf("Unable to set process priority to %d - %v", want.nice, err))
		}
	}
	if len(g.VRRPCPUAffinity) > 0 {
		if err := setAffinity(g.VRRPCPUAffinity); err != nil {
			a.warn(fmt.Sprintf("unable to set cpu affinity to vrrp process (%v)", err), err)
		}
	}
}

func (a *AutoPriority) warn(msg string, err error) {
	if a.Logger != nil {
		a.Logger.Warn(msg, slog.String("error", err.Error()))
	}
}

// Current is the real-time priority set (0: normal scheduling).
func (a *AutoPriority) Current() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.cur
}

// Run probes until ctx ends; it sleeps (no timer) while the feature is
// off.
func (a *AutoPriority) Run(ctx context.Context) {
	t := time.NewTimer(probeInterval)
	defer t.Stop()
	due := time.Now().Add(probeInterval)
	for {
		a.mu.Lock()
		on := a.max > 0
		a.mu.Unlock()
		if !on {
			t.Stop()
			select {
			case <-ctx.Done():
				return
			case <-a.wake:
			}
			due = time.Now().Add(probeInterval)
			t.Reset(probeInterval)
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-a.wake:
			continue
		case now := <-t.C:
			a.check(now.Sub(due))
			due = time.Now().Add(probeInterval)
			t.Reset(probeInterval)
		}
	}
}

// check acts on one measured lateness.
func (a *AutoPriority) check(late time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.max <= 0 || late <= a.minDelay {
		return
	}
	us := late.Microseconds()
	a.log(fmt.Sprintf("A thread timer expired %d.%06d seconds ago", us/1e6, us%1e6))
	if a.cur >= a.max {
		return
	}
	next := a.cur + 1
	if err := setRealtime(next); err != nil {
		if a.Logger != nil {
			a.Logger.Warn("child process: cannot raise priority", slog.String("error", err.Error()))
		}
		return
	}
	a.cur = next
	a.log(fmt.Sprintf("Set realtime priority %d", next))
}

func (a *AutoPriority) log(msg string) {
	if a.Logger != nil {
		a.Logger.Info(msg)
	}
}
