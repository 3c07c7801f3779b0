package daemon

import (
	"bytes"
	"fmt"
	"net/netip"
	"runtime/metrics"
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

// metricsText renders the snapshot in Prometheus' text exposition format.
// Metric names follow keepalived-exporter's where one exists
// (keepalived_vrrp_state, keepalived_advertisements_received_total, ...).
func metricsText(s Status) []byte {
	var b bytes.Buffer
	labels := func(in InstanceStatus) string {
		return fmt.Sprintf(`iname="%s",intf="%s",vrid="%d",ip_address="%s"`,
			esc(in.Name), esc(in.Interface), in.VRID, esc(strings.Join(in.VIPs, ",")))
	}
	gauge := func(name, help string, v func(InstanceStatus) float64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name)
		for _, in := range s.Instances {
			fmt.Fprintf(&b, "%s{%s} %g\n", name, labels(in), v(in))
		}
	}
	counter := func(name, help string, v func(vrrp.Stats) uint64) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name)
		for _, in := range s.Instances {
			fmt.Fprintf(&b, "%s{%s} %d\n", name, labels(in), v(in.Stats))
		}
	}
	gauge("keepalived_vrrp_state", "State of the VRRP instance: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT.", func(in InstanceStatus) float64 {
		return float64(stateNumber(in.State))
	})
	gauge("keepalived_vrrp_effective_priority", "Effective priority of the VRRP instance.", func(in InstanceStatus) float64 {
		return float64(in.EffectivePriority)
	})
	gauge("keepalived_vrrp_base_priority", "Configured priority of the VRRP instance.", func(in InstanceStatus) float64 {
		return float64(in.BasePriority)
	})
	gauge("keepalived_vrrp_vips_set", "1 while the instance holds its VIPs.", func(in InstanceStatus) float64 {
		if in.VIPsSet {
			return 1
		}
		return 0
	})
	counter("keepalived_advertisements_received_total", "Advertisements received.", func(s vrrp.Stats) uint64 { return s.AdvertRcvd })
	counter("keepalived_advertisements_sent_total", "Advertisements sent.", func(s vrrp.Stats) uint64 { return s.AdvertSent })
	counter("keepalived_become_master_total", "Times the instance became master.", func(s vrrp.Stats) uint64 { return s.BecomeMaster })
	counter("keepalived_release_master_total", "Times the instance released master.", func(s vrrp.Stats) uint64 { return s.ReleaseMaster })
	counter("keepalived_packet_length_errors_total", "Packets dropped for their length.", func(s vrrp.Stats) uint64 { return s.PacketLenErr })
	counter("keepalived_advertisements_interval_errors_total", "Adverts dropped for an interval mismatch.", func(s vrrp.Stats) uint64 { return s.AdvertIntervalErr })
	counter("keepalived_ip_ttl_errors_total", "Packets dropped for their TTL.", func(s vrrp.Stats) uint64 { return s.IPTTLErr })
	counter("keepalived_invalid_type_received_total", "Packets of an invalid type.", func(s vrrp.Stats) uint64 { return s.InvalidTypeRcvd })
	counter("keepalived_address_list_errors_total", "Adverts dropped for their address list.", func(s vrrp.Stats) uint64 { return s.AddrListErr })
	counter("keepalived_authentication_invalid_total", "Adverts with an invalid auth type.", func(s vrrp.Stats) uint64 { return s.InvalidAuthType })
	counter("keepalived_authentication_mismatch_total", "Adverts with a mismatched auth type.", func(s vrrp.Stats) uint64 { return s.AuthTypeMismatch })
	counter("keepalived_authentication_failure_total", "Adverts failing authentication.", func(s vrrp.Stats) uint64 { return s.AuthFailure })
	counter("keepalived_priority_zero_received_total", "Priority-0 adverts received.", func(s vrrp.Stats) uint64 { return s.PriZeroRcvd })
	counter("keepalived_priority_zero_sent_total", "Priority-0 adverts sent.", func(s vrrp.Stats) uint64 { return s.PriZeroSent })
	counter("keepalived_auth_ext_missing_total", "Adverts without the auth_hmac trailer enforce requires.", func(s vrrp.Stats) uint64 { return s.Missing })
	counter("keepalived_auth_ext_malformed_total", "Adverts with a malformed auth_hmac trailer.", func(s vrrp.Stats) uint64 { return s.Malformed })
	counter("keepalived_auth_ext_unknown_key_total", "Adverts signed with an auth_hmac key id we do not hold.", func(s vrrp.Stats) uint64 { return s.UnknownKey })
	counter("keepalived_auth_ext_invalid_hmac_total", "Adverts whose auth_hmac HMAC is wrong.", func(s vrrp.Stats) uint64 { return s.InvalidMAC })
	counter("keepalived_auth_ext_stale_total", "Adverts whose auth_hmac time is outside the window.", func(s vrrp.Stats) uint64 { return s.Stale })
	counter("keepalived_auth_ext_replay_total", "Adverts whose auth_hmac sequence did not grow (replays).", func(s vrrp.Stats) uint64 { return s.Replay })
	counter("keepalived_checksum_errors_total", "Adverts dropped for their checksum (ours).", func(s vrrp.Stats) uint64 { return s.ChecksumErr })
	// The process's heap allocations (Prometheus' Go collector name), so
	// that an allocation per advert shows from outside: the footprint
	// script divides its growth by the adverts received and sent.
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		fmt.Fprintf(&b, "# HELP go_memstats_mallocs_total Total number of heap objects allocated.\n# TYPE go_memstats_mallocs_total counter\ngo_memstats_mallocs_total %d\n", sample[0].Value.Uint64())
	}
	conflictMetrics(&b, s)
	mailMetrics(&b, s)
	return b.Bytes()
}

func stateNumber(s string) int {
	for _, st := range []vrrp.State{vrrp.StateInit, vrrp.StateBackup, vrrp.StateMaster, vrrp.StateFault} {
		if st.String() == s {
			return int(st)
		}
	}
	return 0
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
