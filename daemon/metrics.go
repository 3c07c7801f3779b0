package daemon

import (
	"bytes"
	"fmt"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"

	"github.com/keepalived-go/keepalived/vrrp"
)

// /metrics, Prometheus' text exposition format (version 0.0.4), written by
// hand so that no module is added.
//
// The families keepalived users already scrape are those of
// mehdy/keepalived-exporter (5aedbfb, internal/collector/collector.go),
// with its names, help texts, types, labels and series, so that its
// dashboards and alerts work against our endpoint unchanged:
//
//   - keepalived_up, 1 while the daemon answers (0 once it is stopping);
//   - keepalived_vrrp_state{iname,intf,vrid,ip_address}: one series per
//     VIP, intf being the VIP's device and ip_address the VIP as the dumps
//     write it (no /32 or /128); an instance without VIPs has one series
//     with its interface and ip_address "";
//   - keepalived_vrrp_excluded_state, the same per excluded VIP;
//   - the counters of keepalived.stats and keepalived_gratuitous_arp_delay_total
//     (garp_master_delay, in seconds, as the exporter exports it),
//     labelled iname, intf, vrid only: a reload that changes an instance's
//     VIPs does not reset its series;
//   - keepalived_script_status{name} (0 BAD, 1 GOOD) and
//     keepalived_script_state{name} (0 idle, as keepalived.data says).
//
// The exporter derives them from our dumps; TestExporterReadsUs
// (test/e2e/tools_test.go) scrapes both and wants every family and series
// of the exporter's, with the same values, here too.
//
// Ours besides, under names the exporter does not use, with the same
// instance labels: the effective and configured priority, whether the VIPs
// are set, the checksum drops keepalived does not count, keepalived 2.4.3's
// auth_hmac counters, the VIP conflicts (conflict.go) and the process's
// heap allocations (go_memstats_mallocs_total, the name of Prometheus' Go
// collector).

// metricsSnapshot is what /metrics shows, taken on the loop goroutine and
// rendered off it.
type metricsSnapshot struct {
	instances []metricsInstance
	scripts   []metricsScript
	status    Status // for conflictMetrics
}

// metricsInstance is one VRRP instance's part of a snapshot.
type metricsInstance struct {
	name, intf string
	vrid       string
	state      vrrp.State
	// vips and evips are the VIPs and excluded VIPs as label pairs
	// {ip_address, intf}.
	vips, evips [][2]string
	garpDelay   int
	base, eff   int
	vipsSet     bool
	stats       vrrp.Stats
}

// metricsScript is one vrrp_script's part of a snapshot.
type metricsScript struct {
	name string
	good bool
}

// metricsSnapshot builds the snapshot (on the loop goroutine).
func (d *Daemon) metricsSnapshot() metricsSnapshot {
	m := metricsSnapshot{status: d.snapshot()}
	for _, in := range d.insts {
		st := in.eng.Status()
		mi := metricsInstance{
			name: in.name(), intf: in.ifname, vrid: strconv.Itoa(in.cfg.VRID), state: st.State,
			garpDelay: int(in.vcfg.GarpMasterDelay.Seconds()),
			base:      in.cfg.Priority, eff: st.EffectivePriority, vipsSet: st.VIPsSet, stats: in.stats(),
		}
		for _, a := range in.cfg.VIPs {
			mi.vips = append(mi.vips, vipLabels(vipString(a, in.vipDev(), false)))
		}
		for _, a := range in.cfg.ExcludedVIPs {
			mi.evips = append(mi.evips, vipLabels(vipString(a, in.vipDev(), false)))
		}
		m.instances = append(m.instances, mi)
	}
	for _, s := range d.cfg.Scripts {
		result, _ := d.scriptResult(s)
		m.scripts = append(m.scripts, metricsScript{name: s.Name, good: result >= s.Rise})
	}
	return m
}

// vipLabels splits a VIP as the dumps write it ("10.0.0.100/24 dev eth0
// scope global") into the exporter's ip_address and intf labels: the
// first word and the third.
func vipLabels(s string) [2]string {
	f := strings.Fields(s)
	if len(f) < 3 {
		return [2]string{s, ""}
	}
	return [2]string{f[0], f[2]}
}

// metrics takes a snapshot through the loop.
func (d *Daemon) metrics() (metricsSnapshot, error) {
	var m metricsSnapshot
	err := d.do(func() error { m = d.metricsSnapshot(); return nil })
	return m, err
}

