// Package notify runs keepalived's notify scripts and writes its notify
// FIFO lines (reference sections 7.5 and 7.6): notify_master / _backup /
// _fault / _stop / _deleted with only their own arguments, the generic
// `notify` script with INSTANCE|GROUP, name, state and priority appended,
// notify_master_rx_lower_pri, and `INSTANCE "VI_1" MASTER 100` lines on
// notify_fifo and vrrp_notify_fifo.
//
// Delivery order. Every call returns at once (the VRRP loop never waits on
// a script). The FIFO line is written at once, so FIFO lines keep the
// order of the calls across instances and sync groups, as keepalived's;
// the scripts go to a queue per instance (and per sync group): for one
// transition the state script is started, then the generic script, as
// keepalived does. Unlike keepalived,
// which only orders the starts, the next transition of the same instance is
// not started until the previous transition's scripts have exited or
// ScriptWait has passed (they are not killed then, only no longer waited
// for): a slow notify_backup is never overtaken by the notify_master that
// follows it. Different instances do not wait for each other. STOP scripts
// are given 1 s and then killed with their process group, as keepalived does.
// Exit statuses are ignored; every child is reaped.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
)

// ErrFifo is wrapped by errors opening a notify FIFO.
var ErrFifo = errors.New("notify: fifo")

// DefaultScriptWait is how long the queue of one instance waits for a
// transition's scripts before it moves on to the next transition.
const DefaultScriptWait = 10 * time.Second

// StopScriptWait is the time STOP scripts get before their process groups
// are killed (keepalived: 1 s).
const StopScriptWait = time.Second

// Notifier delivers notifications. It is safe for concurrent use.
type Notifier struct {
	log      *slog.Logger
	def      checker.Identity
	defOK    bool
	security bool
	// ScriptWait bounds how long one transition's scripts hold back the
	// next transition of the same instance. Set before the first call.
	ScriptWait time.Duration

	fifos       []*fifo
	fifoProcs   []*checker.Process
	fifoMu      sync.RWMutex // held to write; Close takes it to close the fds
	fifosClosed bool

	mu     sync.Mutex
	queues map[string]*queue
	progs  map[*config.Command]*checker.Program
	closed bool
	idle   *sync.Cond // signalled when a queue drains
	active int        // queues with a running worker
}

type fifo struct {
	path    string
	fd      int
	created bool
}

type queue struct {
	jobs    []job
	running bool
}

// job is one notification: its FIFO lines (written when it is queued) and
// its scripts, started in order.
type job struct {
	scripts []run
	lines   []string
	stop    bool // STOP: give the scripts 1 s, then kill them
	nowait  bool // an event, not a transition: do not wait for the scripts
}

type run struct {
	cmd   *config.Command
	extra []string
}

// New opens notify_fifo and vrrp_notify_fifo (created with mkfifo 0644
// when absent, and then chowned to the fifo's user; removed at Close if we
// created them), starts each fifo's script with the fifo path appended,
// and returns a Notifier. An error reports FIFOs that could not be set up;
// the Notifier is usable anyway (keepalived runs on without them).
func New(g config.Global, log *slog.Logger) (*Notifier, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	n := &Notifier{
		log:        log,
		security:   g.EnableScriptSecurity,
		ScriptWait: DefaultScriptWait,
		queues:     map[string]*queue{},
		progs:      map[*config.Command]*checker.Program{},
	}
	n.idle = sync.NewCond(&n.mu)
	n.def, n.defOK, _ = checker.DefaultIdentity(g.ScriptUser, g.ScriptGroup, g.EnableScriptSecurity)

	var errs []error
	seen := map[string]bool{}
	for _, spec := range []struct {
		f    *config.Fifo
		kind string
	}{{g.NotifyFifo, ""}, {g.VRRPNotifyFifo, "vrrp "}} {
		if spec.f == nil || spec.f.Path == "" || seen[spec.f.Path] {
			continue
		}
		seen[spec.f.Path] = true
		f, err := n.openFifo(spec.f, spec.kind)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n.fifos = append(n.fifos, f)
	}
	return n, errors.Join(errs...)
}

