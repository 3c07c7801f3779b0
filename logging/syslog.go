package logging

import (
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// defaultSyslogPath is where the local syslog daemon (journald, rsyslog)
// listens.
const defaultSyslogPath = "/dev/log"

// SyslogWriter sends RFC 3164 lines to the local syslog socket, as glibc's
// syslog(3) does: `<PRI>Mmm dd hh:mm:ss ident[pid]: message`, a datagram
// socket first and a stream socket (NUL-terminated lines) if that is what
// listens. It never blocks a caller for long: a write waits at most
// writeTimeout and a message that cannot be sent is dropped, so a stuck
// syslog daemon cannot stall the VRRP loop. A missing socket is retried at
// most once a second.
type SyslogWriter struct {
	path  string
	ident string
	pid   int

	mu       sync.Mutex
	conn     net.Conn
	stream   bool
	lastDial time.Time
}

const syslogWriteTimeout = 100 * time.Millisecond

// NewSyslogWriter returns a writer for path (defaultSyslogPath when empty).
// It connects lazily.
func NewSyslogWriter(path, ident string) *SyslogWriter {
	if path == "" {
		path = defaultSyslogPath
	}
	return &SyslogWriter{path: path, ident: ident, pid: os.Getpid()}
}

// format is one RFC 3164 line as glibc writes it to /dev/log (no hostname).
func (w *SyslogWriter) format(t time.Time, facility, severity int, msg string) string {
	return fmt.Sprintf("<%d>%s %s[%d]: %s", facility<<3|severity, t.Format(time.Stamp), w.ident, w.pid, msg)
}

// Write sends one message; errors are swallowed (syslog is best effort,
// as in keepalived), and the connection is re-established on the next call.
func (w *SyslogWriter) Write(t time.Time, facility, severity int, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	line := w.format(t, facility, severity, msg)
	for attempt := 0; attempt < 2; attempt++ {
		if w.conn == nil && !w.dial() {
			return
		}
		data := []byte(line)
		if w.stream {
			data = append(data, 0)
		}
		_ = w.conn.SetWriteDeadline(time.Now().Add(syslogWriteTimeout))
		if _, err := w.conn.Write(data); err == nil {
			return
		}
		w.conn.Close()
		w.conn = nil
		w.lastDial = time.Time{}
	}
}

func (w *SyslogWriter) dial() bool {
	if time.Since(w.lastDial) < time.Second {
		return false
	}
	w.lastDial = time.Now()
	if c, err := net.Dial("unixgram", w.path); err == nil {
		w.conn, w.stream = c, false
		return true
	}
	if c, err := net.Dial("unix", w.path); err == nil {
		w.conn, w.stream = c, true
		return true
	}
	return false
}

// Close closes the connection.
func (w *SyslogWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.conn == nil {
		return nil
	}
	err := w.conn.Close()
	w.conn = nil
	return err
}
