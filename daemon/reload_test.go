package daemon

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
)

// advertTimes returns the clock stamps of the adverts in lines.
func advertTimes(t *testing.T, lines []string) []time.Duration {
	t.Helper()
	var out []time.Duration
	for _, l := range lines {
		if !strings.Contains(l, " advert ") {
			continue
		}
		d, err := time.ParseDuration(strings.TrimPrefix(strings.Fields(l)[0], "+"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// maxGap is the longest time between two consecutive adverts.
func maxGap(ts []time.Duration) time.Duration {
	var g time.Duration
	for i := 1; i < len(ts); i++ {
		g = max(g, ts[i]-ts[i-1])
	}
	return g
}

func masterHarness(t *testing.T, cfg *config.Config) *harness {
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.start()
	h.advance(4 * time.Second)
	if st := h.d.insts[0].eng.Status().State.String(); st != "MASTER" {
		t.Fatalf("state %s, want MASTER", st)
	}
	h.advance(10 * time.Second) // past the second GARP burst
	h.host.take()
	h.takeLogs()
	h.notify.take()
	return h
}

// TestReloadKeepsMasterAddsBeforeRemoving: a reload that changes a VIP's
// prefix keeps the master (no transition, no notify), adds the new address
// before removing the old one, announces only the address that is new to
// the instance (10.0.0.100 changed its prefix but was never absent, so its
// neighbours' entries are still right), and the adverts keep their 1 s
// cadence.
func TestReloadKeepsMasterAddsBeforeRemoving(t *testing.T) {
	h := masterHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24", "10.0.0.101/32")))
	h.advance(500 * time.Millisecond)
	next := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/25", "10.0.0.101/32", "10.0.0.102/32"))
	h.next = next
	if err := h.d.safely("reload", func() error {
		cfg, err := h.d.loadConfig(false)
		if err != nil {
			return err
		}
		return h.d.applyReload(h.now, cfg)
	}); err != nil {
		t.Fatal(err)
	}
	got := h.host.take()
	want := []string{
		"+14.5s ip addr add 10.0.0.100/25 dev eth0",
		"+14.5s ip addr add 10.0.0.102/32 dev eth0",
		"+14.5s ip addr del 10.0.0.100/24 dev eth0",
		"+14.5s advert eth0 10.0.0.1 > 224.0.0.18 vrid 51 prio 100",
	}
	for i := 0; i < 5; i++ {
		want = append(want, "+14.5s garp eth0 10.0.0.102")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reload (-want +got):\n%s", diff)
	}
	if n := h.notify.take(); len(n) != 0 {
		t.Errorf("reload notified: %v", n)
	}
	if st := h.d.insts[0].eng.Status().State.String(); st != "MASTER" {
		t.Errorf("state %s after reload, want MASTER", st)
	}
	h.advance(3 * time.Second)
	ts := advertTimes(t, h.host.take())
	if len(ts) != 3 {
		t.Errorf("adverts after reload at %v, want 3", ts)
	}
	if g := maxGap(ts); g > time.Second {
		t.Errorf("advert gap %s after reload", g)
	}
}

// TestReloadRefusedKeepsRunning: a configuration with errors is refused
// whole: every error is logged with its position, nothing on the host
// changes, and the master keeps advertising.
func TestReloadRefusedKeepsRunning(t *testing.T) {
	h := masterHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")))
	broken := configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.200/24"))
	h.next = broken
	h.nextDiags = config.Diagnostics{
		{Pos: config.Pos{File: "keepalived.conf", Line: 12, Col: 5}, Severity: config.Error, Msg: "vrrp_instance VI_1: unknown keyword `virtual_ipadress`; did you mean `virtual_ipaddress`?"},
		{Pos: config.Pos{File: "conf.d/b.conf", Line: 3, Col: 1}, Severity: config.Error, Msg: "vrrp_instance VI_2: virtual_router_id 300 out of range 1-255"},
	}
	_, err := h.d.loadConfig(false)
	if !errors.Is(err, ErrConfig) {
		t.Fatalf("loadConfig: %v, want ErrConfig", err)
	}
	logs := join(h.takeLogs())
	for _, w := range []string{
		"keepalived.conf:12:5: error: vrrp_instance VI_1: unknown keyword",
		"conf.d/b.conf:3:1: error: vrrp_instance VI_2: virtual_router_id 300 out of range 1-255",
	} {
		if !strings.Contains(logs, w) {
			t.Errorf("logs lack %q:\n%s", w, logs)
		}
	}
	h.advance(3 * time.Second)
	got := h.host.take()
	for _, l := range got {
		if !strings.Contains(l, " advert ") {
			t.Errorf("host touched after a refused reload: %s", l)
		}
	}
	if n := len(advertTimes(t, got)); n != 3 {
		t.Errorf("%d adverts in 3 s after a refused reload, want 3", n)
	}
	if !h.host.has("10.0.0.100/24", "eth0") {
		t.Error("VIP dropped by a refused reload")
	}
}

// TestReloadIdentityChange: changing the VRID removes the old instance (a
// master sends priority 0 and drops its VIP, notified FAULT as keepalived
// does without notify_deleted) and starts the new one in BACKUP.
func TestReloadIdentityChange(t *testing.T) {
	h := masterHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")))
	if err := h.d.applyReload(h.now, configOf(vi("VI_1", 52, "eth0", 100, "10.0.0.100/24"))); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"+14s advert eth0 10.0.0.1 > 224.0.0.18 vrid 51 prio 0",
		"+14s ip addr del 10.0.0.100/24 dev eth0",
	}
	if diff := cmp.Diff(want, h.host.take()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"INSTANCE VI_1 FAULT 100", "INSTANCE VI_1 BACKUP 100"}, h.notify.take()); diff != "" {
		t.Errorf("notifies (-want +got):\n%s", diff)
	}
	if got := h.d.insts[0].vcfg.VRID; got != 52 || len(h.d.insts) != 1 {
		t.Errorf("running vrid %d (%d instances)", got, len(h.d.insts))
	}
}

// TestReloadRenameKeepsState: the name is not part of an instance's
// identity (reference 6.8).
func TestReloadRenameKeepsState(t *testing.T) {
	h := masterHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")))
	if err := h.d.applyReload(h.now, configOf(vi("VI_WEB", 51, "eth0", 100, "10.0.0.100/24"))); err != nil {
		t.Fatal(err)
	}
	for _, l := range h.host.take() {
		if strings.Contains(l, "ip addr") || strings.Contains(l, "prio 0") {
			t.Errorf("rename touched the VIPs: %s", l)
		}
	}
	if n := h.notify.take(); len(n) != 0 {
		t.Errorf("rename notified: %v", n)
	}
	in := h.d.insts[0]
	if in.name() != "VI_WEB" || in.eng.Status().State.String() != "MASTER" {
		t.Errorf("after rename: %s in %s", in.name(), in.eng.Status().State)
	}
	_ = netip.Addr{}
}

func TestNotifySettingsEqual(t *testing.T) {
	a, b := config.DefaultGlobal(), config.DefaultGlobal()
	a.NotifyFifo = &config.Fifo{Path: "/run/k.fifo"}
	b.NotifyFifo = &config.Fifo{Path: "/run/k.fifo"}
	if !notifySettingsEqual(a, b) {
		t.Error("same FIFO in two configurations: not equal")
	}
	b.NotifyFifo = &config.Fifo{Path: "/run/other.fifo"}
	if notifySettingsEqual(a, b) {
		t.Error("different FIFOs: equal")
	}
}

// TestReloadMissingInterfaceRefused: keepalived's VRRP process exits when
// a configuration names an interface that does not exist; we refuse such a
// reload whole and keep running.
func TestReloadMissingInterfaceRefused(t *testing.T) {
	h := masterHarness(t, configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")))
	h.next = configOf(vi("VI_1", 51, "eth0", 100, "10.0.0.100/24"), vi("VI_2", 52, "eth9", 100, "10.9.0.100/24"))
	if _, err := h.d.loadConfig(false); !errors.Is(err, ErrConfig) {
		t.Fatalf("loadConfig: %v, want ErrConfig", err)
	}
	if logs := join(h.takeLogs()); !strings.Contains(logs, "eth9") {
		t.Errorf("logs do not name the interface:\n%s", logs)
	}
}
