package daemon

import (
	"context"
	"log/slog"
	"time"

	"github.com/keepalived-go/keepalived/checker"
	"github.com/keepalived-go/keepalived/config"
	"github.com/keepalived-go/keepalived/logging"
	"github.com/keepalived-go/keepalived/notify"
)

// The production implementations of the seams: package checker runs the
// scripts and track files, package notify the notify scripts and FIFOs.

// trackers adapts checker.Trackers.
type trackers struct{ t *checker.Trackers }

func (t trackers) Run(ctx context.Context, out chan<- checker.Update) { t.t.Run(ctx, out) }
func (t trackers) Runnable() []string                                 { return t.t.Scripts.Names() }

// Program is a script as the checker resolved it, for the dumps.
func (t trackers) Program(name string) *checker.Program { return t.t.Scripts.Program(name) }

// defaultScripts builds checker's trackers for a configuration; on reload
// the previous scripts' counters carry over by name (reference 6.8).
var defaultScripts scriptsFactory = func(cfg *config.Config, log *slog.Logger, prev scriptRunner) (scriptRunner, error) {
	if len(cfg.Scripts) == 0 && len(cfg.TrackFiles) == 0 {
		return nil, nil
	}
	t, ds := checker.NewTrackers(cfg, log, prev != nil)
	for _, d := range ds {
		lvl := slog.LevelInfo
		switch d.Severity {
		case config.Error:
			lvl = slog.LevelError
		case config.Warning:
			lvl = slog.LevelWarn
		}
		log.Log(context.Background(), lvl, d.String(), logging.File(d.Pos.File), slog.Int("line", d.Pos.Line))
	}
	if p, ok := prev.(trackers); ok {
		t.Scripts.CarryFrom(p.t.Scripts)
	}
	return trackers{t}, nil
}

// notifyCloseWait bounds how long shutdown waits for queued notify
// scripts (STOP scripts get 1 s each in package notify).
const notifyCloseWait = 5 * time.Second

// notifier adapts notify.Notifier.
type notifyAdapter struct{ n *notify.Notifier }

func (a notifyAdapter) Instance(in *config.Instance, state string, prio int) {
	a.n.Instance(in, state, prio)
}
func (a notifyAdapter) Group(g *config.SyncGroup, state string)  { a.n.Group(g, state) }
func (a notifyAdapter) RxLowerPri(in *config.Instance, prio int) { a.n.RxLowerPri(in, prio) }
func (a notifyAdapter) PriorityChange(in *config.Instance, state string, prio int) {
	a.n.PriorityChange(in, state, prio)
}
func (a notifyAdapter) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), notifyCloseWait)
	defer cancel()
	_ = a.n.Close(ctx)
}

// newNotifier opens the notify FIFOs of cfg and returns the notifier. A
// FIFO that cannot be set up is logged; notifications go on without it.
var newNotifier = func(cfg *config.Config, log *slog.Logger) notifier {
	n, err := notify.New(cfg.Global, log)
	if err != nil {
		log.Error(err.Error(), logging.Err(err))
	}
	if n == nil {
		return nopNotifier{}
	}
	return notifyAdapter{n}
}
