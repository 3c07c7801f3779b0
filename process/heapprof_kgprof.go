//go:build kgprof

package process

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// A kgprof build writes heap and goroutine profiles of each process to
// $KAGO_HEAPPROF.PID.heap / .goroutine every 5 s (a measuring tool for
// BENCHMARKS-footprint.md, never in the shipped binary).
func init() {
	dst := os.Getenv("KAGO_HEAPPROF")
	if dst == "" {
		return
	}
	profiling = func() {
		runtime.MemProfileRate = 512
		go func() {
			for {
				time.Sleep(5 * time.Second)
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if f, err := os.Create(fmt.Sprintf("%s.%d.memstats", dst, os.Getpid())); err == nil {
					fmt.Fprintf(f, "HeapAlloc %d\nHeapInuse %d\nHeapIdle %d\nHeapReleased %d\nStackInuse %d\nMSpanInuse %d\nGCSys %d\nOtherSys %d\nNextGC %d\nSys %d\nNumGoroutine %d\n",
						m.HeapAlloc, m.HeapInuse, m.HeapIdle, m.HeapReleased, m.StackInuse, m.MSpanInuse, m.GCSys, m.OtherSys, m.NextGC, m.Sys, runtime.NumGoroutine())
					f.Close()
				}
				for _, k := range []string{"heap", "goroutine"} {
					f, err := os.Create(fmt.Sprintf("%s.%d.%s", dst, os.Getpid(), k))
					if err != nil {
						return
					}
					pprof.Lookup(k).WriteTo(f, 0)
					f.Close()
				}
			}
		}()
	}
}
