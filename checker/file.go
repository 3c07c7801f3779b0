package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/keepalived-go/keepalived/config"
)

// ErrInotify is wrapped by errors setting up the track_file watcher.
var ErrInotify = errors.New("checker: inotify")

// FileContribution is how a track_file value changes an instance tracking
// it with weight w (reference section 5.7, track_file.c
// update_track_file_status): with weight 0 a non-zero value is FAULT (with
// reverse, a zero value is); otherwise value x weight (negated by reverse),
// at or below -254 is FAULT, above 253 is capped to 253.
func FileContribution(value, w int, reverse bool) (delta int, fault bool) {
	if w == 0 {
		return 0, (value != 0) != reverse
	}
	v := int64(value) * int64(w)
	if reverse {
		v = -v
	}
	switch {
	case v <= -254:
		return 0, true
	case v > 253:
		return 253, false
	}
	return int(v), false
}

// ParseFileValue reads a track_file's content as keepalived does (strtol
// with base 0 on the first 127 bytes): leading blanks, optional sign, 0x for
// hex, 0 for octal, digits up to the first other byte; no digits is 0. ok is
// false when the number is outside int32 (keepalived logs "Invalid number"
// and ignores the read).
func ParseFileValue(b []byte) (value int, ok bool) {
	if len(b) > 127 {
		b = b[:127]
	}
	s := strings.TrimLeft(string(b), " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := int64(10)
	switch {
	case len(s) >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hexDigit(s[2]) >= 0:
		base, s = 16, s[2:]
	case len(s) >= 1 && s[0] == '0':
		base = 8
	}
	var n int64
	for i := 0; i < len(s); i++ {
		d := hexDigit(s[i])
		if d < 0 || int64(d) >= base {
			break
		}
		n = n*base + int64(d)
		if n > 1<<40 { // far outside int32: keepalived's range check fails too
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	if n < -(1<<31) || n > 1<<31 {
		return 0, false
	}
	return int(n), true
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// InitFiles writes init_file values: a missing file is created holding
// "VALUE\n"; with overwrite an existing regular file is rewritten too,
// except on reload (section 5.7, track_file.c).
func InitFiles(files []*config.TrackFile, reload bool) error {
	var errs []error
	for _, tf := range files {
		if !tf.InitFile {
			continue
		}
		st, err := os.Stat(tf.Path)
		if err == nil {
			if !tf.Overwrite || reload {
				continue
			}
			if !st.Mode().IsRegular() {
				errs = append(errs, fmt.Errorf("checker: cannot initialise track file %s - it is not a regular file", tf.Name))
				continue
			}
		}
		if err := os.WriteFile(tf.Path, fmt.Appendf(nil, "%d\n", tf.InitValue), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("checker: unable to initialise track file %s: %w", tf.Name, err))
		}
	}
	return errors.Join(errs...)
}

// watchedFile is one track_file under watch.
type watchedFile struct {
	name  string
	path  string // resolved
	dir   string
	base  string
	wd    int
	value int
}

// WatchFiles applies init_file (as at first start), then watches the
// track_file files with inotify on their directories (a file may be
// created, replaced by rename, or deleted) and sends an Update (Kind
// "file", Value the number read, OK false while the file is absent) for
// every file at start and whenever a value changes. A deleted file reads as
// 0. It blocks until ctx ends; it returns an error only if inotify cannot
// be set up. A file whose directory does not exist is dropped, with a log
// line in its Update.
func WatchFiles(ctx context.Context, files []*config.TrackFile, out chan<- Update) error {
	_ = InitFiles(files, false)
	return watchFiles(ctx, files, out)
}

// WatchFilesReload is WatchFiles after a reload: init_file's overwrite does
// not rewrite existing files.
func WatchFilesReload(ctx context.Context, files []*config.TrackFile, out chan<- Update) error {
	_ = InitFiles(files, true)
	return watchFiles(ctx, files, out)
}

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

// resolveTrackFile resolves the file's path as keepalived does: the file
// itself if it exists, else its directory, which must exist.
func resolveTrackFile(tf *config.TrackFile) (*watchedFile, bool, error) {
	w := &watchedFile{name: tf.Name}
	p, err := filepath.Abs(tf.Path)
	if err != nil {
		return nil, false, fmt.Errorf("track file %s is not accessible - ignoring", tf.Name)
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		w.path = real
		w.dir, w.base = filepath.Split(real)
		return w, true, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, fmt.Errorf("track file %s is not accessible - ignoring", tf.Name)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return nil, false, fmt.Errorf("Track file directory for %s does not exist - removing", tf.Name)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, false, fmt.Errorf("Track file directory for %s does not exist - removing", tf.Name)
	}
	w.dir, w.base = dir+"/", filepath.Base(p)
	w.path = filepath.Join(dir, w.base)
	return w, false, nil
}

// readFileValue reads a track file; a missing or empty file is 0.
func readFileValue(path string) (int, bool) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK, 0)
	if err != nil {
		return 0, true
	}
	defer f.Close()
	buf := make([]byte, 127)
	n, _ := f.Read(buf)
	if n <= 0 {
		return 0, true
	}
	return ParseFileValue(buf[:n])
}
