package checker

import (
	"fmt"
	"strings"
	"testing"
)

// step is one script result and what keepalived does with it: "S" or "F"
// followed by "!" when the state line is logged (changed), then "+" or "-"
// for the state after it. E.g. "S!+" is a success that brings the script up.
func runSteps(t *testing.T, h *Hysteresis, steps string) {
	t.Helper()
	for i, st := range strings.Fields(steps) {
		success := st[0] == 'S'
		wantChanged := strings.Contains(st, "!")
		wantOK := strings.HasSuffix(st, "+")
		changed, ok := h.Observe(success)
		if changed != wantChanged || ok != wantOK {
			t.Fatalf("step %d %q: got changed=%v ok=%v, want changed=%v ok=%v (counter %d)",
				i, st, changed, ok, wantChanged, wantOK, h.result)
		}
		if ok != h.OK() {
			t.Fatalf("step %d: Observe says ok=%v but OK()=%v", i, ok, h.OK())
		}
		if !h.Reported() {
			t.Fatalf("step %d: not reported after a result", i)
		}
	}
}

func TestHysteresis(t *testing.T) {
	tests := []struct {
		name       string
		rise, fall int
		initFail   bool
		steps      string
	}{
		{"first success decides", 1, 1, false, "S!+ S+ F!- F- S!+"},
		{"first failure decides", 1, 1, false, "F!- F- S!+"},
		{"first success decides despite rise 3", 3, 2, false, "S!+ F+ F!- S- S- S!+ S+"},
		{"first failure decides despite fall 3", 2, 3, false, "F!- S- S!+"},
		{"fall 3 needs three consecutive failures", 1, 3, false, "S!+ F+ F+ S+ F+ F+ F!- F-"},
		{"rise needs consecutive successes", 3, 1, false, "F!- S- S- F- S- S- S!+"},
		{"init_fail starts failed, first failure silent", 2, 1, true, "F- S- S!+ F!-"},
		{"init_fail rise 1 comes up at once", 1, 1, true, "S!+"},
		{"init_fail rise 3", 3, 1, true, "S- S- S!+"},
		{"zero rise and fall act as 1", 0, 0, false, "S!+ F!- S!+"},
		{"fall while OK counts down from max", 2, 2, false, "S!+ S+ F+ S+ F+ F!- S- S!+"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHysteresis(tc.rise, tc.fall, tc.initFail)
			if h.Reported() != tc.initFail {
				t.Fatalf("Reported() before any result = %v, want %v", h.Reported(), tc.initFail)
			}
			if h.OK() {
				t.Fatal("OK before any result")
			}
			runSteps(t, &h, tc.steps)
		})
	}
}

func TestHysteresisCarry(t *testing.T) {
	tests := []struct {
		name               string
		oldRise, oldFall   int
		oldSteps           string // applied to the old counter first
		newRise, newFall   int
		wantReported, want bool
		thenSteps          string // applied to the carried counter
	}{
		{"unreported stays unreported", 2, 2, "", 3, 1, false, false, "F!-"},
		{"OK at max stays at max", 1, 3, "S!+", 2, 3, true, true, "F+ F+ F!-"},
		{"OK partly down keeps its distance", 1, 3, "S!+ F+", 1, 3, true, true, "F+ F!-"},
		{"OK partly down capped to new max", 1, 5, "S!+ F+", 1, 1, true, true, "F!-"},
		{"failed at 0 stays at 0", 1, 1, "F!-", 3, 1, true, false, "S- S- S!+"},
		{"failed partly up keeps its distance below rise", 3, 1, "F!- S- S-", 3, 1, true, false, "S!+"},
		{"failed partly up floored at 0", 4, 1, "F!- S- S-", 2, 1, true, false, "S- S!+"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := NewHysteresis(tc.oldRise, tc.oldFall, false)
			if tc.oldSteps != "" {
				runSteps(t, &old, tc.oldSteps)
			}
			h := NewHysteresis(tc.newRise, tc.newFall, false)
			h.carry(old)
			if h.Reported() != tc.wantReported || h.OK() != tc.want {
				t.Fatalf("carried: reported=%v ok=%v, want %v %v", h.Reported(), h.OK(), tc.wantReported, tc.want)
			}
			runSteps(t, &h, tc.thenSteps)
		})
	}
}

func TestHysteresisCarryState(t *testing.T) {
	for _, ok := range []bool{true, false} {
		t.Run(fmt.Sprint(ok), func(t *testing.T) {
			h := NewHysteresis(2, 2, false)
			h.carryState(ok)
			if !h.Reported() || h.OK() != ok {
				t.Fatalf("carryState(%v): reported=%v ok=%v", ok, h.Reported(), h.OK())
			}
			if ok {
				runSteps(t, &h, "F+ F!-") // fully up: fall failures to go down
			} else {
				runSteps(t, &h, "S- S!+") // fully down: rise successes to come up
			}
		})
	}
}
