package process

import (
	"context"
	"log/slog"
	"os"
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

// TestReloadTimerFires: a time of day written to the file fires the
// reload at that time and removes the file; with reload_repeat the file
// stays (the same time tomorrow follows); removing the file cancels.
func TestReloadTimerFires(t *testing.T) {
	for _, repeat := range []bool{false, true} {
		dir := t.TempDir()
		file := dir + "/reload.time"
		fire := make(chan struct{})
		r := &reloadTimer{file: file, repeat: repeat, log: slog.New(slog.DiscardHandler), fire: fire}
		ctx, cancel := context.WithCancel(context.Background())
		go r.run(ctx)
		at := time.Now().Add(2 * time.Second).Truncate(time.Second)
		if err := os.WriteFile(file, []byte(at.Format("15:04:05")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-fire:
			if early := time.Until(at); early > 100*time.Millisecond {
				t.Errorf("repeat %t: fired %v early", repeat, early)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("repeat %t: no reload at %s", repeat, at.Format("15:04:05"))
		}
		_, err := os.Stat(file)
		if kept := err == nil; kept != repeat {
			t.Errorf("repeat %t: file kept %t", repeat, kept)
		}
		cancel()
	}

	// Cancelled: the file goes before the time.
	dir := t.TempDir()
	file := dir + "/reload.time"
	fire := make(chan struct{}, 1)
	r := &reloadTimer{file: file, log: slog.New(slog.DiscardHandler), fire: fire}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at := time.Now().Add(4 * time.Second).Truncate(time.Second) // 3 s or more: the removal is seen (1 s poll) before it
	os.WriteFile(file, []byte(at.Format("15:04:05")+"\n"), 0o644)
	go r.run(ctx)
	time.Sleep(1200 * time.Millisecond)
	os.Remove(file)
	select {
	case <-fire:
		t.Errorf("fired although the file was removed")
	case <-time.After(time.Until(at) + 1500*time.Millisecond):
	}
}
