// Package logging builds the *slog.Logger of keepalived-go's processes:
// keepalived's own line formats on the console (-l), in a log file (-g)
// and to syslog (RFC 3164 on /dev/log), or, with --log-format=json, one
// JSON object per line from the standard library's slog.JSONHandler.
//
// The attribute convention: a log call's message is keepalived's line,
// complete and exactly as keepalived words it (operators grep it, the tests
// compare it), and its attributes repeat the facts of that line for
// machines, under the keys below (Instance, VRID, State, Reason, ...). The
// text handler prints the message alone, so adding attributes never
// changes a keepalived line; the JSON handler prints them all.
//
//	ilg := logging.ForInstance(lg, "VI_1", 51)
//	ilg.Info("(VI_1) Entering MASTER STATE", logging.State("MASTER"), logging.Reason("master down"))
package logging

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Attribute keys of the convention (see the package comment).
const (
	KeyInstance = "instance"  // vrrp_instance name
	KeyVRID     = "vrid"      // virtual_router_id
	KeyState    = "state"     // MASTER, BACKUP, FAULT, INIT, STOP
	KeyPrevious = "previous"  // the state left, beside KeyState
	KeyReason   = "reason"    // why, in words: vrrp.Explain's text on a transition
	KeyCause    = "cause"     // the kind of cause: "master-down timer", "fault", ...
	KeyIfname   = "interface" // a network interface
	KeyAddr     = "addr"      // an IP address (a VIP, a peer, a source)
	KeyGroup    = "group"     // vrrp_sync_group name
	KeyScript   = "script"    // vrrp_script or notify script
	KeyPID      = "pid"       // a process
	KeyFile     = "file"      // a file: configuration, pidfile, dump
	KeySignal   = "signal"    // a signal number
	KeyStatus   = "status"    // an exit status
	KeyError    = "error"     // an error's text
	KeyFault    = "fault"     // a fault source of an instance: "if:eth1", "script:chk", ...
	KeyMAC      = "mac"       // a link-layer address
)

// Instance is the KeyInstance attribute.
func Instance(name string) slog.Attr { return slog.String(KeyInstance, name) }

// VRID is the KeyVRID attribute.
func VRID(id int) slog.Attr { return slog.Int(KeyVRID, id) }

// State is the KeyState attribute.
func State(s string) slog.Attr { return slog.String(KeyState, s) }

// Previous is the KeyPrevious attribute.
func Previous(s string) slog.Attr { return slog.String(KeyPrevious, s) }

// Addr is the KeyAddr attribute (an address or a prefix, as text).
func Addr(a string) slog.Attr { return slog.String(KeyAddr, a) }

// Ifname is the KeyIfname attribute.
func Ifname(name string) slog.Attr { return slog.String(KeyIfname, name) }

// Group is the KeyGroup attribute.
func Group(name string) slog.Attr { return slog.String(KeyGroup, name) }

// Script is the KeyScript attribute.
func Script(name string) slog.Attr { return slog.String(KeyScript, name) }

// Reason is the KeyReason attribute.
func Reason(r string) slog.Attr { return slog.String(KeyReason, r) }

// PID is the KeyPID attribute.
func PID(pid int) slog.Attr { return slog.Int(KeyPID, pid) }

// File is the KeyFile attribute.
func File(path string) slog.Attr { return slog.String(KeyFile, path) }

// Err is the KeyError attribute ("" for a nil error).
func Err(err error) slog.Attr {
	if err == nil {
		return slog.String(KeyError, "")
	}
	return slog.String(KeyError, err.Error())
}

// ForInstance is the logger of one vrrp_instance: every line it logs
// carries the instance's name and VRID (the daemon's per-instance loggers).
func ForInstance(lg *slog.Logger, name string, vrid int) *slog.Logger {
	return lg.With(Instance(name), VRID(vrid))
}

// Syslog facilities (RFC 5424 numbers, as <syslog.h> LOG_* >> 3).
const (
	FacilityUser   = 1
	FacilityDaemon = 3
	FacilityLocal0 = 16
)

// ParseFacility reads -S as keepalived does (main.c parse_cmdline): a
// number 0-7 or local0-local7 means LOG_LOCALn; "user" and "daemon" name
// themselves.
func ParseFacility(s string) (int, bool) {
	n := s
	if rest, ok := strings.CutPrefix(s, "local"); ok {
		n = rest
	}
	if v, err := strconv.ParseUint(n, 10, 8); err == nil && v <= 7 {
		return FacilityLocal0 + int(v), true
	}
	switch s {
	case "daemon":
		return FacilityDaemon, true
	case "user":
		return FacilityUser, true
	}
	return 0, false
}

