package vrrp

import (
	"reflect"
	"testing"
)

// TestStatsSubCoversEveryCounter fills every counter with a distinct value
// and checks that Sub subtracts each one: a counter added to Stats but
// forgotten in Sub would survive a STATS_CLEAR.
func TestStatsSubCoversEveryCounter(t *testing.T) {
	var now, base Stats
	fill := func(s *Stats, mul uint64) {
		n := uint64(1)
		var walk func(v reflect.Value)
		walk = func(v reflect.Value) {
			for i := 0; i < v.NumField(); i++ {
				f := v.Field(i)
				if f.Kind() == reflect.Struct {
					walk(f)
					continue
				}
				f.SetUint(n * mul)
				n++
			}
		}
		walk(reflect.ValueOf(s).Elem())
	}
	fill(&now, 10)
	fill(&base, 3)
	got := now.Sub(base)
	var want Stats
	fill(&want, 7)
	if got != want {
		t.Errorf("Sub:\n got %+v\nwant %+v", got, want)
	}
	if z := now.Sub(now); z != (Stats{}) {
		t.Errorf("s.Sub(s) = %+v, want zero", z)
	}
}
