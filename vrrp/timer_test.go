package vrrp

import (
	"testing"
	"time"
)

// TestSkewAndDownInterval checks the timer maths against literal numbers
// (RFC 3768 section 6.1, RFC 5798 section 6.1, keepalived vrrp.h
// VRRP_TIMER_SKEW_CALC: v2 ignores the interval, v3 scales with it and
// truncates to whole microseconds).
func TestSkewAndDownInterval(t *testing.T) {
	tests := []struct {
		name     string
		version  int
		prio     uint8
		interval time.Duration
		adverts  int
		skew     time.Duration
		down     time.Duration
	}{
		{"v2 prio 90 int 1s", 2, 90, time.Second, 3, 648437 * time.Microsecond, 3648437 * time.Microsecond},
		{"v2 prio 100 int 1s", 2, 100, time.Second, 3, 609375 * time.Microsecond, 3609375 * time.Microsecond},
		{"v2 prio 90 int 5s skew ignores interval", 2, 90, 5 * time.Second, 3, 648437 * time.Microsecond, 15648437 * time.Microsecond},
		{"v2 prio 254", 2, 254, time.Second, 3, 7812 * time.Microsecond, 3007812 * time.Microsecond},
		{"v2 prio 255", 2, 255, time.Second, 3, 3906 * time.Microsecond, 3003906 * time.Microsecond},
		{"v3 prio 90 int 1s", 3, 90, time.Second, 3, 648437 * time.Microsecond, 3648437 * time.Microsecond},
		{"v3 prio 90 int 100ms", 3, 90, 100 * time.Millisecond, 3, 64843 * time.Microsecond, 364843 * time.Microsecond},
		{"v3 prio 100 int 100ms", 3, 100, 100 * time.Millisecond, 3, 60937 * time.Microsecond, 360937 * time.Microsecond},
		{"v3 prio 90 int 2.5s", 3, 90, 2500 * time.Millisecond, 3, 1621093 * time.Microsecond, 9121093 * time.Microsecond},
		{"v3 prio 1 int 40.95s", 3, 1, 40950 * time.Millisecond, 3, 40790039 * time.Microsecond, 163640039 * time.Microsecond},
		{"v2 prio 90 down_timer_adverts 1", 2, 90, time.Second, 1, 648437 * time.Microsecond, 1648437 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SkewTime(tt.version, tt.prio, tt.interval); got != tt.skew {
				t.Errorf("skew = %v, want %v", got, tt.skew)
			}
			if got := MasterDownInterval(tt.version, tt.prio, tt.interval, tt.adverts); got != tt.down {
				t.Errorf("down = %v, want %v", got, tt.down)
			}
		})
	}
}
