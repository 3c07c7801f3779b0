package process

import (
	"slices"
	"testing"
	"time"
)

// TestParseReloadTime: keepalived 2.2.7's parse_datetime formats and
// messages for reload_time_file.
func TestParseReloadTime(t *testing.T) {
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.Local)
	cases := []struct {
		in      string
		want    time.Time
		dateSet bool
		msgs    []string
	}{
		{in: "15:30:00", want: time.Date(2026, 12, 2, 15, 30, 0, 0, time.Local)},
		{in: "14:00:00", want: time.Date(2026, 12, 3, 14, 0, 0, 0, time.Local)}, // passed: tomorrow
		{in: "2026-12-24 08:00:00", want: time.Date(2026, 12, 24, 8, 0, 0, 0, time.Local), dateSet: true},
		{in: "26-12-24 08:00:00", want: time.Date(2026, 12, 24, 8, 0, 0, 0, time.Local), dateSet: true},
		{in: "2099-01-01 00:00:00Z", want: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), dateSet: true},
		{in: "2020-01-01 00:00:00", msgs: []string{"Reload time 2020-01-01 00:00:00 is in the past - ignoring", "Reload date/time is in the past - ignoring"}},
		{in: "soon", msgs: []string{"Reload time soon format is incorrect - ignoring", "Invalid reload time 'soon' specified - ignoring"}},
		{in: "2026-02-30 00:00:00", msgs: []string{"Reload date/time 2026-02-30 00:00:00 invalid - ignoring", "Invalid reload time '2026-02-30 00:00:00' specified - ignoring"}},
	}
	for _, tc := range cases {
		got, dateSet, msgs := parseReloadTime(tc.in, now)
		if !got.Equal(tc.want) || dateSet != tc.dateSet || !slices.Equal(msgs, tc.msgs) {
			t.Errorf("%q: %v %t %q, want %v %t %q", tc.in, got, dateSet, msgs, tc.want, tc.dateSet, tc.msgs)
		}
	}
}