// Settings say where log lines go. The zero value logs nowhere.
type Settings struct {
	// Ident is the syslog ident: "Keepalived" for the parent,
	// "Keepalived_vrrp" for the VRRP child.
	Ident    string
	Facility int
	// Syslog is the /dev/log writer, nil with -G.
	Syslog *SyslogWriter
	// Console gets `<ctime>: <message>` lines (-l with -n), nil otherwise.
	Console io.Writer
	// File gets keepalived's log-file lines (-g), nil otherwise.
	File io.Writer
	// JSON writes each line as one JSON object instead (--log-format=json).
	JSON bool
	// Level is the lowest level logged: Info, or Debug with -D.
	Level slog.Level
	// Now is the clock for records without a time (tests pin it).
	Now func() time.Time
}

// New returns a logger writing to every sink of s.
func New(s Settings) *slog.Logger {
	if s.Now == nil {
		s.Now = time.Now
	}
	h := &handler{s: &s, mu: &sync.Mutex{}, buf: &bytes.Buffer{}}
	if s.JSON {
		h.json = slog.NewJSONHandler(h.buf, &slog.HandlerOptions{Level: s.Level, ReplaceAttr: jsonAttr})
		if s.Ident != "" {
			h.json = h.json.WithAttrs([]slog.Attr{slog.String("ident", s.Ident)})
		}
	}
	return slog.New(h)
}

// jsonAttr keeps the JSON lines as they were before slog's handler wrote
// them: the time to the microsecond, durations as Go writes them ("1.5s").
func jsonAttr(groups []string, a slog.Attr) slog.Attr {
	switch {
	case len(groups) == 0 && a.Key == slog.TimeKey && a.Value.Kind() == slog.KindTime:
		a.Value = slog.StringValue(a.Value.Time().Format("2006-01-02T15:04:05.000000Z07:00"))
	case a.Value.Kind() == slog.KindDuration:
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

// handler formats a record once and writes it to each sink. In text form
// the line is the message (see the package comment); in JSON form it is
// what slog.JSONHandler writes into buf, under mu.
type handler struct {
	s    *Settings
	mu   *sync.Mutex   // one record at a time: buf and every sink
	buf  *bytes.Buffer // the JSON handler's output for one record
	json slog.Handler  // nil in text form
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.s.Level }

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	if h.json == nil {
		return h // text: attributes are not printed
	}
	n := *h
	n.json = h.json.WithAttrs(as)
	return &n
}

func (h *handler) WithGroup(name string) slog.Handler {
	if h.json == nil || name == "" {
		return h
	}
	n := *h
	n.json = h.json.WithGroup(name)
	return &n
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Time.IsZero() {
		r.Time = h.s.Now()
	}
	t := r.Time
	h.mu.Lock()
	defer h.mu.Unlock()
	body := r.Message
	if h.json != nil {
		h.buf.Reset()
		if err := h.json.Handle(ctx, r); err != nil {
			return err
		}
		body = strings.TrimSuffix(h.buf.String(), "\n")
	}
	var firstErr error
	keep := func(_ int, err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if h.s.Console != nil {
		if h.json != nil {
			keep(io.WriteString(h.s.Console, body+"\n"))
		} else {
			// keepalived: strftime("%c") in the C locale, then ": ".
			keep(fmt.Fprintf(h.s.Console, "%s: %s\n", t.Format(time.ANSIC), body))
		}
	}
	if h.s.File != nil {
		if h.json != nil {
			keep(io.WriteString(h.s.File, body+"\n"))
		} else {
			// keepalived's log file: "%a %b %d %T.<ns> %Y: ".
			keep(fmt.Fprintf(h.s.File, "%s.%09d %s: %s\n", t.Format("Mon Jan 02 15:04:05"), t.Nanosecond(), t.Format("2006"), body))
		}
	}
	if h.s.Syslog != nil {
		h.s.Syslog.Write(t, h.s.Facility, severity(r.Level), body)
	}
	return firstErr
}

// severity maps slog levels onto syslog severities.
func severity(l slog.Level) int {
	switch {
	case l >= slog.LevelError:
		return 3 // LOG_ERR
	case l >= slog.LevelWarn:
		return 4 // LOG_WARNING
	case l >= slog.LevelInfo:
		return 6 // LOG_INFO
	}
	return 7 // LOG_DEBUG
}
