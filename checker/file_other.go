//go:build !linux

package checker

import (
	"context"
	"errors"
	"fmt"

	"github.com/keepalived-go/keepalived/config"
)

// watchFiles: track_file is watched with Linux's inotify; elsewhere a
// configuration with track files cannot run (the daemon runs on Linux only,
// and check-config does not watch).
func watchFiles(ctx context.Context, files []*config.TrackFile, out chan<- Update) error {
	if len(files) == 0 {
		<-ctx.Done()
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInotify, errors.ErrUnsupported)
}