// metricsDown is /metrics once the loop no longer answers: what the
// exporter exports when keepalived does not answer its signals.
var metricsDown = []byte("# HELP keepalived_up Status\n# TYPE keepalived_up gauge\nkeepalived_up 0\n")

// promWriter writes families: a HELP and TYPE header, then its series,
// each label set once (a VIP configured twice is one series, as the
// exposition format wants).
type promWriter struct {
	b    bytes.Buffer
	seen map[string]bool
}

func (w *promWriter) family(name, typ, help string) {
	fmt.Fprintf(&w.b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	clear(w.seen)
}

// series writes name{k1="v1",...} value; labels alternate names and
// values. The labels come out sorted by name, as client_golang (the
// exporter's) writes them, so that a series reads the same from both.
func (w *promWriter) series(name string, value uint64, labels ...string) {
	pairs := make([][2]string, 0, len(labels)/2)
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, [2]string{labels[i], labels[i+1]})
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var l strings.Builder
	for i, p := range pairs {
		if i > 0 {
			l.WriteByte(',')
		}
		fmt.Fprintf(&l, `%s="%s"`, p[0], esc(p[1]))
	}
	key := l.String()
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	if key == "" {
		fmt.Fprintf(&w.b, "%s %d\n", name, value)
		return
	}
	fmt.Fprintf(&w.b, "%s{%s} %d\n", name, key, value)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// instanceCounters are the exporter's counters, in its order, with its
// help texts, then ours.
var instanceCounters = []struct {
	name, help string
	v          func(mi *metricsInstance) uint64
}{
	{"keepalived_advertisements_received_total", "Advertisements received", func(mi *metricsInstance) uint64 { return mi.stats.AdvertRcvd }},
	{"keepalived_advertisements_sent_total", "Advertisements sent", func(mi *metricsInstance) uint64 { return mi.stats.AdvertSent }},
	{"keepalived_become_master_total", "Became master", func(mi *metricsInstance) uint64 { return mi.stats.BecomeMaster }},
	{"keepalived_release_master_total", "Released master", func(mi *metricsInstance) uint64 { return mi.stats.ReleaseMaster }},
	{"keepalived_packet_length_errors_total", "Packet length errors", func(mi *metricsInstance) uint64 { return mi.stats.PacketLenErr }},
	{"keepalived_advertisements_interval_errors_total", "Advertisement interval errors", func(mi *metricsInstance) uint64 { return mi.stats.AdvertIntervalErr }},
	{"keepalived_ip_ttl_errors_total", "TTL errors", func(mi *metricsInstance) uint64 { return mi.stats.IPTTLErr }},
	{"keepalived_invalid_type_received_total", "Invalid type errors", func(mi *metricsInstance) uint64 { return mi.stats.InvalidTypeRcvd }},
	{"keepalived_address_list_errors_total", "Address list errors", func(mi *metricsInstance) uint64 { return mi.stats.AddrListErr }},
	{"keepalived_authentication_invalid_total", "Authentication invalid", func(mi *metricsInstance) uint64 { return mi.stats.InvalidAuthType }},
	{"keepalived_authentication_mismatch_total", "Authentication mismatch", func(mi *metricsInstance) uint64 { return mi.stats.AuthTypeMismatch }},
	{"keepalived_authentication_failure_total", "Authentication failure", func(mi *metricsInstance) uint64 { return mi.stats.AuthFailure }},
	{"keepalived_priority_zero_received_total", "Priority zero received", func(mi *metricsInstance) uint64 { return mi.stats.PriZeroRcvd }},
	{"keepalived_priority_zero_sent_total", "Priority zero sent", func(mi *metricsInstance) uint64 { return mi.stats.PriZeroSent }},
	{"keepalived_gratuitous_arp_delay_total", "Gratuitous ARP delay", func(mi *metricsInstance) uint64 { return uint64(mi.garpDelay) }},
	// Ours: keepalived 2.4.3's auth_hmac counters and the checksum drops.
	{"keepalived_auth_ext_missing_total", "Adverts without the auth_hmac trailer enforce requires.", func(mi *metricsInstance) uint64 { return mi.stats.Missing }},
	{"keepalived_auth_ext_malformed_total", "Adverts with a malformed auth_hmac trailer.", func(mi *metricsInstance) uint64 { return mi.stats.Malformed }},
	{"keepalived_auth_ext_unknown_key_total", "Adverts signed with an auth_hmac key id we do not hold.", func(mi *metricsInstance) uint64 { return mi.stats.UnknownKey }},
	{"keepalived_auth_ext_invalid_hmac_total", "Adverts whose auth_hmac HMAC is wrong.", func(mi *metricsInstance) uint64 { return mi.stats.InvalidMAC }},
	{"keepalived_auth_ext_stale_total", "Adverts whose auth_hmac time is outside the window.", func(mi *metricsInstance) uint64 { return mi.stats.Stale }},
	{"keepalived_auth_ext_replay_total", "Adverts whose auth_hmac sequence did not grow (replays).", func(mi *metricsInstance) uint64 { return mi.stats.Replay }},
	{"keepalived_checksum_errors_total", "Adverts dropped for their checksum (keepalived-go; keepalived does not count them).", func(mi *metricsInstance) uint64 { return mi.stats.ChecksumErr }},
}

// instanceGauges are ours, per instance.
var instanceGauges = []struct {
	name, help string
	v          func(mi *metricsInstance) uint64
}{
	{"keepalived_vrrp_effective_priority", "Effective priority of the VRRP instance (keepalived-go).", func(mi *metricsInstance) uint64 { return uint64(mi.eff) }},
	{"keepalived_vrrp_base_priority", "Configured priority of the VRRP instance (keepalived-go).", func(mi *metricsInstance) uint64 { return uint64(mi.base) }},
	{"keepalived_vrrp_vips_set", "1 while the instance holds its VIPs (keepalived-go).", func(mi *metricsInstance) uint64 { return b2u(mi.vipsSet) }},
}

// metricsText renders a snapshot.
func metricsText(m metricsSnapshot) []byte {
	var w promWriter
	w.family("keepalived_up", "gauge", "Status")
	w.series("keepalived_up", 1)
	w.family("keepalived_vrrp_state", "gauge", "State of vrrp")
	for i := range m.instances {
		mi := &m.instances[i]
		for _, v := range mi.vips {
			w.series("keepalived_vrrp_state", uint64(mi.state), "iname", mi.name, "intf", v[1], "vrid", mi.vrid, "ip_address", v[0])
		}
		if len(mi.vips) == 0 {
			w.series("keepalived_vrrp_state", uint64(mi.state), "iname", mi.name, "intf", mi.intf, "vrid", mi.vrid, "ip_address", "")
		}
	}
	w.family("keepalived_vrrp_excluded_state", "gauge", "State of vrrp with excluded VIP")
	for i := range m.instances {
		mi := &m.instances[i]
		for _, v := range mi.evips {
			w.series("keepalived_vrrp_excluded_state", uint64(mi.state), "iname", mi.name, "intf", v[1], "vrid", mi.vrid, "ip_address", v[0])
		}
	}
	for _, c := range instanceCounters {
		w.family(c.name, "counter", c.help)
		for i := range m.instances {
			mi := &m.instances[i]
			w.series(c.name, c.v(mi), "iname", mi.name, "intf", mi.intf, "vrid", mi.vrid)
		}
	}
	w.family("keepalived_script_status", "gauge", "Tracker Script Status")
	for _, s := range m.scripts {
		w.series("keepalived_script_status", b2u(s.good), "name", s.name)
	}
	w.family("keepalived_script_state", "gauge", "Tracker Script State")
	for _, s := range m.scripts {
		w.series("keepalived_script_state", 0, "name", s.name) // idle, as keepalived.data
	}
	for _, g := range instanceGauges {
		w.family(g.name, "gauge", g.help)
		for i := range m.instances {
			mi := &m.instances[i]
			w.series(g.name, g.v(mi), "iname", mi.name, "intf", mi.intf, "vrid", mi.vrid)
		}
	}
	conflictMetrics(&w.b, m.status)
	mailMetrics(&w.b, m.status)
	// The process's heap allocations, so that an allocation per advert
	// shows from outside: the footprint script divides its growth by the
	// adverts received and sent.
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:objects"}}
	metrics.Read(sample)
	if sample[0].Value.Kind() == metrics.KindUint64 {
		w.family("go_memstats_mallocs_total", "counter", "Total number of heap objects allocated.")
		w.series("go_memstats_mallocs_total", sample[0].Value.Uint64())
	}
	return w.b.Bytes()
}
