//go:build !linux

package procwatch

import (
	"context"
	"fmt"
	"log/slog"
)

// otherHost has no process events: the watcher polls its /proc, if any.
type otherHost struct{ ProcFS }

// NewHost returns a Host without process events (they are Linux's).
func NewHost(log *slog.Logger) Host { return otherHost{ProcFS{Root: "/proc"}} }

// Subscribe always fails outside Linux.
func (otherHost) Subscribe(context.Context, SubscribeOptions) (<-chan []Event, error) {
	return nil, fmt.Errorf("%w: not on Linux", ErrNoEvents)
}

// NewHostStartedIn is NewHost: there are no process events to open.
func NewHostStartedIn(log *slog.Logger, path string) Host { return NewHost(log) }
