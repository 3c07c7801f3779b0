package daemon

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
)

// metricsHarness: VI_1 on eth0 with two VIPs (one on eth2) and an
// excluded VIP, VI_2 on eth1 with no VIP and tracking script chk, which
// has succeeded; VI_1 is MASTER.
func metricsHarness(t *testing.T) *harness {
	ins := []*config.Instance{vi("VI_1", 51, "eth0", 100, "10.0.0.100/24", "10.0.2.101/32"), vi("VI_2", 52, "eth1", 90)}
	ins[0].VIPs[1].Dev = "eth2"
	ins[0].ExcludedVIPs = []config.Address{{Prefix: netip.MustParsePrefix("10.9.9.9/32")}}
	ins[1].TrackScripts = []config.TrackScript{{Name: "chk"}}
	cfg := configOf(ins...)
	cfg.Scripts = []*config.Script{config.DefaultScript("chk"), config.DefaultScript("unused")}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"), eth("eth1", true, "10.1.0.1/24"), eth("eth2", true, "10.0.2.1/24"))
	h.start()
	h.d.onUpdate(h.now, checker.Update{Kind: "script", Name: "chk", OK: true})
	h.advance(5 * time.Second)
	return h
}

// family returns the lines of one family in a /metrics text: its HELP and
// TYPE lines and its series.
func family(text, name string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "# HELP "+name+" ") || strings.HasPrefix(l, "# TYPE "+name+" ") ||
			strings.HasPrefix(l, name+"{") || strings.HasPrefix(l, name+" ") {
			out = append(out, l)
		}
	}
	return out
}

