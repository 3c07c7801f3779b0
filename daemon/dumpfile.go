package daemon

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// createDumpTemp creates dir/nameNNNN for writeFile with mode 0666 less
// the process's umask: keepalived's fopen_safe sets 0666 & ~umask_val,
// and the process's mask is keepalived's umask_val (package process sets
// it from -u or the configuration's umask; keepalived's default 0177
// gives 0600, so keepalived.data and its auth_pass stay root's).
func createDumpTemp(dir, name string) (*os.File, error) {
	for range 100 {
		p := filepath.Join(dir, name+strconv.FormatUint(rand.Uint64N(1e10), 10))
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_TRUNC|syscall.O_NOFOLLOW, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, name+"*"), Err: fs.ErrExist}
}

// dumpUmask is what the data dump's " umask =" line shows: keepalived's
// umask_val, which is the process's mask. The package's tests run in a
// process with the shell's mask, and show keepalived's 0177 instead
// (main_test.go).
var dumpUmask = processUmask

// processUmask is the process's file-creation mask, read from
// /proc/self/status (the mask cannot be read without setting it, and
// setting it would race with files other goroutines create); keepalived's
// default when the line is missing.
func processUmask() int {
	b, err := os.ReadFile("/proc/self/status")
	if err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Umask:"); ok {
				if m, err := strconv.ParseInt(strings.TrimSpace(v), 8, 32); err == nil {
					return int(m)
				}
			}
		}
	}
	return 0o177
}
