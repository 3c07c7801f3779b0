package daemon

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/internal/testenv"
	"github.com/keepalived-go/keepalived/netif"
)

// The kernel tier: two daemons on the real Linux host seams of package
// netif, each in its own throwaway network namespace, the two joined by a
// veth pair (testenv.Pair, which skips unless the root tiers run).

// linuxHost builds the netif seams inside namespace ns; sockets opened
// later by Listen are opened there too.
func linuxHost(t *testing.T, ns string) netif.Host {
	t.Helper()
	path := testenv.Path(ns)
	var h netif.Host
	if err := netif.WithNetns(path, func() error {
		var err error
		h, err = netif.NewHost()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return netif.Host{
		Addresses: h.Addresses, Announcer: h.Announcer, Links: h.Links,
		Listen: func(cfg netif.ConnConfig) (c netif.Conn, err error) {
			err = netif.WithNetns(path, func() error {
				c, err = netif.ListenVRRP(cfg)
				return err
			})
			return c, err
		},
	}
}

func hasVIP(t *testing.T, ns, vip string) bool {
	return strings.Contains(testenv.IP(t, "-n", ns, "-br", "addr", "show", "dev", "eth0"), vip)
}

func TestKernelPairFailoverAndReload(t *testing.T) {
	nsA, nsB := testenv.Pair(t, "kgd", "10.88.0.1/24", "10.88.0.2/24")
	mk := func(prio int, vips ...string) *config.Config {
		in := vi("VI_1", 51, "eth0", prio, vips...)
		in.Version, in.AdvertInt = 3, 100*time.Millisecond
		return configOf(in)
	}
	start := func(ns string, cfg **config.Config) (*Daemon, context.CancelFunc, chan error) {
		d, err := New(Options{
			ConfigFile: ns + ".conf", Logger: slog.New(slog.DiscardHandler), Host: linuxHost(t, ns), TmpDir: t.TempDir(),
			Load:     func(string, string) (*config.Config, config.Diagnostics, error) { return *cfg, nil, nil },
			notifier: nopNotifier{},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done; done <- nil })
		return d, cancel, done
	}
	cfgA, cfgB := mk(150, "10.88.0.100/24"), mk(100, "10.88.0.100/24")
	_, stopA, doneA := start(nsA, &cfgA)
	dB, _, _ := start(nsB, &cfgB)

	waitFor(t, "A to hold the VIP", func() bool { return hasVIP(t, nsA, "10.88.0.100/24") })
	time.Sleep(500 * time.Millisecond)
	if hasVIP(t, nsB, "10.88.0.100/24") {
		t.Fatal("VIP on both hosts")
	}

	// Graceful stop of A: priority 0, VIP removed, B takes over within its
	// skew time (61 ms at advert_int 100 ms) plus scheduling.
	stopA()
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	doneA <- nil
	t0 := time.Now()
	if hasVIP(t, nsA, "10.88.0.100/24") {
		t.Error("A kept its VIP after shutdown")
	}
	waitFor(t, "B to take over", func() bool { return hasVIP(t, nsB, "10.88.0.100/24") })
	t.Logf("B held the VIP %s after A's shutdown returned", time.Since(t0).Round(time.Millisecond))

	// Reload B adding a VIP: added, the first one never leaves.
	cfgB = mk(100, "10.88.0.100/24", "10.88.0.101/32")
	if err := dB.Reload(); err != nil {
		t.Fatal(err)
	}
	if !hasVIP(t, nsB, "10.88.0.101/32") || !hasVIP(t, nsB, "10.88.0.100/24") {
		t.Errorf("after reload: %s", testenv.IP(t, "-n", nsB, "-br", "addr", "show", "dev", "eth0"))
	}
}
