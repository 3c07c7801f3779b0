package proc

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lenientConf is a configuration keepalived 2.2.7 logs and runs: an
// unknown global_defs keyword (skipped) and an out-of-range priority
// (keepalived's default 100 is used). vip is its one address; the
// priority is on line prioLine(extraGlobal), column 12.
func lenientConf(t *testing.T, n *netns, name, vip, extraGlobal string) string {
	t.Helper()
	text := "global_defs {\n" +
		"  some_option_we_do_not_know yes\n" +
		extraGlobal +
		"}\n" +
		"vrrp_instance VI_1 {\n" +
		"  interface eth0\n" +
		"  virtual_router_id 51\n" +
		"  priority 300\n" +
		"  advert_int 1\n" +
		"  virtual_ipaddress {\n" +
		"    " + vip + "/24\n" +
		"  }\n" +
		"}\n"
	p := filepath.Join(n.dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// prioLine is the line of lenientConf's priority: 7 without extra lines.
func prioLine(extraGlobal string) string {
	return strconv.Itoa(7 + strings.Count(extraGlobal, "\n"))
}

// TestStartRunsWhatKeepalivedRuns: a configuration keepalived 2.2.7 runs
// (it logs an unknown keyword and corrects a priority) starts, becomes
// master with its VIP, and logs both findings once, with FILE:LINE:COL and
// a severity, before the first state change.
func TestStartRunsWhatKeepalivedRuns(t *testing.T) {
	n := newNetns(t)
	conf := lenientConf(t, n, "k.conf", "10.77.0.100", "")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	n.waitPids(t, k.out.String)
	// No peer: master after the down timer (3 adverts + skew, ~3.6 s).
	if !waitFor(15*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
		t.Fatalf("VIP not added\n%s", k.out.String())
	}
	if k.exited(0) {
		t.Fatalf("exited\n%s", k.out.String())
	}
	log := k.out.String()
	findings := []string{
		regexp.QuoteMeta(conf) + `:2:3: error: unknown keyword ` + "`some_option_we_do_not_know`" + ` in global_defs`,
		regexp.QuoteMeta(conf) + `:` + prioLine("") + `:12: error: \(VI_1\) Priority not valid! must be between 1 & 255\. Using default 100`,
	}
	first := strings.Index(log, "Entering BACKUP STATE")
	if first < 0 {
		t.Fatalf("no state change logged\n%s", log)
	}
	for _, f := range findings {
		re := regexp.MustCompile(f)
		locs := re.FindAllStringIndex(log, -1)
		if len(locs) != 1 {
			t.Errorf("finding %s logged %d times, want once", f, len(locs))
			continue
		}
		if locs[0][0] > first {
			t.Errorf("finding %s logged after the first state change", f)
		}
	}
	if !strings.Contains(log, "(VI_1) Entering MASTER STATE") {
		t.Errorf("never master\n%s", log)
	}
}

// TestStrictStartRefuses: --strict-config, and keepalived_go_strict_config
// in global_defs, refuse the same configuration at start with keepalived's
// configuration exit status, and no VIP is ever added.
func TestStrictStartRefuses(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flag  []string
		extra string
	}{
		{"flag", []string{"--strict-config"}, ""},
		{"keyword", nil, "  keepalived_go_strict_config\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNetns(t)
			conf := lenientConf(t, n, "k.conf", "10.77.0.100", tc.extra)
			args := append(append([]string{"-f", conf}, tc.flag...), n.pidArgs()...)
			k := n.startFG(t, nil, args...)
			if !k.exited(10 * time.Second) {
				t.Fatalf("still running with a strict start and an error\n%s", k.out.String())
			}
			if got := k.status.ExitStatus(); got != 2 {
				t.Errorf("exit status %d, want 2", got)
			}
			log := k.out.String()
			if !strings.Contains(log, conf+":"+prioLine(tc.extra)+":12: error: (VI_1) Priority not valid!") {
				t.Errorf("the finding is not logged with its position\n%s", log)
			}
			if !strings.Contains(log, "Strict configuration start: refusing") {
				t.Errorf("the refusal does not say it is the strict start\n%s", log)
			}
			if n.hasAddr("10.77.0.100") {
				t.Errorf("VIP added")
			}
		})
	}
}

// TestReloadRefusesWhatStartRuns: SIGHUP keeps the stricter rule. While a
// good configuration runs, a reload to the lenient configuration (which a
// start would run) is refused whole and the running one goes on.
func TestReloadRefusesWhatStartRuns(t *testing.T) {
	n := newNetns(t)
	conf := n.conf(t, "k.conf", "    10.77.0.100/24\n")
	k := n.startFG(t, nil, append([]string{"-f", conf}, n.pidArgs()...)...)
	parent, child := n.waitPids(t, k.out.String)
	if !waitFor(10*time.Second, func() bool { return n.hasAddr("10.77.0.100") }) {
		t.Fatalf("VIP not added\n%s", k.out.String())
	}
	lenientConf(t, n, "k.conf", "10.77.0.101", "")
	syscall.Kill(parent, syscall.SIGHUP)
	if !waitFor(10*time.Second, func() bool {
		return strings.Contains(k.out.String(), "Reload failed, the running configuration is kept")
	}) {
		t.Fatalf("reload not refused\n%s", k.out.String())
	}
	log := k.out.String()
	if !strings.Contains(log, conf+":"+prioLine("")+":12: error: (VI_1) Priority not valid!") {
		t.Errorf("the reload's finding is not logged with its position\n%s", log)
	}
	// The refused file would have moved the VIP: the old one stays.
	time.Sleep(1500 * time.Millisecond)
	if !n.hasAddr("10.77.0.100") || n.hasAddr("10.77.0.101") {
		t.Errorf("the running configuration did not go on (VIP .100 %v, .101 %v)", n.hasAddr("10.77.0.100"), n.hasAddr("10.77.0.101"))
	}
	if !alive(parent) || !alive(child) {
		t.Errorf("daemon stopped after a refused reload")
	}
}
