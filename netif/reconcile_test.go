package netif

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWatcherReconcile: after a lost subscription (ENOBUFS) the watcher
// lists the links again and reports what it missed, a deletion included.
func TestWatcherReconcile(t *testing.T) {
	l := newLab(t)
	a, _ := l.pair()
	lk := in(t, a, func() (Links, error) { return NewLinks(), nil })
	defer lk.(*nlLinks).Close()
	idx := ifindex(t, l, a, "eth0")
	w := &watcher{links: lk.(*nlLinks), lq: newQueue[LinkEvent](),
		state: map[string]linkState{"ghost0": {index: 99, up: true}, "eth0": {index: idx, up: false}, "lo": {index: 1, up: true}},
		names: map[int]string{99: "ghost0", idx: "eth0", 1: "lo"}}
	if err := w.reconcile(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []LinkEvent{
		{Ifname: "eth0", Ifindex: idx, Up: true},
		{Ifname: "ghost0", Ifindex: 99, Deleted: true},
	}
	if diff := cmp.Diff(want, w.lq.buf); diff != "" {
		t.Errorf("reconcile events (-want +got):\n%s", diff)
	}
}
