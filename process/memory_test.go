package process

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestMemoryPolicy: without GOGC/GOMEMLIMIT the long-lived processes
// collect at GCPercent and run on at most MaxProcs Ps; with GOGC set the
// operator's setting stays.
func TestMemoryPolicy(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rate := runtime.MemProfileRate
	defer func() { runtime.MemProfileRate = rate }()

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOMAXPROCS", "")
	debug.SetGCPercent(100)
	SetMemoryPolicy()
	if got := debug.SetGCPercent(100); got != GCPercent {
		t.Errorf("GC percent %d, want %d", got, GCPercent)
	}
	if got := runtime.GOMAXPROCS(0); got > MaxProcs {
		t.Errorf("GOMAXPROCS %d, want at most %d", got, MaxProcs)
	}
	if runtime.MemProfileRate != 0 {
		t.Errorf("heap profiler on: MemProfileRate %d", runtime.MemProfileRate)
	}

	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150) // what the runtime read from GOGC at start-up
	SetMemoryPolicy()
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("GOGC=150 in the environment: GC percent %d, want it kept", got)
	}
}

// TestOneShotPolicy: -t and check-config collect at oneShotGCPercent
// unless GOGC says otherwise.
func TestOneShotPolicy(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOGC", "")
	SetOneShotPolicy()
	if got := debug.SetGCPercent(100); got != oneShotGCPercent {
		t.Errorf("GC percent %d, want %d", got, oneShotGCPercent)
	}
	t.Setenv("GOGC", "50")
	debug.SetGCPercent(50)
	SetOneShotPolicy()
	if got := debug.SetGCPercent(100); got != 50 {
		t.Errorf("GOGC=50: GC percent %d, want it kept", got)
	}
}
