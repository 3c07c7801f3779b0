package checker

import (
	"context"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/config"
)

// watchFiles is WatchFiles' watcher: inotify on the files' directories.
func watchFiles(ctx context.Context, files []*config.TrackFile, out chan<- Update) error {
	if len(files) == 0 {
		<-ctx.Done()
		return nil
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return fmt.Errorf("%w: init: %w", ErrInotify, err)
	}
	f := os.NewFile(uintptr(fd), "inotify")
	defer f.Close()

	send := func(u Update) bool {
		select {
		case out <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	var watched []*watchedFile
	var initial []Update
	for _, tf := range files {
		w, present, err := resolveTrackFile(tf)
		if err != nil {
			initial = append(initial, Update{Kind: "file", Name: tf.Name, Log: err.Error()})
			continue
		}
		wd, err := unix.InotifyAddWatch(fd, w.dir, unix.IN_CLOSE_WRITE|unix.IN_DELETE|unix.IN_MOVE)
		if err != nil {
			initial = append(initial, Update{Kind: "file", Name: tf.Name, Log: fmt.Sprintf("Unable to monitor track file %s: %v", tf.Name, err)})
			continue
		}
		w.wd = wd
		ok := false
		if present {
			if v, good := readFileValue(w.path); good {
				w.value, ok = v, true
			}
		}
		watched = append(watched, w)
		initial = append(initial, Update{Kind: "file", Name: w.name, Value: w.value, OK: ok, Changed: true})
	}
	for _, u := range initial {
		if !send(u) {
			return nil
		}
	}
	go func() {
		<-ctx.Done()
		f.Close() // unblocks Read
	}()

	buf := make([]byte, 64*(unix.SizeofInotifyEvent+unix.NAME_MAX+1))
	for {
		n, err := f.Read(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%w: read: %w", ErrInotify, err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			off += unix.SizeofInotifyEvent + int(ev.Len)
			if ev.Mask&unix.IN_ISDIR != 0 {
				continue
			}
			name := strings.TrimRight(string(nameBytes), "\x00")
			for _, w := range watched {
				if int32(w.wd) != ev.Wd || w.base != name {
					continue
				}
				var u Update
				switch {
				case ev.Mask&(unix.IN_MOVED_FROM|unix.IN_DELETE) != 0:
					if w.value == 0 {
						continue
					}
					w.value = 0
					u = Update{Kind: "file", Name: w.name, Value: 0, OK: false, Changed: true}
				case ev.Mask&(unix.IN_MOVED_TO|unix.IN_CLOSE_WRITE) != 0:
					v, good := readFileValue(w.path)
					if !good {
						u = Update{Kind: "file", Name: w.name, Value: w.value, OK: true,
							Log: fmt.Sprintf("Invalid number read from %s - ignoring", w.path)}
						break
					}
					if v == w.value {
						continue
					}
					w.value = v
					u = Update{Kind: "file", Name: w.name, Value: v, OK: true, Changed: true}
				default:
					continue
				}
				if !send(u) {
					return nil
				}
			}
		}
	}
}
