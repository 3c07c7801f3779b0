package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Memory policy of the long-lived processes (issue 6: a footprint no larger
// than keepalived's). Both processes are idle almost all the time and
// allocate little once started, so the Go runtime's defaults (the heap may
// grow to twice what is live before a collection; one P per core) buy
// throughput they never use with RSS they keep. The figures behind each
// value are in BENCHMARKS-footprint.md. GOGC, GOMEMLIMIT and GOMAXPROCS in
// the environment still win, so an operator can undo any of this.

// gcPercent is the GC target of both processes: a collection once the heap
// has grown by a quarter over what is live (Go's default is 100).
const gcPercent = 25

// maxProcs bounds the Ps of both processes: the VRRP loop is one goroutine,
// and more Ps only add per-P caches and idle threads.
const maxProcs = 2

// setMemoryPolicy applies the policy above to this process.
func setMemoryPolicy() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) > maxProcs {
		runtime.GOMAXPROCS(maxProcs)
	}
}

// trimImage drops this process's page-table entries for the read-only
// mappings of its own executable (code, read-only data, the function
// tables), so that they are faulted back, from the page cache, only as the
// running process touches them. Start-up (runtime and package
// initialisation, flag and configuration parsing) touches most of a Go
// binary, and the kernel's fault-around maps 64 KB around each fault: a
// 9.3 MB executable counted ~7 MB in the RSS of each of our two
// processes although the idle daemon runs a small part of it (4-5 MB
// after the trim, measured in BENCHMARKS-footprint.md). The pages
// stay in the page cache (nothing is read from disk again unless memory
// pressure evicted them, as it would anyway); only writable mappings hold
// state, and those are never touched here. Linux only; errors are ignored
// (the cost of failing is RSS, not correctness).
func trimImage() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(maps), "\n") {
		// 00400000-00c9e000 r-xp 00000000 fe:01 1234   /usr/sbin/keepalived
		f := strings.Fields(line)
		if len(f) < 6 || f[5] != exe || len(f[1]) != 4 || f[1][1] == 'w' || f[1][3] != 'p' {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
	}
}

// oneShotGCPercent is the GC target of the one-shot config checks (-t,
// check-config): they parse the whole file once and exit, so collecting
// less often is pure gain. On the 1,000-instance file it took our -t from
// 0.94-1.19x keepalived's wall time to 0.85-0.86x (BENCHMARKS-parser.md).
const oneShotGCPercent = 400

// setOneShotPolicy applies oneShotGCPercent unless GOGC is set.
func setOneShotPolicy() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(oneShotGCPercent)
	}
}
