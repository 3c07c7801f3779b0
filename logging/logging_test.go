package logging

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

// TestConsoleLine: the text form is keepalived's console line, the
// message alone: attributes (from With and from the call) do not change it.
func TestConsoleLine(t *testing.T) {
	var buf bytes.Buffer
	lg := New(Settings{Console: &buf, Level: slog.LevelInfo, Now: func() time.Time { return pinned }})
	lg = lg.With(Instance("VI_1"))
	rec := slog.NewRecord(pinned, slog.LevelInfo, "(VI_1) Entering MASTER STATE", 0)
	rec.AddAttrs(Reason("master down"), slog.Int("prio", 100))
	if err := lg.Handler().Handle(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	lg.Debug("not shown without -D")
	lg.WithGroup("g").Info("grouped", VRID(51))
	want := "Sun Nov 22 05:07:03 2026: (VI_1) Entering MASTER STATE\n"
	if diff := cmp.Diff(want, buf.String()[:len(want)]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(buf.String(), ": grouped\n") || strings.Count(buf.String(), "\n") != 2 {
		t.Errorf("want two lines, the second ending in the bare message: %q", buf.String())
	}
}

func TestLogFileLine(t *testing.T) {
	var buf bytes.Buffer
	lg := New(Settings{File: &buf, Level: slog.LevelInfo})
	rec := slog.NewRecord(pinned, slog.LevelInfo, "Startup complete", 0)
	lg.Handler().Handle(t.Context(), rec)
	want := "Sun Nov 22 05:07:03.123456789 2026: Startup complete\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// TestJSONLine: --log-format=json is slog's JSON handler with the ident,
// the time to the microsecond, durations as Go writes them, errors as their
// text, and groups as nested objects.
func TestJSONLine(t *testing.T) {
	var buf bytes.Buffer
	lg := New(Settings{Console: &buf, JSON: true, Ident: "Keepalived_vrrp", Level: slog.LevelDebug})
	lg = lg.WithGroup("vrrp").With(Instance("VI_1"))
	rec := slog.NewRecord(pinned, slog.LevelWarn, `say "hi"`, 0)
	rec.AddAttrs(slog.Any("err", errors.New("boom")), slog.Duration("after", 1500*time.Millisecond), slog.Bool("ok", false), VRID(51))
	lg.Handler().Handle(t.Context(), rec)
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %q: %v", buf.String(), err)
	}
	want := map[string]any{
		"time": "2026-11-22T05:07:03.123456Z", "level": "WARN", "ident": "Keepalived_vrrp",
		"msg":  `say "hi"`,
		"vrrp": map[string]any{"instance": "VI_1", "err": "boom", "after": "1.5s", "ok": false, "vrid": float64(51)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(buf.String(), "}\n") || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("want one line, got %q", buf.String())
	}
}

// TestJSONToEverySink: each JSON line, with its attributes, reaches the console, the log file and
// syslog alike, and the level filter applies to all three.
func TestJSONToEverySink(t *testing.T) {
	var console, file bytes.Buffer
	lg := New(Settings{Console: &console, File: &file, JSON: true, Level: slog.LevelInfo})
	ForInstance(lg, "VI_1", 51).Info("(VI_1) Entering MASTER STATE", State("MASTER"))
	lg.Info("Startup complete", PID(42))
	lg.Debug("filtered")
	if console.String() != file.String() || strings.Count(console.String(), "\n") != 2 {
		t.Errorf("console %q, file %q: want the same two JSON lines", console.String(), file.String())
	}
	for _, want := range []string{`"instance":"VI_1","vrid":51,"state":"MASTER"`, `"msg":"Startup complete","pid":42}`} {
		if !strings.Contains(console.String(), want) {
			t.Errorf("JSON lines lack %s: %q", want, console.String())
		}
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
	w := NewSyslogWriter(path, "Keepalived_vrrp")
	defer w.Close()
	lg := New(Settings{Syslog: w, Facility: FacilityDaemon, Level: slog.LevelInfo, Ident: "Keepalived_vrrp"})
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
	w := NewSyslogWriter(filepath.Join(t.TempDir(), "nothing"), "Keepalived")
	start := time.Now()
	for range 100 {
		w.Write(pinned, FacilityDaemon, 6, "lost")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("100 writes to a missing socket took %v", d)
	}
}

func TestSyslogLocalFacility(t *testing.T) {
	w := NewSyslogWriter("/unused", "Keepalived")
	f, _ := ParseFacility("local3")
	got := w.format(time.Date(2026, 1, 5, 1, 2, 3, 0, time.UTC), f, 6, "x")
	want := "<158>Jan  5 01:02:03 Keepalived[" + strconv.Itoa(os.Getpid()) + "]: x"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseFacility(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"daemon", 3, true}, {"user", 1, true}, {"0", 16, true}, {"7", 23, true},
		{"local0", 16, true}, {"local7", 23, true}, {"8", 0, false}, {"local8", 0, false},
		{"local", 0, false}, {"kern", 0, false}, {"", 0, false}, {"-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseFacility(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseFacility(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
