package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// waitFor polls cond for up to 3 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRunEndToEnd runs the real loop in real time (VRRPv3, advert_int
// 200 ms): it takes over, reloads from another goroutine with a VIP added
// and no advert gap, refuses a broken configuration, dumps, serves its
// status, and shuts down with a priority-0 advert when ctx ends.
func TestRunEndToEnd(t *testing.T) {
	mk := func(vips ...string) *config.Config {
		in := vi("VI_1", 51, "eth0", 100, vips...)
		in.Version, in.AdvertInt = 3, 200*time.Millisecond
		return configOf(in)
	}
	h := newHarness(t, mk("10.0.0.100/24"), eth("eth0", true, "10.0.0.1/24"))
	start := time.Now()
	h.host.mu.Lock()
	h.host.clock = func() time.Duration { return time.Since(start).Round(time.Millisecond) }
	h.host.mu.Unlock()
	h.d.opts.Now = time.Now
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})

	waitFor(t, "MASTER", func() bool { return h.host.has("10.0.0.100/24", "eth0") })
	time.Sleep(500 * time.Millisecond)

	h.next = mk("10.0.0.100/24", "10.0.0.101/32")
	plan, err := h.d.Plan()
	if want := "keep VI_1 (vrid 51 eth0): add vip 10.0.0.101/32\n"; err != nil || plan.String() != want {
		t.Errorf("Plan: %v, %v; want %q", plan, err, want)
	}
	if err := h.d.Reload(); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	if !h.host.has("10.0.0.101/32", "eth0") {
		t.Error("reload did not add the new VIP")
	}
	time.Sleep(500 * time.Millisecond)

	h.next = mk("10.0.0.200/24")
	h.nextDiags = config.Diagnostics{{Pos: config.Pos{File: "keepalived.conf", Line: 4, Col: 3}, Severity: config.Error, Msg: "bad"}}
	if _, err := h.d.Plan(); err == nil || !strings.Contains(err.Error(), "keepalived.conf:4:3: error: bad") {
		t.Errorf("Plan of a broken configuration: %v", err)
	}
	if err := h.d.Reload(); !errors.Is(err, ErrConfig) {
		t.Errorf("broken reload: %v, want ErrConfig", err)
	}
	if !h.host.has("10.0.0.100/24", "eth0") || h.host.has("10.0.0.200/24", "eth0") {
		t.Error("a refused reload changed the VIPs")
	}
	time.Sleep(500 * time.Millisecond)

	if err := h.d.DumpJSON(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.d.opts.TmpDir, "keepalived.json")); err != nil {
		t.Error(err)
	}
	st, err := h.d.Status()
	if err != nil || len(st.Instances) != 1 || st.Instances[0].State != "MASTER" {
		t.Errorf("Status: %+v, %v", st, err)
	}
	srv, err := h.d.serveStatus("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	url := "http://" + srv.Addr().String()
	resp, err := http.Get(url + "/status")
	if err != nil {
		t.Fatal(err)
	}
	var js Status
	if err := json.NewDecoder(resp.Body).Decode(&js); err != nil || js.Instances[0].Name != "VI_1" {
		t.Errorf("/status: %+v, %v", js, err)
	}
	resp.Body.Close()
	resp, err = http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	body, _ := io.ReadAll(resp.Body)
	sb.Write(body)
	resp.Body.Close()
	if !strings.Contains(sb.String(), `keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="10.0.0.100/24,10.0.0.101/32"} 2`) {
		t.Errorf("/metrics:\n%s", sb.String())
	}
	if !regexp.MustCompile(`(?m)^go_memstats_mallocs_total [1-9][0-9]*$`).MatchString(sb.String()) {
		t.Errorf("/metrics has no heap allocation count:\n%s", sb.String())
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	done <- nil
	lines := h.host.take()
	last := strings.Join(lines[len(lines)-3:], "\n")
	if !strings.Contains(last, "prio 0") || !strings.Contains(last, "ip addr del 10.0.0.100/24") {
		t.Errorf("shutdown:\n%s", last)
	}
	ts := advertTimes(t, lines)
	if len(ts) < 8 {
		t.Fatalf("only %d adverts", len(ts))
	}
	// Real time on a shared 2-core machine (load averages above 10 were
	// seen while the project's tests ran) delays timers by hundreds of ms,
	// so the exact cadence across a reload is proven in virtual time by
	// TestReloadKeepsMasterAddsBeforeRemoving (an advert at the reload,
	// then one per interval). Here, in real time, the longest gap is
	// logged against the master-down interval (3 x 200 ms + skew = 720 ms);
	// a gap of a second or more would mean the reload held the loop up
	// (no default-tier test bounds wall-clock time under 1 s).
	t.Logf("longest gap between adverts: %s (master-down interval 720ms)", maxGap(ts[1:]))
	if g := maxGap(ts[1:]); g >= time.Second {
		t.Errorf("longest gap between adverts %s (advert_int 200ms):\n%s", g, strings.Join(lines, "\n"))
	}
	if err := h.d.Reload(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("Reload after Run: %v, want ErrNotRunning", err)
	}
}
