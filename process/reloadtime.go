package process

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

// reload_time_file and reload_repeat (keepalived 2.2.7
// core/reload_monitor.c): the parent watches a file holding the time of a
// reload, "HH:MM:SS" (the next such time), "YY-MM-DD HH:MM:SS" or
// "YYYY-MM-DD HH:MM:SS", local time or UTC with a trailing Z, and at that
// time reloads as on SIGHUP. The file is removed when the reload starts,
// unless reload_repeat is set and it holds a time of day only (then the
// same time the next day follows). Writing another time reschedules;
// removing the file, or writing something invalid, cancels. keepalived
// learns of a change through inotify; here the file is checked every
// reloadTimePoll, so a change counts up to that much later.

// reloadTimePoll is how often the reload time file is checked.
const reloadTimePoll = time.Second

// reloadTimer is one watch of the reload time file.
type reloadTimer struct {
	file   string
	repeat bool
	log    *slog.Logger
	fire   chan<- struct{}

	at       time.Time // the scheduled reload; zero: none
	dateSet  bool      // the file gave a date
	lastStat string    // what the file looked like at the last read
}

// run watches until ctx ends. A reload fired ends the watch: the
// supervisor's reload starts a new one (keepalived stops and restarts its
// monitor around each reload).
func (r *reloadTimer) run(ctx context.Context) {
	r.read(true)
	if !r.at.IsZero() {
		r.log.Info("Reload scheduled for " + fmtReloadTime(r.at))
	}
	tick := time.NewTicker(reloadTimePoll)
	defer tick.Stop()
	due := time.NewTimer(time.Hour)
	defer due.Stop()
	for {
		due.Stop()
		var dueC <-chan time.Time
		if !r.at.IsZero() {
			due.Reset(time.Until(r.at))
			dueC = due.C
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.read(false)
		case <-dueC:
			if !r.repeat || r.dateSet {
				os.Remove(r.file)
			}
			select {
			case r.fire <- struct{}{}:
			case <-ctx.Done():
			}
			return
		}
	}
}

// read rereads the file when it changed (always at the start).
func (r *reloadTimer) read(first bool) {
	st := "absent"
	if fi, err := os.Stat(r.file); err == nil {
		st = fi.ModTime().String() + "/" + strconv.FormatInt(fi.Size(), 10)
	}
	if !first && st == r.lastStat {
		return
	}
	r.lastStat = st
	line, ok := firstLine(r.file)
	if !ok {
		r.cancel()
		return
	}
	t, dateSet, msgs := parseReloadTime(line, time.Now())
	if len(msgs) > 0 {
		for _, m := range msgs {
			r.log.Info(m)
		}
		r.cancel()
		return
	}
	if t.Equal(r.at) {
		return
	}
	switch {
	case r.at.IsZero():
		r.log.Info("Scheduling reload for " + fmtReloadTime(t))
	default:
		r.log.Info("Reload time updated from " + fmtReloadTime(r.at) + " to " + fmtReloadTime(t))
	}
	r.at, r.dateSet = t, dateSet
}

func (r *reloadTimer) cancel() {
	if !r.at.IsZero() {
		r.log.Info("Cancelling reload scheduled for " + fmtReloadTime(r.at))
	}
	r.at = time.Time{}
}

func firstLine(path string) (string, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return "", false
	}
	return sc.Text(), true
}

// fmtReloadTime is keepalived's "%Y-%m-%d %H:%M:%S" in local time.
func fmtReloadTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }

// parseReloadTime is keepalived's parse_datetime with the messages of its
// read_file (none for a time in the future).
func parseReloadTime(s string, now time.Time) (t time.Time, dateSet bool, msgs []string) {
	invalid := "Invalid reload time '" + s + "' specified - ignoring"
	v := s
	loc := time.Local
	if strings.HasSuffix(v, "Z") {
		loc, v = time.UTC, strings.TrimSuffix(v, "Z")
	}
	var layout string
	switch len(v) {
	case 8:
		layout = "15:04:05"
	case 17:
		layout = "06-01-02 15:04:05"
	case 19:
		layout = "2006-01-02 15:04:05"
	default:
		return t, false, []string{"Reload time " + s + " format is incorrect - ignoring", invalid}
	}
	p, err := time.ParseInLocation(layout, v, loc)
	if err != nil {
		return t, false, []string{"Reload date/time " + s + " invalid - ignoring", invalid}
	}
	if len(v) == 8 {
		n := now.In(loc)
		p = time.Date(n.Year(), n.Month(), n.Day(), p.Hour(), p.Minute(), p.Second(), 0, loc)
		if !p.After(now) {
			p = p.AddDate(0, 0, 1)
		}
		return p, false, nil
	}
	if !p.After(now) {
		return t, false, []string{"Reload time " + s + " is in the past - ignoring", "Reload date/time is in the past - ignoring"}
	}
	return p, true, nil
}