func (n *Notifier) openFifo(spec *config.Fifo, kind string) (*fifo, error) {
	f := &fifo{path: spec.Path, fd: -1}
	err := unix.Mkfifo(spec.Path, 0o644)
	switch {
	case err == nil:
		f.created = true
		id := n.def
		ok := n.defOK
		if spec.User != "" {
			var lerr error
			id, lerr = checker.LookupIdentity(spec.User, spec.Group)
			ok = lerr == nil
		}
		if ok && (int(id.UID) != os.Geteuid() || int(id.GID) != os.Getegid()) {
			if err := os.Chown(spec.Path, int(id.UID), int(id.GID)); err != nil {
				n.log.Info(fmt.Sprintf("Failed to set uid:gid for fifo %s", spec.Path))
			}
		}
	case errors.Is(err, syscall.EEXIST):
	default:
		n.log.Info(fmt.Sprintf("Unable to create %snotify fifo %s", kind, spec.Path))
		return nil, fmt.Errorf("%w: create %s: %w", ErrFifo, spec.Path, err)
	}
	if spec.Script != nil {
		if prog := n.program(spec.Script); prog != nil {
			p, err := prog.Start(spec.Path)
			if err != nil {
				n.log.Info(err.Error())
			} else {
				n.fifoProcs = append(n.fifoProcs, p)
			}
		}
	}
	fd, err := unix.Open(spec.Path, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_NOFOLLOW, 0)
	if err != nil {
		n.log.Info(fmt.Sprintf("Unable to open %snotify fifo %s - errno %d", kind, spec.Path, err.(syscall.Errno)))
		if f.created {
			_ = os.Remove(spec.Path)
		}
		return nil, fmt.Errorf("%w: open %s: %w", ErrFifo, spec.Path, err)
	}
	f.fd = fd
	return f, nil
}

// program resolves a command once (PATH search, executability, security)
// and caches the result, nil when keepalived would not run it.
func (n *Notifier) program(cmd *config.Command) *checker.Program {
	n.mu.Lock()
	p, ok := n.progs[cmd]
	n.mu.Unlock()
	if ok {
		return p
	}
	p, logs := checker.ResolveCommand(cmd, n.def, n.defOK, n.security)
	for _, l := range logs {
		n.log.Info(l)
	}
	n.mu.Lock()
	n.progs[cmd] = p
	n.mu.Unlock()
	return p
}

// stateScript picks the state script of a Notify block.
func stateScript(nt *config.Notify, state string) *config.Command {
	switch state {
	case "MASTER":
		return nt.Master
	case "BACKUP":
		return nt.Backup
	case "FAULT":
		return nt.Fault
	case "STOP":
		return nt.Stop
	case "DELETED":
		return nt.Deleted
	}
	return nil
}

// Instance notifies an instance entering state (MASTER, BACKUP, FAULT,
// STOP, DELETED) with its effective priority: the state script, then the
// generic `notify` script with INSTANCE name state prio appended, then the
// FIFO line `INSTANCE "name" state prio`. DELETED without notify_deleted
// is notified as FAULT, as keepalived does.
func (n *Notifier) Instance(in *config.Instance, state string, prio int) {
	if state == "DELETED" && !in.Notify.DeletedSet && in.Notify.Deleted == nil {
		state = "FAULT"
	}
	j := job{stop: state == "STOP"}
	if c := stateScript(&in.Notify, state); c != nil {
		j.scripts = append(j.scripts, run{cmd: c})
	}
	if c := in.Notify.Generic; c != nil {
		j.scripts = append(j.scripts, run{cmd: c, extra: []string{"INSTANCE", in.Name, state, strconv.Itoa(prio)}})
	}
	j.lines = append(j.lines, fifoLine("INSTANCE", in.Name, state, prio))
	n.enqueue("INSTANCE "+in.Name, j)
}

// Group notifies a sync group entering state: its state script, its
// generic script with GROUP name state 0, and `GROUP "name" state 0`.
func (n *Notifier) Group(g *config.SyncGroup, state string) {
	j := job{stop: state == "STOP"}
	if state != "DELETED" {
		if c := stateScript(&g.Notify, state); c != nil {
			j.scripts = append(j.scripts, run{cmd: c})
		}
	}
	if c := g.Notify.Generic; c != nil {
		j.scripts = append(j.scripts, run{cmd: c, extra: []string{"GROUP", g.Name, state, "0"}})
	}
	j.lines = append(j.lines, fifoLine("GROUP", g.Name, state, 0))
	n.enqueue("GROUP "+g.Name, j)
}

// RxLowerPri notifies a master receiving a lower-priority advert:
// notify_master_rx_lower_pri (no extra arguments) and the FIFO line
// MASTER_RX_LOWER_PRI. It is ordered with the instance's transitions but
// does not hold back the next one while its script runs.
func (n *Notifier) RxLowerPri(in *config.Instance, prio int) {
	j := job{nowait: true}
	if c := in.Notify.MasterRxLowerPri; c != nil {
		j.scripts = append(j.scripts, run{cmd: c})
	}
	j.lines = append(j.lines, fifoLine("INSTANCE", in.Name, "MASTER_RX_LOWER_PRI", prio))
	n.enqueue("INSTANCE "+in.Name, j)
}

// PriorityChange writes `INSTANCE "name" MASTER_PRIORITY prio` (state
// MASTER) or BACKUP_PRIORITY (any other state) when the instance has
// notify_priority_changes.
func (n *Notifier) PriorityChange(in *config.Instance, state string, prio int) {
	if !in.NotifyPrioChanges {
		return
	}
	ev := "BACKUP_PRIORITY"
	if state == "MASTER" {
		ev = "MASTER_PRIORITY"
	}
	n.enqueue("INSTANCE "+in.Name, job{nowait: true, lines: []string{fifoLine("INSTANCE", in.Name, ev, prio)}})
}

