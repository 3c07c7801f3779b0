package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
