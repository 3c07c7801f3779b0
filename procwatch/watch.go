package procwatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/keepalived-go/keepalived/config"
)

// PollInterval is how often /proc is read when the process-events
// connector cannot be used.
const PollInterval = time.Second

// RescanAfter is how long after an overrun the table is rebuilt from
// /proc (keepalived waits one second for things to settle).
const RescanAfter = time.Second

// ErrNoEvents wraps every reason the connector cannot be used.
var ErrNoEvents = errors.New("procwatch: process events unavailable")

// Host is how processes are seen: a proc filesystem and, where the
// kernel allows, the process-events connector. NewHost is the Linux one;
// tests use a fake.
type Host interface {
	// Scan lists the processes (comm/state and/or command line).
	Scan(comm, cmdline bool) (map[int]Proc, error)
	// Read reads one process after it executed a new program.
	Read(pid int, comm, cmdline bool) (Proc, bool)
	// Subscribe starts the process events. They arrive on the channel,
	// in batches (one datagram's), until ctx ends; an EventOverrun means
	// some were lost. It returns an error wrapping ErrNoEvents when the
	// connector cannot be used (no permission, no kernel support, a
	// namespace it does not report to), before any event is sent.
	Subscribe(ctx context.Context, o SubscribeOptions) (<-chan []Event, error)
}

// SubscribeOptions are the process-events socket's settings.
type SubscribeOptions struct {
	// RcvBuf is global_defs process_monitor_rcv_bufs: the socket's
	// SO_RCVBUF, set before the subscription as keepalived's
	// init_track_processes does (0: the kernel's default).
	RcvBuf int
	// RcvBufForce is process_monitor_rcv_bufs_force: set it with
	// SO_RCVBUFFORCE (past net.core.rmem_max), also when an overrun
	// doubles it.
	RcvBufForce bool
}

// Options are a Watcher's clock and logger.
type Options struct {
	Log *slog.Logger
	Now func() time.Time // nil: time.Now
	// Poll overrides PollInterval (tests).
	Poll time.Duration
	// Subscribe is passed to Host.Subscribe.
	Subscribe SubscribeOptions
}

// Watcher runs one configuration's vrrp_track_process blocks on a Host.
type Watcher struct {
	host Host
	sub  SubscribeOptions
	log  *slog.Logger
	now  func() time.Time
	poll time.Duration

	mu   sync.Mutex
	core *Core

	events  <-chan []Event
	polling bool
	out     chan Change
	done    chan struct{}
}

// Start scans /proc, subscribes to process events (or, when that cannot be
// done, warns once and polls /proc), and returns the blocks' initial
// states. Later changes arrive on Changes until ctx ends. Start never
// fails: a /proc that cannot be read leaves every block without quorum,
// as keepalived's empty scan does, and is logged.
func Start(ctx context.Context, blocks []*config.TrackProcess, host Host, o Options) (*Watcher, []Change) {
	w := &Watcher{host: host, sub: o.Subscribe, log: o.Log, now: o.Now, poll: o.Poll, core: NewCore(blocks),
		out: make(chan Change, 64), done: make(chan struct{})}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.poll <= 0 {
		w.poll = PollInterval
	}
	if w.core.Empty() {
		close(w.done)
		return w, nil
	}
	// Subscribe first, then scan, as keepalived does: a process started
	// in between is seen by one or the other.
	evs, err := host.Subscribe(ctx, w.sub)
	if err != nil {
		w.polling = true
		w.log.Warn(fmt.Sprintf("track_process: %v; polling /proc every %v instead", err, w.poll), slog.String("reason", err.Error()))
	}
	w.events = evs
	table := w.scan()
	initial := append([]Change(nil), w.core.Init(table)...)
	go w.run(ctx)
	return w, initial
}

// Changes delivers quorum changes; it is never closed (select on it with
// the context that started the watcher).
func (w *Watcher) Changes() <-chan Change { return w.out }

// Done is closed once the watcher has stopped.
func (w *Watcher) Done() <-chan struct{} { return w.done }

// Polling reports whether the watcher polls /proc (no connector).
func (w *Watcher) Polling() bool { return w.polling }

// Status returns every block's state (for the .data dump).
func (w *Watcher) Status() []Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.core.Status()
}

func (w *Watcher) scan() map[int]Proc {
	comm, cmd := w.core.Needs()
	table, err := w.host.Scan(comm, cmd)
	if err != nil {
		w.log.Error(fmt.Sprintf("track_process: cannot read processes: %v", err))
	}
	return table
}

func (w *Watcher) run(ctx context.Context) {
	defer close(w.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var rescanAt, pollAt time.Time
	if w.polling {
		pollAt = w.now().Add(w.poll)
	}
	for {
		// The earliest of: a fork/terminate delay, a pending rescan, the
		// next poll.
		w.mu.Lock()
		next, ok := w.core.NextDeadline()
		w.mu.Unlock()
		for _, t := range []time.Time{rescanAt, pollAt} {
			if !t.IsZero() && (!ok || t.Before(next)) {
				next, ok = t, true
			}
		}
		wait := time.Hour
		if ok {
			wait = max(next.Sub(w.now()), 0)
		}
		timer.Reset(wait)
		var changes []Change
		select {
		case <-ctx.Done():
			return
		case batch, open := <-w.events:
			if !open {
				// The connector went away: poll from now on.
				w.events, w.polling = nil, true
				w.log.Warn(fmt.Sprintf("track_process: process events stopped; polling /proc every %v", w.poll))
				pollAt = w.now()
				break
			}
			for _, ev := range batch {
				if ev.Kind == EventOverrun {
					// keepalived waits a second for things to settle, each
					// overrun pushing the rescan back.
					rescanAt = w.now().Add(RescanAfter)
					continue
				}
				changes = append(changes, w.apply(ev)...)
			}
		case <-timer.C:
			now := w.now()
			switch {
			case !rescanAt.IsZero() && !now.Before(rescanAt):
				rescanAt = time.Time{}
				table := w.scan()
				w.mu.Lock()
				changes = append(changes, w.core.Rescan(now, table)...)
				w.mu.Unlock()
			case !pollAt.IsZero() && !now.Before(pollAt):
				pollAt = now.Add(w.poll)
				table := w.scan()
				w.mu.Lock()
				changes = append(changes, w.core.Poll(now, table)...)
				w.mu.Unlock()
			}
			w.mu.Lock()
			changes = append(changes, w.core.Advance(now)...)
			w.mu.Unlock()
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		for _, c := range changes {
			select {
			case w.out <- c:
			case <-ctx.Done():
				return
			}
		}
	}
}

// apply gives one event to the core (reading the process after an exec).
func (w *Watcher) apply(ev Event) []Change {
	var p Proc
	var ok bool
	if ev.Kind == EventExec {
		comm, cmd := w.core.Needs()
		p, ok = w.host.Read(ev.PID, comm, cmd)
	}
	now := w.now()
	w.mu.Lock()
	defer w.mu.Unlock()
	var cs []Change
	switch ev.Kind {
	case EventFork:
		cs = w.core.Fork(now, ev.PID, ev.Child)
	case EventExec:
		cs = w.core.Exec(ev.PID, p, ok)
	case EventComm:
		cs = w.core.Comm(ev.PID, ev.Comm)
	case EventExit:
		cs = w.core.Exit(now, ev.PID)
	}
	return append([]Change(nil), cs...)
}