// InstanceFifo writes only the FIFO line of an instance's state, in order
// with its other notifications: fifo_write_vrrp_states_on_reload for an
// instance whose state did not change at reload.
func (n *Notifier) InstanceFifo(in *config.Instance, state string, prio int) {
	n.enqueue("INSTANCE "+in.Name, job{nowait: true, lines: []string{fifoLine("INSTANCE", in.Name, state, prio)}})
}

// GroupFifo writes only the FIFO line of a sync group's state
// (fifo_write_vrrp_states_on_reload).
func (n *Notifier) GroupFifo(g *config.SyncGroup, state string) {
	n.enqueue("GROUP "+g.Name, job{nowait: true, lines: []string{fifoLine("GROUP", g.Name, state, 0)}})
}

// fifoLine is keepalived's notify_fifo line. The priority is printed as
// keepalived's uint8_t.
func fifoLine(kind, name, state string, prio int) string {
	return fmt.Sprintf("%s \"%s\" %s %d\n", kind, name, state, uint8(prio))
}

func (n *Notifier) enqueue(key string, j job) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	// FIFO lines go out now, in the order of the calls over all instances
	// and groups, as keepalived's single thread writes them (a sync
	// group's line after its members'); only the scripts wait in the
	// queue of their instance.
	for _, l := range j.lines {
		n.writeFifos(l)
	}
	j.lines = nil
	if len(j.scripts) == 0 {
		return
	}
	q := n.queues[key]
	if q == nil {
		q = &queue{}
		n.queues[key] = q
	}
	q.jobs = append(q.jobs, j)
	if !q.running {
		q.running = true
		n.active++
		go n.drain(key, q)
	}
}

// drain runs one queue's jobs in order, then exits.
func (n *Notifier) drain(key string, q *queue) {
	for {
		n.mu.Lock()
		if len(q.jobs) == 0 {
			q.running = false
			delete(n.queues, key)
			n.active--
			n.idle.Broadcast()
			n.mu.Unlock()
			return
		}
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		n.mu.Unlock()
		n.runJob(j)
	}
}

func (n *Notifier) runJob(j job) {
	var procs []*checker.Process
	for _, r := range j.scripts {
		prog := n.program(r.cmd)
		if prog == nil {
			continue
		}
		p, err := prog.Start(r.extra...)
		if err != nil {
			n.log.Info(err.Error())
			continue
		}
		procs = append(procs, p)
	}
	if j.nowait || len(procs) == 0 {
		return
	}
	wait := n.ScriptWait
	if j.stop {
		wait = StopScriptWait
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for _, p := range procs {
		select {
		case <-p.Done():
		case <-deadline.C:
			if j.stop {
				for _, p := range procs {
					_ = p.SignalGroup(syscall.SIGKILL)
				}
			}
			return
		}
	}
}

// writeFifos writes one line to every open FIFO without blocking; a full
// FIFO (no reader draining it) loses the line, as with keepalived.
func (n *Notifier) writeFifos(line string) {
	n.fifoMu.RLock()
	defer n.fifoMu.RUnlock()
	if n.fifosClosed {
		return
	}
	for _, f := range n.fifos {
		if _, err := unix.Write(f.fd, []byte(line)); err != nil {
			n.log.Debug(fmt.Sprintf("notify fifo %s: %v", f.path, err))
		}
	}
}

// Close stops accepting notifications (on reload, close the old Notifier
// before the new one takes calls, so that no line overtakes another), waits (within ctx) for the queued
// ones, STOP scripts included (1 s each, then killed), then sends SIGTERM to
// the FIFO scripts, closes the FIFOs and removes those it created.
func (n *Notifier) Close(ctx context.Context) error {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()

	drained := make(chan struct{})
	go func() {
		n.mu.Lock()
		for n.active > 0 {
			n.idle.Wait()
		}
		n.mu.Unlock()
		close(drained)
	}()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = fmt.Errorf("notify: close: %w", ctx.Err())
	}

	for _, p := range n.fifoProcs {
		_ = p.SignalGroup(syscall.SIGTERM)
	}
	n.fifoMu.Lock()
	if !n.fifosClosed {
		n.fifosClosed = true
		for _, f := range n.fifos {
			// Unlink first so a script looping on open cannot reopen it.
			if f.created {
				_ = os.Remove(f.path)
			}
			_ = unix.Close(f.fd)
		}
	}
	n.fifoMu.Unlock()
	for _, p := range n.fifoProcs {
		select {
		case <-p.Done():
		case <-time.After(time.Second):
			_ = p.SignalGroup(syscall.SIGKILL)
		}
	}
	return err
}
