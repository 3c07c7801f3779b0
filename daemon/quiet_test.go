package daemon

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/vrrp"
)

// TestQuietAfterBursts: the daemon counts as quiet (and calls
// Options.Quiet) after each burst of work once its instances have settled,
// never while a master's delayed gratuitous ARPs are pending, and never
// during the idle adverts that follow.
func TestQuietAfterBursts(t *testing.T) {
	cfg := configOf(vi("VI_1", 1, "eth0", 100, "10.0.0.100/32"), vi("VI_2", 2, "eth0", 100, "10.0.0.101/32"))
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	called := make(chan struct{}, 16)
	h.d.opts.Quiet = func() { called <- struct{}{} }
	busy := 0
	h.d.opts.Busy = func() { busy++ }
	// wait for the Quiet call of the n-th quiet spell (it runs on a
	// goroutine of its own, after the heap is returned).
	wait := func(n int) {
		t.Helper()
		select {
		case <-called:
		case <-time.After(10 * time.Second):
			t.Fatalf("Options.Quiet not called for quiet spell %d", n)
		}
	}
	h.start()

	// Both start as BACKUP and count as quiet 2 s later; both become
	// MASTER at 3.6 s (3 x 1 s + skew of priority 100), send their delayed
	// gratuitous ARPs 5 s later (8.6 s), and count as quiet again from
	// 2 s after the transition once no ARP is pending: at 9 s or 10 s.
	h.advance(3 * time.Second)
	if n := h.d.quiets.Load(); n != 1 {
		t.Fatalf("quiet %d times in the first 3 s, want once (BACKUP after start-up)", n)
	}
	wait(1)
	h.advance(5 * time.Second) // 8 s: masters since 3.6 s, ARPs pending
	for _, in := range h.d.insts {
		if in.state != vrrp.StateMaster {
			t.Fatalf("%s is %v at 8 s, want MASTER", in.vcfg.Name, in.state)
		}
	}
	if n := h.d.quiets.Load(); n != 1 {
		t.Fatalf("quiet %d times by 8 s, want still once: the delayed gratuitous ARPs are pending", n)
	}
	h.advance(3 * time.Second) // 11 s
	if n := h.d.quiets.Load(); n != 2 {
		t.Fatalf("quiet %d times by 11 s, want twice", n)
	}
	wait(2)
	h.advance(60 * time.Second) // a minute of adverts
	if n := h.d.quiets.Load(); n != 2 {
		t.Fatalf("quiet %d times after a minute of adverts, want still twice", n)
	}

	// A higher-priority master appears: VI_1 goes BACKUP, then quiet.
	h.receive(0, mustAddr("10.0.0.2"), 200, "10.0.0.100")
	if h.d.insts[0].state != vrrp.StateBackup {
		t.Fatalf("VI_1 is %v after a priority 200 advert, want BACKUP", h.d.insts[0].state)
	}
	h.advance(time.Second)
	if n := h.d.quiets.Load(); n != 2 {
		t.Fatalf("quiet %d times 1 s after the transition, want twice", n)
	}
	h.advance(2 * time.Second)
	if n := h.d.quiets.Load(); n != 3 {
		t.Fatalf("quiet %d times 3 s after the transition, want 3", n)
	}
	wait(3)
	if busy != 3 {
		t.Errorf("Options.Busy called %d times, want 3 (start-up, becoming master, the failover)", busy)
	}
}

// TestQuietAfterRefusedReload: a reload is a burst of work even when its
// configuration is refused (its parse allocated): Busy comes before the
// parse, and Quiet once the daemon has settled again.
func TestQuietAfterRefusedReload(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.Version, in.AdvertInt = 3, 100*time.Millisecond
	in.Garp.MasterDelay = 0
	h := newHarness(t, configOf(in), eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.Now = time.Now
	var mu sync.Mutex
	var events []string
	note := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
	h.d.opts.Busy = func() { note("busy") }
	h.d.opts.Quiet = func() { note("quiet") }
	got := func() string { mu.Lock(); defer mu.Unlock(); return strings.Join(events, " ") }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	// until waits up to 10 s for the events to end with suffix.
	until := func(suffix string) bool {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if strings.HasSuffix(got(), suffix) {
				return true
			}
		}
		return false
	}
	// Master after ~0.4 s, quiet 2 s later.
	if !until("busy quiet") {
		t.Fatalf("events %q: want quiet after start-up", got())
	}
	h.nextDiags = config.Diagnostics{{Pos: config.Pos{File: "keepalived.conf", Line: 4, Col: 3}, Severity: config.Error, Msg: "bad"}}
	if err := h.d.Reload(); !errors.Is(err, ErrConfig) {
		t.Fatalf("broken reload: %v, want ErrConfig", err)
	}
	if !strings.HasSuffix(got(), "quiet busy") {
		t.Fatalf("events %q: want Busy called by the time Reload returns", got())
	}
	if !until("quiet busy quiet") {
		t.Errorf("events %q: want Quiet after the refused reload", got())
	}
}
