package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Memory policy of the long-lived processes (issue 6: a footprint no larger
// than keepalived's). Both processes are idle almost all the time and,
// once started, allocate nothing in their steady state (a master's advert
// reuses its buffers: vrrp.Instance.Release), so the Go runtime's defaults
// buy throughput they never use with memory they keep:
//
//   - the heap may grow to twice what is live before a collection;
//   - a collection is forced every two minutes even when nothing was
//     allocated, and each one walks every goroutine's stack, which reads
//     the function tables all over the executable's image and makes ~2 MB
//     of it resident again after trimImage dropped it;
//   - the heap profiler samples an allocation every 512 KB, walking the
//     stack the same way.
//
// (The daemon's loop also yields its scheduler time slice now and then, so
// that the runtime does not interrupt it with preemption signals, whose
// handler reads the same tables: daemon.Daemon.yield.)
//
// So, unless the environment says otherwise, the collector has two paces.
// While the VRRP process works (start-up, a reload, a failover: the
// daemon's Busy), a GC percentage of 25. Once it is quiet again (the
// daemon's Quiet), a memory limit instead: after each collection the limit
// is set to what is in use plus a quarter of the live heap (at least
// 1 MiB), which paces the same without the forced collections, so an idle
// process never collects. (Pacing by the limit during start-up would
// collect too often: the limit trails the fast-growing heap of a parse by
// one collection.) The parent, which only waits once its child is ready,
// goes to the idle pace then. The heap profiler is off (nothing here
// serves profiles). GOGC, GOMEMLIMIT and GOMAXPROCS in the environment
// still win, so an operator can undo any of this. The figures behind each
// choice are in BENCHMARKS-footprint.md.

// gcPercent is the headroom over the live heap before a collection, as in
// GOGC (Go's default is 100).
const gcPercent = 25

// minHeadroom is the least the heap may grow by between collections, so
// that a small heap is not collected at every few allocations.
const minHeadroom = 1 << 20

// maxProcs bounds the Ps of both processes: the VRRP loop is one goroutine,
// and more Ps only add per-P caches and idle threads.
const maxProcs = 2

// ownPacing is set when the environment leaves GC pacing to us.
var ownPacing bool

// paceMu orders the switches between the two paces.
var paceMu sync.Mutex

// setMemoryPolicy applies the policy above to this process, starting at
// the busy pace.
func setMemoryPolicy() {
	runtime.MemProfileRate = 0
	ownPacing = os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == ""
	if ownPacing {
		debug.SetGCPercent(gcPercent)
		watchCollections()
	}
	if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) > maxProcs {
		runtime.GOMAXPROCS(maxProcs)
	}
}

// busyPace paces the collector by the GC percentage.
func busyPace() {
	if !ownPacing {
		return
	}
	paceMu.Lock()
	defer paceMu.Unlock()
	idle.Store(false)
	debug.SetMemoryLimit(math.MaxInt64)
	debug.SetGCPercent(gcPercent)
}

// idlePace paces the collector by the memory limit.
func idlePace() {
	if !ownPacing {
		return
	}
	paceMu.Lock()
	defer paceMu.Unlock()
	idle.Store(true)
	debug.SetGCPercent(-1)
	paceByLimit()
}

// quietDown is what a process does once a burst of work is over: the
// freed heap returned to the system (a collection), the idle pace, then
// the image pages the burst (and that collection) touched dropped. The
// order matters: the runtime counts free pages it has not returned yet
// against the limit, and collects until the scavenger has returned them,
// so setting the limit before they are returned starts a run of
// back-to-back collections.
func quietDown() {
	debug.FreeOSMemory()
	idlePace()
	trimImage()
}

// idle is set at the idle pace: collections re-pace the limit.
var idle atomic.Bool

// memSamples are the runtime metrics paceByLimit reads, allocated once.
var memSamples = []metrics.Sample{
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/free:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/gc/heap/live:bytes"},
}

