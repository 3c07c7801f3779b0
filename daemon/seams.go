package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// The daemon reaches the other packages of the project through the small
// interfaces below, so that it compiles and is tested while they grow, and
// so that tests can substitute a recording fake.

// engine is what the daemon needs of a vrrp.Instance.
type engine interface {
	// Step's actions are valid until the instance's next Step.
	Step(now time.Time, ev vrrp.Event) []vrrp.Action
	// Settled: out of INIT with no delayed gratuitous ARP pending.
	Settled() bool
	NextDeadline() (time.Time, bool)
	Status() vrrp.Status
	Stats() vrrp.Stats
}

// groupEngine is what the daemon needs of a vrrp.SyncGroup: stepping one
// member may move the others, so the actions come back named by member,
// in the order they were made, valid until the group's next Step.
type groupEngine interface {
	StepSeq(now time.Time, member string, ev vrrp.Event) []vrrp.MemberAction
	// Dissolve unbinds the members, so that a rebuilt group takes them.
	Dissolve()
}

// newEngine builds the VRRP state machine of one instance.
var newEngine = func(c vrrp.Config) (engine, error) {
	in, err := vrrp.NewInstance(c)
	if err != nil {
		return nil, err
	}
	return in, nil
}

// newGroupEngine builds the sync-group layer over member engines made by
// newEngine, in member order.
var newGroupEngine = func(name string, members []engine) (groupEngine, error) {
	ins := make([]*vrrp.Instance, 0, len(members))
	for _, m := range members {
		in, ok := m.(*vrrp.Instance)
		if !ok {
			return nil, fmt.Errorf("daemon: sync group %s: member is a %T, not a *vrrp.Instance", name, m)
		}
		ins = append(ins, in)
	}
	return vrrp.NewSyncGroup(name, ins), nil
}

// notifier runs notify scripts and writes notify FIFO lines, asynchronously
// and in call order. States are keepalived's words: MASTER, BACKUP, FAULT,
// STOP, DELETED.
type notifier interface {
	Instance(in *config.Instance, state string, prio int)
	Group(g *config.SyncGroup, state string)
	RxLowerPri(in *config.Instance, prio int)
	PriorityChange(in *config.Instance, state string, prio int)
	Close()
}

// scriptRunner runs the vrrp_scripts and track_files of one configuration
// and reports their state changes.
type scriptRunner interface {
	// Run reports updates on out until ctx ends; it must not block on out
	// forever after ctx ends.
	Run(ctx context.Context, out chan<- checker.Update)
	// Runnable lists the scripts that run; the others (dropped as
	// insecure or missing) are not tracked, as keepalived removes them.
	Runnable() []string
}

// scriptsFactory builds the runner for a configuration; prev is the
// runner of the previous configuration on reload (nil at first start), so
// that results carry over by name.
type scriptsFactory func(cfg *config.Config, log *slog.Logger, prev scriptRunner) (scriptRunner, error)

// nopNotifier is used when no notifier is available.
type nopNotifier struct{}

func (nopNotifier) Instance(*config.Instance, string, int)       {}
func (nopNotifier) Group(*config.SyncGroup, string)              {}
func (nopNotifier) RxLowerPri(*config.Instance, int)             {}
func (nopNotifier) PriorityChange(*config.Instance, string, int) {}
func (nopNotifier) Close()                                       {}
