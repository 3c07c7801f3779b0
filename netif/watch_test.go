package netif

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWatcherStates drives the watcher's bookkeeping directly (no netlink):
// duplicates are dropped, a rename reports the old name deleted, a name
// seen again under a new index reports the old one deleted first.
func TestWatcherStates(t *testing.T) {
	w := &watcher{state: map[string]linkState{}, names: map[int]string{}, lq: newQueue[LinkEvent]()}
	ctx := context.Background()
	steps := []func(){
		func() { w.update(ctx, "eth0", 2, true) },
		func() { w.update(ctx, "eth0", 2, true) }, // duplicate
		func() { w.update(ctx, "eth0", 2, false) },
		func() { w.update(ctx, "eth0", 7, true) }, // back with a new index, deletion unseen
		func() { w.update(ctx, "lan0", 7, true) }, // renamed
		func() { w.remove(ctx, "lan0") },
		func() { w.remove(ctx, "lan0") }, // already gone
	}
	for _, s := range steps {
		s()
	}
	got := w.lq.buf
	want := []LinkEvent{
		{Ifname: "eth0", Ifindex: 2, Up: true},
		{Ifname: "eth0", Ifindex: 2},
		{Ifname: "eth0", Ifindex: 2, Deleted: true},
		{Ifname: "eth0", Ifindex: 7, Up: true},
		{Ifname: "eth0", Ifindex: 7, Deleted: true},
		{Ifname: "lan0", Ifindex: 7, Up: true},
		{Ifname: "lan0", Ifindex: 7, Deleted: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
