package vrrpsim

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestRandomSchedules is a soak beside FuzzSchedule: random schedules for
// KAGO_SIM_SOAK seconds (skipped when unset), printing any failing input
// for TestScheduleRegressions.
func TestRandomSchedules(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("KAGO_SIM_SOAK"))
	if secs <= 0 {
		t.Skip("set KAGO_SIM_SOAK=seconds to run")
	}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	n := 0
	for i := 0; time.Now().Before(deadline); i++ {
		data := make([]byte, r.IntN(300))
		for j := range data {
			data[j] = byte(r.UintN(256))
		}
		s := schedule(data)
		if len(s.Violations()) > 0 || len(s.Masters()) > 1 {
			t.Errorf("input %q: violations %v, masters %v", data, s.Violations(), s.Masters())
			n++
			if n > 5 {
				return
			}
		}
	}
}
