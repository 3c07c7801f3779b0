package daemon

import (
	"net/netip"
	"strings"
	"time"

	"github.com/keepalived-go/keepalived/vrrp"
)

// The status endpoint is ours (keepalived has none): /status is JSON for
// people and scripts, /metrics is Prometheus' text format, written by hand
// so that no module is added. Both are answered from a snapshot the loop
// takes between two events, so they never race with it.

// InstanceStatus is one instance in /status.
type InstanceStatus struct {
	Name              string     `json:"name"`
	Interface         string     `json:"interface"`
	VRID              int        `json:"vrid"`
	Family            string     `json:"family"`
	State             string     `json:"state"`
	BasePriority      int        `json:"base_priority"`
	EffectivePriority int        `json:"effective_priority"`
	MasterAddr        string     `json:"master,omitempty"`
	MasterPriority    int        `json:"master_priority,omitempty"`
	SyncGroup         string     `json:"sync_group,omitempty"`
	VIPs              []string   `json:"vips"`
	VIPsSet           bool       `json:"vips_set"`
	Faults            []string   `json:"faults,omitempty"`
	LastTransition    time.Time  `json:"last_transition"`
	Stats             vrrp.Stats `json:"stats"`
	// Conflicts are the confirmed VIP conflicts (conflict.go).
	Conflicts []ConflictStatus `json:"conflicts,omitempty"`
	// Reason is why the instance is in its state (reason.go): Reason.Text
	// in words, the rest in parts. Nil when the daemon is not running.
	Reason *vrrp.Reason `json:"reason,omitempty"`
}

// Status is the whole /status document.
type Status struct {
	ConfigFile string           `json:"config_file"`
	Instances  []InstanceStatus `json:"instances"`
	// Mail is what the e-mail alerts did (nil without them; mailstatus.go).
	Mail *MailStatus `json:"mail,omitempty"`
}

// snapshot builds the status on the loop goroutine.
func (d *Daemon) snapshot() Status {
	s := Status{ConfigFile: d.opts.ConfigFile, Instances: []InstanceStatus{}}
	now := d.opts.Now()
	for _, in := range d.insts {
		st := in.eng.Status()
		is := InstanceStatus{
			Name: in.name(), Interface: in.ifname, VRID: in.cfg.VRID, Family: in.cfg.Family.String(),
			State: st.State.String(), BasePriority: in.cfg.Priority, EffectivePriority: st.EffectivePriority,
			MasterPriority: st.MasterPriority, VIPs: []string{}, VIPsSet: st.VIPsSet, Faults: st.Faults,
			LastTransition: in.lastTr, Stats: in.stats(), Conflicts: d.instanceConflicts(in),
		}
		if st.MasterAddr.IsValid() {
			is.MasterAddr = st.MasterAddr.String()
		}
		why := d.explain(now, in, st)
		is.Reason = &why
		if in.group != nil {
			is.SyncGroup = in.group.cfg.Name
		}
		for _, a := range in.cfg.VIPs {
			is.VIPs = append(is.VIPs, a.Prefix.String())
		}
		s.Instances = append(s.Instances, is)
	}
	s.Mail = d.mailStatus()
	return s
}

// Status returns a snapshot of every instance (safe from any goroutine
// while Run runs).
func (d *Daemon) Status() (Status, error) {
	var s Status
	err := d.do(func() error { s = d.snapshot(); return nil })
	return s, err
}

// esc escapes a Prometheus label value.
func esc(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func addrOr(a netip.Addr, def string) string {
	if !a.IsValid() {
		return def
	}
	return a.String()
}
