package procwatch

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// fakeHost is an in-memory process table with an event channel.
type fakeHost struct {
	mu     sync.Mutex
	procs  map[int]Proc
	scans  int
	noEvts bool
	evs    chan []Event
}

func newFakeHost(procs map[int]Proc) *fakeHost {
	return &fakeHost{procs: procs, evs: make(chan []Event, 16)}
}

func (h *fakeHost) Scan(comm, cmdline bool) (map[int]Proc, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.scans++
	out := map[int]Proc{}
	for k, v := range h.procs {
		out[k] = v
	}
	return out, nil
}

func (h *fakeHost) Read(pid int, comm, cmdline bool) (Proc, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, ok := h.procs[pid]
	return p, ok
}

func (h *fakeHost) Subscribe(ctx context.Context, _ SubscribeOptions) (<-chan []Event, error) {
	if h.noEvts {
		return nil, fmt.Errorf("%w: fake without events", ErrNoEvents)
	}
	return h.evs, nil
}

func (h *fakeHost) set(pid int, p *Proc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if p == nil {
		delete(h.procs, pid)
	} else {
		h.procs[pid] = *p
	}
}

func next(t *testing.T, w *Watcher) Change {
	t.Helper()
	select {
	case c := <-w.Changes():
		return c
	case <-time.After(10 * time.Second):
		t.Fatal("no change within 10 s")
	}
	return Change{}
}

func TestWatcherEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newFakeHost(map[int]Proc{10: {Comm: "nginx"}})
	w, initial := Start(ctx, []*config.TrackProcess{block("nginx", "nginx")}, h, Options{})
	check(t, "initial", []Change{{Name: "nginx", Up: true}}, initial)
	if w.Polling() {
		t.Fatal("polling with events available")
	}
	h.set(10, nil)
	h.evs <- []Event{{Kind: EventAck}, {Kind: EventExit, PID: 10}}
	check(t, "exit", []Change{lost("nginx")}, []Change{next(t, w)})
	h.set(20, &Proc{Comm: "nginx"})
	h.evs <- []Event{{Kind: EventFork, PID: 1, Child: 20}, {Kind: EventExec, PID: 20}}
	check(t, "exec", []Change{gained("nginx")}, []Change{next(t, w)})
	if st := w.Status(); st[0].Current != 1 || !st[0].HaveQuorum {
		t.Errorf("status %+v", st[0])
	}
	// An overrun rebuilds the table from /proc (after RescanAfter).
	h.set(20, nil)
	scans := h.scans
	h.evs <- []Event{{Kind: EventOverrun}}
	check(t, "rescan after overrun", []Change{lost("nginx")}, []Change{next(t, w)})
	if h.scans != scans+1 {
		t.Errorf("%d scans after the overrun; want 1", h.scans-scans)
	}
	cancel()
	<-w.Done()
}

func TestWatcherPollsWithoutEvents(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h := newFakeHost(map[int]Proc{10: {Comm: "nginx"}})
	h.noEvts = true
	w, initial := Start(ctx, []*config.TrackProcess{block("nginx", "nginx")}, h, Options{Poll: 10 * time.Millisecond})
	check(t, "initial", []Change{{Name: "nginx", Up: true}}, initial)
	if !w.Polling() {
		t.Fatal("not polling without events")
	}
	h.set(10, nil)
	check(t, "poll sees the exit", []Change{lost("nginx")}, []Change{next(t, w)})
	h.set(11, &Proc{Comm: "nginx"})
	check(t, "poll sees the start", []Change{gained("nginx")}, []Change{next(t, w)})
}

func TestPollDelays(t *testing.T) {
	c := NewCore([]*config.TrackProcess{block("d", "nginx", func(b *config.TrackProcess) { b.ForkDelay, b.TerminateDelay = 2*time.Second, 2*time.Second })})
	c.Init(map[int]Proc{10: {Comm: "nginx"}})
	check(t, "gone at a poll", nil, c.Poll(t0, map[int]Proc{}))
	check(t, "still gone a poll later", nil, c.Poll(t0.Add(time.Second), map[int]Proc{}))
	check(t, "terminate delay from the first poll", []Change{lost("d")}, c.Advance(t0.Add(2*time.Second)))
	check(t, "back", nil, c.Poll(t0.Add(3*time.Second), map[int]Proc{11: {Comm: "nginx"}}))
	check(t, "gone again before the fork delay", nil, c.Poll(t0.Add(4*time.Second), map[int]Proc{}))
	check(t, "fork delay dropped", nil, c.Advance(t0.Add(10*time.Second)))
}
