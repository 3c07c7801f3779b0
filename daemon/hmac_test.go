package daemon

import (
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

const hmacTestKey = "kge-daemon-secret-key-0123456789abcdef"

// hmacHarness runs one auth_hmac instance (enforce, keys 1 and 2) to MASTER.
func hmacHarness(t *testing.T) *harness {
	in := vi("VI_1", 51, "eth0", 100, "192.168.50.100/24")
	in.AuthHMAC = &config.AuthHMAC{Keys: []config.HMACKey{
		{ID: 1, Len: len(hmacTestKey), Data: config.Secret(hmacTestKey)},
		{ID: 2, Len: 32, Data: config.Secret(strings.Repeat("Z", 32))},
	}, ActiveKey: 2, AntiReplayTime: true, TimeWindow: 5 * time.Second}
	h := newHarness(t, configOf(in), eth("eth0", true, "192.168.50.2/24"))
	h.start()
	h.advance(5 * time.Second)
	if st := h.d.insts[0].eng.Status().State; st != vrrp.StateMaster {
		t.Fatalf("state %v", st)
	}
	return h
}

// TestDaemonHMAC: an unsigned priority-255 advert does not move the VIP,
// and is counted and logged as keepalived 2.4.3 does in every output; no
// output carries a key.
func TestDaemonHMAC(t *testing.T) {
	h := hmacHarness(t)
	h.takeLogs()
	h.receive(0, netip.MustParseAddr("192.168.50.66"), 255, "192.168.50.100")
	h.receive(0, netip.MustParseAddr("192.168.50.66"), 255, "192.168.50.100")
	if st := h.d.insts[0].eng.Status().State; st != vrrp.StateMaster {
		t.Fatalf("an unsigned advert took over: %v", st)
	}
	logs := strings.Join(h.takeLogs(), "\n")
	if n := strings.Count(logs, "(VI_1) missing authentication trailer from 192.168.50.66"); n != 1 {
		t.Errorf("the missing-trailer line %d times, want once (rate-limited):\n%s", n, logs)
	}
	if s := h.d.insts[0].stats(); s.Missing != 2 {
		t.Errorf("auth_ext_missing %d, want 2", s.Missing)
	}
	// Our own adverts carry a trailer signed with key 2.
	if err := h.d.writeStats(false); err != nil {
		t.Fatal(err)
	}
	if err := h.d.writeJSON(h.now); err != nil {
		t.Fatal(err)
	}
	if err := h.d.writeData(h.now); err != nil {
		t.Fatal(err)
	}
	read := func(n string) string {
		b, err := os.ReadFile(filepath.Join(h.d.opts.TmpDir, n))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	stats, js, data := read("keepalived.stats"), read("keepalived.json"), read("keepalived.data")
	for _, want := range []string{"  Authentication Extension Errors:\n    Missing: 2\n    Malformed: 0\n    Unknown Key: 0\n    Invalid HMAC: 0\n    Stale: 0\n    Replay: 0\n  Priority Zero:"} {
		if !strings.Contains(stats, want) {
			t.Errorf("keepalived.stats lacks %q:\n%s", want, stats)
		}
	}
	if !strings.Contains(js, `"auth_failure":0,"auth_ext_missing":2,"auth_ext_malformed":0,"auth_ext_unknown_key":0,"auth_ext_invalid_hmac":0,"auth_ext_stale":0,"auth_ext_replay":0,"pri_zero_rcvd"`) {
		t.Errorf("keepalived.json stats not in 2.4.3's order:\n%s", js)
	}
	for _, want := range []string{"   Authentication extension = HMAC-SHA256-128\n     Keys = 2, active key id = 2\n     Mode = enforce\n     Anti replay = time, window = 5 sec\n"} {
		if !strings.Contains(data, want) {
			t.Errorf("keepalived.data lacks %q:\n%s", want, data)
		}
	}
	st := h.d.snapshot()
	sj, _ := json.Marshal(st)
	metrics := string(metricsText(h.d.metricsSnapshot()))
	if !strings.Contains(metrics, `keepalived_auth_ext_missing_total{`) || !strings.Contains(string(sj), `"auth_ext_missing":2`) {
		t.Errorf("status or metrics lack auth_ext_missing:\n%s\n%s", sj, metrics)
	}
	for what, out := range map[string]string{"stats": stats, "json": js, "data": data, "status": string(sj), "metrics": metrics, "logs": logs} {
		for _, k := range []string{hmacTestKey, "ZZZZZZZZ", "kge-daemon"} {
			if strings.Contains(out, k) {
				t.Errorf("%s carries a key:\n%s", what, out)
			}
		}
	}
}

// TestDaemonHMACSendsSigned: the adverts the daemon sends carry a
// trailer signed with the active key, which a peer holding the keys accepts.
func TestDaemonHMACSendsSigned(t *testing.T) {
	h := hmacHarness(t)
	h.host.mu.Lock()
	h.host.wire = true
	h.host.mu.Unlock()
	h.advance(2 * time.Second)
	h.host.mu.Lock()
	out := h.host.out
	h.host.mu.Unlock()
	if len(out) < 2 {
		t.Fatalf("%d adverts sent in 2 s", len(out))
	}
	rx := vrrp.NewHMACAuth(*hmacConfig(h.d.insts[0].cfg.AuthHMAC), nil)
	for _, p := range out {
		n := vrrp.ExpectedLen(2, 1, false)
		if len(p.Payload) != n+vrrp.HMACTrailerLen || p.Payload[n+1] != 2 {
			t.Fatalf("advert % x: want a trailer with key id 2", p.Payload)
		}
		if res, _, _ := rx.Verify(h.now, 2, 51, p.Src, p.Payload[:n], p.Payload[n:]); res != vrrp.HMACOK {
			t.Errorf("peer check of our advert: %v", res)
		}
	}
}

// TestDaemonHMACReloadRotates: a reload that makes key 3 active (rotation)
// keeps the master, and its next adverts are signed with key 3.
func TestDaemonHMACReloadRotates(t *testing.T) {
	h := hmacHarness(t)
	next := *h.d.insts[0].cfg
	ah := *next.AuthHMAC
	ah.Keys = append(append([]config.HMACKey(nil), ah.Keys...), config.HMACKey{ID: 3, Len: 33, Data: config.Secret(strings.Repeat("3", 33))})
	ah.ActiveKey = 3
	next.AuthHMAC = &ah
	h.next = configOf(&next)
	if err := h.d.safely("reload", func() error {
		cfg, err := h.d.loadConfig(false)
		if err != nil {
			return err
		}
		return h.d.applyReload(h.now, cfg)
	}); err != nil {
		t.Fatal(err)
	}
	h.host.mu.Lock()
	h.host.wire = true
	h.host.mu.Unlock()
	h.advance(2 * time.Second)
	if st := h.d.insts[0].eng.Status().State; st != vrrp.StateMaster {
		t.Fatalf("state %v after the reload", st)
	}
	h.host.mu.Lock()
	out := h.host.out
	h.host.mu.Unlock()
	if len(out) == 0 {
		t.Fatal("no advert after the reload")
	}
	n := vrrp.ExpectedLen(2, 1, false)
	for _, p := range out {
		if len(p.Payload) != n+vrrp.HMACTrailerLen || p.Payload[n+1] != 3 {
			t.Errorf("advert after the reload % x: want key id 3", p.Payload)
		}
	}
}
