package process

import (
	"os"
	"runtime"
	"runtime/debug"
)

// Memory policy of the two long-lived processes, with the runtime's
// standard settings only (issue 11: nothing that depends on how a given Go
// release works inside). Both processes are idle almost all the time, so
// the defaults buy throughput they never use with memory they keep:
//
//   - GCPercent instead of Go's 100: the heap grows by a quarter of what
//     is live before a collection, not by as much again;
//   - GOMAXPROCS at most MaxProcs (1): the VRRP loop is one goroutine
//     and its socket readers step under the loop's lock, so a second P
//     only adds per-P caches, idle threads and the scheduler's spinning
//     between them (as BACKUP of 1,000 instances it took our CPU from
//     2.53 % to 1.27 % beside keepalived's 1.90 % / 1.23 % in the same
//     runs, BENCHMARKS-footprint.md); keepalived is one thread too;
//   - the heap profiler is off (nothing here serves profiles).
//
// After a burst of work (start-up, a reload, a failover) the freed heap
// goes back to the system with debug.FreeOSMemory: the daemon does that
// itself once it has settled (daemon/quiet.go), and the parent once its
// child is ready (ReturnMemory). GOGC, GOMEMLIMIT and GOMAXPROCS in the
// environment win over all of this, as Go documents them.

// GCPercent is the GC target of the long-lived processes, as in GOGC.
const GCPercent = 25

// MaxProcs bounds the Ps of both processes (GOMAXPROCS in the
// environment wins, as Go documents it).
const MaxProcs = 1

// SetMemoryPolicy applies the policy above to this process.
func SetMemoryPolicy() {
	runtime.MemProfileRate = 0
	if profiling != nil {
		profiling() // a kgprof build only (heapprof_kgprof.go)
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetGCPercent(GCPercent)
	}
	if os.Getenv("GOMAXPROCS") == "" && runtime.GOMAXPROCS(0) > MaxProcs {
		runtime.GOMAXPROCS(MaxProcs)
	}
}

// profiling, set only in a kgprof build, turns the heap profiler on.
var profiling func()

// ReturnMemory hands the freed heap back to the system once a burst of
// work is over (a collection, then the scavenger returns the free pages).
func ReturnMemory() { debug.FreeOSMemory() }

// oneShotGCPercent is the GC target of the one-shot config checks (-t,
// check-config): they parse the whole file once and exit, so collecting
// less often is pure gain. On the 1,000-instance file it took our -t from
// 0.94-1.19x keepalived's wall time to 0.85-0.86x (BENCHMARKS-parser.md).
const oneShotGCPercent = 400

// SetOneShotPolicy applies oneShotGCPercent unless GOGC is set.
func SetOneShotPolicy() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(oneShotGCPercent)
	}
}

// OnFreshStack runs fn on a goroutine of its own and waits for it. The
// configuration's parse is deeply recursive and grows its goroutine's
// stack to hundreds of kilobytes; run on a long-lived goroutine (main,
// which then waits on signals for the life of the process), that stack
// would only shrink by halves, one collection at a time, and an idle
// process collects rarely. A goroutine that ends frees its stack at once.
func OnFreshStack(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}
