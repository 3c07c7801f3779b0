package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Syslog facilities (RFC 5424 numbers, as <syslog.h> LOG_* >> 3).
const (
	facilityUser   = 1
	facilityDaemon = 3
	facilityLocal0 = 16
)

// parseFacility reads -S as keepalived does (main.c parse_cmdline): a
// number 0-7 or local0-local7 means LOG_LOCALn; "user" and "daemon" name
// themselves.
func parseFacility(s string) (int, bool) {
	n := s
	if rest, ok := strings.CutPrefix(s, "local"); ok {
		n = rest
	}
	if v, err := strconv.ParseUint(n, 10, 8); err == nil && v <= 7 {
		return facilityLocal0 + int(v), true
	}
	switch s {
	case "daemon":
		return facilityDaemon, true
	case "user":
		return facilityUser, true
	}
	return 0, false
}

// logSettings says where log lines go. The zero value logs nowhere.
type logSettings struct {
	// Ident is the syslog ident: "Keepalived" for the parent,
	// "Keepalived_vrrp" for the VRRP child.
	Ident    string
	Facility int
	// Syslog is the /dev/log writer, nil with -G.
	Syslog *syslogWriter
	// Console gets `<ctime>: <message>` lines (-l with -n), nil otherwise.
	Console io.Writer
	// File gets keepalived's log-file lines (-g), nil otherwise.
	File io.Writer
	// JSON writes each line as one JSON object instead (--log-format=json).
	JSON bool
	// Level is the lowest level logged: Info, or Debug with -D.
	Level slog.Level
	// Now is the clock (tests pin it).
	Now func() time.Time
}

// newLogger returns a logger writing to every sink of s.
func newLogger(s logSettings) *slog.Logger {
	if s.Now == nil {
		s.Now = time.Now
	}
	return slog.New(&lineHandler{s: &s, mu: &sync.Mutex{}})
}

// lineHandler formats a record once and writes it to each sink: keepalived's
// console shape, its log-file shape and RFC 3164 syslog. Attributes follow
// the message as ` key=value` (text) or as JSON members.
type lineHandler struct {
	s      *logSettings
	mu     *sync.Mutex // one line at a time on every sink
	attrs  []slog.Attr // from WithAttrs, keys already qualified by groups
	groups string      // "g1.g2." prefix from WithGroup
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.s.Level }

func (h *lineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	n := *h
	n.attrs = append(append([]slog.Attr(nil), h.attrs...), qualify(h.groups, as)...)
	return &n
}

func (h *lineHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	n := *h
	n.groups = h.groups + name + "."
	return &n
}

// qualify prefixes the attributes' keys with the open groups and flattens
// group-valued attributes into dotted keys.
func qualify(prefix string, as []slog.Attr) []slog.Attr {
	var out []slog.Attr
	for _, a := range as {
		a.Value = a.Value.Resolve()
		if a.Equal(slog.Attr{}) {
			continue
		}
		if a.Value.Kind() == slog.KindGroup {
			p := prefix
			if a.Key != "" {
				p += a.Key + "."
			}
			out = append(out, qualify(p, a.Value.Group())...)
			continue
		}
		a.Key = prefix + a.Key
		out = append(out, a)
	}
	return out
}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := h.attrs
	if r.NumAttrs() > 0 {
		var rs []slog.Attr
		r.Attrs(func(a slog.Attr) bool { rs = append(rs, a); return true })
		attrs = append(append([]slog.Attr(nil), attrs...), qualify(h.groups, rs)...)
	}
	t := r.Time
	if t.IsZero() {
		t = h.s.Now()
	}
	var body string
	if h.s.JSON {
		body = jsonLine(t, r.Level, h.s.Ident, r.Message, attrs)
	} else {
		body = textLine(r.Message, attrs)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if h.s.Console != nil {
		if h.s.JSON {
			_, err := io.WriteString(h.s.Console, body+"\n")
			keep(err)
		} else {
			// keepalived: strftime("%c") in the C locale, then ": ".
			_, err := fmt.Fprintf(h.s.Console, "%s: %s\n", t.Format(time.ANSIC), body)
			keep(err)
		}
	}
	if h.s.File != nil {
		if h.s.JSON {
			_, err := io.WriteString(h.s.File, body+"\n")
			keep(err)
		} else {
			// keepalived's log file: "%a %b %d %T.<ns> %Y: ".
			_, err := fmt.Fprintf(h.s.File, "%s.%09d %s: %s\n", t.Format("Mon Jan 02 15:04:05"), t.Nanosecond(), t.Format("2006"), body)
			keep(err)
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

// textLine is the message followed by ` key=value` for each attribute
// (values quoted when they hold spaces or quotes).
func textLine(msg string, attrs []slog.Attr) string {
	if len(attrs) == 0 {
		return msg
	}
	var b strings.Builder
	b.WriteString(msg)
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		b.WriteByte('=')
		v := a.Value.String()
		if v == "" || strings.ContainsAny(v, " \t\"=") {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	}
	return b.String()
}

// jsonLine is one JSON object: time (RFC 3339, microseconds), level,
// ident, msg, then the attributes in order.
func jsonLine(t time.Time, l slog.Level, ident, msg string, attrs []slog.Attr) string {
	var b strings.Builder
	b.WriteString(`{"time":`)
	writeJSON(&b, t.Format("2006-01-02T15:04:05.000000Z07:00"))
	b.WriteString(`,"level":`)
	writeJSON(&b, l.String())
	if ident != "" {
		b.WriteString(`,"ident":`)
		writeJSON(&b, ident)
	}
	b.WriteString(`,"msg":`)
	writeJSON(&b, msg)
	for _, a := range attrs {
		b.WriteByte(',')
		writeJSON(&b, a.Key)
		b.WriteByte(':')
		writeJSON(&b, jsonValue(a.Value))
	}
	b.WriteByte('}')
	return b.String()
}

func jsonValue(v slog.Value) any {
	switch v.Kind() {
	case slog.KindString:
		return v.String()
	case slog.KindInt64:
		return v.Int64()
	case slog.KindUint64:
		return v.Uint64()
	case slog.KindFloat64:
		return v.Float64()
	case slog.KindBool:
		return v.Bool()
	case slog.KindDuration:
		return v.Duration().String()
	case slog.KindTime:
		return v.Time().Format(time.RFC3339Nano)
	}
	a := v.Any()
	if err, ok := a.(error); ok {
		return err.Error()
	}
	if s, ok := a.(fmt.Stringer); ok {
		return s.String()
	}
	return a
}

func writeJSON(b *strings.Builder, v any) {
	out, err := json.Marshal(v)
	if err != nil {
		out, _ = json.Marshal(fmt.Sprint(v))
	}
	b.Write(out)
}
