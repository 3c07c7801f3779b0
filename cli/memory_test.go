package cli

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// imageRSS sums the resident kB of this process's read-only mappings of its
// own executable, and of its writable ones, from /proc/self/smaps.
func imageRSS(t *testing.T) (readOnly, writable int) {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Skip(err)
	}
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	var cur *int
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && len(f[1]) == 4:
			cur = nil
			if len(f) >= 6 && f[5] == exe {
				cur = &readOnly
				if f[1][1] == 'w' {
					cur = &writable
				}
			}
		case len(f) == 3 && f[0] == "Rss:" && cur != nil:
			n, _ := strconv.Atoi(f[1])
			*cur += n
		}
	}
	return readOnly, writable
}

// TestTrimImage: trimImage drops most of the resident read-only pages of
// the executable (what runs next faults a few back) and leaves the
// writable ones, which hold the program's state, alone.
func TestTrimImage(t *testing.T) {
	ro0, rw0 := imageRSS(t)
	if ro0 < 512 {
		t.Skipf("only %d kB of the image resident: nothing to measure", ro0)
	}
	trimImage()
	ro1, rw1 := imageRSS(t)
	t.Logf("read-only image resident: %d kB -> %d kB; writable %d kB -> %d kB", ro0, ro1, rw0, rw1)
	if ro1 > ro0/2 {
		t.Errorf("read-only image resident after trimImage: %d kB, before %d kB", ro1, ro0)
	}
	if rw1 < rw0 {
		t.Errorf("writable image pages dropped: %d kB -> %d kB", rw0, rw1)
	}
}

// TestLimitFor: the idle pace's limit is what is in use (everything the
// runtime has mapped but the heap's released and free pages and its dead
// objects) plus a quarter of the live heap, at least 1 MiB, plus the
// reserve the runtime keeps below any limit.
func TestLimitFor(t *testing.T) {
	const MiB = 1 << 20
	for _, c := range []struct {
		total, released, free, objects, live uint64
		heapRoom                             uint64 // what the heap may grow by
	}{
		{total: 20 * MiB, released: 6 * MiB, free: 1 * MiB, objects: 5 * MiB, live: 4 * MiB, heapRoom: 1 * MiB},
		{total: 60 * MiB, released: 6 * MiB, free: 2 * MiB, objects: 41 * MiB, live: 40 * MiB, heapRoom: 10 * MiB},
		{total: 3 * MiB, objects: 4 * MiB, live: 1 * MiB, heapRoom: 1 * MiB}, // inconsistent sample: live only
	} {
		got := uint64(limitFor(c.total, c.released, c.free, c.objects, c.live))
		inUse := c.total - c.released - c.free - c.objects + c.live
		if c.total < c.released+c.free+c.objects {
			inUse = c.live
		}
		reserve := max((inUse+c.heapRoom)*3/100+64<<10, MiB)
		if want := inUse + c.heapRoom + reserve; got != want {
			t.Errorf("limitFor(%+v) = %d, want %d (in use %d + room %d + reserve %d)", c, got, want, inUse, c.heapRoom, reserve)
		}
	}
}

// TestIdlePace: at the idle pace a process that allocates nothing is not
// collected, one that allocates past the headroom is, and every
// collection moves the limit up to what is then in use plus the headroom.
func TestIdlePace(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT set: the environment paces the collector")
	}
	saved := ownPacing
	ownPacing = true
	watchCollections()
	defer func() {
		busyPace()
		debug.SetGCPercent(100)
		ownPacing = saved
	}()
	keep := make([][]byte, 0, 4096)
	for i := 0; i < 4096; i++ {
		keep = append(keep, make([]byte, 1024)) // 4 MiB live
	}
	debug.FreeOSMemory()
	idlePace()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	time.Sleep(200 * time.Millisecond)
	var idleStats runtime.MemStats
	runtime.ReadMemStats(&idleStats)
	if n := idleStats.NumGC - before.NumGC; n != 0 {
		t.Errorf("%d collections while allocating nothing at the idle pace", n)
	}
	limit0 := debug.SetMemoryLimit(-1)
	// 40 MiB of garbage: with 4 MiB live the headroom is 1 MiB, so the
	// runtime must collect, and not continuously.
	var sink []byte
	for i := 0; i < 40*1024; i++ {
		sink = make([]byte, 1024)
	}
	_ = sink
	keep = append(keep, make([]byte, 1024))
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	n := after.NumGC - idleStats.NumGC
	t.Logf("%d collections for 40 MiB of garbage over 4 MiB live", n)
	if n == 0 || n > 200 {
		t.Errorf("%d collections for 40 MiB of garbage over 4 MiB live at the idle pace, want some, not hundreds", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for collections.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if collections.Load() == 0 {
		t.Fatal("no collection was seen by watchCollections")
	}
	if limit := debug.SetMemoryLimit(-1); limit == math.MaxInt64 || limit < int64(4<<20) {
		t.Errorf("limit %d after collections (was %d): want a finite limit above the live heap", limit, limit0)
	}
	runtime.KeepAlive(keep)
}

// TestChildEnv: the VRRP child gets asyncpreemptoff=1 added to whatever
// GODEBUG the operator set, unless it names asyncpreemptoff itself, and
// restoreGODEBUG gives the child back exactly the operator's GODEBUG.
func TestChildEnv(t *testing.T) {
	for _, c := range []struct {
		name    string
		env     []string
		godebug string // in the child's environment at exec
		restore *string
	}{
		{"unset", []string{"PATH=/bin"}, "asyncpreemptoff=1", nil},
		{"empty", []string{"GODEBUG="}, "asyncpreemptoff=1", ptr("")},
		{"other settings", []string{"GODEBUG=gctrace=1"}, "gctrace=1,asyncpreemptoff=1", ptr("gctrace=1")},
		{"operator's choice", []string{"GODEBUG=asyncpreemptoff=0"}, "asyncpreemptoff=0", ptr("asyncpreemptoff=0")},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := childEnv(append([]string(nil), c.env...))
			got, marker := "", ""
			for _, e := range env {
				if v, ok := strings.CutPrefix(e, "GODEBUG="); ok {
					got = v
				}
				if v, ok := strings.CutPrefix(e, envGODEBUG+"="); ok {
					marker = v
				}
			}
			if got != c.godebug {
				t.Errorf("child's GODEBUG %q, want %q", got, c.godebug)
			}
			// What the child does with it:
			t.Setenv("GODEBUG", got)
			if marker != "" {
				t.Setenv(envGODEBUG, marker)
			} else {
				os.Unsetenv(envGODEBUG)
			}
			restoreGODEBUG()
			v, set := os.LookupEnv("GODEBUG")
			switch {
			case c.restore == nil && set:
				t.Errorf("GODEBUG=%q after restore, want unset", v)
			case c.restore != nil && (!set || v != *c.restore):
				t.Errorf("GODEBUG=%q (set %v) after restore, want %q", v, set, *c.restore)
			}
			if _, left := os.LookupEnv(envGODEBUG); left {
				t.Errorf("%s left in the environment", envGODEBUG)
			}
		})
	}
}

func ptr(s string) *string { return &s }
