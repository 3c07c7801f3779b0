package daemon

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/procwatch"
)

// fakeProcs is a procwatch.Host: a process table and an event channel the
// test feeds.
type fakeProcs struct {
	mu    sync.Mutex
	procs map[int]procwatch.Proc
	evs   chan []procwatch.Event
	sub   []procwatch.SubscribeOptions // what each Subscribe was given
}

func (f *fakeProcs) Scan(bool, bool) (map[int]procwatch.Proc, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[int]procwatch.Proc{}
	for k, v := range f.procs {
		out[k] = v
	}
	return out, nil
}

func (f *fakeProcs) Read(pid int, _, _ bool) (procwatch.Proc, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.procs[pid]
	return p, ok
}

func (f *fakeProcs) Subscribe(_ context.Context, o procwatch.SubscribeOptions) (<-chan []procwatch.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sub = append(f.sub, o)
	return f.evs, nil
}

// TestTrackProcessRcvBufs: global_defs process_monitor_rcv_bufs and
// _force reach the process-events socket (procwatch's
// TestSubscribeSetsRcvBuf reads them back from the kernel).
func TestTrackProcessRcvBufs(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackProcesses = []config.TrackFileRef{{Name: "nginx"}}
	cfg := configOf(in)
	cfg.Global.ProcessMonitorRcvBufs = 1 << 20
	cfg.Global.ProcessMonitorRcvBufsForce = true
	tp := config.DefaultTrackProcess("nginx")
	tp.Process = "nginx"
	cfg.TrackProcesses = []*config.TrackProcess{tp}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	procs := &fakeProcs{procs: map[int]procwatch.Proc{}, evs: make(chan []procwatch.Event, 4)}
	h.d.opts.Processes = procs
	h.start()
	procs.mu.Lock()
	defer procs.mu.Unlock()
	want := []procwatch.SubscribeOptions{{RcvBuf: 1 << 20, RcvBufForce: true}}
	if diff := cmp.Diff(want, procs.sub); diff != "" {
		t.Errorf("Subscribe options (-want +got)\n%s", diff)
	}
}

// nextProcChange waits for the watcher's next change and gives it to the
// daemon, as the loop does.
func (h *harness) nextProcChange() {
	h.t.Helper()
	select {
	case c := <-h.d.procUpdates():
		h.d.onProcChange(h.now, c)
	case <-time.After(10 * time.Second):
		h.t.Fatal("no track_process change within 10 s")
	}
}

// TestTrackProcessFromEvents: the initial /proc scan is known before the
// instance starts (no nginx: FAULT from the start), and process events
// move it (nginx started: BACKUP; killed: FAULT), with keepalived's lines.
func TestTrackProcessFromEvents(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackProcesses = []config.TrackFileRef{{Name: "nginx"}}
	cfg := configOf(in)
	tp := config.DefaultTrackProcess("nginx")
	tp.Process = "nginx"
	cfg.TrackProcesses = []*config.TrackProcess{tp}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	procs := &fakeProcs{procs: map[int]procwatch.Proc{1: {Comm: "init"}}, evs: make(chan []procwatch.Event, 4)}
	h.d.opts.Processes = procs
	h.start()
	if st := h.d.insts[0].eng.Status().State.String(); st != "FAULT" {
		t.Fatalf("state %s without nginx at start, want FAULT", st)
	}
	h.takeLogs()

	procs.mu.Lock()
	procs.procs[42] = procwatch.Proc{Comm: "nginx"}
	procs.mu.Unlock()
	procs.evs <- []procwatch.Event{{Kind: procwatch.EventFork, PID: 1, Child: 42}, {Kind: procwatch.EventExec, PID: 42}}
	h.nextProcChange()
	if st := h.d.insts[0].eng.Status().State.String(); st != "BACKUP" {
		t.Errorf("state %s with nginx running, want BACKUP", st)
	}
	if logs := strings.Join(h.takeLogs(), "\n"); !strings.Contains(logs, "Quorum gained for tracked process nginx") {
		t.Errorf("no quorum line in:\n%s", logs)
	}
	data := string(h.d.dataText(h.now))
	for _, want := range []string{"------< VRRP Track processes >------", " VRRP Track process = nginx", "   Current processes = 1",
		"   Have quorum = true", "   Tracked processes :\n     nginx, weight 0", "   Tracking instances :\n     VI_1, weight 0"} {
		if !strings.Contains(data, want) {
			t.Errorf("keepalived.data lacks %q", want)
		}
	}

	procs.evs <- []procwatch.Event{{Kind: procwatch.EventExit, PID: 42}}
	h.nextProcChange()
	if st := h.d.insts[0].eng.Status().State.String(); st != "FAULT" {
		t.Errorf("state %s after nginx died, want FAULT", st)
	}
	// keepalived 2.2.7's lines (seen in test/e2e TestTrackProcess): the
	// quorum loss, then the state, no per-instance reason.
	want := []string{"+0s Quorum lost for tracked process nginx", "+0s (VI_1) Entering FAULT STATE"}
	if diff := cmp.Diff(want, h.takeLogs()); diff != "" {
		t.Errorf("logs (-want +got):\n%s", diff)
	}
	h.d.stopProcs()
}

// TestTrackProcessFaultAtStartLogged: an instance an unweighted
// track_process holds in FAULT from the start logs keepalived 2.2.7's two
// lines (initialise_process_tracking_priorities, vrrp_complete_init) and
// no "(init)" transition.
func TestTrackProcessFaultAtStartLogged(t *testing.T) {
	in := vi("VI_1", 51, "eth0", 100, "10.0.0.100/24")
	in.TrackProcesses = []config.TrackFileRef{{Name: "nginx"}}
	cfg := configOf(in)
	for _, name := range []string{"nginx"} {
		tp := config.DefaultTrackProcess(name)
		tp.Process = name
		cfg.TrackProcesses = append(cfg.TrackProcesses, tp)
	}
	h := newHarness(t, cfg, eth("eth0", true, "10.0.0.1/24"))
	h.d.opts.Processes = &fakeProcs{procs: map[int]procwatch.Proc{1: {Comm: "init"}}, evs: make(chan []procwatch.Event, 4)}
	h.start()
	want := []string{"+0s (VI_1) entering FAULT state (tracked process nginx quorum not achieved)", "+0s (VI_1) entering FAULT state"}
	if diff := cmp.Diff(want, h.takeLogs()); diff != "" {
		t.Errorf("start-up lines (-want +got)\n%s", diff)
	}
}
