package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var pinned = time.Date(2026, 11, 22, 5, 7, 3, 123456789, time.UTC)

func TestConsoleLine(t *testing.T) {
	var buf bytes.Buffer
	lg := newLogger(logSettings{Console: &buf, Level: slog.LevelInfo, Now: func() time.Time { return pinned }})
	lg = lg.With("instance", "VI_1")
	rec := slog.NewRecord(pinned, slog.LevelInfo, "(VI_1) Entering MASTER STATE", 0)
	rec.AddAttrs(slog.String("reason", "master down"), slog.Int("prio", 100))
	if err := lg.Handler().Handle(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	lg.Debug("not shown without -D")
	want := `Sun Nov 22 05:07:03 2026: (VI_1) Entering MASTER STATE instance=VI_1 reason="master down" prio=100` + "\n"
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLogFileLine(t *testing.T) {
	var buf bytes.Buffer
	lg := newLogger(logSettings{File: &buf, Level: slog.LevelInfo})
	rec := slog.NewRecord(pinned, slog.LevelInfo, "Startup complete", 0)
	lg.Handler().Handle(t.Context(), rec)
	want := "Sun Nov 22 05:07:03.123456789 2026: Startup complete\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestJSONLine(t *testing.T) {
	var buf bytes.Buffer
	lg := newLogger(logSettings{Console: &buf, JSON: true, Ident: "Keepalived_vrrp", Level: slog.LevelDebug})
	lg = lg.WithGroup("vrrp").With("instance", "VI_1")
	rec := slog.NewRecord(pinned, slog.LevelWarn, `say "hi"`, 0)
	rec.AddAttrs(slog.Any("err", errors.New("boom")), slog.Duration("after", 1500*time.Millisecond), slog.Bool("ok", false))
	lg.Handler().Handle(t.Context(), rec)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %q: %v", buf.String(), err)
	}
	want := map[string]any{
		"time": "2026-11-22T05:07:03.123456Z", "level": "WARN", "ident": "Keepalived_vrrp",
		"msg": `say "hi"`, "vrrp.instance": "VI_1", "vrrp.err": "boom", "vrrp.after": "1.5s", "vrrp.ok": false,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(buf.String(), "}\n") || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("want one line, got %q", buf.String())
	}
}

func TestSyslogDatagram(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "log")
	srv, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	w := newSyslogWriter(path, "Keepalived_vrrp")
	defer w.Close()
	lg := newLogger(logSettings{Syslog: w, Facility: facilityDaemon, Level: slog.LevelInfo, Ident: "Keepalived_vrrp"})
	lg.Handler().Handle(t.Context(), slog.NewRecord(pinned, slog.LevelInfo, "(VI_1) Entering BACKUP STATE (init)", 0))
	lg.Handler().Handle(t.Context(), slog.NewRecord(pinned, slog.LevelError, "bad", 0))
	lg.Debug("filtered")

	srv.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 2048)
	var got []string
	for range 2 {
		n, err := srv.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(buf[:n]))
	}
	pid := os.Getpid()
	want := []string{
		// daemon(3)<<3 | info(6) = 30; daemon | err(3) = 27.
		"<30>Nov 22 05:07:03 Keepalived_vrrp[" + strconv.Itoa(pid) + "]: (VI_1) Entering BACKUP STATE (init)",
		"<27>Nov 22 05:07:03 Keepalived_vrrp[" + strconv.Itoa(pid) + "]: bad",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSyslogMissingSocketDoesNotBlock(t *testing.T) {
	w := newSyslogWriter(filepath.Join(t.TempDir(), "nothing"), "Keepalived")
	start := time.Now()
	for range 100 {
		w.Write(pinned, facilityDaemon, 6, "lost")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("100 writes to a missing socket took %v", d)
	}
}

func TestSyslogLocalFacility(t *testing.T) {
	w := newSyslogWriter("/unused", "Keepalived")
	f, _ := parseFacility("local3")
	got := w.format(time.Date(2026, 1, 5, 1, 2, 3, 0, time.UTC), f, 6, "x")
	want := "<158>Jan  5 01:02:03 Keepalived[" + strconv.Itoa(os.Getpid()) + "]: x"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