// limitFor is the memory limit that lets the heap grow by a quarter of
// live (at least minHeadroom) over what is in use before a collection.
// total is all the memory the runtime has mapped; released and free the
// heap pages it returned to the system or holds empty; objects the heap's
// objects (live or not yet swept); live the heap marked live by the last
// collection.
func limitFor(total, released, free, objects, live uint64) int64 {
	inUse := total - released - free - objects + live // stacks, metadata, fragmentation, live objects
	if total < released+free+objects {
		inUse = live
	}
	limit := inUse + max(live*gcPercent/100, minHeadroom)
	// The runtime keeps a reserve below the limit (3 % of it, at least
	// 1 MiB: memoryLimitHeapGoal in runtime/mgcpacer.go) and collects
	// once the heap reaches the limit minus that reserve: add it, or the
	// headroom above would be eaten by it and the heap collected at once.
	return int64(limit + max(limit*3/100+64<<10, 1<<20))
}

// paceByLimit sets the memory limit from the memory in use now.
func paceByLimit() {
	metrics.Read(memSamples)
	v := func(i int) uint64 {
		if memSamples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return memSamples[i].Value.Uint64()
	}
	debug.SetMemoryLimit(limitFor(v(0), v(1), v(2), v(3), v(4)))
}

// gcSentinel is an object whose only purpose is to be collected: its
// cleanup runs after the collection that freed it. It holds a pointer and
// is larger than the tiny allocator's 16-byte blocks, so that it is not
// batched with other objects that would keep it alive.
type gcSentinel struct {
	_ *gcSentinel
	_ [24]byte
}

// collections counts the collections watchCollections has seen.
var collections atomic.Int64

// watchCollections re-paces the limit after every collection at the idle
// pace: a new sentinel, unreachable at once, whose cleanup runs after the
// next collection, sets the limit from the new live heap and arms the next
// one.
func watchCollections() {
	runtime.AddCleanup(new(gcSentinel), func(struct{}) {
		collections.Add(1)
		if idle.Load() {
			paceMu.Lock()
			if idle.Load() {
				paceByLimit()
			}
			paceMu.Unlock()
		}
		watchCollections()
	}, struct{}{})
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

// onFreshStack runs fn on a goroutine of its own and waits for it. The
// configuration's parse is deeply recursive and grows its goroutine's
// stack to hundreds of kilobytes; run on a long-lived goroutine (main,
// which then waits on signals for the life of the process), that stack
// would only shrink by halves, one collection at a time, and an idle
// process collects rarely. A goroutine that ends frees its stack at once.
func onFreshStack(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// envGODEBUG carries the operator's GODEBUG (prefixed "=", or "-" when
// unset) to the VRRP child, which puts it back as soon as the runtime has
// read its own.
const envGODEBUG = "KEEPALIVED_GO_GODEBUG"

// childEnv is env for the VRRP child with asynchronous preemption off
// (GODEBUG asyncpreemptoff=1), unless the operator's GODEBUG says
// otherwise. The runtime interrupts a goroutine that has held its time
// slice for 10 ms with a signal, and the handler looks the interrupted
// code up in the executable's function tables; on a loaded machine the
// VRRP loop, descheduled by the kernel between two of its own yields
// (daemon.Daemon.yield), still got such signals, and each one paged
// another piece of those tables back in (BENCHMARKS-footprint.md). The
// loop and everything it calls reach the scheduler's cooperative
// preemption points (function calls) within microseconds, so nothing
// needs the signal. The setting is only read at start-up, so the child
// restores the operator's GODEBUG (restoreGODEBUG) before it runs
// anything: scripts see the environment they would have seen.
func childEnv(env []string) []string {
	orig, set := "", false
	for _, e := range env {
		if v, ok := strings.CutPrefix(e, "GODEBUG="); ok {
			orig, set = v, true
		}
	}
	if strings.Contains(orig, "asyncpreemptoff") {
		return env
	}
	marker := "-"
	godebug := "asyncpreemptoff=1"
	if set {
		marker = "=" + orig
		if orig != "" {
			godebug = orig + ",asyncpreemptoff=1"
		}
	}
	return append(env, "GODEBUG="+godebug, envGODEBUG+"="+marker)
}

// restoreGODEBUG puts back the GODEBUG the parent had (see childEnv).
func restoreGODEBUG() {
	marker, ok := os.LookupEnv(envGODEBUG)
	if !ok {
		return
	}
	os.Unsetenv(envGODEBUG)
	if v, set := strings.CutPrefix(marker, "="); set {
		os.Setenv("GODEBUG", v)
	} else {
		os.Unsetenv("GODEBUG")
	}
}