// TestMetricsExporterFamilies: the families mehdy/keepalived-exporter
// exports come out with its names, help, types and labels: one
// keepalived_vrrp_state series per VIP labelled with the VIP's device, a
// series with ip_address "" for an instance without VIPs, one
// keepalived_vrrp_excluded_state per excluded VIP, counters labelled
// iname, intf, vrid only, the scripts' status and state; and ours with the
// same instance labels.
func TestMetricsExporterFamilies(t *testing.T) {
	h := metricsHarness(t)
	m := string(metricsText(h.d.metricsSnapshot()))
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"keepalived_up", []string{"# HELP keepalived_up Status", "# TYPE keepalived_up gauge", "keepalived_up 1"}},
		{"keepalived_vrrp_state", []string{
			"# HELP keepalived_vrrp_state State of vrrp", "# TYPE keepalived_vrrp_state gauge",
			`keepalived_vrrp_state{iname="VI_1",intf="eth0",ip_address="10.0.0.100/24",vrid="51"} 2`,
			`keepalived_vrrp_state{iname="VI_1",intf="eth2",ip_address="10.0.2.101",vrid="51"} 2`,
			`keepalived_vrrp_state{iname="VI_2",intf="eth1",ip_address="",vrid="52"} 2`,
		}},
		{"keepalived_vrrp_excluded_state", []string{
			"# HELP keepalived_vrrp_excluded_state State of vrrp with excluded VIP", "# TYPE keepalived_vrrp_excluded_state gauge",
			`keepalived_vrrp_excluded_state{iname="VI_1",intf="eth0",ip_address="10.9.9.9",vrid="51"} 2`,
		}},
		{"keepalived_become_master_total", []string{
			"# HELP keepalived_become_master_total Became master", "# TYPE keepalived_become_master_total counter",
			`keepalived_become_master_total{iname="VI_1",intf="eth0",vrid="51"} 1`,
			`keepalived_become_master_total{iname="VI_2",intf="eth1",vrid="52"} 1`,
		}},
		{"keepalived_gratuitous_arp_delay_total", []string{
			"# HELP keepalived_gratuitous_arp_delay_total Gratuitous ARP delay", "# TYPE keepalived_gratuitous_arp_delay_total counter",
			`keepalived_gratuitous_arp_delay_total{iname="VI_1",intf="eth0",vrid="51"} 5`,
			`keepalived_gratuitous_arp_delay_total{iname="VI_2",intf="eth1",vrid="52"} 5`,
		}},
		{"keepalived_script_status", []string{
			"# HELP keepalived_script_status Tracker Script Status", "# TYPE keepalived_script_status gauge",
			`keepalived_script_status{name="chk"} 1`, `keepalived_script_status{name="unused"} 0`,
		}},
		{"keepalived_script_state", []string{
			"# HELP keepalived_script_state Tracker Script State", "# TYPE keepalived_script_state gauge",
			`keepalived_script_state{name="chk"} 0`, `keepalived_script_state{name="unused"} 0`,
		}},
		{"keepalived_vrrp_base_priority", []string{
			"# HELP keepalived_vrrp_base_priority Configured priority of the VRRP instance (keepalived-go).", "# TYPE keepalived_vrrp_base_priority gauge",
			`keepalived_vrrp_base_priority{iname="VI_1",intf="eth0",vrid="51"} 100`,
			`keepalived_vrrp_base_priority{iname="VI_2",intf="eth1",vrid="52"} 90`,
		}},
	} {
		if diff := cmp.Diff(tc.want, family(m, tc.name)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	// Every counter of the exporter's, labelled as it labels them.
	for _, name := range []string{"advertisements_received", "advertisements_sent", "release_master",
		"packet_length_errors", "advertisements_interval_errors", "ip_ttl_errors", "invalid_type_received",
		"address_list_errors", "authentication_invalid", "authentication_mismatch", "authentication_failure",
		"priority_zero_received", "priority_zero_sent"} {
		f := family(m, "keepalived_"+name+"_total")
		if len(f) != 4 || f[1] != "# TYPE keepalived_"+name+"_total counter" ||
			!strings.HasPrefix(f[2], `keepalived_`+name+`_total{iname="VI_1",intf="eth0",vrid="51"} `) {
			t.Errorf("keepalived_%s_total:\n%s", name, strings.Join(f, "\n"))
		}
	}
	if regexp.MustCompile(`_total\{[^}]*ip_address`).MatchString(m) {
		t.Errorf("a counter carries ip_address:\n%s", m)
	}
	checkExposition(t, m)
}

// TestMetricsSeriesSurviveVIPChange: a counter's series is the instance's,
// not its VIPs': after a reload that changes the VIPs the same label sets
// come out, and the state series follow the VIPs.
func TestMetricsSeriesSurviveVIPChange(t *testing.T) {
	h := metricsHarness(t)
	before := string(metricsText(h.d.metricsSnapshot()))
	next := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24", "10.0.0.102/24"), vi("VI_2", 52, "eth1", 90))
	next.Instances[1].TrackScripts = []config.TrackScript{{Name: "chk"}}
	next.Scripts = h.d.cfg.Scripts
	if err := h.d.applyReload(h.now, next); err != nil {
		t.Fatal(err)
	}
	after := string(metricsText(h.d.metricsSnapshot()))
	labels := func(text, name string) []string {
		var out []string
		for _, l := range family(text, name) {
			if !strings.HasPrefix(l, "#") {
				k, _, _ := strings.Cut(l, " ")
				out = append(out, k)
			}
		}
		return out
	}
	if diff := cmp.Diff(labels(before, "keepalived_advertisements_sent_total"), labels(after, "keepalived_advertisements_sent_total")); diff != "" {
		t.Errorf("counter series changed with the VIPs (-before +after):\n%s", diff)
	}
	if got := labels(after, "keepalived_vrrp_state"); !cmp.Equal(got, []string{
		`keepalived_vrrp_state{iname="VI_1",intf="eth0",ip_address="10.0.0.100/24",vrid="51"}`,
		`keepalived_vrrp_state{iname="VI_1",intf="eth0",ip_address="10.0.0.102/24",vrid="51"}`,
		`keepalived_vrrp_state{iname="VI_2",intf="eth1",ip_address="",vrid="52"}`,
	}) {
		t.Errorf("state series after the reload: %q", got)
	}
	checkExposition(t, after)
}

// checkExposition holds a /metrics text to the rules of Prometheus' text
// format that a scraper enforces: each family's HELP and TYPE once, before
// its series, its series together, no series twice, counters named
// *_total and gauges not, label values quoted. (promtool check metrics
// itself runs on a live daemon's /metrics in test/e2e.)
func checkExposition(t *testing.T, text string) {
	t.Helper()
	seriesRE := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? [0-9]+$`)
	types := map[string]string{}
	helps := map[string]bool{}
	series := map[string]bool{}
	current := ""
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		switch {
		case strings.HasPrefix(l, "# HELP "):
			name, _, _ := strings.Cut(strings.TrimPrefix(l, "# HELP "), " ")
			if helps[name] {
				t.Errorf("line %d: second HELP for %s", i+1, name)
			}
			helps[name], current = true, name
		case strings.HasPrefix(l, "# TYPE "):
			name, typ, _ := strings.Cut(strings.TrimPrefix(l, "# TYPE "), " ")
			if _, ok := types[name]; ok || name != current {
				t.Errorf("line %d: TYPE of %s out of place", i+1, name)
			}
			types[name] = typ
			if (typ == "counter") != strings.HasSuffix(name, "_total") {
				t.Errorf("line %d: %s %s", i+1, typ, name)
			}
		default:
			sm := seriesRE.FindStringSubmatch(l)
			if sm == nil {
				t.Errorf("line %d: not a series: %q", i+1, l)
				continue
			}
			if sm[1] != current || types[current] == "" {
				t.Errorf("line %d: %s outside its family (in %s)", i+1, sm[1], current)
			}
			key, _, _ := strings.Cut(l, " ")
			if series[key] {
				t.Errorf("line %d: %s twice", i+1, key)
			}
			series[key] = true
		}
	}
}
