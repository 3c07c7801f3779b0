package daemon

import (
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// fifo_write_vrrp_states_on_reload (keepalived 2.2.7 vrrp_scheduler.c
// vrrp_init_state at a reload): the notify FIFOs get the current state
// of what a reload kept, whose state did not change, and so got no
// notification: first every sync group that kept its state machine
// (`GROUP "G" STATE 0`), then every kept instance in BACKUP or FAULT
// (`INSTANCE "VI" STATE PRIO`, its effective priority). Instances that
// stay MASTER take keepalived's other branch there and get no line.

// fifoStateWriter is the part of the notifier that writes FIFO lines
// alone (package notify's InstanceFifo and GroupFifo).
type fifoStateWriter interface {
	InstanceFifo(in *config.Instance, state string, prio int)
	GroupFifo(g *config.SyncGroup, state string)
}

func (a notifyAdapter) InstanceFifo(in *config.Instance, state string, prio int) {
	a.n.InstanceFifo(in, state, prio)
}
func (a notifyAdapter) GroupFifo(g *config.SyncGroup, state string) { a.n.GroupFifo(g, state) }

// groupEngines are the state machines of the running groups, to tell the
// groups a reload keeps from those it makes.
func (d *Daemon) groupEngines() map[groupEngine]bool {
	m := map[groupEngine]bool{}
	for _, g := range d.groups {
		if g.eng != nil {
			m[g.eng] = true
		}
	}
	return m
}

// fifoStatesOnReload writes the lines once the reload has been applied;
// kept are the instances the reload kept, oldEngs the groups' engines
// before it.
func (d *Daemon) fifoStatesOnReload(kept []*instance, oldEngs map[groupEngine]bool) {
	if !d.cfg.Global.FifoStatesOnReload {
		return
	}
	n := d.notify
	if m, ok := n.(*mailNotifier); ok { // e-mail alerts wrap the notifier
		n = m.notifier
	}
	w, ok := n.(fifoStateWriter)
	if !ok {
		return
	}
	for _, g := range d.groups {
		if g.eng != nil && oldEngs[g.eng] {
			w.GroupFifo(g.cfg, g.state.String())
		}
	}
	for _, in := range kept {
		if in.started && (in.state == vrrp.StateBackup || in.state == vrrp.StateFault) {
			w.InstanceFifo(in.cfg, in.state.String(), in.prio)
		}
	}
}
